"""Issue 10's pages on the real Trafford pack, in Chromium: what an officer sees and can believe.

Gaps for a theme whose provision cannot tell wards apart (children and young people) and for one
with located services (food banks and hubs); Where we fit for Salford Food Share and for a described
offer; the Ward profile of Bucklow-St Martins. Screenshots go to tests/e2e/screenshots/trafford_*.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest

from sector_map.analysis import service_reach
from sector_map.analysis import ward_profile as wp
from sector_map.pack import schema as s
from sector_map.pack.io import load_pack
from tests.conftest import shared_data_or_skip
from tests.e2e.conftest import screenshot, settled

LOAD_MS = 180_000
BUCKLOW = "E05000824"


@pytest.fixture(autouse=True)
def _trafford(packs_dir):
    shared_data_or_skip()


def _csv(page) -> pd.DataFrame:
    """The page's first table, from its Download CSV button (tables are drawn on canvases)."""
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download CSV").click()
    return pd.read_csv(
        io.BytesIO(info.value.path().read_bytes()), encoding="utf-8-sig", dtype={"ward_code": str}
    )


def _tall(page) -> None:
    page.set_viewport_size({"width": 1400, "height": 2600})  # the main pane scrolls inside the page


def test_gaps_says_when_provision_cannot_tell_wards_apart(page, app_url, packs_dir):
    pack = load_pack(packs_dir / "trafford")
    _tall(page)
    page.goto(f"{app_url}/gaps?pack=trafford&themes=children_young_people")
    page.get_by_text(
        "Provision data cannot tell Trafford's wards apart for children and young people"
    ).wait_for(timeout=LOAD_MS)
    settled(page, LOAD_MS)
    page.get_by_role("heading", name="Wards by need (provision not known)").wait_for()
    screenshot(page, "trafford_gaps_children")
    table = _csv(page)
    assert len(table) == len(pack.wards) and set(table["gap_class"]) == {"provision not known"}

    services = service_reach.service_locations(pack)
    located = services[s.THEMES].map(lambda t: "poverty_food" in t) & services[service_reach.REACH].isin(
        service_reach.LOCATED
    )
    page.goto(f"{app_url}/gaps?pack=trafford&themes=poverty_food")
    page.get_by_text(f"Wards are classed from the {int(located.sum())} located poverty").wait_for(
        timeout=LOAD_MS
    )
    settled(page, LOAD_MS)
    page.get_by_role("heading", name="Priority list").wait_for()
    screenshot(page, "trafford_gaps_poverty")


def test_where_we_fit_for_salford_food_share_and_a_described_offer(page, app_url):
    _tall(page)
    page.goto(f"{app_url}/fit?pack=trafford&org=ccew-1182186")
    page.get_by_role("heading", name="Possible overlap").wait_for(timeout=LOAD_MS)
    settled(page, LOAD_MS)
    assert page.get_by_text("Beyond your reach").count() == 0  # a whole-area offer reaches every ward
    wards = _csv(page)
    assert wards["in_reach"].all() and wards["rank"].tolist() == list(range(1, len(wards) + 1))
    page.get_by_text(f"Showing {wards['ward_name'].iloc[0]}, the first ward in your list").wait_for()
    screenshot(page, "trafford_fit_salford_food_share")

    page.goto(
        f"{app_url}/fit?pack=trafford&offer_themes=poverty_food,mental_health&postcode=M31%204BU&reach=3"
    )
    page.get_by_role("heading", name="Beyond your reach").wait_for(timeout=LOAD_MS)
    settled(page, LOAD_MS)
    wards = _csv(page).set_index("ward_code")
    assert wards.loc[BUCKLOW, "in_reach"] and wards.loc[BUCKLOW, "rank"] >= 1  # M31 4BU is in Partington
    beyond = int((~wards["in_reach"]).sum())
    assert 0 < beyond < len(wards) and wards.loc[~wards["in_reach"], "rank"].isna().all()
    page.get_by_text(f"{beyond} wards your offer does not reach").wait_for()
    screenshot(page, "trafford_fit_described_offer")


def test_bucklow_profile_shows_shared_ranks_and_the_food_bank_based_here(page, app_url, packs_dir):
    pack = load_pack(packs_dir / "trafford")
    orgs = pack.organisations.set_index(s.ORG_ID)
    based = wp.organisations(pack, BUCKLOW)
    based = based[based["Where"] == wp.BASED_HERE]
    food_banks = based[orgs.loc[based["org_id"], s.SOURCE].eq("Food banks in Trafford").to_numpy()]
    [food_bank] = food_banks["Organisation"]  # Partington's, the one food bank in the ward
    _tall(page)
    page.goto(f"{app_url}/ward?pack=trafford&ward={BUCKLOW}")
    page.get_by_role("heading", name="Bucklow-St Martins").wait_for(timeout=LOAD_MS)
    settled(page, LOAD_MS)
    page.get_by_text("tied with", exact=False).first.wait_for()
    row = page.locator("[data-testid='stTable'] tr", has_text=food_bank).filter(has_text=wp.BASED_HERE)
    assert row.count() >= 1, f"{food_bank} is not listed as {wp.BASED_HERE!r}"
    screenshot(page, "trafford_ward_bucklow")
