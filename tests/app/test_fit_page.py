"""The Where we fit page from app.py with AppTest: pick an organisation, or describe an offer."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from sector_map import schema as s
from sector_map.pack import load_pack
from tests.app.helpers import open_app


@pytest.fixture
def at() -> AppTest:
    return open_app("app_pages/fit.py")


@pytest.fixture(scope="module")
def demo():
    from ui import paths

    return load_pack(paths.DEMO_PACK)


def _wards(at: AppTest):
    return next(
        d.value for d in at.dataframe if "reason" in d.value.columns and "ward_name" in d.value.columns
    )


def test_nothing_ranked_until_an_offer_is_chosen(at):
    assert not at.dataframe
    assert any("Type part of a name" in c.value for c in at.caption)


def test_picking_an_organisation_ranks_every_ward_with_a_reason(at, demo):
    org = demo.organisations.iloc[0]
    at.text_input(key="fit_query").set_value(org[s.ORG_NAME][:12]).run()
    assert not at.exception, [e.message for e in at.exception]
    at.selectbox(key="fit_org").set_value(org[s.ORG_ID]).run()
    wards = _wards(at)
    assert len(wards) == len(demo.wards)
    assert wards["reason"].str.len().gt(10).all()
    ranked = wards[wards["rank"].notna()]
    assert ranked["rank"].is_monotonic_increasing
    assert [h.value for h in at.subheader][:3] == [
        "Wards where your offer fits",
        "Possible partners",
        "Possible overlap",
    ]


def test_describing_an_offer_and_changing_its_themes_changes_the_ranking(at, demo):
    at.radio(key="fit_mode").set_value("Describe an offer").run()
    at.multiselect(key="fit_themes").set_value(["poverty_food"]).run()
    assert not at.exception, [e.message for e in at.exception]
    food = _wards(at).set_index("ward_name")["score"]
    at.multiselect(key="fit_themes").set_value(["older_people"]).run()
    older = _wards(at).set_index("ward_name")["score"]
    assert (food.reindex(older.index) - older).abs().max() > 1
    postcode = demo.postcodes["postcode"].iloc[0]
    at.text_input(key="fit_postcode").set_value(postcode).run()
    at.number_input(key="fit_reach").set_value(1.5).run()
    local = _wards(at)
    assert local["reason"].str.contains("outside your reach").any()
    assert local["reason"].str.contains("your base is in this ward").sum() == 1
    at.text_input(key="fit_postcode").set_value("ZZ9 9ZZ").run()
    assert any("ZZ9 9ZZ" in e.value for e in at.error)


def test_consortium_follows_the_selected_ward(at, demo):
    at.radio(key="fit_mode").set_value("Describe an offer").run()
    at.multiselect(key="fit_themes").set_value(["poverty_food"]).run()
    need_rich = demo.wards[s.WARD_CODE].iloc[0]
    at.selectbox(key="nm_ward_pick").set_value(need_rich).run()
    assert not at.exception
    assert at.session_state["selected_ward"] == need_rich
    assert any("consortium" in h.value for h in at.subheader)
