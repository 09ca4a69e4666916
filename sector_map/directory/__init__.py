"""The live directory's store: organisations describe their own services, officers review them.

A SQL database (SQLite under ``data/`` by default, PostgreSQL for a shared deployment, chosen by
``SECTOR_MAP_DATABASE_URL``) holding users, organisations, claims, services, revisions and a
field-level change log, with Alembic migrations. Plain Python: no Streamlit.

May import: ``pack`` (postcode shapes). Imported by: ``cli`` (and, later, the pages).
"""
