"""Issue 10's pages on the real Trafford pack, in Chromium: what an officer sees and can believe.

Gaps for a theme whose provision cannot tell wards apart (children and young people) and for one
with located services (food banks and hubs); Where we fit for Salford Food Share and for a described
offer; the Ward profile of Bucklow-St Martins. Screenshots go to tests/e2e/screenshots/trafford_*.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.conftest import shared_data_or_skip
from tests.e2e.conftest import screenshot

LOAD_MS = 180_000
BUCKLOW = "E05000824"


@pytest.fixture(autouse=True)
def _trafford(packs_dir):
    shared_data_or_skip()


def _settled(page) -> None:
    page.wait_for_function(
        "(() => { const app = document.querySelector('[data-testid=\"stApp\"]');"
        " return app && app.getAttribute('data-test-script-state') === 'notRunning'"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]'); })()",
        timeout=LOAD_MS,
    )
    assert page.locator("[data-testid='stException']").count() == 0


def _tall(page) -> None:
    page.set_viewport_size({"width": 1400, "height": 2600})  # the main pane scrolls inside the page


def test_gaps_says_when_provision_cannot_tell_wards_apart(page, app_url):
    _tall(page)
    page.goto(f"{app_url}/gaps?pack=trafford&themes=children_young_people")
    page.get_by_text(
        "Provision data cannot tell Trafford's wards apart for children and young people"
    ).wait_for(timeout=LOAD_MS)
    _settled(page)
    page.get_by_role("heading", name="Wards by need (provision not known)").wait_for()
    screenshot(page, "trafford_gaps_children")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download CSV").click()
    table = pd.read_csv(io.BytesIO(info.value.path().read_bytes()), encoding="utf-8-sig")
    assert len(table) == 21 and set(table["gap_class"]) == {"provision not known"}

    page.goto(f"{app_url}/gaps?pack=trafford&themes=poverty_food")
    page.get_by_text("Wards are classed from the 13 located poverty").wait_for(timeout=LOAD_MS)
    _settled(page)
    page.get_by_role("heading", name="Priority list").wait_for()
    screenshot(page, "trafford_gaps_poverty")


def test_where_we_fit_for_salford_food_share_and_a_described_offer(page, app_url):
    _tall(page)
    page.goto(f"{app_url}/fit?pack=trafford&org=ccew-1182186")
    page.get_by_role("heading", name="Possible overlap").wait_for(timeout=LOAD_MS)
    _settled(page)
    assert page.get_by_text("Beyond your reach").count() == 0  # a whole-area offer reaches every ward
    page.get_by_text("Showing Gorse Hill, the first ward in your list").wait_for()
    screenshot(page, "trafford_fit_salford_food_share")

    page.goto(
        f"{app_url}/fit?pack=trafford&offer_themes=poverty_food,mental_health&postcode=M31%204BU&reach=3"
    )
    page.get_by_role("heading", name="Beyond your reach").wait_for(timeout=LOAD_MS)
    _settled(page)
    page.get_by_text("19 wards your offer does not reach").wait_for()
    screenshot(page, "trafford_fit_described_offer")


def test_bucklow_profile_shows_shared_ranks_and_the_food_bank_based_here(page, app_url):
    _tall(page)
    page.goto(f"{app_url}/ward?pack=trafford&ward={BUCKLOW}")
    page.get_by_role("heading", name="Bucklow-St Martins").wait_for(timeout=LOAD_MS)
    _settled(page)
    page.get_by_text("tied with", exact=False).first.wait_for()
    screenshot(page, "trafford_ward_bucklow")
