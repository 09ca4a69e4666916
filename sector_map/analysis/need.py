"""Need scores (0–100 within the area) and a theme's weighted need index.

Step 1 of the core loop: each indicator becomes a direction-aware 0–100 need score within the
area, where 100 is the ward in most need; a theme's need index is the weighted mean of its
indicators' scores. Missing values stay missing, never zero. Why it is done this way:
``docs/decisions/0003-need-scores.md``.

The examples run on the tiny four-ward pack of :func:`sector_map.demo.tiny.tiny_pack`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sector_map.pack import indicator_rules as rules
from sector_map.pack import schema as s

# How indicator values become 0–100 need scores (the app and the CLI score by rank).
BY_RANK = "rank"
BY_MINMAX = "minmax"
METHODS = {
    BY_RANK: "Rank within the area (robust to outliers)",
    BY_MINMAX: "Scaled between the area's lowest and highest value",
}


def need_scores(values: pd.Series, *, higher_is: str, method: str = "rank") -> pd.Series:
    """Turn one indicator into 0–100 need scores within the area (100 = most need).

    Args:
        values: one value per ward (index = ward code); NaN means no data.
        higher_is: ``"more_need"`` or ``"less_need"`` (e.g. IMD rank, life expectancy).
        method: ``"rank"`` (percentile of rank, ties averaged) or ``"minmax"``.

    Returns:
        Scores on the same index; NaN where the value is missing.

    Example:
        >>> need_scores(pd.Series([1.0, 2.0, 3.0]), higher_is="more_need").tolist()
        [0.0, 50.0, 100.0]

        On the tiny pack a lower IMD rank is more deprived, so Beta, ranked 10th in England, gets
        100 and Delta, ranked 500th, gets 0:

        >>> from sector_map.demo.tiny import tiny_pack
        >>> ranks = tiny_pack().indicator_wide()["imd_rank"]
        >>> ranks.tolist(), need_scores(ranks, higher_is="less_need").round(1).tolist()
        ([300.0, 10.0, 120.0, 500.0], [33.3, 100.0, 66.7, 0.0])
    """
    if higher_is not in s.HIGHER_IS:
        raise ValueError(f"higher_is must be one of {s.HIGHER_IS}, not {higher_is!r}")
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    if higher_is == s.HIGHER_IS_LESS_NEED:
        v = -v
    present = v.notna()
    out = pd.Series(np.nan, index=values.index, dtype="float64")
    n = int(present.sum())
    if n == 0:
        return out
    if n == 1:
        out[present] = 50.0
        return out
    if method == "rank":
        r = v[present].rank(method="average")
        out[present] = (r - 1) / (n - 1) * 100
    elif method == "minmax":
        lo, hi = v[present].min(), v[present].max()
        out[present] = 50.0 if hi == lo else (v[present] - lo) / (hi - lo) * 100
    else:
        raise ValueError(f"method must be one of {list(METHODS)}, not {method!r}")
    return out


def need_score_table(
    wide: pd.DataFrame, meta: Mapping[str, s.IndicatorMeta], *, method: str = "rank"
) -> pd.DataFrame:
    """Need scores for every indicator column of ``wide`` (wards × indicators), each in its own direction.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> pack = tiny_pack()  # wards Alpha, Beta, Gamma, Delta; Delta has no IMD score
        >>> need_score_table(pack.indicator_wide(), pack.indicator_meta).round(1).to_dict("list")
        {'imd_score': [0.0, 100.0, 50.0, nan], 'imd_rank': [33.3, 100.0, 66.7, 0.0]}
    """
    cols = {c: need_scores(wide[c], higher_is=meta[c].higher_is, method=method) for c in wide.columns}
    return pd.DataFrame(cols, index=wide.index)


def ranks_within_area(values: pd.Series, *, higher_is: str) -> pd.Series:
    """Rank of each ward within the area, 1 = most need; ties share the best rank; missing stays missing."""
    if higher_is not in s.HIGHER_IS:
        raise ValueError(f"higher_is must be one of {s.HIGHER_IS}, not {higher_is!r}")
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    ascending = higher_is == s.HIGHER_IS_LESS_NEED
    return v.rank(method="min", ascending=ascending).astype("Int64")


def rank_text(ranks: pd.Series, ward_code: str) -> str:
    """A ward's place in :func:`ranks_within_area` for a page or a table, saying when it is shared:
    a rank many wards tie for (0% in most of them, say) is no distinction.

    Example:
        >>> r = ranks_within_area(pd.Series([9.0, 0, 0, 0, None], index=list("abcde")), higher_is="more_need")
        >>> rank_text(r, "a"), rank_text(r, "b"), rank_text(r, "e")
        ('1 of 4', '2 of 4 (tied with 2 other wards)', 'no data')
    """
    rank = ranks.get(ward_code, pd.NA)
    if pd.isna(rank):
        return "no data"
    others = int((ranks == rank).sum()) - 1
    text = f"{int(rank)} of {int(ranks.notna().sum())}"
    if others:
        text += f" (tied with {others} other ward{'s' if others != 1 else ''})"
    return text


def theme_indicators(meta: Mapping[str, s.IndicatorMeta], theme: str) -> list[str]:
    """Ids of the indicators tagged with ``theme``, in metadata order.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> theme_indicators(tiny_pack().indicator_meta, "poverty_food")
        ['imd_score', 'imd_rank']
    """
    if theme not in s.THEMES_BY_ID:
        raise ValueError(f"unknown theme {theme!r}")
    return [m.id for m in meta.values() if theme in m.themes]


# Two indicators whose ward values move together this closely count the same need twice.
CORRELATION_LIMIT = 0.95
# Fewer wards than this with both values: a correlation says too little to act on.
MIN_WARDS_FOR_CORRELATION = 5
_MOST_DEPRIVED = re.compile(r"most deprived (\d+)\s*%")


@dataclass(frozen=True)
class Choice:
    """One indicator of a theme: its default weight (1 used, 0 left out) and why."""

    id: str
    label: str
    concept: str
    weight: float
    reason: str


def _is_rank(m: s.IndicatorMeta) -> bool:
    text = f"{m.unit} {m.label}".lower()
    return "rank" in m.unit.lower() or m.id.endswith("_rank") or "decile" in text


def concept(m: s.IndicatorMeta) -> str:
    """What an indicator measures (see :data:`~sector_map.pack.indicator_rules.CONCEPT_RULES`)."""
    return rules.concept_for(m.label, m.domain) or m.id


def _form(m: s.IndicatorMeta) -> int:
    """How directly an indicator states its concept: 0 domain score … 4 rank or decile."""
    if _is_rank(m):
        return 4
    found = _MOST_DEPRIVED.search(m.label.lower())
    if found:
        return 2 if int(found.group(1)) > 10 else 3
    return 0 if m.domain else 1


def _correlation(scores: pd.DataFrame | None, a: str, b: str) -> float | None:
    """Spearman correlation of two indicators over the wards with both (None if too few).

    Ranks are unchanged by the 0–100 scoring, so raw values and need scores give the same answer.
    """
    if scores is None or a not in scores.columns or b not in scores.columns:
        return None
    both = scores[[a, b]].apply(pd.to_numeric, errors="coerce").dropna()
    if len(both) < MIN_WARDS_FOR_CORRELATION or both[a].nunique() < 2 or both[b].nunique() < 2:
        return None
    return float(both[a].corr(both[b], method="spearman"))


def default_choices(
    meta: Mapping[str, s.IndicatorMeta], theme: str, *, scores: pd.DataFrame | None = None
) -> list[Choice]:
    """Which of a theme's indicators its default need index uses, and why each is in or out.

    The rule, so that no need is counted twice:

    1. Each indicator measures a *concept*: its IoD domain (the children's and older
       people's income indices count as Income), else a concept rule on its label, else itself.
    2. One indicator per concept: one of the theme's own domains first, then the most direct
       form: a domain score, then a plain measure, then "% in the most deprived 20%", then
       "10%", then a rank or decile.
    3. The overall IMD score is left out when a domain it is built from is used.
    4. With ``scores`` (need scores or raw values, wards × indicators), an indicator whose
       values rank the wards almost as another used one does (Spearman above
       :data:`CORRELATION_LIMIT`) is left out too; the theme's own domains win.

    Users may still give any left-out indicator a weight. The indicators used come first,
    most direct first, then those left out, in metadata order.

    Example:
        The tiny pack's two poverty indicators are both the overall IMD, so the score is used
        and the rank, a less direct form of the same thing, is left out:

        >>> from sector_map.demo.tiny import tiny_pack
        >>> [(c.id, c.weight, c.reason) for c in default_choices(tiny_pack().indicator_meta, "poverty_food")]
        [('imd_score', 1.0, 'used: the overall Index of Multiple Deprivation'), ('imd_rank', 0.0, 'measures the same thing (imd) as IMD score')]

        Two different concepts whose values rank five wards the same way count once (rule 4):

        >>> m = {
        ...     "inc": s.IndicatorMeta("inc", "Income", "score", "more_need", "", "", ["poverty_food"], domain="income"),
        ...     "fuel": s.IndicatorMeta("fuel", "Fuel poverty", "%", "more_need", "", "", ["poverty_food"]),
        ... }
        >>> values = pd.DataFrame({"inc": [0.1, 0.2, 0.3, 0.4, 0.5], "fuel": [8.0, 9, 11, 12, 15]})
        >>> [(c.id, c.weight, c.reason) for c in default_choices(m, "poverty_food", scores=values)]
        [('inc', 1.0, 'used: the income domain of the Indices of Deprivation'), ('fuel', 0.0, 'ranks the wards almost as Income does here (r = 1.00)')]
    """
    t = s.THEMES_BY_ID.get(theme)
    if t is None:
        raise ValueError(f"unknown theme {theme!r}")
    ids = theme_indicators(meta, theme)
    order = {i: n for n, i in enumerate(ids)}
    own = {d: n for n, d in enumerate(t.domains)}

    def rank(i: str) -> tuple[int, int, int]:
        m = meta[i]
        return (own.get(m.domain, len(own)), _form(m), order[i])

    groups: dict[str, list[str]] = {}
    for i in ids:
        groups.setdefault(concept(meta[i]), []).append(i)
    best = sorted((sorted(g, key=rank)[0] for g in groups.values()), key=rank)
    reasons: dict[str, tuple[float, str]] = {}
    for c, members in groups.items():
        top = sorted(members, key=rank)[0]
        for i in members:
            if i != top:
                reasons[i] = (0.0, f"measures the same thing ({c.replace('_', ' ')}) as {meta[top].label}")
    domains_used = [meta[i].domain for i in best if meta[i].domain not in ("", s.DOMAIN_IMD)]
    kept: list[str] = []
    for i in best:
        if meta[i].domain == s.DOMAIN_IMD and domains_used:
            reasons[i] = (0.0, "the overall IMD score is built from the deprivation domains already used")
            continue
        close = [
            (k, r)
            for k in kept
            if (r := _correlation(scores, i, k)) is not None and abs(r) > CORRELATION_LIMIT
        ]
        if close:
            k, r = close[0]
            reasons[i] = (0.0, f"ranks the wards almost as {meta[k].label} does here (r = {r:.2f})")
            continue
        kept.append(i)
        reasons[i] = (
            1.0,
            _used_reason(meta[i]),
        )
    left_out = [i for i in ids if i not in kept]
    return [Choice(i, meta[i].label, concept(meta[i]), *reasons[i]) for i in kept + left_out]


def _used_reason(m: s.IndicatorMeta) -> str:
    if m.domain == s.DOMAIN_IMD:
        return "used: the overall Index of Multiple Deprivation"
    if m.domain:
        return f"used: the {m.domain.replace('_', ' ')} domain of the Indices of Deprivation"
    return "used: a measure of its own"


def default_weights(
    meta: Mapping[str, s.IndicatorMeta], theme: str, *, scores: pd.DataFrame | None = None
) -> dict[str, float]:
    """Default weights of every indicator of a theme: 1 for one indicator per concept, else 0.

    See :func:`default_choices` for the rule. Every indicator of the theme is a key, so users
    can raise a left-out one.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> default_weights(tiny_pack().indicator_meta, "poverty_food")
        {'imd_score': 1.0, 'imd_rank': 0.0}
    """
    return {c.id: c.weight for c in default_choices(meta, theme, scores=scores)}


def weights_used(
    meta: Mapping[str, s.IndicatorMeta], weights: Mapping[str, float]
) -> list[tuple[str, float]]:
    """``(label, weight)`` of each indicator with a weight above zero, in the order given."""
    return [(meta[k].label if k in meta else k, float(w)) for k, w in weights.items() if float(w) > 0]


def weights_text(meta: Mapping[str, s.IndicatorMeta], weights: Mapping[str, float]) -> str:
    """The indicators and weights of a need index in one line, for legends, captions and exports.

    Example:
        >>> m = {k: s.IndicatorMeta(k, k.upper(), "", s.HIGHER_IS_MORE_NEED, "", "", []) for k in "abc"}
        >>> weights_text(m, {"a": 1, "b": 0, "c": 2.5})
        'A (weight 1); C (weight 2.5)'
    """
    used = weights_used(meta, weights)
    if not used:
        return "no indicators (every weight is zero)"
    return "; ".join(f"{label} (weight {w:g})" for label, w in used)


def themes_weights_text(
    meta: Mapping[str, s.IndicatorMeta],
    themes: Sequence[str],
    *,
    weights: Mapping[str, Mapping[str, float]] | None = None,
    scores: pd.DataFrame | None = None,
) -> str:
    """One line per theme naming the indicators and weights of its need index (for the Gaps page).

    Example:
        >>> m = {"a": s.IndicatorMeta("a", "A", "", s.HIGHER_IS_MORE_NEED, "", "", ["older_people"])}
        >>> themes_weights_text(m, ["older_people"])
        'Older people need index: A (weight 1)'
    """
    weights = weights or {}
    lines = []
    for theme in themes:
        w = weights.get(theme) or default_weights(meta, theme, scores=scores)
        lines.append(f"{s.THEMES_BY_ID[theme].label} need index: {weights_text(meta, w)}")
    return "\n".join(lines)


def need_index(scores: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    """Weighted mean of need scores per ward (0–100, 100 = most need).

    Indicators missing for a ward are left out of that ward's mean and the remaining
    weights re-scaled; a ward with no weighted value at all gets NaN ("no data").

    Example:
        >>> t = pd.DataFrame({"a": [0.0, 100.0], "b": [50.0, np.nan]})
        >>> need_index(t, {"a": 1, "b": 1}).tolist()
        [25.0, 100.0]

        On the tiny pack with both indicators weighted 1, Delta (no IMD score) is scored on its
        rank alone:

        >>> from sector_map.demo.tiny import tiny_pack
        >>> pack = tiny_pack()
        >>> scores = need_score_table(pack.indicator_wide(), pack.indicator_meta)
        >>> need_index(scores, {"imd_score": 1, "imd_rank": 1}).round(1).tolist()
        [16.7, 100.0, 58.3, 0.0]
    """
    used = {k: float(w) for k, w in weights.items() if float(w) > 0}
    if any(w < 0 for w in map(float, weights.values())):
        raise ValueError("weights cannot be negative")
    missing = [k for k in used if k not in scores.columns]
    if missing:
        raise KeyError(f"no need scores for indicators {missing}")
    if not used:
        return pd.Series(np.nan, index=scores.index, dtype="float64")
    sub = scores[list(used)]
    w = pd.Series(used)
    weighted = sub.mul(w, axis=1)
    weight_present = sub.notna().mul(w, axis=1).sum(axis=1)
    total = weighted.sum(axis=1, min_count=1)
    return (total / weight_present.replace(0, np.nan)).astype("float64")


def coverage(scores: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    """Share (0–1) of each ward's total weight that had data behind its need index.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> pack = tiny_pack()
        >>> scores = need_score_table(pack.indicator_wide(), pack.indicator_meta)
        >>> coverage(scores, {"imd_score": 1, "imd_rank": 1}).tolist()  # Delta lacks the score
        [1.0, 1.0, 1.0, 0.5]
    """
    used = {k: float(w) for k, w in weights.items() if float(w) > 0}
    if not used:
        return pd.Series(0.0, index=scores.index)
    w = pd.Series(used)
    return scores[list(used)].notna().mul(w, axis=1).sum(axis=1) / w.sum()


def theme_need_table(
    scores: pd.DataFrame,
    meta: Mapping[str, s.IndicatorMeta],
    *,
    weights: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """Need index of every theme that has indicators: wards × theme ids (0–100, NaN = no data).

    Args:
        scores: need scores, wards × indicator ids (from :func:`need_score_table`).
        meta: the pack's indicator metadata.
        weights: per theme, the weights to use instead of :func:`default_weights`.

    Example:
        The tiny pack's IMD score is tagged with two themes, so both have a need index (the
        default weights use the score alone):

        >>> from sector_map.demo.tiny import tiny_pack
        >>> pack = tiny_pack()
        >>> scores = need_score_table(pack.indicator_wide(), pack.indicator_meta)
        >>> theme_need_table(scores, pack.indicator_meta).to_dict("list")
        {'poverty_food': [0.0, 100.0, 50.0, nan], 'community_cohesion': [0.0, 100.0, 50.0, nan]}
    """
    weights = weights or {}
    out = {}
    for theme in s.THEME_IDS:
        if not theme_indicators(meta, theme):
            continue
        out[theme] = need_index(scores, weights.get(theme) or default_weights(meta, theme, scores=scores))
    return pd.DataFrame(out, index=scores.index)
