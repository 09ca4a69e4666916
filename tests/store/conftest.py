"""Fixtures for the directory store's tests: every test that takes ``db_url`` (or ``store``) runs
twice, against a fresh SQLite file and against a fresh database on a real PostgreSQL server
(:mod:`tests.postgres` says where that server comes from).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sector_map.directory import db
from sector_map.directory.store import Store
from tests.postgres import drop_database, fresh_database, postgres_server, require_postgres

__all__ = ["postgres_server"]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database of each kind (a new SQLite file; a new PostgreSQL database)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'directory.sqlite'}"
        return
    url = fresh_database(require_postgres(request.getfixturevalue("postgres_server")))
    try:
        yield url
    finally:
        drop_database(url)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A store on an initialised (migrated to head) empty database of each kind."""
    opened = Store.open(db_url)
    db.init(opened.engine)
    try:
        yield opened
    finally:
        opened.engine.dispose()
