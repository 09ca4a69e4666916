"""Every page on the England pack (6,817 current wards, IoD2025, no organisations) in headless Chromium.

The pack is built once from ../shared/data by recipes/england.toml and served by its own app.
Each page must draw without an exception box; the Need map must draw every ward; pages with
nothing to compare must say what is missing. Screenshots go to tests/e2e/screenshots/.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from devtools.appserver import app_server
from sector_map.pack import schema as s
from sector_map.pack.io import load_pack
from tests.conftest import ROOT, shared_data_or_skip
from tests.e2e.conftest import screenshot
from tests.e2e.test_browser import FIND_WARD_POINT_CANVAS, ward_map

pytestmark = [pytest.mark.e2e, pytest.mark.data]

NO_ORGS = "This pack has no organisations yet"
# Slow on purpose: 6,817 ward polygons are drawn, and the first page builds the caches.
LOAD_MS = 240_000


@pytest.fixture(scope="module")
def england_dir(tmp_path_factory) -> Path:
    shared_data_or_skip()
    from sector_map.build.builder import build_pack

    root = tmp_path_factory.mktemp("england-packs")
    build_pack(ROOT / "recipes" / "england.toml", root / "england")
    return root


@pytest.fixture(scope="module")
def england_url(england_dir, tmp_path_factory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("logs") / "streamlit-england.log"
    with app_server(england_dir, log) as (url, _):
        yield url


@pytest.fixture(scope="module")
def england(england_dir):
    return load_pack(england_dir / "england")


def _settled(page) -> None:
    """Wait until the script has finished and every element is drawn, then check for tracebacks."""
    page.wait_for_function(
        "(() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
        " return app && app.getAttribute('data-test-script-state') === 'notRunning'"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]'); })()",
        timeout=LOAD_MS,
    )
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()[:2000]


def test_need_map_draws_every_english_ward_and_a_click_selects_one(page, england_url, england):
    page.goto(f"{england_url}/?pack=england")
    page.get_by_role("heading", name="Need map — England").wait_for(timeout=LOAD_MS)
    container = ward_map(page, timeout=LOAD_MS)
    assert container.get_attribute("data-wards-drawn") == str(len(england.wards))
    assert page.evaluate("window.sectorMapWardsDrawn") == len(england.wards)
    page.get_by_text("Ward values as a table").wait_for(timeout=LOAD_MS)
    _settled(page)
    screenshot(page, "england_need_map")
    container.scroll_into_view_if_needed()
    x, y, code = page.evaluate(FIND_WARD_POINT_CANVAS)
    name = england.wards.set_index(s.WARD_CODE).loc[code, s.WARD_NAME]
    page.mouse.move(x, y)
    page.locator(".sm-ward-map .leaflet-tooltip", has_text=name).wait_for(timeout=30_000)
    page.mouse.click(x, y)
    page.get_by_role("heading", name=name).wait_for(timeout=LOAD_MS)
    assert f"ward={code}" in page.url
    screenshot(page, "england_need_map_ward_selected")
    # The table of every ward's value is drawn once its expander is opened, not on the first page.
    grids = page.locator("[data-testid='stDataFrame']")
    before = grids.count()
    page.get_by_text("Ward values as a table").click()
    page.wait_for_function(
        f"document.querySelectorAll(\"[data-testid='stDataFrame']\").length > {before}", timeout=LOAD_MS
    )
    leaked = [u for u in page.blocked if u.endswith((".js", ".css"))]
    assert leaked == [], f"the map asked the internet for {leaked}"


def test_gaps_says_there_is_no_provision(page, england_url):
    page.goto(f"{england_url}/gaps?pack=england")
    page.get_by_role("heading", name="Gaps — England").wait_for(timeout=LOAD_MS)
    page.get_by_text(NO_ORGS).first.wait_for(timeout=LOAD_MS)
    _settled(page)
    assert page.get_by_text("Priority list").count() == 0
    screenshot(page, "england_gaps")


def test_where_we_fit_ranks_wards_by_need_for_a_described_offer(page, england_url, england):
    page.goto(f"{england_url}/fit?pack=england")
    page.get_by_role("heading", name="Where we fit — England").wait_for(timeout=LOAD_MS)
    _settled(page)
    page.get_by_label("What you offer (themes)").click()
    page.get_by_role("option", name="Older people").click()
    page.keyboard.press("Escape")
    page.get_by_role("heading", name="Wards where your offer fits").wait_for(timeout=LOAD_MS)
    page.get_by_text("Wards are ranked by need alone").first.wait_for(timeout=LOAD_MS)
    _settled(page)
    # The table is drawn on a canvas, so the ranking is read from the page's CSV of it.
    with page.expect_download(timeout=LOAD_MS) as info:
        page.get_by_role("button", name="Download CSV").click()
    wards = pd.read_csv(
        io.BytesIO(info.value.path().read_bytes()), encoding="utf-8-sig", dtype={"ward_code": str}
    )
    assert sorted(wards["ward_code"]) == sorted(england.wards[s.WARD_CODE])
    ranked = wards[wards["rank"].notna()]
    assert len(ranked) > len(wards) / 2 and ranked["rank"].tolist() == list(range(1, len(ranked) + 1))
    assert ranked["score"].is_monotonic_decreasing  # need alone: there is no provision to compare
    assert ranked["reason"].str.contains("need for older people").all()
    assert wards.loc[wards["rank"].isna(), "reason"].str.startswith("no data").all()  # last, unranked
    screenshot(page, "england_where_we_fit")


def test_ward_profile_of_an_english_ward(page, england_url, england):
    row = england.wards.iloc[0]
    page.goto(f"{england_url}/ward?pack=england&ward={row[s.WARD_CODE]}")
    page.get_by_role("heading", name=str(row[s.WARD_NAME])).first.wait_for(timeout=LOAD_MS)
    page.get_by_role("heading", name="Community buildings and land").wait_for(timeout=LOAD_MS)
    _settled(page)
    page.get_by_text(NO_ORGS).first.wait_for()
    assert page.locator("[data-testid='stImage'] img, [data-testid='stPyplot'] img").count() >= 1
    screenshot(page, "england_ward_profile")
    page.get_by_role("heading", name="Organisations and services").scroll_into_view_if_needed()
    screenshot(page, "england_ward_profile_organisations")
    page.get_by_role("heading", name="Gaps by theme").scroll_into_view_if_needed()
    screenshot(page, "england_ward_profile_gaps")


@pytest.mark.parametrize(
    ("path", "heading"), [("data", "Data — England"), ("about", "About the data — England")]
)
def test_data_and_about_pages(page, england_url, path, heading):
    page.goto(f"{england_url}/{path}?pack=england")
    page.get_by_role("heading", name=heading).wait_for(timeout=LOAD_MS)
    _settled(page)
    page.wait_for_function(
        'document.querySelectorAll(\'[data-testid="stTable"], [data-testid="stDataFrame"] canvas\').length >= 1',
        timeout=LOAD_MS,
    )
    screenshot(page, f"england_{path}")
