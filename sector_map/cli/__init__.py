"""The command line (``python -m sector_map``): build-pack, demo, describe, gaps, fit and export.

May import: every package of ``sector_map``; nothing imports it.
"""
