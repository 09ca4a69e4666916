"""English Indices of Deprivation 2019: from LSOA files to ward indicators.

Follows MHCLG's technical report for higher-level summaries: a ward's score is the
population-weighted mean of its LSOAs' scores, weighted by the IoD2019 mid-2015 population
(excluding prisoners, File 6), with each LSOA given wholly to one ward by a best-fit lookup.
Where a domain is published at LSOA level only as ranks or deciles (File 2), the ward measure
is the share of its residents living in LSOAs among England's most deprived 10% and 20%.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from sector_map.importers.imd_read import (
    DOMAINS,
    LSOA_CODE,
    N_LSOAS_ENGLAND,
    POP_TOTAL,
    read_imd_lsoa,
    read_lookup,
)
from sector_map.pack import schema as s

__all__ = ["SOURCE", "YEAR", "aggregate_to_wards", "indicator_meta", "read_imd_lsoa", "read_lookup"]

SOURCE = "English Indices of Deprivation 2019 (MHCLG)"
YEAR = "2019"
SHARE_CUTS = (10, 20)

DOMAIN_LABELS = {
    s.DOMAIN_IMD: "Index of Multiple Deprivation",
    s.DOMAIN_INCOME: "Income",
    s.DOMAIN_EMPLOYMENT: "Employment",
    s.DOMAIN_EDUCATION: "Education, skills and training",
    s.DOMAIN_HEALTH: "Health deprivation and disability",
    s.DOMAIN_CRIME: "Crime",
    s.DOMAIN_HOUSING: "Barriers to housing and services",
    s.DOMAIN_LIVING_ENV: "Living environment",
    s.DOMAIN_IDACI: "Income deprivation affecting children (IDACI)",
    s.DOMAIN_IDAOPI: "Income deprivation affecting older people (IDAOPI)",
}
_RATE_DOMAINS = {s.DOMAIN_INCOME, s.DOMAIN_EMPLOYMENT, s.DOMAIN_IDACI, s.DOMAIN_IDAOPI}
_WEIGHTING = (
    "population-weighted mean of the scores of the LSOAs (2011) best-fitted to the ward, "
    "weighted by the IoD2019 mid-2015 population excluding prisoners (File 6), as in MHCLG's "
    "technical report"
)


def indicator_meta(indicator_id: str) -> s.IndicatorMeta:
    """Metadata for an indicator id made by :func:`aggregate_to_wards`.

    Example:
        >>> indicator_meta("income_pct_most_deprived_10").label
        "Income: % of residents in England's most deprived 10% of LSOAs"
    """
    domain, _, rest = indicator_id.partition("_pct_most_deprived_")
    if rest:
        cut = int(rest)
        name = DOMAIN_LABELS[domain]
        short = name.split(" (")[0] if domain not in (s.DOMAIN_IDACI, s.DOMAIN_IDAOPI) else domain.upper()
        deciles = "decile 1" if cut == 10 else f"deciles 1–{cut // 10}"
        return s.IndicatorMeta(
            id=indicator_id,
            label=f"{short}: % of residents in England's most deprived {cut}% of LSOAs",
            unit="% of residents",
            higher_is=s.HIGHER_IS_MORE_NEED,
            source=SOURCE,
            year=YEAR,
            themes=s.themes_for_domain(domain),
            domain=domain,
            description=(
                f"Share of the ward's residents (IoD2019 mid-2015 population, excluding prisoners) who "
                f"live in LSOAs (2011) ranked among the most deprived {cut}% of England's "
                f"{N_LSOAS_ENGLAND:,} LSOAs on the {name} measure ({deciles}; rank 1 = most deprived). "
                "Used because this domain is published at LSOA level only as ranks and deciles, which "
                "cannot be averaged; LSOAs are given wholly to one ward by a best-fit lookup."
            ),
        )
    domain = indicator_id.removesuffix("_score")
    if domain == indicator_id or domain not in DOMAIN_LABELS:
        raise ValueError(f"not an IMD 2019 indicator id: {indicator_id!r}")
    name = DOMAIN_LABELS[domain]
    rate = domain in _RATE_DOMAINS
    what = "share of people who are income- or employment-deprived" if rate else "score"
    return s.IndicatorMeta(
        id=indicator_id,
        label=f"{name}: {'rate' if rate else 'score'} (population-weighted average)",
        unit="rate (0–1)" if rate else "score",
        higher_is=s.HIGHER_IS_MORE_NEED,
        source=SOURCE,
        year=YEAR,
        themes=s.themes_for_domain(domain),
        domain=domain,
        description=f"{name} {what} for the ward: {_WEIGHTING}. Higher means more deprived.",
    )


def _weighted_mean(values: pd.Series, weights: pd.Series, groups: pd.Series) -> pd.Series:
    ok = values.notna() & weights.notna()
    num = (values[ok] * weights[ok]).groupby(groups[ok]).sum()
    den = weights[ok].groupby(groups[ok]).sum()
    return (num / den.replace(0, np.nan)).dropna()


def _deciles(lsoa: pd.DataFrame, domain: str) -> pd.Series | None:
    if f"{domain}_decile" in lsoa.columns:
        return lsoa[f"{domain}_decile"]
    if f"{domain}_rank" in lsoa.columns:
        return np.ceil(lsoa[f"{domain}_rank"] * 10 / N_LSOAS_ENGLAND)
    return None


def _examples(codes: Iterable[str], n: int = 5) -> str:
    codes = sorted(codes)
    more = f" and {len(codes) - n} more" if len(codes) > n else ""
    return ", ".join(codes[:n]) + more


def aggregate_to_wards(
    lsoa: pd.DataFrame,
    lookup: pd.DataFrame,
    *,
    la_codes: list[str] | None = None,
    wards: Iterable[str] | None = None,
) -> tuple[pd.DataFrame, dict[str, s.IndicatorMeta], list[str]]:
    """Population-weighted IoD2019 ward measures from LSOA data and a best-fit lookup.

    Args:
        lsoa: from :func:`read_imd_lsoa`; needs ``population`` (File 6 or the combined file).
        lookup: from :func:`read_lookup`.
        la_codes: keep only LSOAs in these local authorities (by the IoD file's LA code,
            else the lookup's).
        wards: the pack's ward codes; wards among them with no LSOA are reported (and get no
            rows), and LSOAs falling in other wards are dropped and reported.

    Returns:
        ``(values, meta, warnings)``: a long table (``ward_code``, ``indicator_id``,
        ``value``) with no rows for wards without data; metadata per indicator id; and
        plain-English warnings about rows that did not join.

    Raises:
        ValueError: if there is no population column, no usable measure, or nothing joins.
    """
    if POP_TOTAL not in lsoa.columns:
        raise ValueError(
            "IoD2019 LSOA data has no 'Total population: mid 2015 (excluding prisoners)' column; "
            "add File 6 (population denominators) or use the combined file"
        )
    warnings: list[str] = []
    data = lsoa
    if la_codes is not None:
        la_codes = list(la_codes)
        if s.LA_CODE in data.columns:
            data = data[data[s.LA_CODE].isin(la_codes)]
        elif s.LA_CODE in lookup.columns:
            data = data[data[LSOA_CODE].isin(lookup.loc[lookup[s.LA_CODE].isin(la_codes), LSOA_CODE])]
        else:
            raise ValueError(
                "cannot filter by local authority: neither the IoD data nor the lookup has LA codes"
            )
        if data.empty:
            raise ValueError(f"no IoD2019 LSOAs found for local authority codes {', '.join(la_codes)}")
    multi = lookup[LSOA_CODE][lookup[LSOA_CODE].duplicated()].unique()
    if len(multi):
        raise ValueError(f"the lookup gives {len(multi):,} LSOAs more than one ward: {_examples(multi)}")
    joined = data.merge(lookup[[LSOA_CODE, s.WARD_CODE]], on=LSOA_CODE, how="left", validate="one_to_one")
    unmatched = joined.loc[joined[s.WARD_CODE].isna(), LSOA_CODE]
    if len(unmatched):
        warnings.append(
            f"{len(unmatched):,} of {len(joined):,} LSOAs in the IoD2019 data have no ward in the lookup "
            f"and were left out: {_examples(unmatched)}"
        )
    joined = joined[joined[s.WARD_CODE].notna()]
    ward_list = None if wards is None else list(dict.fromkeys(wards))
    if ward_list is not None:
        outside = joined[~joined[s.WARD_CODE].isin(ward_list)]
        if len(outside):
            warnings.append(
                f"{len(outside):,} LSOAs are best-fitted to wards outside the given ward list and were left "
                f"out (wards {_examples(outside[s.WARD_CODE].unique())})"
            )
        joined = joined[joined[s.WARD_CODE].isin(ward_list)]
    if joined.empty:
        raise ValueError(
            "no IoD2019 LSOA joined to a ward: check the lookup's LSOA vintage (2011) and LA codes"
        )
    no_pop = joined.loc[joined[POP_TOTAL].isna() | (joined[POP_TOTAL] <= 0), LSOA_CODE]
    if len(no_pop):
        warnings.append(
            f"{len(no_pop):,} LSOAs have no mid-2015 population and carry no weight: {_examples(no_pop)}"
        )

    if ward_list is not None:
        expected = set(ward_list)
    elif la_codes is not None and s.LA_CODE in lookup.columns:
        expected = set(lookup.loc[lookup[s.LA_CODE].isin(la_codes), s.WARD_CODE])
    else:
        expected = set(lookup.loc[lookup[LSOA_CODE].isin(data[LSOA_CODE]), s.WARD_CODE])

    groups, pop = joined[s.WARD_CODE], joined[POP_TOTAL].where(joined[POP_TOTAL] > 0)
    series: dict[str, pd.Series] = {}
    for domain in DOMAINS:
        score = f"{domain}_score"
        if score in joined.columns:
            series[score] = _weighted_mean(joined[score], pop, groups)
            continue
        dec = _deciles(joined, domain)
        if dec is None:
            continue
        for cut in SHARE_CUTS:
            flag = (dec <= cut // 10).astype("float64").where(dec.notna())
            series[f"{domain}_pct_most_deprived_{cut}"] = _weighted_mean(flag, pop, groups) * 100
    if not series:
        raise ValueError("IoD2019 LSOA data has no score, rank or decile column to aggregate")

    parts = [
        pd.DataFrame(
            {s.WARD_CODE: v.index.astype("string"), s.INDICATOR_ID: k, s.VALUE: v.to_numpy("float64")}
        )
        for k, v in series.items()
    ]
    values = pd.concat(parts, ignore_index=True).astype(
        {s.WARD_CODE: "string", s.INDICATOR_ID: "string", s.VALUE: "float64"}
    )
    with_data = set(values[s.WARD_CODE])
    missing = expected - with_data
    if missing:
        warnings.append(
            f"{len(missing):,} wards have no LSOA with IoD2019 data, so their deprivation is shown as "
            f"missing: {_examples(missing)}"
        )
    meta = {k: indicator_meta(k) for k in series}
    return values, meta, warnings


def ward_table(values: pd.DataFrame) -> pd.DataFrame:
    """The long table as wards × indicators (for checks and display)."""
    wide = values.pivot(index=s.WARD_CODE, columns=s.INDICATOR_ID, values=s.VALUE)
    wide.columns.name = None
    return wide
