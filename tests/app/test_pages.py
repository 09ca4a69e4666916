"""Drive every page from app.py with Streamlit's AppTest (st_folium renders nothing here)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from sector_map.pack import schema as s
from tests.conftest import open_expanders


@pytest.fixture
def at(open_app) -> AppTest:
    """The Need map with its table of ward values open."""
    return open_expanders(open_app(timeout=60), "nm_table_open")


def _text(app: AppTest) -> str:
    return "\n".join(m.value for m in app.markdown) + "\n".join(c.value for c in app.caption)


def _table(app: AppTest, contains: str):
    for df in [*app.dataframe, *app.table]:
        frame = df.value
        if any(contains in str(c) for c in [*frame.columns, frame.index.name]):
            return frame.reset_index() if frame.index.name else frame
    raise AssertionError(f"no table with a column containing {contains!r}")


def test_need_map_opens_on_theme_index_with_demo_notice(at, demo):
    assert at.title[0].value == f"Need map — {demo.name}"
    assert any("Fictional demo data" in w.value for w in at.warning)
    text = _text(at)
    assert "Poverty, food and money advice: need index" in text
    assert "Darker = more need (need index 0–100)" in text
    table = _table(at, "Rank in area")
    assert len(table) == len(demo.wards)
    assert table.iloc[0]["Rank in area (1 = most need)"] == 1


def test_changing_indicator_changes_legend_and_values(at, demo):
    at.radio(key="nm_mode").set_value("Indicator").run()
    at.selectbox(key="nm_indicator").set_value("imd_score").run()
    assert not at.exception
    score_text = _text(at)
    assert "Darker = more deprived (higher score)" in score_text
    top_by_score = _table(at, "Rank in area").iloc[0]["Ward"]
    at.selectbox(key="nm_indicator").set_value("imd_rank").run()
    assert "Darker = more deprived (lower rank; rank 1 = most deprived)" in _text(at)
    by_rank = _table(at, "Rank in area")
    assert "Value (rank (1 = most deprived))" in by_rank.columns
    wide = demo.indicator_wide()
    names = demo.wards.set_index(s.WARD_CODE)[s.WARD_NAME]
    assert top_by_score == names[wide["imd_score"].idxmax()]
    assert by_rank.iloc[0]["Ward"] == names[wide["imd_rank"].idxmin()]


def test_missing_value_shows_no_data(at, demo):
    at.radio(key="nm_mode").set_value("Indicator").run()
    at.selectbox(key="nm_indicator").set_value("life_expectancy").run()
    assert "No data" in _text(at)
    table = _table(at, "Rank in area")
    assert table["Rank in area (1 = most need)"].isna().sum() == 1


def test_need_map_table_is_drawn_only_once_its_expander_is_open(open_app, demo):
    at = open_app()
    assert not [df for df in at.dataframe if "Code" in df.value.columns]
    open_expanders(at, "nm_table_open")
    assert not at.exception
    assert len(_table(at, "Rank in area")) == len(demo.wards)


def test_changing_theme_and_weights_changes_index(at):
    at.selectbox(key="nm_theme").set_value("older_people").run()
    assert "Older people: need index" in _text(at)
    before = _table(at, "Rank in area").set_index("Code").iloc[:, 1]
    open_expanders(at, "w_open|older_people")
    sliders = [sl for sl in at.slider if sl.key and sl.key.startswith("w|demo|older_people|")]
    assert len(sliders) >= 3
    weight = next(sl for sl in sliders if sl.key.endswith("|pop_65plus_pct"))
    weight.set_value(3.0).run()
    assert not at.exception
    after = _table(at, "Rank in area").set_index("Code").iloc[:, 1]
    assert (before.reindex(after.index) - after).abs().max() > 1


def test_weights_panel_lists_the_indicators_used_and_why_others_start_at_zero(at):
    at.selectbox(key="nm_theme").set_value("poverty_food").run()
    captions = [c.value for c in at.caption]
    assert "Need index from: Income deprivation (weight 1)." in captions
    assert not [sl for sl in at.slider if sl.key and sl.key.startswith("w|")], "drawn only when opened"
    open_expanders(at, "w_open|poverty_food")
    sliders = {
        sl.key.rsplit("|", 1)[1]: sl
        for sl in at.slider
        if sl.key and sl.key.startswith("w|demo|poverty_food|")
    }
    assert sliders["income_score"].value == 1.0 and sliders["imd_score"].value == 0.0
    assert "overall IMD score is built from the deprivation domains" in sliders["imd_score"].help
    sliders["imd_score"].set_value(2.0).run()
    captions = [c.value for c in at.caption]
    assert (
        "Need index from (changed from the defaults): Income deprivation (weight 1); "
        "Index of Multiple Deprivation score (weight 2)." in captions
    )


def test_selecting_a_ward_shows_figures_and_survives_page_switch(at, demo):
    code = demo.wards[s.WARD_CODE].iloc[3]
    name = demo.wards[s.WARD_NAME].iloc[3]
    at.selectbox(key="nm_ward_pick").set_value(code).run()
    assert not at.exception
    assert at.session_state["selected_ward"] == code
    assert any(h.value == name for h in at.subheader)
    figures = _table(at, "Indicator")
    assert len(figures) == len(demo.indicator_meta)
    at.switch_page("app_pages/about.py").run()
    assert not at.exception
    at.switch_page("app_pages/need_map.py").run()
    assert at.session_state["selected_ward"] == code
    assert any(h.value == name for h in at.subheader)


def test_classification_controls_change_classes(at):
    at.number_input(key="nm_k").set_value(3).run()
    assert "3 classes" in _text(at)
    at.selectbox(key="nm_scheme").set_value("equal_interval").run()
    assert "Equal interval, 3 classes" in _text(at)


def test_organisation_filters(at, demo):
    at.multiselect(key="nm_org_sizes").set_value(["large", "major"]).run()
    assert not at.exception
    n = int(demo.organisations[s.SIZE_BAND].isin(["large", "major"]).sum())
    assert any(f"{n:,} organisations drawn" in c.value for c in at.caption)
    at.toggle(key="nm_orgs").set_value(False).run()
    assert not any("organisations drawn" in c.value for c in at.caption)


def test_about_page_lists_sources_indicators_and_glossary(at, demo):
    at.switch_page("app_pages/about.py").run()
    assert not at.exception
    assert at.title[0].value.startswith("About the data")
    sources = _table(at, "Licence")
    assert list(sources["Publisher"]) == [src["publisher"] for src in demo.sources]
    indicators = _table(at, "Which way is worse")
    assert len(indicators) == len(demo.indicator_meta)
    text = _text(at)
    for term in ("Ward", "IMD", "Decile", "Rank direction", "Domain", "LSOA"):
        assert f"**{term}.**" in text


def test_ward_in_url_is_restored(open_app, demo):
    code = demo.wards[s.WARD_CODE].iloc[5]
    app = open_app(pack=None, timeout=60, ward=code)
    assert app.session_state["selected_ward"] == code
    bad = open_app(pack=None, timeout=60, ward="E05999999")
    assert bad.session_state["selected_ward"] is None
