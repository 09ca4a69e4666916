"""Small numbers protected: what of a reach result may be shown, on screen and in exports.

The rule (:func:`rule_text` says it in words for the page and the exports), applied to the
beneficiary counts of each table (wards, national deciles, local fifths) separately:

1. **Primary**: a count above 0 and below 10 is shown as "fewer than 10". Zeros stay 0.
2. **Secondary**: with hidden cells in a table, a reader who knows the table's total (the sum of
   its counts) knows the hidden cells' sum. The hidden set is grown, smallest visible non-zero
   count first (shown as "suppressed"), until no hidden count can be worked out exactly. A reader
   knows: the hidden sum; each "fewer than 10" cell is 1–9 (0–10 where counts are fractional);
   each "suppressed" cell is at least 10 and at most the smallest visible non-zero count (it was
   chosen as the smallest). A hidden cell can be worked out when these bounds leave it less than
   one unit of room: e.g. a single hidden cell (total minus the rest), two hidden "fewer than 10"
   cells summing to 2 (both 1) or to 18 (both 9), or a "fewer than 10" cell and a "suppressed"
   one summing to 11 (1 and 10). Each such case hides one more cell. When every non-zero count is
   hidden and one could still be worked out, the table's whole count column is withheld
   ("suppressed", zeros included).
3. Every beneficiary-derived value of a hidden row (share, rate per 1,000 and their intervals,
   ratio and its interval) is blank (NaN). Residents, expected counts (residents × a total) and
   deprivation shares are public and stay.

What this does not claim: the tables are protected one at a time (the same beneficiaries are
counted by ward, by decile and by local fifth, so comparing tables can narrow a hidden count); and
a reader who knows this rule and reasons about why it stopped where it did can, in rare tables,
work a hidden count out (e.g. a "fewer than 10" cell and two "suppressed" ones where the first two
hidden were exactly 1 and 10: a rule that grows a set until it is safe says something about the
sets it passed through). Counts are never quoted below 10
(:func:`may_quote`), and the summary indices (SII, RII, concentration index and its curve) are
only shown when every local fifth can be shown, since they are built from those fifths' counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sector_map.reach.tables import ReachResult

THRESHOLD = 10
FEWER = "fewer than 10"
SUPPRESSED = "suppressed"

WARD_DERIVED = ("per_1000", "per_1000_low", "per_1000_high", "ratio", "ratio_low", "ratio_high")
SHARE_DERIVED = ("share_beneficiaries", "ratio", "ratio_low", "ratio_high")


def rule_text() -> str:
    """The suppression rule in plain words, for the page and the exports."""
    return (
        'Counts of 1 to 9 beneficiaries are shown as "fewer than 10", and where a hidden count '
        "could still be worked out from a total and the other figures, more counts are hidden and "
        'shown as "suppressed"; every share, rate and ratio of a hidden row is left blank. '
        "Zeros are shown as 0, and resident numbers, which are public, are always shown."
    )


def may_quote(count: float) -> bool:
    """Whether a count may be quoted on its own: 0, or 10 and over.

    >>> [may_quote(c) for c in (0, 3, 9.6, 10, 250)]
    [True, False, False, True, True]
    """
    return not math.isnan(count) and (count == 0 or count >= THRESHOLD)


def _forced(values: np.ndarray, primary: np.ndarray, secondary: np.ndarray, integer: bool) -> bool:
    """Whether some hidden cell is pinned down by the hidden sum and what the labels tell."""
    hidden = primary | secondary
    if hidden.sum() < 2:
        return bool(hidden.any())
    visible_nonzero = values[~hidden & (values > 0)]
    cap = float(visible_nonzero.min()) if visible_nonzero.size else math.inf
    low = np.where(primary, 1.0 if integer else 0.0, float(THRESHOLD))[hidden]
    high = np.where(primary, THRESHOLD - 1.0 if integer else float(THRESHOLD), cap)[hidden]
    hidden_sum = float(values[hidden].sum())
    n_inf = int(np.isinf(high).sum())
    finite_high = float(high[~np.isinf(high)].sum())
    for lo_i, hi_i in zip(low, high, strict=True):
        others_inf = n_inf - int(math.isinf(hi_i)) > 0
        others_high = math.inf if others_inf else finite_high - (0.0 if math.isinf(hi_i) else hi_i)
        least = max(lo_i, hidden_sum - others_high)
        most = min(hi_i, hidden_sum - (low.sum() - lo_i))
        if most - least < 1 - 1e-9:
            return True
    return False


def suppression_labels(counts: pd.Series) -> pd.Series:
    """For each count of one table: "" (shown), "fewer than 10" or "suppressed".

    >>> suppression_labels(pd.Series([3, 40, 12, 0, 25])).tolist()
    ['fewer than 10', '', 'suppressed', '', '']
    """
    values = counts.to_numpy(dtype=float)
    primary = (values > 0) & (values < THRESHOLD)
    secondary = np.zeros(len(values), dtype=bool)
    integer = bool(np.allclose(values, np.round(values)))
    while primary.any() and _forced(values, primary, secondary, integer):
        candidates = np.flatnonzero(~primary & ~secondary & (values > 0))
        if candidates.size == 0:
            return pd.Series(SUPPRESSED, index=counts.index, dtype=object)
        secondary[candidates[np.argmin(values[candidates])]] = True
    labels = np.where(primary, FEWER, np.where(secondary, SUPPRESSED, ""))
    return pd.Series(labels, index=counts.index, dtype=object)


def protect_table(table: pd.DataFrame, derived: tuple[str, ...]) -> pd.DataFrame:
    """A display copy of one table: hidden counts as their labels, derived values blank."""
    labels = suppression_labels(table["beneficiaries"])
    hidden = labels != ""
    out = table.copy()
    out["beneficiaries"] = out["beneficiaries"].astype(object)
    out.loc[hidden, "beneficiaries"] = labels[hidden]
    for column in derived:
        out.loc[hidden, column] = np.nan
    return out


@dataclass(frozen=True)
class ProtectedTables:
    """What of a :class:`~sector_map.reach.tables.ReachResult` may be shown.

    Tables keep the result's columns; a hidden row's ``beneficiaries`` holds "fewer than 10" or
    "suppressed" and its derived values are NaN. Totals are numbers or those labels.
    ``indices_shown`` says whether SII, RII and the concentration index may be shown;
    ``concentration_curve`` is the curve at the boundaries of the local fifths (not per LSOA,
    which would give away each LSOA's count), or None when the indices may not be shown.
    """

    wards: pd.DataFrame
    deciles: pd.DataFrame
    quintiles: pd.DataFrame
    total: float | str
    in_catchment_total: float | str
    outside_catchment: float | str
    indices_shown: bool
    concentration_curve: pd.DataFrame | None
    rule: str


def _label(count: float) -> float | str:
    return count if may_quote(count) else FEWER


def protect(result: ReachResult) -> ProtectedTables:
    """Apply the rule to a whole result (see the module docstring)."""
    quintiles = protect_table(result.quintiles, SHARE_DERIVED)
    inside, outside = _label(result.in_catchment_total), _label(result.outside_catchment)
    total: float | str = result.total
    if isinstance(inside, str) or isinstance(outside, str):
        total = FEWER if result.total < THRESHOLD else SUPPRESSED
    shown = (
        len(result.quintiles) > 0
        and result.in_catchment_total > 0
        and not quintiles["beneficiaries"].map(lambda v: isinstance(v, str)).any()
    )
    curve = None
    if shown:
        q = result.quintiles
        curve = pd.DataFrame(
            {
                "cum_residents": np.concatenate([[0.0], np.cumsum(q["residents"]) / q["residents"].sum()]),
                "cum_beneficiaries": np.concatenate(
                    [[0.0], np.cumsum(q["beneficiaries"]) / q["beneficiaries"].sum()]
                ),
            }
        )
    return ProtectedTables(
        wards=protect_table(result.wards, WARD_DERIVED),
        deciles=protect_table(result.deciles, SHARE_DERIVED),
        quintiles=quintiles,
        total=total,
        in_catchment_total=inside,
        outside_catchment=outside,
        indices_shown=bool(shown),
        concentration_curve=curve,
        rule=rule_text(),
    )
