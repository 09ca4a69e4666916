"""Start the real app on a free port and wait until it answers (polled, never slept on)."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 90.0


def free_port() -> int:
    """A TCP port on localhost that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, *, timeout: float = START_TIMEOUT_S) -> None:
    """Poll ``/_stcore/health`` until it answers 200; raise with the log's tail if the app dies or stalls."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the app did not answer at {url} within {timeout:.0f} s:\n{log.read_text()[-2000:]}")


@dataclass(frozen=True)
class RunningApp:
    """A started app: its address, seconds until it answered, and the server's pid."""

    url: str
    started: float
    pid: int


@contextmanager
def app_server(packs_dir: Path, log: Path, *, database_url: str | None = None) -> Iterator[tuple[str, float]]:
    """Run ``streamlit run app.py`` with packs from ``packs_dir``; yield (url, seconds until healthy).

    The server is stopped by its own pid on exit.
    """
    with app_process(packs_dir, log, database_url=database_url) as app:
        yield app.url, app.started


@contextmanager
def app_process(
    packs_dir: Path,
    log: Path,
    *,
    memory_limit: int | None = None,
    database_url: str | None = None,
    extra_args: tuple[str, ...] = (),
    extra_env: dict[str, str] | None = None,
) -> Iterator[RunningApp]:
    """:func:`app_server`, yielding a :class:`RunningApp`; ``memory_limit`` caps the server's address
    space in bytes (an allocation beyond it raises MemoryError in the app instead of swapping).

    The directory is ``database_url``, else a fresh SQLite file beside ``log`` (never the working
    tree's ``data/directory.sqlite``); ``extra_args`` go to ``streamlit run`` (``--secrets.files``…), ``extra_env`` to its environment (``TMPDIR``, ``HOME``…).
    """
    port = free_port()
    database_url = database_url or f"sqlite:///{log.parent / 'directory.sqlite'}"
    env = dict(os.environ, SECTOR_MAP_PACKS_DIR=str(packs_dir), SECTOR_MAP_DATABASE_URL=database_url)
    env.update(extra_env or {})
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *extra_args,
    ]
    url = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=(lambda: cap_memory(memory_limit)) if memory_limit else None,
        )
    try:
        wait_healthy(url, proc, log)
        yield RunningApp(url, time.perf_counter() - start, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def cap_memory(limit: int) -> None:
    """Cap this process's address space at ``limit`` bytes (in a child, before it starts)."""
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def peak_rss(pid: int) -> int | None:
    """The process's peak resident memory so far in bytes (``VmHWM``), or None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time the process has used so far, or None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(
    pid: int, *, quiet_s: float = 3.0, busy_share: float = 0.2, timeout: float = 300.0
) -> float | None:
    """Wait until the process has used under ``busy_share`` of one core for ``quiet_s`` seconds on end
    (a server whose background work, a pack's warm-up say, has finished); return the seconds waited,
    or None if it was still busy after ``timeout`` (or is gone).

    Streamlit polls its config files a few times a second, so "idle" is a low share, not zero.
    """
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        before = cpu_seconds(pid)
        time.sleep(quiet_s)
        after = cpu_seconds(pid)
        if before is None or after is None:
            return None
        if after - before < busy_share * quiet_s:
            return time.perf_counter() - start
    return None


def block_internet(context, blocked: list[str]) -> None:
    """Abort every request of a Playwright browser context that leaves localhost, recording its URL.

    The app must work on a machine with no internet; this proves it even where there is one.
    """

    def guard(route) -> None:
        url = route.request.url
        host = url.split("/")[2] if "://" in url else ""
        if host.startswith(("127.0.0.1", "localhost")) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", guard)
