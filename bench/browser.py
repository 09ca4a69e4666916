"""First full page: the real app on a free port, timed in headless Chromium until wards are drawn.

The server gets a private packs folder holding only a copy of the pack, is polled at
``/_stcore/health`` (never slept on) and is stopped by its own pid. Every request that leaves
localhost is aborted, so the figure is that of a machine with no internet.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.timing import Stats
from devtools import appserver

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("SECTOR_MAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MAP_FRAME = 'iframe[title*="st_folium"]'
# Ward polygons, told from organisation circles (also interactive paths) by their fill opacity
# (sector_map/views/map_layers.py: 0.85 with data, 0.9 without).
WARD_POLYGONS = "path.leaflet-interactive[fill-opacity='0.85'], path.leaflet-interactive[fill-opacity='0.9']"
PAGE_TITLE = "h1"
# Milestones of one visit, in the order they are reached; the last is the figure judged.
TITLE, IFRAME, WARDS = "page_title", "map_iframe", "wards_drawn"
PAGE_TIMEOUT_S = 60.0


@dataclass
class PageResult:
    """Timings of the first full page; ``error`` says why there are none."""

    server_start: float | None = None
    cold: dict[str, float] = field(default_factory=dict)
    warm: dict[str, Stats] = field(default_factory=dict)
    blocked: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    error: str = ""


@contextmanager
def app_server(pack_dir: Path) -> Iterator[tuple[str, float]]:
    """Run the app on a private copy of ``pack_dir``; yield (url, seconds until healthy)."""
    with tempfile.TemporaryDirectory(prefix="sector-map-bench-") as tmp:
        packs = Path(tmp) / "packs"
        shutil.copytree(pack_dir, packs / pack_dir.name)
        with appserver.app_server(packs, Path(tmp) / "streamlit.log") as running:
            yield running


def _visit(browser, url: str, blocked: list[str], *, wards: int) -> dict[str, float]:
    """Seconds from ``page.goto`` in a fresh browser context until each milestone.

    The page title is shown, the map's iframe is on the page, and all ``wards`` ward polygons are
    drawn inside that iframe (the first full page). Drawn means attached, not visible: at a
    national zoom many wards are under a pixel across and never count as visible.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})

    try:
        appserver.block_internet(context, blocked)
        page = context.new_page()
        waits = [
            (TITLE, page.locator(PAGE_TITLE).first, "visible"),
            (IFRAME, page.locator(MAP_FRAME).first, "attached"),
            (WARDS, page.frame_locator(MAP_FRAME).locator(WARD_POLYGONS).nth(wards - 1), "attached"),
        ]
        marks = {}
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        for name, locator, state in waits:
            locator.wait_for(state=state, timeout=PAGE_TIMEOUT_S * 1000)
            marks[name] = time.perf_counter() - start
        return marks
    finally:
        context.close()


def time_first_page(pack_dir: Path, *, wards: int, repeats: int) -> PageResult:
    """Start the app, warm it with one visit (reported as ``cold``), then time ``repeats`` visits.

    ``wards`` is the number of ward polygons the Need map draws (the pack's wards).
    """
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
                result.cold = _visit(browser, url, result.blocked, wards=wards)
                samples = []
                for _ in range(repeats):
                    try:
                        samples.append(_visit(browser, url, result.blocked, wards=wards))
                    except PlaywrightError as exc:
                        result.failures.append(str(exc).splitlines()[0])
                if samples:
                    result.warm = {name: Stats(tuple(s[name] for s in samples)) for name in samples[0]}
            finally:
                browser.close()
    except RuntimeError as exc:
        result.error = str(exc)
    except (OSError, PlaywrightError) as exc:
        lines = str(exc).strip().splitlines()
        result.error = f"{type(exc).__name__}: {lines[0] if lines else ''}"
    return result
