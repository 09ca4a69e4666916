"""Shareable views: a link's query parameters restore the view; bad ones are ignored with a notice."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from sector_map.pack import schema as s
from tests.conftest import open_expanders


def _notices(at: AppTest) -> str:
    return "\n".join(i.value for i in at.info)


def test_a_link_restores_indicator_classification_palette_filters_and_ward(open_app, demo):
    ward = demo.wards[s.WARD_CODE].iloc[5]
    at = open_app(
        view="indicator",
        indicator="imd_rank",
        classes="equal_interval",
        k="4",
        palette="viridis",
        orgs="0",
        sizes="micro,small",
        ward=ward,
    )
    assert at.radio(key="nm_mode").value == "Indicator"
    assert at.selectbox(key="nm_indicator").value == "imd_rank"
    assert at.selectbox(key="nm_scheme").value == "equal_interval"
    assert at.number_input(key="nm_k").value == 4
    assert at.selectbox(key="nm_palette").value == "viridis"
    assert at.toggle(key="nm_orgs").value is False
    assert at.multiselect(key="nm_org_sizes").value == ["micro", "small"]
    assert at.session_state["selected_ward"] == ward
    assert _notices(at) == ""
    # The page writes its state back, so the link it offers is the same view.
    assert at.query_params["indicator"] == "imd_rank" and at.query_params["k"] == "4"


def test_theme_weights_travel_in_the_link(open_app):
    at = open_app(theme="older_people", w="pop_65plus_pct:3")
    # Closed, the weights expander draws no sliders, but the link's weights are used.
    assert any(c.value.startswith("Need index from (changed") and "(weight 3)" in c.value for c in at.caption)
    open_expanders(at, "w_open|older_people")
    slider = next(sl for sl in at.slider if sl.key.endswith("|older_people|pop_65plus_pct"))
    assert slider.value == 3.0
    assert at.query_params["w"] == "pop_65plus_pct:3"


def test_invalid_parameters_are_ignored_with_a_notice_not_an_error(open_app):
    at = open_app(
        indicator="no_such_thing",
        k="12",
        w="imd_score:99,bogus:1",
        ward="E05999999",
        orgs="maybe",
    )
    text = _notices(at)
    for part in ("indicator=no_such_thing", "k=12", "imd_score:99", "bogus", "ward=E05999999", "orgs=maybe"):
        assert part in text, part
    assert at.title[0].value.startswith("Need map")
    assert "ward" not in at.query_params


def test_unknown_pack_falls_back_to_the_first_with_a_notice(open_app, demo):
    at = open_app(pack="nowhere")
    assert "pack=nowhere" in _notices(at)
    assert at.session_state["pack_name"] == "demo"  # the only pack here, so the first
    assert at.title[0].value == f"Need map — {demo.name}"


def test_a_gaps_link_restores_themes_and_catchment_and_flags_bad_values(open_app):
    at = open_app(
        "app_pages/gaps.py", timeout=90, themes="older_people,mental_health", radius="3", decay="linear"
    )
    assert at.multiselect(key="gp_themes").value == ["older_people", "mental_health"]
    assert at.slider(key="gp_radius").value == 3.0
    assert at.selectbox(key="gp_decay").value == "linear"
    bad = open_app("app_pages/gaps.py", timeout=90, themes="older_people,nonsense", radius="7.25")
    text = _notices(bad)
    assert "themes=older_people,nonsense" in text and "radius=7.25" in text


def test_where_we_fit_links_carry_the_organisation_or_the_described_offer(open_app, demo):
    org = demo.organisations.iloc[3]
    at = open_app("app_pages/fit.py", timeout=90, org=org[s.ORG_ID])
    assert at.selectbox(key="fit_org").value == org[s.ORG_ID]
    assert any(org[s.ORG_NAME] in m.value for m in at.markdown)

    postcode = demo.postcodes["postcode"].iloc[0]
    described = open_app(
        "app_pages/fit.py", timeout=90, offer_themes="older_people", reach="2", postcode=postcode
    )
    assert described.radio(key="fit_mode").value == "Describe an offer"
    assert described.multiselect(key="fit_themes").value == ["older_people"]
    assert described.number_input(key="fit_reach").value == 2.0
    assert described.query_params["offer_themes"] == "older_people"

    assert described.text_input(key="fit_postcode").value == postcode

    bad = open_app("app_pages/fit.py", timeout=90, org="nobody")
    assert "org=nobody" in _notices(bad)
