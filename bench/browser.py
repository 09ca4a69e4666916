"""First full page: the real app on a free port, timed in headless Chromium until wards are drawn.

The server gets a private packs folder holding only a copy of the pack, is polled at
``/_stcore/health`` (never slept on) and is stopped by its own pid. Every request that leaves
localhost is aborted, so the figure is that of a machine with no internet.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.timing import Stats

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("SECTOR_MAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MAP_FRAME = 'iframe[title*="st_folium"]'
WARD_POLYGON = "path.leaflet-interactive"
START_TIMEOUT_S = 90.0
PAGE_TIMEOUT_S = 60.0


@dataclass
class PageResult:
    """Timings of the first full page; ``error`` says why there are none."""

    server_start: float | None = None
    cold: float | None = None
    warm: Stats | None = None
    frame: Stats | None = None
    blocked: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    error: str = ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
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
    raise RuntimeError(
        f"the app did not answer at {url} within {START_TIMEOUT_S:.0f} s:\n{log.read_text()[-2000:]}"
    )


@contextmanager
def app_server(pack_dir: Path) -> Iterator[tuple[str, float]]:
    """Run ``streamlit run app.py`` on a copy of ``pack_dir``; yield (url, seconds until healthy)."""
    with tempfile.TemporaryDirectory(prefix="sector-map-bench-") as tmp:
        packs = Path(tmp) / "packs"
        shutil.copytree(pack_dir, packs / pack_dir.name)
        log = Path(tmp) / "streamlit.log"
        port = free_port()
        env = dict(os.environ, SECTOR_MAP_PACKS_DIR=str(packs))
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
            _wait_healthy(url, proc, log)
            yield url, time.perf_counter() - start
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _visit(browser, url: str, blocked: list[str]) -> tuple[float, float]:
    """Seconds from ``page.goto`` in a fresh context until (the map's iframe is on the page, a ward
    polygon is visible inside it)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})

    def guard(route) -> None:
        req_url = route.request.url
        host = req_url.split("/")[2] if "://" in req_url else ""
        if host.startswith(("127.0.0.1", "localhost")) or req_url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            blocked.append(req_url)
            route.abort()

    try:
        context.route("**/*", guard)
        page = context.new_page()
        frame = page.locator(MAP_FRAME).first
        polygon = page.frame_locator(MAP_FRAME).locator(WARD_POLYGON).first
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        frame.wait_for(state="attached", timeout=PAGE_TIMEOUT_S * 1000)
        framed = time.perf_counter() - start
        polygon.wait_for(state="visible", timeout=PAGE_TIMEOUT_S * 1000)
        return framed, time.perf_counter() - start
    finally:
        context.close()


def time_first_page(pack_dir: Path, *, repeats: int) -> PageResult:
    """Start the app, warm it with one visit (reported as ``cold``), then time ``repeats`` visits."""
    result = PageResult()
    if not Path(CHROMIUM).exists():
        result.error = f"Chromium not found at {CHROMIUM} (set SECTOR_MAP_CHROMIUM)"
        return result
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        result.error = "the playwright package is not installed (pip install -r requirements-dev.txt)"
        return result
    try:
        with app_server(pack_dir) as (url, started), sync_playwright() as pw:
            result.server_start = started
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                url = f"{url}/?pack={pack_dir.name}"
                result.cold = _visit(browser, url, result.blocked)[1]
                samples = []
                for _ in range(repeats):
                    try:
                        samples.append(_visit(browser, url, result.blocked))
                    except PlaywrightError as exc:
                        result.failures.append(str(exc).splitlines()[0])
                if samples:
                    result.frame = Stats(tuple(s[0] for s in samples))
                    result.warm = Stats(tuple(s[1] for s in samples))
            finally:
                browser.close()
    except RuntimeError as exc:
        result.error = str(exc)
    except (OSError, PlaywrightError) as exc:
        lines = str(exc).strip().splitlines()
        result.error = f"{type(exc).__name__}: {lines[0] if lines else ''}"
    return result
