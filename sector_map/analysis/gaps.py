"""Need against provision: a gap score, a 3×3 class and a ranked priority list with reasons.

In one sentence for an officer: *a ward's gap is how much higher it ranks among the area's
wards on need than on provision*; 100 means the most needy ward with the least provision,
50 means need and provision rank alike.

Need and provision are each placed in thirds within the area (low / medium / high) by their
percentile rank, so a ward is "high need, little provision" when it is in the top third for
need and the bottom third for provision. The priority list puts the classes in order of
urgency (high need with little provision first, then high need with some provision, ...) and
orders wards within a class by gap score. Wards with no need data get "no data" and no rank.
A ward with no provision is always "little provision".

**Only located provision sets the class** (services at a site of their own or in listed wards,
see :mod:`sector_map.analysis.service_reach`). Services said to serve the whole area, or known only by a
contact address (where a charity is run, not where it works), are counted and named in each
ward's reason as the area-wide part, but never make a ward "well served" or "little provision".

**When provision cannot tell wards apart** every ward's class is "provision not known", with no
gap and no rank, and wards are listed by need only. That is the case when either

1. fewer than :data:`MIN_LOCATED` (2) services of the themes are located: one located service
   only says which wards are near one address, not how provision spreads over the area. A
   directory listing delivered at several sites counts once per site, as each is an address
   people go to (so one listing at two sites can set classes); or
2. located provision is the same in every ward (to 9 decimal places), e.g. one service list
   whose catchments cover the whole area.

Fewer than three wards with need data give "too few wards to compare" instead. Why the rule:
``docs/decisions/0004-provision-not-known.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd

from sector_map.analysis import need as need_mod
from sector_map.analysis.gap_reasons import AREA_WIDE_WORDS, need_phrase, provision_phrase, split_phrase
from sector_map.analysis.service_reach import LOCATED
from sector_map.pack import schema as s

LOW, MEDIUM, HIGH = "low", "medium", "high"
LEVELS = (LOW, MEDIUM, HIGH)
NO_DATA = "no data"
# Classes the data cannot support: provision the same in every ward (none at all, or only
# whole-area services), or fewer wards with need data than there are thirds.
PROVISION_UNKNOWN = "provision not known"
TOO_FEW_WARDS = "too few wards to compare"
MIN_WARDS = 3
# Fewest located services of the themes (site or listed wards) that can tell wards apart.
MIN_LOCATED = 2
UNCLASSED = (NO_DATA, PROVISION_UNKNOWN, TOO_FEW_WARDS)
NEED_WORDS = {LOW: "low need", MEDIUM: "medium need", HIGH: "high need"}
PROVISION_WORDS = {LOW: "little provision", MEDIUM: "some provision", HIGH: "well served"}
# Priority order of the nine classes, most urgent first (for sorting and legends).
CLASS_ORDER = tuple(f"{NEED_WORDS[n]}, {PROVISION_WORDS[p]}" for n in (HIGH, MEDIUM, LOW) for p in LEVELS)
# The provision columns a gap can be measured by (the key is the column of the provision table).
MEASURES = {
    s.ACCESS: "located services within reach per 1,000 residents (two-step floating catchment)",
    s.PER_1000: "located services reaching the ward per 1,000 residents",
    s.SERVICES: "located services reaching the ward",
}
# Each measure's located and area-wide parts in a provision table that splits them.
MEASURE_PARTS = {
    s.ACCESS: (s.ACCESS_LOCATED, s.ACCESS_AREA_WIDE),
    s.PER_1000: (s.PER_1000_LOCATED, s.PER_1000_AREA_WIDE),
    s.SERVICES: (s.SERVICES_LOCATED, s.SERVICES_AREA_WIDE),
}


@dataclass(frozen=True)
class GapResult:
    """A gap table and what it was worked out from.

    Like a mapclassify scheme's result, every gap table comes with the same named fields.

    Attributes:
        table: one row per ward, indexed by ward code, in priority order (no-data wards last);
            :data:`sector_map.pack.schema.GAP_COLUMNS` (the located / area-wide columns only
            when the provision table has them).
        measure: the provision column that set the provision level (a key of :data:`MEASURES`).
        services_by_reach: how many services of the themes reach people in each way
            (:data:`sector_map.analysis.service_reach.REACH_KINDS`); empty when not known.
    """

    table: pd.DataFrame
    measure: str = s.ACCESS
    services_by_reach: dict[str, int] = field(default_factory=dict)


def _thirds(pct: pd.Series) -> np.ndarray:
    """Low / medium / high for percentile ranks (0–1]: the top third is above 2/3."""
    return np.where(pct <= 1 / 3, LOW, np.where(pct <= 2 / 3, MEDIUM, HIGH))


def level_of(values: pd.Series) -> pd.Series:
    """Low / medium / high by thirds of the percentile rank within the area (ties share a third).

    Example:
        >>> level_of(pd.Series([1.0, 2, 3, 4, 5, 6, np.nan])).tolist()
        ['low', 'low', 'medium', 'medium', 'high', 'high', nan]
    """
    pct = values.rank(method="average", pct=True)
    out = pd.Series(_thirds(pct), index=values.index)
    return out.where(values.notna()).astype(object)


def high_need_themes(need: pd.DataFrame, ward_code: str) -> list[str]:
    """The themes in which a ward's need is high (the top third of the area, as :func:`level_of`),
    highest first. ``need`` is wards × themes (0–100, NaN = no data).

    Example:
        >>> need = pd.DataFrame({"older_people": [90.0, 10, 50], "mental_health": [20.0, 80, 50]},
        ...                     index=["A", "B", "C"])
        >>> high_need_themes(need, "A"), high_need_themes(need, "C"), high_need_themes(need, "Z")
        (['older_people'], [], [])
    """
    if ward_code not in need.index:
        return []
    pct = cast(pd.Series, need.rank(method="average", pct=True).loc[ward_code])  # one row: a Series
    top = pct[(_thirds(pct) == HIGH) & pct.notna().to_numpy()].sort_values(ascending=False)
    return list(top.index)


def class_label(need_level: str, provision_level: str) -> str:
    """Plain-English name of a 3×3 class, e.g. ``"high need, little provision"``."""
    return f"{NEED_WORDS[need_level]}, {PROVISION_WORDS[provision_level]}"


def gap_table(
    need: pd.Series,
    provision: pd.DataFrame,
    *,
    services_by_reach: Mapping[str, int] | None = None,
    measure: str = s.ACCESS,
    names: pd.Series | None = None,
    need_driver: pd.Series | None = None,
    services_word: str = "service",
    radius_km: float | None = None,
) -> GapResult:
    """Gap score, 3×3 class, rank and reason per ward.

    Args:
        need: need index per ward (0–100, NaN = no data), indexed by ward code.
        provision: the table of :func:`sector_map.analysis.provision.provision_table` (same index).
        services_by_reach: services of the themes by reach kind, as the provision result counts
            them; with a located / area-wide split, it says whether enough services are located.
        measure: the provision column that sets the provision level (see :data:`MEASURES`).
        names: ward names by code, for the table.
        need_driver: per ward, the label of the indicator behind most of its need.
        services_word: how services are named in reasons, e.g. "children's service".
        radius_km: the catchment used, for reasons.

    Returns:
        The table (indexed by ward code, sorted by rank, no-data wards last: ``ward_name, need,
        need_level, provision, provision_level, gap, gap_class, rank, reason, need_reason``),
        with the measure and the services by reach kind.

    Example:
        The tiny pack's poverty need (its IMD score; Delta has none) against a made-up provision
        figure: Beta, the neediest ward, has the least provision, so it has the biggest gap:

        >>> from sector_map.demo.tiny import tiny_pack
        >>> from sector_map.analysis.tables import need_scores
        >>> pack = tiny_pack()
        >>> need = need_scores(pack)["imd_score"]
        >>> provision = pd.DataFrame({s.ACCESS: [3.0, 0.5, 2.0, 1.0]}, index=need.index)
        >>> names = pack.wards.set_index(s.WARD_CODE)[s.WARD_NAME]
        >>> table = gap_table(need, provision, names=names).table
        >>> table[[s.WARD_NAME, s.GAP, s.GAP_CLASS, s.RANK]].round(1).values.tolist()
        [['Beta', 87.5, 'high need, little provision', 1.0], ['Gamma', 45.8, 'medium need, well served', 2.0], ['Alpha', 16.7, 'low need, well served', 3.0], ['Delta', nan, 'no data', <NA>]]

        Gap = (need percentile − provision percentile + 1) / 2 × 100: for Beta (1 − 1/4 + 1) / 2.
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown provision measure {measure!r}; use one of {', '.join(MEASURES)}")
    prov = provision.reindex(need.index)
    located_col, area_wide_col = MEASURE_PARTS[measure]
    split = located_col in prov.columns
    by_reach = {k: int(v) for k, v in (services_by_reach or {}).items()}
    n_located = sum(by_reach.get(k, 0) for k in LOCATED) if by_reach else None
    supply = prov[located_col if split else measure].astype("float64")
    need_pct = need.rank(method="average", pct=True)
    from_top = need.rank(method="min", ascending=False, pct=True)
    from_bottom = need.rank(method="min", ascending=True, pct=True)
    # Ward with no located provision of the theme: treat as zero provision, not unknown.
    # Rounded so that equal provision (e.g. only whole-area services) ties exactly.
    supply_filled = supply.fillna(0.0).round(9)
    prov_pct = supply_filled.rank(method="average", pct=True)
    gap = ((need_pct - prov_pct + 1) / 2 * 100).where(need.notna())
    prov_level = level_of(supply_filled).where(supply_filled > 0, LOW)  # none is never "some"
    unclassed = _why_unclassed(need, supply_filled, n_located if split else None)
    out = pd.DataFrame(
        {
            s.WARD_NAME: names.reindex(need.index) if names is not None else need.index,
            s.NEED: need.astype("float64"),
            s.NEED_LEVEL: level_of(need),
            s.PROVISION: supply_filled,
            s.PROVISION_LEVEL: prov_level,
            s.GAP: gap.astype("float64"),
        },
        index=need.index,
    )
    if split:
        out[s.PROVISION_AREA_WIDE] = prov[area_wide_col].astype("float64").fillna(0.0)
        out[s.SERVICES_LOCATED] = prov[s.SERVICES_LOCATED].astype("Int64")
        out[s.SERVICES_AREA_WIDE] = prov[s.SERVICES_AREA_WIDE].astype("Int64")
    if unclassed is not None:
        # Thirds or a gap here would be numbers the data cannot support.
        out[s.GAP] = np.nan
        out[s.PROVISION_LEVEL] = np.nan
        if unclassed == TOO_FEW_WARDS:
            out[s.NEED_LEVEL] = np.nan
    out[s.GAP_CLASS] = [
        NO_DATA if not isinstance(n, str) and pd.isna(v) else unclassed or class_label(n, p)
        for n, p, v in zip(out[s.NEED_LEVEL], out[s.PROVISION_LEVEL], out[s.NEED], strict=True)
    ]
    # Priority: the 3×3 class first (high need with little provision first), then the gap score.
    urgency = out[s.GAP_CLASS].map({c: i for i, c in enumerate(CLASS_ORDER)})
    key = (urgency * 1000 - out[s.GAP]).where(out[s.GAP].notna())
    out[s.RANK] = key.rank(method="min").astype("Float64")
    reasons = []
    # Plain dicts, not row lookups: this loop runs once per ward (7,219 for England).
    codes = out.index.tolist()
    prov_cols = prov.reindex(
        columns=[
            s.SERVICES,
            s.SERVICES_WEAK,
            s.NEAREST_KM,
            s.SERVICES_LOCATED,
            s.SERVICES_AREA_WIDE,
            s.NEAREST_LOCATED_KM,
            s.NEAREST_LOCATED_SERVICE,
            s.LOCATED_SERVICES,
        ]
    )
    prov_rows = dict(zip(codes, prov_cols.to_dict("records"), strict=True))

    def by_code(series: pd.Series | None) -> dict:
        return {} if series is None else dict(zip(series.index.tolist(), series.tolist(), strict=True))

    drivers, tops, bottoms = by_code(need_driver), by_code(from_top), by_code(from_bottom)
    needs = []
    for code, value, level in zip(codes, out[s.NEED].tolist(), out[s.NEED_LEVEL].tolist(), strict=True):
        if split:
            known = unclassed != PROVISION_UNKNOWN
            provision_text = split_phrase(
                prov_rows[code], services_word, radius_km, known, n_located, MIN_LOCATED
            )
        else:
            provision_text = provision_phrase(prov_rows[code], services_word, radius_km)
        driver = f" ({drivers[code]})" if isinstance(drivers.get(code), str) else ""
        if pd.isna(value):
            need_text = "no need data for this ward"
        elif unclassed == TOO_FEW_WARDS:
            need_text = f"need {value:.0f}/100{driver}"
            provision_text += (
                f"; with fewer than {MIN_WARDS} wards with need data there are no thirds to compare wards by"
            )
        else:
            need_text = need_phrase(value, level, tops[code], bottoms[code]) + driver
            if unclassed == PROVISION_UNKNOWN and not split:
                provision_text += "; provision is the same in every ward, so it cannot tell wards apart"
        needs.append(need_text)
        reasons.append(f"{need_text}; {provision_text}")
    out[s.REASON] = reasons
    out[s.NEED_REASON] = needs  # the need half alone, for views that cannot show provision
    out.index.name = s.WARD_CODE
    out = out.sort_values([s.RANK, s.NEED], ascending=[True, False], na_position="last")
    return GapResult(out, measure, by_reach)


