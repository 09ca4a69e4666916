"""The export panels on the Need map and Gaps pages: options, a file, a preview and its alt text."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from sector_map.pack import schema as s
from tests.conftest import open_expanders


def _alt(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Alt text**"))


def test_need_map_export_makes_the_chosen_format_with_alt_text(open_app, demo):
    at = open_expanders(open_app(), "ex_open|map")
    at.selectbox(key="ex_fmt|map").set_value("pdf").run()
    at.selectbox(key="ex_paper|map").set_value("a3").run()
    at.text_input(key="ex_title|map").set_value("Where poverty bites").run()
    at.text_input(key="ex_subtitle|map").set_value("Marrowby, for the committee").run()
    at.button(key="ex_make|map").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert f"Map of {demo.name}'s {len(demo.wards)} wards" in _alt(at) and "fictional" in _alt(at)
    button = at.get("download_button")[0]
    assert button.proto.label.startswith("Download PDF")
    held = at.session_state["ex_result|map"]
    assert held[0].title == "Where poverty bites" and held[0].subtitle == "Marrowby, for the committee"
    # Changing an option asks for a new file instead of offering the old one.
    at.selectbox(key="ex_orient|map").set_value("portrait").run()
    assert not at.get("download_button")
    assert any("make the file again" in c.value for c in at.caption)


def test_gap_map_export_names_the_gap_wards(open_app):
    at = open_app("app_pages/gaps.py")
    at.multiselect(key="gp_themes").set_value(["older_people"]).run()
    open_expanders(at, "ex_open|gap map")
    at.button(key="ex_make|gap map").click().run()
    assert not at.exception, [e.message for e in at.exception]
    priority = next(d.value for d in at.dataframe if "Priority" in d.value.columns)
    gap_wards = priority.loc[priority["Class"] == "high need, little provision", "Ward"].tolist()
    assert gap_wards, "the demo should have wards of high need with little provision for older people"
    alt = _alt(at)
    assert "high need with little provision" in alt
    named = gap_wards if len(gap_wards) <= 4 else [*gap_wards[:3], f"{len(gap_wards) - 3} more"]
    assert all(name in alt for name in named), (named, alt)


def test_chart_and_ward_map_exports(open_app, demo):
    at = open_expanders(open_app("app_pages/gaps.py"), "ex_open|chart")
    at.selectbox(key="ex_fmt|chart").set_value("svg").run()
    at.button(key="ex_make|chart").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert f"Chart of {demo.name}'s {len(demo.wards)} wards" in _alt(at)
    ward = demo.wards[s.WARD_CODE].iloc[0]
    at.session_state["selected_ward"] = ward
    at.switch_page("app_pages/ward.py").run()
    open_expanders(at, "ex_open|ward map")
    at.button(key="ex_make|ward map").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(m.value.startswith("**Alt text**") and f"ward in {demo.name}" in m.value for m in at.markdown)
