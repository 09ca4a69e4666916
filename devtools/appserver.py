"""Start the real app on a free port and wait until it answers (polled, never slept on)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def app_server(packs_dir: Path, log: Path) -> Iterator[tuple[str, float]]:
    """Run ``streamlit run app.py`` with packs from ``packs_dir``; yield (url, seconds until healthy).

    The server is stopped by its own pid on exit.
    """
    port = free_port()
    env = dict(os.environ, SECTOR_MAP_PACKS_DIR=str(packs_dir))
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
    ]
    url = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_healthy(url, proc, log)
        yield url, time.perf_counter() - start
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


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
