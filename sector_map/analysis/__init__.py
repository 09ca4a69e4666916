"""The core loop's arithmetic: need, provision, gaps, matching and the ward profile.

need (indicator scores → a theme's need index) → catchment and service reach (who reaches which
ward) → provision (services per 1,000 people within reach) → gaps (need against provision, with a
class and a reason per ward) → matching (wards and partners for an offer) → ward profile. ``tables``
runs the loop for a pack and a set of themes; ``subject`` says what a need map shows.

May import: ``sector_map.pack`` and ``sector_map.analysis``. Never importers, views or export.
"""
