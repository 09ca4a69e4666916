"""Importers: read published open data as published and turn it into data-pack tables.

One module per source. Importers build packs; pages read packs; nothing else crosses that line.
"""
