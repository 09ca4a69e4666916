"""The live directory's store: organisations describe their own services, officers review them.

A SQL database (SQLite under ``data/`` by default, PostgreSQL for a shared deployment, chosen by
``SECTOR_MAP_DATABASE_URL``) holding users, organisations, claims, services, revisions and a
field-level change log, and readers' problem reports, with Alembic migrations. Plain Python: no Streamlit.

May import: ``pack`` (postcode shapes, wards, theme labels). Imported by: ``cli`` and the
directory pages (``ui/``, ``app_pages/``).
"""
