"""Start the real app on a free port (polled at /_stcore/health, never slept on) and a headless Chromium.

Every request that leaves localhost is blocked and recorded, so the tests prove the app works
on a machine with no internet even where this one has it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.appserver import app_server, block_internet
from tests.conftest import SHARED_DATA

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("SECTOR_MAP_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "tests" / "e2e" / "screenshots"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def packs_dir(tmp_path_factory) -> Path:
    """The demo pack plus a copy whose organisations carry script-injection names."""
    from sector_map.demo.make import build_demo_pack
    from sector_map.pack.io import save_pack
    from tests.e2e.hostile import make_hostile_pack

    root = tmp_path_factory.mktemp("packs")
    demo = build_demo_pack()  # written here, never read from data/packs/ in the working tree
    save_pack(demo, root / "demo")
    save_pack(make_hostile_pack(demo), root / "hostile")
    if SHARED_DATA.is_dir():  # the Trafford tests skip or fail by tests.conftest.shared_data_or_skip
        from sector_map.build.builder import build_pack

        build_pack(ROOT / "recipes" / "trafford-2019.toml", root / "trafford")
    return root


@pytest.fixture(scope="session")
def app_url(packs_dir, tmp_path_factory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's `chromium` (CI does)")
    log = tmp_path_factory.mktemp("logs") / "streamlit.log"
    with app_server(packs_dir, log) as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A page in which every non-localhost request is aborted and recorded in ``page.blocked``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    blocked: list[str] = []

    block_internet(context, blocked)
    pg.blocked = blocked
    yield pg
    context.close()


def screenshot(pg, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path


def settled(page, timeout_ms: int = 180_000) -> None:
    """Wait until the app's script has finished and nothing is still drawing; nothing raised."""
    page.wait_for_function(
        "(() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
        " return app && app.getAttribute('data-test-script-state') === 'notRunning'"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]'); })()",
        timeout=timeout_ms,
    )
    assert page.locator("[data-testid='stException']").count() == 0
