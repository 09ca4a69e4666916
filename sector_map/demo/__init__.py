"""The fictional demo area (Marrowby): wards, indicators, organisations and services made up
from a fixed seed, so the app runs with no downloads (``make`` writes the pack); and the tiny
four-ward pack the docstring examples and tests run on (:func:`sector_map.demo.tiny.tiny_pack`).

May import: ``sector_map.pack`` and ``sector_map.demo``.
"""
