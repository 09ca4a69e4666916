"""Importers: read published open data as published and turn it into data-pack tables.

One module per source, and the readers they share (``tables``: CSV/XLSX within limits, with
plain errors; ``geo``: boundary files; ``postcodes``: national postcode files). Importers build
packs; pages read packs; nothing else crosses that line.

May import: ``sector_map.pack`` and ``sector_map.importers``.
"""
