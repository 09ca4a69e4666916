"""The live directory's store, opened once per database URL and shared by every session.

The URL is ``SECTOR_MAP_DATABASE_URL``, else ``[directory] url`` in ``.streamlit/secrets.toml``,
else the SQLite file under ``data/`` (see :mod:`sector_map.directory.db`). The first session to
open it creates or upgrades the schema (Alembic), so ``make run`` needs no set-up.
"""

from __future__ import annotations

import os

import streamlit as st

from sector_map.directory import db
from sector_map.directory.store import Store


def database_url() -> str:
    """The directory's URL for this app (environment first, then Streamlit secrets, then SQLite)."""
    given = os.environ.get(db.ENV_URL)
    if not given:
        try:
            given = str(st.secrets.get("directory", {}).get("url") or "") or None
        except FileNotFoundError:  # no secrets file at all
            given = None
    return db.database_url(given)


@st.cache_resource(show_spinner="Opening the directory…", max_entries=4)
def _open(url: str) -> Store:
    store = Store.open(url)
    db.init(store.engine)
    return store


def store() -> Store:
    """The directory store (shared across sessions; it holds no per-user state)."""
    return _open(database_url())