def _why_unclassed(need: pd.Series, supply: pd.Series, n_located: int | None = None) -> str | None:
    """Why no ward can get a 3×3 class (None when they can); see the module docs for the rule.

    ``supply`` is the located provision per ward; ``n_located`` how many services of the themes
    are located (None for a provision table without the split: then only the spread counts).
    """
    if int(need.notna().sum()) < MIN_WARDS:
        return TOO_FEW_WARDS
    if n_located is not None and n_located < MIN_LOCATED:
        return PROVISION_UNKNOWN
    if supply.nunique() <= 1:
        return PROVISION_UNKNOWN
    return None


def services_count(result: GapResult) -> dict[str, int]:
    """How many services of the result's themes there are: ``total``, ``located``, and by reach kind."""
    by_reach = dict(result.services_by_reach)
    by_reach["located"] = sum(by_reach.get(k, 0) for k in LOCATED)
    by_reach["total"] = sum(v for k, v in by_reach.items() if k != "located")
    return by_reach


def provision_basis(result: GapResult, services_word: str) -> str | None:
    """One sentence on what set the classes of a classed table, e.g. "Wards are classed from 13 located …".

    None when the services by reach kind are not known or no ward is classed.
    """
    if unclassed_reason(result.table) is not None or not result.services_by_reach:
        return None
    n = services_count(result)
    text = (
        f"Wards are classed from the {n['located']} located {services_word}s (a site of their own, "
        "each site of a directory listing counted once, or listed wards) and the catchment around them"
    )
    rest = n["total"] - n["located"]
    if rest:
        if rest == 1:
            text += (
                f"; 1 more {services_word} serves the whole area or is known only by a contact address: "
                "it is named in each ward's reason but cannot tell wards apart, so it does not set a class"
            )
        else:
            text += (
                f"; {rest} more {AREA_WIDE_WORDS}: they are named in each ward's reason but cannot tell "
                "wards apart, so they do not set a class"
            )
    return text + "."


