"""The live directory's store: organisations describe their own services, officers review them.

A SQL database (SQLite under ``data/`` by default, PostgreSQL for a shared deployment, chosen by
``SECTOR_MAP_DATABASE_URL``) holding users, organisations, claims, services, revisions and a
field-level change log, and readers' problem reports, with Alembic migrations. Plain Python: no Streamlit.

May import: ``pack`` (postcode shapes, wards, theme labels), ``importers``, and ``analysis`` (the
preview of how a listing changes the gaps, :func:`sector_map.directory.overlay.preview`). Imported
by: ``cli`` and the app's ``ui`` and ``app_pages`` (the directory pages, and the overlay of approved
listings on every analysis page).
"""
