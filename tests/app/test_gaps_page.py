"""The Gaps page from app.py with AppTest, on the demo pack (and Trafford in tests/app/test_real_pack.py)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from sector_map.analysis import gaps
from sector_map.pack import schema as s
from tests.conftest import open_expanders


@pytest.fixture
def at(open_app) -> AppTest:
    return open_app("app_pages/gaps.py")


def _priority(at: AppTest):
    return next(d.value for d in at.dataframe if "Priority" in d.value.columns)


def test_gaps_page_ranks_every_ward_with_a_class_and_reason(at, demo):
    table = _priority(at)
    assert at.title[0].value.startswith("Gaps — ")
    assert sorted(table["Ward code"]) == sorted(demo.wards[s.WARD_CODE])
    assert set(table["Class"]) <= set(gaps.CLASS_ORDER) | {gaps.NO_DATA}
    assert table["Why"].str.len().gt(20).all()
    ranked = table[table["Priority"].notna()]
    assert list(ranked["Priority"])[0] == 1 and ranked["Priority"].is_monotonic_increasing
    urgency = ranked["Class"].map({c: i for i, c in enumerate(gaps.CLASS_ORDER)})
    assert urgency.is_monotonic_increasing  # classes in order of urgency, gap score within a class
    assert any(d for d in at.get("download_button"))


def test_changing_theme_radius_and_weights_changes_the_list(at):
    before = _priority(at).set_index("Ward code")["Gap (0–100)"]
    at.multiselect(key="gp_themes").set_value(["older_people"]).run()
    assert not at.exception
    older = _priority(at).set_index("Ward code")["Gap (0–100)"]
    assert (older.reindex(before.index) - before).abs().max() > 1
    at.toggle(key="gp_own_radius").set_value(False).run()
    at.slider(key="gp_radius").set_value(0.5).run()
    narrow = _priority(at).set_index("Ward code")["Provision"]
    at.slider(key="gp_radius").set_value(5.0).run()
    wide = _priority(at).set_index("Ward code")["Provision"]
    assert not narrow.reindex(wide.index).equals(wide)
    need = _priority(at).set_index("Ward code")["Need (0–100)"]
    open_expanders(at, "w_open|older_people")
    weight = at.slider(key="w|demo|older_people|pop_65plus_pct")
    assert weight.value != 3.0
    weight.set_value(3.0).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.slider(key="w|demo|older_people|pop_65plus_pct").value == 3.0
    reweighted = _priority(at).set_index("Ward code")["Need (0–100)"]
    assert (reweighted.reindex(need.index) - need).abs().max() > 1


def test_weights_and_selected_ward_are_shared_with_the_need_map(at, demo):
    code = demo.wards[s.WARD_CODE].iloc[2]
    at.switch_page("app_pages/need_map.py").run()
    open_expanders(at, "w_open|poverty_food")
    key = next(sl.key for sl in at.slider if sl.key and sl.key.startswith("w|demo|poverty_food|"))
    at.slider(key=key).set_value(2.5).run()
    at.selectbox(key="nm_ward_pick").set_value(code).run()
    at.switch_page("app_pages/gaps.py").run()
    assert not at.exception
    open_expanders(at, "w_open|poverty_food")
    assert at.slider(key=key).value == 2.5
    assert at.session_state["selected_ward"] == code
    name = demo.wards[s.WARD_NAME].iloc[2]
    assert any(h.value == name for h in at.subheader)
    row = _priority(at).set_index("Ward code").loc[code]
    assert row["Why"] in "\n".join(m.value for m in at.markdown)