def unclassed_reason(table: pd.DataFrame) -> str | None:
    """:data:`PROVISION_UNKNOWN` or :data:`TOO_FEW_WARDS` when no ward of a gap table has a class.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> from sector_map.analysis.tables import gap_table_for
        >>> unclassed_reason(gap_table_for(tiny_pack(), ["poverty_food"]).table)  # one located service
        'provision not known'
    """
    classes = set(table[s.GAP_CLASS])
    for reason in (TOO_FEW_WARDS, PROVISION_UNKNOWN):
        if reason in classes:
            return reason
    return NO_DATA if classes <= {NO_DATA} else None


def need_drivers(
    scores: pd.DataFrame, weights: Mapping[str, float], meta: Mapping[str, s.IndicatorMeta]
) -> pd.Series:
    """Per ward, the label of the weighted indicator with the highest need score (NaN if none).

    Example:
        >>> m = {k: s.IndicatorMeta(k, k.upper(), "", s.HIGHER_IS_MORE_NEED, "", "", []) for k in "ab"}
        >>> need_drivers(pd.DataFrame({"a": [90.0, 10], "b": [20.0, 80]}), {"a": 1, "b": 1}, m).tolist()
        ['A', 'B']
    """
    used = [k for k, w in weights.items() if float(w) > 0 and k in scores.columns]
    sub = scores[used]
    has = sub.notna().any(axis=1)
    out: pd.Series = pd.Series(np.nan, index=scores.index, dtype=object)
    if used and has.any():
        top: pd.Series = sub[has].fillna(-1).idxmax(axis=1)
        out[has] = [meta[k].label for k in top]
    return out


