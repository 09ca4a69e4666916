"""Small-number suppression: primary and secondary cells, derived values, and that nothing hidden
can be worked out from a table's total and what is shown."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sector_map.reach.suppress import (
    FEWER,
    SHARE_DERIVED,
    SUPPRESSED,
    may_quote,
    protect,
    protect_table,
    rule_text,
    suppression_labels,
)
from sector_map.reach.tables import analyse


def labels(values: list[float]) -> list[str]:
    return suppression_labels(pd.Series(values, dtype=float)).tolist()


def test_nothing_is_hidden_without_small_counts_and_zeros_stay():
    assert labels([0, 0, 15, 20]) == ["", "", "", ""]


def test_one_small_count_hides_the_next_smallest_non_zero_count_too():
    # 3 alone could be read off as total − the rest; 12 (the smallest non-zero count left) goes too.
    assert labels([3, 40, 12, 0, 25]) == [FEWER, "", SUPPRESSED, "", ""]


def test_two_small_counts_that_leave_room_need_nothing_more():
    # A reader knows the two add up to 9 and each is 1–9: either could be 1 to 8.
    assert labels([4, 5, 40]) == [FEWER, FEWER, ""]


@pytest.mark.parametrize("pair", [[1, 1], [9, 9]])
def test_two_small_counts_whose_sum_gives_them_away_hide_one_more(pair):
    # Summing to 2 they must both be 1; summing to 18, both 9. The smallest other count goes too.
    assert labels([*pair, 30, 50]) == [FEWER, FEWER, SUPPRESSED, ""]


def test_a_hidden_pair_pinned_at_its_bounds_keeps_growing():
    # 1 and 10 hidden: sum 11, and the "suppressed" cell is at least 10 and at most the smallest
    # visible count (10), so both are known. Adding the other 10 gives sum 21 = 1 + 10 + 10 at the
    # lower bounds: still known. Only with 30 hidden too is there room.
    assert labels([1, 10, 10, 30]) == [FEWER, SUPPRESSED, SUPPRESSED, SUPPRESSED]


@pytest.mark.parametrize("values", [[3, 0, 0], [9, 9, 0]])
def test_a_column_that_cannot_be_protected_is_withheld_whole(values):
    assert labels(values) == [SUPPRESSED] * len(values)


def test_fractional_counts_below_10_are_hidden():
    assert labels([2.5, 40.2, 12.7]) == [FEWER, "", SUPPRESSED]


def test_a_hidden_rows_derived_values_are_blank_and_residents_stay():
    table = pd.DataFrame(
        {
            "decile": [1, 2, 3],
            "beneficiaries": [3.0, 40.0, 12.0],
            "residents": [100.0, 200.0, 300.0],
            "share_beneficiaries": [3 / 55, 40 / 55, 12 / 55],
            "share_residents": [1 / 6, 1 / 3, 1 / 2],
            "ratio": [0.33, 2.2, 0.44],
            "ratio_low": [0.1, 1.9, 0.3],
            "ratio_high": [0.9, 2.5, 0.7],
        }
    )
    out = protect_table(table, SHARE_DERIVED)
    assert out["beneficiaries"].tolist() == [FEWER, 40.0, SUPPRESSED]
    assert out.loc[[0, 2], list(SHARE_DERIVED)].isna().all().all()
    assert out.loc[1, list(SHARE_DERIVED)].notna().all()
    assert out["residents"].tolist() == [100.0, 200.0, 300.0]
    assert out["share_residents"].notna().all()
    assert table["beneficiaries"].tolist() == [3.0, 40.0, 12.0]  # the input is not changed


def test_may_quote():
    assert [may_quote(c) for c in (0, 1, 9, 9.99, 10, 11.5, math.nan)] == [
        True,
        False,
        False,
        False,
        True,
        True,
        False,
    ]


def test_the_rule_in_words():
    text = rule_text()
    assert "fewer than 10" in text and "suppressed" in text and "Zeros are shown as 0" in text
    assert text.count(".") <= 2


# --- a whole result -----------------------------------------------------------------------------


@pytest.fixture
def small_area():
    lsoas = pd.DataFrame(
        {
            "lsoa_code": [f"L{i}" for i in range(1, 7)],
            "ward_code": ["W1", "W1", "W2", "W2", "W3", "W3"],
            "population": [100.0] * 6,
            "rank": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
            "decile": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    return lsoas


def test_a_ward_with_3_beneficiaries_reads_fewer_than_10(small_area):
    # W1 has 3; W2 (25) is the next smallest ward and is hidden too; W3 (60) stays.
    counts = pd.Series({"L1": 1.0, "L2": 2.0, "L3": 10.0, "L4": 15.0, "L5": 30.0, "L6": 30.0})
    p = protect(analyse(small_area, counts, n_sim=200))
    wards = p.wards.set_index("ward_code")
    assert wards["beneficiaries"].tolist() == [FEWER, SUPPRESSED, 60.0]
    assert (
        wards.loc[["W1", "W2"], ["per_1000", "per_1000_low", "per_1000_high", "ratio", "ratio_low"]]
        .isna()
        .all()
        .all()
    )
    assert wards.loc[["W1", "W2"], "expected"].notna().all()  # residents-derived: public
    # Six equal LSOAs: midpoints 1/12, 3/12, 5/12, 7/12, 9/12, 11/12 put L1, L2, L3+L4, L5, L6 in
    # fifths 1–5: counts 1, 2, 25, 30, 30. The two small ones sum to 3 (1 and 2, either way round).
    assert p.quintiles["beneficiaries"].tolist() == [FEWER, FEWER, 25.0, 30.0, 30.0]
    # The indices are built from the fifths' counts, so with fifths hidden they are not shown.
    assert not p.indices_shown and p.concentration_curve is None


def test_totals_are_protected_together(small_area):
    counts = pd.Series({"L1": 20.0, "L2": 20.0, "L3": 20.0, "L4": 20.0, "L5": 20.0, "L6": 20.0, "X": 4.0})
    p = protect(analyse(small_area, counts, n_sim=200))
    # 4 outside the area would follow from 124 − 120, so the overall total is hidden instead.
    assert (p.in_catchment_total, p.outside_catchment, p.total) == (120.0, FEWER, SUPPRESSED)
    assert p.indices_shown
    # The shown curve has a point per local fifth, not per LSOA.
    assert len(p.concentration_curve) == 6
    assert p.concentration_curve.iloc[-1].tolist() == pytest.approx([1.0, 1.0])


# --- the property: nothing hidden can be worked out ------------------------------------------------


def _possible_values(values: list[int], shown: list[str]) -> dict[int, set[int]]:
    """Each hidden cell's possible values given the table's total and what the reader sees.

    A reader knows the hidden cells' sum (the total minus the visible counts); a "fewer than 10"
    cell is 1–9; a "suppressed" one is at least 10 and at most the smallest visible non-zero count
    (it was hidden as the smallest); when the whole column is withheld, only that counts are ≥ 0.
    Worked by brute force over sets of sums, independently of the module's interval arithmetic.
    """
    hidden = [i for i, label in enumerate(shown) if label]
    total = sum(values[i] for i in hidden)
    if all(label == SUPPRESSED for label in shown):
        ranges = {i: range(0, total + 1) for i in hidden}
    else:
        visible = [values[i] for i, label in enumerate(shown) if not label and values[i] > 0]
        cap = min(visible) if visible else total
        ranges = {i: range(1, 10) if shown[i] == FEWER else range(10, cap + 1) for i in hidden}
    possible = {}
    for i in hidden:
        sums = {0}
        for j in hidden:
            if j != i:
                sums = {a + b for a in sums for b in ranges[j] if a + b <= total}
        possible[i] = {x for x in ranges[i] if total - x in sums}
    return possible


counts_tables = st.lists(st.one_of(st.integers(0, 12), st.integers(0, 40)), min_size=2, max_size=7)


@settings(max_examples=400, deadline=None)
@given(counts_tables)
def test_no_hidden_count_can_be_worked_out(values):
    shown = labels([float(v) for v in values])
    hidden = [i for i, label in enumerate(shown) if label]
    assert len(hidden) != 1  # one hidden cell would be the total minus the visible ones
    assert all(label == "" for v, label in zip(values, shown, strict=True) if v >= 10 and label == FEWER)
    assert all(label for v, label in zip(values, shown, strict=True) if 0 < v < 10)
    for i, options in _possible_values(values, shown).items():
        assert values[i] in options  # the reader's model is true to the table
        assert len(options) >= 2, f"cell {i} of {values} ({shown}) can only be {options}"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=2, max_size=12))
def test_total_minus_visible_never_reveals_a_single_hidden_cell(values):
    shown = np.array(labels([float(v) for v in values]))
    assert (shown != "").sum() != 1
