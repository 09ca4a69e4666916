"""The fictional demo area (Marrowby): wards, indicators, organisations and services made up
from a fixed seed, so the app runs with no downloads (``make`` writes the pack).

May import: ``sector_map.pack`` and ``sector_map.demo``.
"""
