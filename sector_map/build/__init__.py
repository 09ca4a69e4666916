"""Building a pack from official open data: a recipe (TOML) names the files; ``builder`` runs the
importers, places organisations with a national postcode file (``postcodes``) and writes the pack;
``report`` says what was built and what was left out.

May import: ``sector_map.pack``, ``sector_map.importers`` and ``sector_map.build``.
"""