def themes_need(
    scores: pd.DataFrame,
    meta: Mapping[str, s.IndicatorMeta],
    themes: Sequence[str],
    *,
    weights: Mapping[str, Mapping[str, float]] | None = None,
) -> tuple[pd.Series, dict[str, float]]:
    """Need for a set of themes: the mean of their need indices, and the weights used (merged).

    A ward's value is the mean over the themes it has data for; NaN when it has none.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> from sector_map.analysis.tables import need_scores
        >>> pack = tiny_pack()
        >>> values, used = themes_need(need_scores(pack), pack.indicator_meta, ["poverty_food"])
        >>> values.tolist(), used
        ([0.0, 100.0, 50.0, nan], {'imd_score': 1.0, 'imd_rank': 0.0})
    """
    weights = weights or {}
    parts: list[pd.Series] = []
    merged: dict[str, float] = {}
    for theme in themes:
        w = dict(weights.get(theme) or need_mod.default_weights(meta, theme, scores=scores))
        if not any(v > 0 for v in w.values()):
            continue
        parts.append(need_mod.need_index(scores, w))
        for k, v in w.items():
            merged[k] = max(merged.get(k, 0.0), float(v))
    if not parts:
        return pd.Series(np.nan, index=scores.index, dtype="float64"), merged
    return pd.concat(parts, axis=1).mean(axis=1, skipna=True).astype("float64"), merged


def services_word(themes: Sequence[str]) -> str:
    """How a set of themes' services are named in reasons: "poverty, food and money advice service"."""
    if len(themes) == 1:
        return f"{s.THEMES_BY_ID[themes[0]].label.lower()} service"
    return "matching service"
