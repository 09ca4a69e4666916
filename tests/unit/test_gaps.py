"""Gap scores, 3×3 classes and reasons on hand-made need and provision, worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sector_map.analysis import gaps
from sector_map.pack import schema as s
from sector_map.views import gap_colours

CODES = ["W1", "W2", "W3", "W4", "W5", "W6", "W7"]


@pytest.fixture
def frames():
    need = pd.Series([90.0, 80, 50, 40, 20, 10, np.nan], index=CODES)
    provision = pd.DataFrame(
        {
            "services": [0, 1, 3, 2, 5, 4, 2],
            "services_weak": [0, 1, 0, 0, 2, 0, 0],
            "access": [np.nan, 0.5, 2.0, 1.0, 3.0, 2.5, 1.0],
            "per_1000": [0.0, 0.1, 0.3, 0.2, 0.5, 0.4, 0.2],
            "nearest_km": [3.1, 0.4, 0.2, 0.9, 0.1, 0.3, 1.0],
        },
        index=CODES,
    )
    names = pd.Series([f"Ward {c}" for c in CODES], index=CODES)
    return need, provision, names


def test_gap_scores_classes_and_ranks_by_hand(frames):
    need, provision, names = frames
    table = gaps.gap_table(need, provision, names=names, radius_km=2, services_word="food service").table
    # Need percentile ranks among the 6 wards with data: W1 6/6, W2 5/6, W3 4/6, W4 3/6, W5 2/6, W6 1/6.
    # Access (missing = none located = 0): W1 0 → 1/7; W2 0.5 → 2/7; W4, W7 1.0 → 3.5/7;
    # W3 2.0 → 5/7; W6 2.5 → 6/7; W5 3.0 → 7/7.
    # Gap = (need_pct - provision_pct + 1) / 2 * 100.
    assert table.loc["W1", "gap"] == pytest.approx((1 - 1 / 7 + 1) / 2 * 100)  # 92.86
    assert table.loc["W2", "gap"] == pytest.approx((5 / 6 - 2 / 7 + 1) / 2 * 100)  # 77.38
    assert table.loc["W5", "gap"] == pytest.approx((2 / 6 - 1 + 1) / 2 * 100)  # 16.67
    # Priority: class first (W1, W2 high need/little provision; W4 medium/some; W3 medium/well served).
    assert list(table.index[:4]) == ["W1", "W2", "W4", "W3"]
    assert table.loc["W1", "rank"] == 1 and table.loc["W2", "rank"] == 2
    # Thirds: need W1, W2 high; provision W1, W2 low (pct 1/7, 2/7 ≤ 1/3).
    assert table.loc["W1", "gap_class"] == "high need, little provision"
    assert table.loc["W5", "gap_class"] == "low need, well served"
    assert table.loc["W3", "gap_class"] == "medium need, well served"


def test_no_need_data_is_no_data_and_never_ranked(frames):
    need, provision, names = frames
    table = gaps.gap_table(need, provision, names=names).table
    assert table.index[-1] == "W7"
    assert table.loc["W7", "gap_class"] == gaps.NO_DATA
    assert pd.isna(table.loc["W7", "rank"]) and pd.isna(table.loc["W7", "gap"])
    assert table.loc["W7", "reason"].startswith("no need data for this ward")


def test_reasons_say_why_in_plain_english(frames):
    need, provision, names = frames
    drivers = pd.Series({"W1": "Income Deprivation Affecting Children"})
    table = gaps.gap_table(
        need, provision, names=names, need_driver=drivers, radius_km=2, services_word="children's service"
    ).table
    assert table.loc["W1", "reason"] == (
        # W1 is first of the 6 wards with need data: 1/6 = 17%, rounded up to the top 20%.
        "need 90/100, in the top 20% of wards (Income Deprivation Affecting Children); "
        "no children's services within 2 km; nearest 3.1 km away"
    )
    assert table.loc["W5", "reason"].startswith("need 20/100, in the lowest 35% of wards")  # 2/6 = 33%
    assert table.loc["W3", "reason"].startswith("need 50/100, around the middle")
    assert "2 located only by a contact address or serving the whole area" in table.loc["W5", "reason"]
    assert "1 children's service reaches it" in table.loc["W2", "reason"]


def test_bivariate_colours_are_distinct_and_the_gap_is_reddest():
    colours = gap_colours.bivariate_legend()
    assert colours.shape == (3, 3) and len(set(colours.to_numpy().ravel())) == 9
    gap = gap_colours.bivariate_colour("high", "low")
    r, g, b = (int(gap[i : i + 2], 16) for i in (1, 3, 5))
    assert r > 150 and g < 80 and b < 80


def test_need_drivers_and_theme_set_need():
    meta = {
        "a": s.IndicatorMeta("a", "Alpha", "", s.HIGHER_IS_MORE_NEED, "", "", ["older_people"]),
        "b": s.IndicatorMeta("b", "Beta", "", s.HIGHER_IS_MORE_NEED, "", "", ["poverty_food"]),
    }
    scores = pd.DataFrame({"a": [100.0, 0, np.nan], "b": [0.0, 50, np.nan]}, index=["X", "Y", "Z"])
    need, weights = gaps.themes_need(scores, meta, ["older_people", "poverty_food"])
    assert need.tolist()[:2] == [50.0, 25.0] and np.isnan(need["Z"])
    assert weights == {"a": 1.0, "b": 1.0}
    assert gaps.need_drivers(scores, weights, meta).tolist()[:2] == ["Alpha", "Beta"]


def test_unknown_measure_is_refused(frames):
    need, provision, _ = frames
    with pytest.raises(ValueError, match="unknown provision measure"):
        gaps.gap_table(need, provision, measure="vibes")


def test_no_provision_anywhere_gives_no_class_gap_or_rank(frames):
    need, provision, names = frames
    none = provision.assign(services=0, services_weak=0, access=0.0, per_1000=0.0, nearest_km=np.nan)
    table = gaps.gap_table(need, none, names=names, radius_km=2, services_word="food service").table
    has_need = table["need"].notna()
    assert (table.loc[has_need, "gap_class"] == gaps.PROVISION_UNKNOWN).all()
    assert table.loc["W7", "gap_class"] == gaps.NO_DATA
    assert table["gap"].isna().all() and table["rank"].isna().all()
    assert table["provision_level"].isna().all()
    assert table.loc["W1", "reason"].startswith("need 90/100, in the top 20% of wards; no food services")
    assert "cannot tell wards apart" in table.loc["W1", "reason"]
    assert table.loc["W1", "need_reason"] == "need 90/100, in the top 20% of wards"
    assert gaps.unclassed_reason(table) == gaps.PROVISION_UNKNOWN


def test_a_ward_with_no_provision_is_never_some_provision():
    # Five of six wards have nothing: their average percentile rank (0.5) would say "some".
    codes = list("ABCDEF")
    need = pd.Series([90.0, 70, 50, 30, 20, 10], index=codes)
    provision = pd.DataFrame({"services": [0, 0, 0, 0, 0, 3], "access": [0, 0, 0, 0, 0, 1.5]}, index=codes)
    table = gaps.gap_table(need, provision).table
    assert (table.loc[list("ABCDE"), "provision_level"] == gaps.LOW).all()
    assert table.loc["A", "gap_class"] == "high need, little provision"
    assert table.loc["F", "provision_level"] == gaps.HIGH
    assert table.loc["A", "rank"] == 1


def test_fewer_than_three_wards_with_need_cannot_be_placed_in_thirds():
    need = pd.Series([80.0, np.nan], index=["A", "B"])
    provision = pd.DataFrame({"services": [1, 0], "access": [1.0, 0.0]}, index=["A", "B"])
    table = gaps.gap_table(need, provision).table
    assert table.loc["A", "gap_class"] == gaps.TOO_FEW_WARDS
    assert table.loc["B", "gap_class"] == gaps.NO_DATA
    assert table["gap"].isna().all() and table["rank"].isna().all() and table["need_level"].isna().all()
    assert "no thirds" in table.loc["A", "reason"] and "top" not in table.loc["A", "reason"]
    assert gaps.unclassed_reason(table) == gaps.TOO_FEW_WARDS


def test_high_need_themes_are_the_top_third_that_gap_classes_call_high_need():
    # The fit page's consortium asks for a ward's high-need themes: the same thirds as gap_table.
    rng = np.random.default_rng(7)
    need = pd.DataFrame(rng.integers(0, 100, size=(9, 4)).astype(float), columns=list(s.THEME_IDS[:4]))
    need.iloc[2, 1] = np.nan  # no data is never high
    for ward in need.index:
        themes = gaps.high_need_themes(need, ward)
        high = [t for t in need.columns if gaps.level_of(need[t])[ward] == gaps.HIGH]
        assert sorted(themes) == sorted(high)
        pct = need.rank(pct=True).loc[ward, themes]
        assert list(pct) == sorted(pct, reverse=True)  # highest first
    assert gaps.high_need_themes(need, "not a ward") == []
