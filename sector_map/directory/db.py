"""Where the directory lives and how to open it: the database URL, the engine, and ``init``.

* Default: a SQLite file, ``data/directory.sqlite`` in the repository, made on first ``init``;
  opened in WAL mode (readers do not block the writer), with foreign keys on, a 30 s busy timeout,
  and every transaction begun ``IMMEDIATE`` (a writer takes the write lock at the start instead of
  failing half-way when another writer holds it).
* ``SECTOR_MAP_DATABASE_URL`` (or ``--db`` on the command line) names another database, for
  example ``postgresql://user:password@host/dbname`` for a shared deployment. ``postgresql://``
  and ``postgres://`` URLs use the psycopg 3 driver.
* The schema is made and upgraded by the Alembic migrations in ``migrations/`` (no alembic.ini:
  :func:`alembic_config` builds the configuration); :func:`init` creates or upgrades to head.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from filelock import FileLock
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

ENV_URL = "SECTOR_MAP_DATABASE_URL"
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "directory.sqlite"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000


def database_url(given: str | None = None) -> str:
    """The URL to use: ``given``, else ``$SECTOR_MAP_DATABASE_URL``, else the default SQLite file.

    Example:
        >>> database_url("postgres://u@h/db")
        'postgresql+psycopg://u@h/db'
    """
    url = given or os.environ.get(ENV_URL) or f"sqlite:///{DEFAULT_PATH}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(given: str | None = None) -> Engine:
    """An engine for the directory database, with the SQLite settings above when it is SQLite."""
    url = database_url(given)
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True)
    path = make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's begin event issues BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config(make_engine("sqlite://"))).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


# Any fixed number: the PostgreSQL advisory lock app servers and `directory init` take to migrate.
_MIGRATION_LOCK = 0x5EC70A


def init(engine: Engine) -> str:
    """Create the schema, or upgrade it to the newest migration; return that migration's id.

    Safe when several processes start at once: they take turns (on PostgreSQL under an advisory
    lock, on SQLite under a file lock beside the database), and the later ones find the schema at
    head and do nothing.
    """
    config = alembic_config(engine)
    if is_sqlite(str(engine.url)):
        # Alembic reads the schema's revision before its migration transaction takes SQLite's write
        # lock, so two processes could both see 0002 and both add 0003's column: a file lock
        # beside the database makes them take turns (an in-memory database has no other process).
        path = make_url(str(engine.url)).database
        if path and path != ":memory:":
            with FileLock(f"{path}.migrate.lock", timeout=BUSY_TIMEOUT_MS / 1000 * 4):
                command.upgrade(config, "head")
        else:
            command.upgrade(config, "head")
    else:
        with engine.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({_MIGRATION_LOCK})")
            connection.commit()
            try:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            finally:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({_MIGRATION_LOCK})")
                connection.commit()
    current = current_revision(engine)
    assert current is not None
    return current
