"""The Where we fit page from app.py with AppTest: pick an organisation, or describe an offer."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from sector_map.analysis import matching, partners
from sector_map.pack import schema as s


@pytest.fixture
def at(open_app) -> AppTest:
    return open_app("app_pages/fit.py")


def _ward_tables(at: AppTest):
    return [d.value for d in at.dataframe if "reason" in d.value.columns and "ward_name" in d.value.columns]


def _wards(at: AppTest):
    return _ward_tables(at)[0]


def test_nothing_ranked_until_an_offer_is_chosen(at):
    assert not at.dataframe
    assert any("Type part of a name" in c.value for c in at.caption)


def test_picking_an_organisation_ranks_every_ward_with_a_reason(at, demo):
    org = demo.organisations.iloc[0]
    at.text_input(key="fit_query").set_value(org[s.ORG_NAME][:12]).run()
    assert not at.exception, [e.message for e in at.exception]
    at.selectbox(key="fit_org").set_value(org[s.ORG_ID]).run()
    tables = _ward_tables(at)
    wards = tables[0]
    assert sum(len(w) for w in tables) == len(demo.wards)
    assert wards["reason"].str.len().gt(10).all()
    assert wards["rank"].tolist() == list(range(1, len(wards) + 1))
    assert wards["score"].is_monotonic_decreasing
    heads = [h.value for h in at.subheader]
    assert heads[0] == "Wards where your offer fits" and "Possible partners" in heads
    partners = next(d.value for d in at.dataframe if "Organisation" in d.value.columns)
    assert "distance_km" not in partners.columns and "size_band" not in partners.columns


def test_picking_the_second_result_stays_picked(at, demo):
    from sector_map.analysis.matching import find_organisations

    found = find_organisations(demo, "a", limit=50)
    at.text_input(key="fit_query").set_value("a").run()
    assert at.selectbox(key="fit_org").value == found["org_id"][0]
    assert at.selectbox(key="fit_org").options[1] == found["label"][1]  # names its place and ward
    at.selectbox(key="fit_org").set_value(found["org_id"][1]).run()
    at.run()  # the page has published org= to the link; a later run must not restore from it
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="fit_org").value == found["org_id"][1]
    assert at.text_input(key="fit_query").value == "a"


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
    local, beyond = _ward_tables(at)
    assert "Beyond your reach" in [h.value for h in at.subheader]
    assert beyond["reason"].str.contains("beyond your reach").all() and "rank" not in beyond.columns
    assert local["reason"].str.contains("your base is in this ward").sum() == 1
    assert not local["reason"].str.contains("beyond your reach").any()
    at.text_input(key="fit_postcode").set_value("ZZ9 9ZZ").run()
    assert any("ZZ9 9ZZ" in e.value for e in at.error)


def _consortium(at: AppTest):
    return next(d.value for d in at.dataframe if "Brings" in d.value.columns)


def _reaching(pack, code: str) -> set[str]:
    """Names of the organisations with a service that reaches ward ``code``."""
    orgs = matching.organisation_table(pack)
    services = matching.service_table(pack, orgs)
    reaches = partners.services_reaching(services, {code}, matching.ward_shapes(pack)[code])
    return set(orgs.loc[services.loc[reaches, s.ORG_ID].unique(), s.ORG_NAME])


def test_consortium_follows_the_selected_ward(at, demo):
    at.radio(key="fit_mode").set_value("Describe an offer").run()
    at.multiselect(key="fit_themes").set_value(["poverty_food"]).run()
    assert not at.exception, [e.message for e in at.exception]
    names = demo.wards.set_index(s.WARD_CODE)[s.WARD_NAME]
    ranked = _wards(at).sort_values("rank")
    first, second = (names[names == n].index[0] for n in ranked["ward_name"].iloc[:2])
    # Until a ward is chosen, the consortium is for the first ward of the list, and says so.
    captions = [c.value for c in at.caption]
    assert f"Showing {names[first]}, the first ward in your list, until you choose another." in captions
    assert any(c.startswith(f"{names[first]} is in the top third") for c in captions)
    before = _consortium(at)
    assert len(before) and set(before["Organisation"]) <= _reaching(demo, first)

    at.selectbox(key="nm_ward_pick").set_value(second).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["selected_ward"] == second
    captions = [c.value for c in at.caption]
    assert not any(c.startswith("Showing ") for c in captions)
    assert any(c.startswith(f"{names[second]} is in the top third") for c in captions)
    after = _consortium(at)
    assert len(after) and set(after["Organisation"]) <= _reaching(demo, second)
    assert set(after["Organisation"]) != set(before["Organisation"])
