"""Alt text for exported maps: area, ward count, what is shaded, the top wards and where they lie."""

from __future__ import annotations

import pandas as pd
import pytest

from sector_map.analysis import need
from sector_map.analysis import tables as analysis
from sector_map.analysis.subject import MapSubject, indicator_subject, theme_subject
from sector_map.demo.make import build_demo_pack
from sector_map.export import alt_text
from sector_map.pack import schema as s
from tests.conftest import make_tiny_pack


@pytest.fixture(scope="module")
def demo_pack():
    return build_demo_pack()


def test_tiny_pack_score_names_top_wards_and_missing():
    pack = make_tiny_pack()
    subject = indicator_subject(pack, "imd_score", wide=pack.indicator_wide())
    # imd_score: Alpha 10, Beta 40, Gamma 25, Delta missing; Beta and Gamma sit mid-row, so no direction.
    assert alt_text.need_map_alt(pack, subject) == (
        "Map of Testshire's 4 wards shaded by IMD score; the most deprived are Beta and Gamma. "
        "1 ward has no data. The data are fictional (demo data)."
    )


def test_lower_is_worse_takes_smallest_values():
    pack = make_tiny_pack()
    subject = indicator_subject(pack, "imd_rank", wide=pack.indicator_wide())
    # imd_rank: Alpha 300, Beta 10, Gamma 120, Delta 500 -> ranks 10 and 120 are the most deprived.
    assert alt_text.most_needy(subject) == ["X05000002", "X05000003"]
    assert "the most deprived are Beta and Gamma." in alt_text.need_map_alt(pack, subject)


def test_direction_named_when_top_wards_are_off_centre():
    pack = make_tiny_pack()
    pack.manifest = {**pack.manifest, "demo": False}
    codes = list(pack.wards[s.WARD_CODE])
    meta = s.IndicatorMeta("x", "Share of people alone", "%", s.HIGHER_IS_MORE_NEED, "test", "2021")
    subject = MapSubject(values=pd.Series([9.0, 8.0, 1.0, 2.0], index=codes), meta=meta)
    # Wards run west to east; Alpha and Beta are the western half.
    assert alt_text.need_map_alt(pack, subject) == (
        "Map of Testshire's 4 wards shaded by Share of people alone; "
        "the wards in most need are Alpha and Beta in the west."
    )
    east = MapSubject(values=pd.Series([1.0, 2.0, 3.0, 9.0], index=codes), meta=meta)
    assert alt_text.most_needy(east, n=1) == ["X05000004"]
    assert alt_text.compass_part(alt_text.wards_in_metres(pack), ["X05000004"]) == "east"


def test_demo_pack_names_its_top_wards(demo_pack):
    scores = analysis.need_scores(demo_pack)
    subject = theme_subject(demo_pack, "poverty_food", scores=scores)
    top = subject.values.sort_values(ascending=False).index[:2]
    names = demo_pack.wards.set_index(s.WARD_CODE).loc[top, s.WARD_NAME].tolist()
    text = alt_text.need_map_alt(demo_pack, subject)
    assert text.startswith(
        f"Map of Marrowby's {len(demo_pack.wards)} wards shaded by the need index for "
        "poverty, food and money advice; the wards in most need are "
        f"{names[0]} and {names[1]}"
    )
    assert text.endswith("The data are fictional (demo data).")
    listed = need.weights_text(demo_pack.indicator_meta, subject.weights)
    assert listed != "no indicators (every weight is zero)"
    assert f"The index is computed from {listed}." in text


def test_demo_imd_score_most_deprived(demo_pack):
    wide = demo_pack.indicator_wide()
    ind = "imd_score"
    assert demo_pack.indicator_meta[ind].higher_is == s.HIGHER_IS_MORE_NEED
    subject = indicator_subject(demo_pack, ind, wide=wide)
    top = wide[ind].nlargest(2).index
    names = demo_pack.wards.set_index(s.WARD_CODE).loc[top, s.WARD_NAME].tolist()
    assert f"the most deprived are {names[0]} and {names[1]}" in alt_text.need_map_alt(demo_pack, subject)


def test_gap_alt_names_high_need_little_provision_wards():
    pack = make_tiny_pack()
    pack.manifest = {**pack.manifest, "demo": False}
    table = pd.DataFrame(
        {
            s.WARD_NAME: ["Alpha", "Beta", "Gamma", "Delta"],
            "gap_class": [
                "high need, little provision",
                "high need, little provision",
                "low need, well served",
                "no data",
            ],
        },
        index=pd.Index(["X05000001", "X05000002", "X05000003", "X05000004"], name=s.WARD_CODE),
    )
    text = alt_text.gap_map_alt(pack, table, ["poverty_food"])
    assert text == (
        "Map of Testshire's 4 wards shaded by need for poverty, food and money advice against the "
        "provision that reaches them; 2 wards are high need with little provision: Alpha and Beta in the west."
    )
    none = table.assign(gap_class="low need, well served")
    assert alt_text.gap_map_alt(pack, none, ["poverty_food"]).endswith(
        "; no ward has high need with little provision."
    )


def test_gap_alt_on_demo_counts_the_class(demo_pack):
    table = analysis.gap_table_for(demo_pack, ["older_people"]).table
    high = table[table["gap_class"] == "high need, little provision"]
    text = alt_text.gap_map_alt(demo_pack, table, ["older_people"])
    assert 2 <= len(high) <= 4  # the demo seed gives 3; the text lists up to 4 wards by name
    names = alt_text.join_names([str(n) for n in high[s.WARD_NAME]])
    assert f"; {len(high)} wards are high need with little provision: {names}" in text


def test_small_helpers():
    assert alt_text.possessive("St Helens") == "St Helens'"
    assert alt_text.join_names(["A"]) == "A"
    assert alt_text.join_names(["A", "B"]) == "A and B"
    assert alt_text.theme_words(["poverty_food", "older_people"]).startswith(
        "poverty, food and money advice and "
    )
