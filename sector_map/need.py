"""Need scores (0–100 within the area) and a theme's weighted need index.

Step 1 of the core loop (DESIGN.md): each indicator becomes a direction-aware 0–100 need
score within the area, where 100 is the ward in most need; a theme's need index is the
weighted mean of its indicators' scores. Missing values stay missing, never zero.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sector_map import schema as s

METHODS = {
    "rank": "Rank within the area (robust to outliers)",
    "minmax": "Scaled between the area's lowest and highest value",
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
    """Need scores for every indicator column of ``wide`` (wards × indicators)."""
    cols = {c: need_scores(wide[c], higher_is=meta[c].higher_is, method=method) for c in wide.columns}
    return pd.DataFrame(cols, index=wide.index)


def ranks_within_area(values: pd.Series, *, higher_is: str) -> pd.Series:
    """Rank of each ward within the area, 1 = most need; ties share the best rank; missing stays missing."""
    if higher_is not in s.HIGHER_IS:
        raise ValueError(f"higher_is must be one of {s.HIGHER_IS}, not {higher_is!r}")
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    ascending = higher_is == s.HIGHER_IS_LESS_NEED
    return v.rank(method="min", ascending=ascending).astype("Int64")


def theme_indicators(meta: Mapping[str, s.IndicatorMeta], theme: str) -> list[str]:
    """Ids of the indicators tagged with ``theme``, in metadata order."""
    if theme not in s.THEMES_BY_ID:
        raise ValueError(f"unknown theme {theme!r}")
    return [m.id for m in meta.values() if theme in m.themes]


def _is_rank(m: s.IndicatorMeta) -> bool:
    return "rank" in m.unit.lower() or m.id.endswith("_rank")


def default_weights(meta: Mapping[str, s.IndicatorMeta], theme: str) -> dict[str, float]:
    """Equal weights over a theme's indicators.

    A rank that restates a score of the same IMD domain starts at weight 0, so the same
    measure is not counted twice; users may still raise it.
    """
    ids = theme_indicators(meta, theme)
    scored_domains = {meta[i].domain for i in ids if meta[i].domain and not _is_rank(meta[i])}
    weights = {}
    for i in ids:
        m = meta[i]
        weights[i] = 0.0 if _is_rank(m) and m.domain in scored_domains else 1.0
    return weights


def need_index(scores: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    """Weighted mean of need scores per ward (0–100, 100 = most need).

    Indicators missing for a ward are left out of that ward's mean and the remaining
    weights re-scaled; a ward with no weighted value at all gets NaN ("no data").

    Example:
        >>> t = pd.DataFrame({"a": [0.0, 100.0], "b": [50.0, np.nan]})
        >>> need_index(t, {"a": 1, "b": 1}).tolist()
        [25.0, 100.0]
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
    """Share (0–1) of each ward's total weight that had data behind its need index."""
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
        >>> m = {"a": s.IndicatorMeta("a", "A", "score", s.HIGHER_IS_MORE_NEED, "t", "2019", ["older_people"])}
        >>> theme_need_table(pd.DataFrame({"a": [0.0, 100.0]}), m).columns.tolist()
        ['older_people']
    """
    weights = weights or {}
    out = {}
    for theme in s.THEME_IDS:
        if not theme_indicators(meta, theme):
            continue
        out[theme] = need_index(scores, weights.get(theme) or default_weights(meta, theme))
    return pd.DataFrame(out, index=scores.index)
