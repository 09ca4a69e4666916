"""A real PostgreSQL server for the tests, and fresh databases on it.

PostgreSQL comes from ``SECTOR_MAP_TEST_POSTGRES_URL`` (a role that may CREATE DATABASE; CI's
``.ci/run`` sets it), or else from a throwaway cluster these fixtures start in a temporary folder
with the machine's ``initdb``/``pg_ctl`` (as the ``postgres`` user when the tests run as root,
since PostgreSQL refuses to run as root). With neither, the PostgreSQL half skips and says why,
unless ``SECTOR_MAP_REQUIRE_POSTGRES=1``: then it fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sector_map.directory import db

POSTGRES_URL = "SECTOR_MAP_TEST_POSTGRES_URL"
REQUIRE_POSTGRES = "SECTOR_MAP_REQUIRE_POSTGRES"


def _bindir() -> Path | None:
    """The newest PostgreSQL server binaries on this machine, if any."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Cluster:
    """A throwaway PostgreSQL cluster in a temporary folder, stopped and removed at the end."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="sector-map-pg-"))
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None:
                raise RuntimeError("running as root and no runuser to start PostgreSQL as another user")
            self.prefix = [runuser, "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres")
        self.port = _free_port()
        self.data = self.root / "data"

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self.prefix, *args], capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(
                f"{Path(args[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}"
            )

    def start(self) -> str:
        self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"
        )
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = self.root / "server.log"
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(log), "-w", "start"
        )
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str | None]:
    """A URL of a PostgreSQL server the tests may create databases on, or None (the reason is
    kept for :func:`_no_postgres`)."""
    given = os.environ.get(POSTGRES_URL)
    if given:
        yield given
        return
    bindir = _bindir()
    if bindir is None:
        _Missing.reason = (
            f"no PostgreSQL server binaries (initdb) on this machine and {POSTGRES_URL} is not set"
        )
        yield None
        return
    cluster = _Cluster(bindir)
    try:
        url = cluster.start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired, LookupError) as exc:
        cluster.stop()
        _Missing.reason = (
            f"could not start a throwaway PostgreSQL from {bindir} ({exc}) and {POSTGRES_URL} is not set"
        )
        yield None
        return
    try:
        yield url
    finally:
        cluster.stop()


class _Missing:
    reason = ""


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(sql)


def fresh_database(server: str) -> str:
    """A new, empty database on ``server``: its SQLAlchemy URL (drop it with :func:`drop_database`)."""
    from sqlalchemy.engine import make_url

    name = f"sector_map_test_{uuid.uuid4().hex[:12]}"
    _admin(server, f'CREATE DATABASE "{name}"')
    return make_url(db.database_url(server)).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    server = parsed.set(database="postgres").render_as_string(hide_password=False)
    for _ in range(3):
        try:
            _admin(server, f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
            break
        except Exception:  # noqa: BLE001 - a test's leftover connection; try again
            time.sleep(0.5)


def require_postgres(server: str | None) -> str:
    """``server``, or skip (fail under SECTOR_MAP_REQUIRE_POSTGRES=1) saying why there is none."""
    if server is None:
        if os.environ.get(REQUIRE_POSTGRES) == "1":
            pytest.fail(f"{REQUIRE_POSTGRES}=1 but there is no PostgreSQL: {_Missing.reason}")
        pytest.skip(f"PostgreSQL half skipped: {_Missing.reason}")
    return server
