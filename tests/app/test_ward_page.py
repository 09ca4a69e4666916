"""The Ward profile page from app.py with AppTest, on the demo pack and the real Trafford pack."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from sector_map.pack import schema as s
from sector_map.pack.io import load_pack
from sector_map.pack.values import format_value

PAGE = "app_pages/ward.py"


def _table(at: AppTest, column: str):
    return next(t.value for t in [*at.table, *at.dataframe] if column in t.value.columns)


def _imd_score(pack, code: str) -> float:
    ind = pack.indicators
    return float(ind.loc[(ind[s.WARD_CODE] == code) & (ind[s.INDICATOR_ID] == "imd_score"), s.VALUE].iloc[0])


def test_no_ward_shows_how_to_pick_one(open_app):
    at = open_app(PAGE, timeout=90)
    assert at.title[0].value.startswith("Ward profile — ")
    assert any("Choose a ward" in i.value for i in at.info)
    assert not at.header and not at.table


def test_ward_from_the_url_shows_its_figures(open_app, demo):
    code = demo.wards[s.WARD_CODE].iloc[2]
    at = open_app(PAGE, timeout=90, ward=code)
    name = demo.wards[s.WARD_NAME].iloc[2]
    assert at.header[0].value == name
    head = "\n".join(m.value for m in at.markdown)
    assert code in head and demo.wards[s.LA_NAME].iloc[2] in head
    pop = int(demo.wards[s.POPULATION].iloc[2])
    assert f"{pop:,}" in head
    figures = _table(at, "Rank in area")
    label = demo.indicator_meta["imd_score"].label
    assert figures.loc[label, "Value"] == format_value(_imd_score(demo, code), unit="score")
    # The demo has national ranks but no national deciles, so no decile column is invented.
    assert not any("decile" in c.lower() for c in figures.columns)
    assert figures.loc[label, "Which way is worse"] == "higher = more need"
    gaps = _table(at, "Class")
    assert sorted(gaps.index) == sorted(s.THEMES_BY_ID[t].label for t in s.THEME_IDS)  # each theme once
    assert gaps["Why"].str.len().gt(20).all()
    assert any("organisation" in m.value and "based here" in m.value for m in at.markdown)
    assert at.get("imgs") or at.get("image")  # the static map
    assert any("Sources:" in c.value for c in at.caption)


def test_picking_a_ward_with_the_picker(open_app, demo):
    at = open_app(PAGE, timeout=90)
    code = demo.wards[s.WARD_CODE].iloc[5]
    at.selectbox(key="nm_ward_pick").set_value(code).run()
    assert not at.exception
    assert at.session_state["selected_ward"] == code
    assert at.query_params["ward"] == [code] or at.query_params["ward"] == code
    assert at.header[0].value == demo.wards[s.WARD_NAME].iloc[5]
    label = demo.indicator_meta["imd_score"].label
    assert _table(at, "Rank in area").loc[label, "Value"] == format_value(
        _imd_score(demo, code), unit="score"
    )


def test_ward_chosen_on_the_need_map_is_kept(open_app, demo):
    app = open_app(timeout=90)
    code = demo.wards[s.WARD_CODE].iloc[7]
    app.selectbox(key="nm_ward_pick").set_value(code).run()
    app.switch_page(PAGE).run()
    assert not app.exception, [e.message for e in app.exception]
    assert app.header[0].value == demo.wards[s.WARD_NAME].iloc[7]
    assert app.session_state["selected_ward"] == code


@pytest.mark.data
def test_bucklow_profile_on_trafford(open_app, trafford_pack_dir):
    pack = load_pack(trafford_pack_dir)
    code = pack.wards.loc[pack.wards[s.WARD_NAME] == "Bucklow-St Martins", s.WARD_CODE].iloc[0]
    at = open_app(PAGE, packs=trafford_pack_dir.parent, pack=trafford_pack_dir.name, ward=code)
    assert at.header[0].value == "Bucklow-St Martins"
    assert not any("Fictional demo data" in w.value for w in at.warning)
    figures = _table(at, "Rank in area")
    imd = pack.indicator_meta["imd_score"].label
    # Bucklow-St Martins is Trafford's most deprived ward on the IMD score (42.5).
    assert figures.loc[imd, "Rank in area"] == "1 of 21"
    assert figures.loc[imd, "Value"] == format_value(_imd_score(pack, code), unit="score")
    gaps = _table(at, "Class")
    assert gaps.loc[s.THEMES_BY_ID["poverty_food"].label, "Class"].startswith("high need")
    assert "trafford_mid2020_population_oldwards.csv" in "\n".join(m.value for m in at.markdown)
