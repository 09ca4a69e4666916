"""What a need map shows: one indicator, or one theme's weighted need index, with its metadata.

Pages ask for a :class:`MapSubject` and hand it to the classifier and the map builders, so
an indicator and a theme index are drawn, ranked and described the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from sector_map.analysis import need
from sector_map.pack import schema as s
from sector_map.pack.io import Pack

NEED_INDEX_UNIT = "need index"


@dataclass(frozen=True)
class MapSubject:
    """Values per ward (index = ward code) and what they mean."""

    values: pd.Series
    meta: s.IndicatorMeta
    weights: Mapping[str, float] | None = None

    @property
    def ranks(self) -> pd.Series:
        """Rank within the area, 1 = most need; missing values get no rank."""
        return need.ranks_within_area(self.values, higher_is=self.meta.higher_is)

    @property
    def n_missing(self) -> int:
        return int(self.values.isna().sum())


def indicator_subject(pack: Pack, indicator_id: str, *, wide: pd.DataFrame) -> MapSubject:
    """One indicator's raw values, as published."""
    if indicator_id not in pack.indicator_meta:
        raise KeyError(f"this pack has no indicator {indicator_id!r}")
    return MapSubject(values=wide[indicator_id].astype("float64"), meta=pack.indicator_meta[indicator_id])


def theme_subject(
    pack: Pack, theme: str, *, scores: pd.DataFrame, weights: Mapping[str, float] | None = None
) -> MapSubject:
    """A theme's need index: weighted mean of its indicators' 0–100 need scores."""
    t = s.THEMES_BY_ID[theme]
    if weights is None:
        weights = need.default_weights(pack.indicator_meta, theme, scores=scores)
    values = need.need_index(scores, weights) if weights else pd.Series(float("nan"), index=scores.index)
    listed = need.weights_text(pack.indicator_meta, weights)
    meta = s.IndicatorMeta(
        id=f"need_{theme}",
        label=f"{t.label}: need index",
        unit=NEED_INDEX_UNIT,
        higher_is=s.HIGHER_IS_MORE_NEED,
        source=f"computed by sector-map from {listed}",
        year="",
        themes=[theme],
        description=(
            "Weighted average of the 0–100 need scores (100 = the ward in most need in this area) of: "
            + listed
            + "."
        ),
    )
    return MapSubject(values=values.astype("float64"), meta=meta, weights=dict(weights))


def themes_with_indicators(pack: Pack) -> list[str]:
    """Theme ids that have at least one indicator in this pack, in taxonomy order."""
    return [t for t in s.THEME_IDS if need.theme_indicators(pack.indicator_meta, t)]
