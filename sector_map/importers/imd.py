"""English Indices of Deprivation (2019 or 2025): from LSOA files to ward indicators.

Follows MHCLG's technical report for higher-level summaries: a ward's score is the
population-weighted mean of its LSOAs' scores, weighted by the release's own population
denominators (IoD2019: mid-2015, IoD2025: mid-2022, excluding prisoners, File 6/7) or, when
those are not given, by another LSOA population (:class:`Release` says which), with each LSOA
given wholly to one ward by a best-fit lookup. Where a domain is published at LSOA level only as
ranks or deciles (File 2), the ward measure is the share of its residents living in LSOAs among
England's most deprived 10% and 20%.

IoD2019 is on 2011 LSOAs, whose best-fit lookups stop at the 2022 wards; IoD2025 is on 2021
LSOAs, fitted to the 2023-and-later wards. :func:`check_vintages` refuses the other pairings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sector_map.importers.imd_read import (
    DOMAINS,
    LSOA_CODE,
    LSOA_VINTAGE,
    N_LSOAS,
    POP_TOTAL,
    read_imd_lsoa,
    read_lookup,
)
from sector_map.importers.tables import InputError
from sector_map.pack import schema as s

__all__ = [
    "IOD2019",
    "SOURCE",
    "YEAR",
    "Release",
    "aggregate_to_wards",
    "check_vintages",
    "indicator_meta",
    "national_deciles",
    "read_imd_lsoa",
    "read_lookup",
]

SOURCE = "English Indices of Deprivation 2019 (MHCLG)"
YEAR = "2019"
SHARE_CUTS = (10, 20)


@dataclass(frozen=True)
class Release:
    """An IoD release and the population its ward averages are weighted by.

    Example:
        >>> Release("2025", "ONS mid-2024 LSOA population (pop.csv)").lsoa_vintage
        '2021'
    """

    edition: str
    population: str
    """The weight, as the descriptions say it: e.g. "the IoD2019 mid-2015 population excluding prisoners (File 6)"."""

    @property
    def source(self) -> str:
        return f"English Indices of Deprivation {self.edition} (MHCLG)"

    @property
    def lsoa_vintage(self) -> str:
        return LSOA_VINTAGE[self.edition]

    @property
    def n_lsoas(self) -> int:
        return N_LSOAS[self.edition]


IOD2019 = Release("2019", "the IoD2019 mid-2015 population excluding prisoners (File 6)")
DENOMINATOR_YEAR = {"2019": "mid-2015", "2025": "mid-2022"}


def denominators(edition: str) -> Release:
    """The release weighted by its own published denominators (File 6, or File 7's last columns)."""
    return Release(
        edition, f"the IoD{edition} {DENOMINATOR_YEAR[edition]} population excluding prisoners (File 6/7)"
    )


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


def _weighting(release: Release) -> str:
    return (
        f"population-weighted mean of the scores of the LSOAs ({release.lsoa_vintage}) best-fitted to the "
        f"ward, weighted by {release.population}, as in MHCLG's technical report"
    )


def indicator_meta(indicator_id: str, release: Release = IOD2019) -> s.IndicatorMeta:
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
            source=release.source,
            year=release.edition,
            themes=s.themes_for_domain(domain),
            domain=domain,
            description=(
                f"Share of the ward's residents ({release.population}) who "
                f"live in LSOAs ({release.lsoa_vintage}) ranked among the most deprived {cut}% of England's "
                f"{release.n_lsoas:,} LSOAs on the {name} measure ({deciles}; rank 1 = most deprived). "
                "Used because this domain is published at LSOA level only as ranks and deciles, which "
                "cannot be averaged; LSOAs are given wholly to one ward by a best-fit lookup."
            ),
        )
    domain = indicator_id.removesuffix("_score")
    if domain == indicator_id or domain not in DOMAIN_LABELS:
        raise ValueError(f"not an IMD {release.edition} indicator id: {indicator_id!r}")
    name = DOMAIN_LABELS[domain]
    rate = domain in _RATE_DOMAINS
    what = "share of people who are income- or employment-deprived" if rate else "score"
    return s.IndicatorMeta(
        id=indicator_id,
        label=f"{name}: {'rate' if rate else 'score'} (population-weighted average)",
        unit="rate (0–1)" if rate else "score",
        higher_is=s.HIGHER_IS_MORE_NEED,
        source=release.source,
        year=release.edition,
        themes=s.themes_for_domain(domain),
        domain=domain,
        description=f"{name} {what} for the ward: {_weighting(release)}. Higher means more deprived.",
    )


def _weighted_mean(values: pd.Series, weights: pd.Series, groups: pd.Series) -> pd.Series:
    ok = values.notna() & weights.notna()
    num = (values[ok] * weights[ok]).groupby(groups[ok]).sum()
    den = weights[ok].groupby(groups[ok]).sum()
    return (num / den.replace(0, np.nan)).dropna()


def national_deciles(lsoa: pd.DataFrame, domain: str, n_lsoas: int) -> pd.Series | None:
    """A domain's national deciles (1 = most deprived): as given, else from the national rank."""
    if f"{domain}_decile" in lsoa.columns:
        return lsoa[f"{domain}_decile"]
    if f"{domain}_rank" in lsoa.columns:
        return np.ceil(lsoa[f"{domain}_rank"] * 10 / n_lsoas)
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
    release: Release = IOD2019,
) -> tuple[pd.DataFrame, dict[str, s.IndicatorMeta], list[str]]:
    """Population-weighted IoD ward measures from LSOA data and a best-fit lookup.

    Args:
        lsoa: from :func:`read_imd_lsoa`; needs ``population`` (File 6, File 7 or the combined
            file; or another LSOA population joined in by the caller, named in ``release``).
        lookup: from :func:`read_lookup`.
        la_codes: keep only LSOAs in these local authorities (by the IoD file's LA code,
            else the lookup's).
        wards: the pack's ward codes; wards among them with no LSOA are reported (and get no
            rows), and LSOAs falling in other wards are dropped and reported.
        release: the IoD edition and the weight used, for messages and metadata.

    Returns:
        ``(values, meta, warnings)``: a long table (``ward_code``, ``indicator_id``,
        ``value``) with no rows for wards without data; metadata per indicator id; and
        plain-English warnings about rows that did not join.

    Raises:
        ValueError: if there is no population column, no usable measure, or nothing joins.
    """
    iod = f"IoD{release.edition}"
    if POP_TOTAL not in lsoa.columns:
        if release.edition == "2019":
            raise ValueError(
                "IoD2019 LSOA data has no 'Total population: mid 2015 (excluding prisoners)' column; "
                "add File 6 (population denominators) or use the combined file"
            )
        raise ValueError(
            f"{iod} LSOA data has no population column ('Total population: mid 2022 (excluding "
            "prisoners)', File 6 or 7); add one of those files, or an LSOA population file as "
            "`population` in the recipe section"
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
            raise ValueError(f"no {iod} LSOAs found for local authority codes {', '.join(la_codes)}")
    multi = lookup[LSOA_CODE][lookup[LSOA_CODE].duplicated()].unique()
    if len(multi):
        raise ValueError(f"the lookup gives {len(multi):,} LSOAs more than one ward: {_examples(multi)}")
    joined = data.merge(lookup[[LSOA_CODE, s.WARD_CODE]], on=LSOA_CODE, how="left", validate="one_to_one")
    unmatched = joined.loc[joined[s.WARD_CODE].isna(), LSOA_CODE]
    if len(unmatched):
        warnings.append(
            f"{len(unmatched):,} of {len(joined):,} LSOAs in the {iod} data have no ward in the lookup "
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
            f"no {iod} LSOA joined to a ward: check the lookup's LSOA vintage ({release.lsoa_vintage}) "
            "and LA codes"
        )
    no_pop = joined.loc[joined[POP_TOTAL].isna() | (joined[POP_TOTAL] <= 0), LSOA_CODE]
    if len(no_pop):
        warnings.append(
            f"{len(no_pop):,} LSOAs have no population ({release.population}) and carry no weight: "
            f"{_examples(no_pop)}"
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
        dec = national_deciles(joined, domain, release.n_lsoas)
        if dec is None:
            continue
        for cut in SHARE_CUTS:
            flag = (dec <= cut // 10).astype("float64").where(dec.notna())
            series[f"{domain}_pct_most_deprived_{cut}"] = _weighted_mean(flag, pop, groups) * 100
    if not series:
        raise ValueError(f"{iod} LSOA data has no score, rank or decile column to aggregate")
    absent = [d for d in (s.DOMAIN_IDACI, s.DOMAIN_IDAOPI) if not any(k.startswith(f"{d}_") for k in series)]
    if absent and release.edition != "2019":  # IoD2019 builds keep their notes as they were
        warnings.append(
            f"the {iod} LSOA files given have no {' or '.join(d.upper() for d in absent)} score, rank "
            "or decile, so the pack has no ward figure for "
            f"{'them' if len(absent) > 1 else 'it'} (add File 3 or File 7 with those columns, or a "
            "published ward table as [[indicators]])"
        )

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
            f"{len(missing):,} wards have no LSOA with {iod} data, so their deprivation is shown as "
            f"missing: {_examples(missing)}"
        )
    meta = {k: indicator_meta(k, release) for k in series}
    return values, meta, warnings


def _ward_year(vintage: str | None) -> int | None:
    """2019 for "WD19", None when the vintage is not known."""
    m = re.fullmatch(r"WD(\d\d)", vintage or "")
    return 2000 + int(m.group(1)) if m else None


FIRST_LSOA21_WARDS = 2023
"""The first ward vintage fitted to 2021 LSOAs; 2011 LSOAs are fitted to the wards before it."""


def check_vintages(edition: str, section: str, **ward_vintages: str | None) -> None:
    """Refuse an IoD release joined to wards of the other LSOA era, naming both and the fix.

    Args:
        edition: ``"2019"`` or ``"2025"``.
        section: where the join is asked for, for the message (``"[imd2019]"``).
        ward_vintages: the ward vintage (``"WD24"``) each input is on, by what it is
            (``lookup="WD24"``, ``wards="WD19"``); unknown vintages (None) are not checked.

    Raises:
        InputError: IoD2019 (LSOA 2011) with 2023-or-later wards, or IoD2025 (LSOA 2021) with
            wards before 2023.

    Example:
        >>> check_vintages("2025", "[imd2025]", lookup="WD24", wards=None)
        >>> check_vintages("2019", "[imd2019]", lookup="WD24")
        Traceback (most recent call last):
        ...
        sector_map.pack.errors.InputError: [imd2019]: IoD2019 is on 2011 LSOAs ...
    """
    for what, vintage in ward_vintages.items():
        year = _ward_year(vintage)
        if year is None:
            continue
        if edition == "2019" and year >= FIRST_LSOA21_WARDS:
            raise InputError(
                section,
                f"IoD2019 is on 2011 LSOAs and cannot be joined to {vintage} wards (the {what}): "
                f"wards from {FIRST_LSOA21_WARDS} on are fitted to 2021 LSOAs, so matching them by "
                "code would put LSOAs in the wrong wards",
                hint=(
                    f"For {vintage} wards use [imd2025] (IoD2025, LSOA 2021) with an LSOA21 → {vintage} "
                    "lookup; to keep IoD2019, use 2022-or-earlier ward boundaries and an LSOA11 → ward "
                    "lookup (e.g. WD19)"
                ),
            )
        if edition == "2025" and year < FIRST_LSOA21_WARDS:
            raise InputError(
                section,
                f"IoD2025 is on 2021 LSOAs and cannot be joined to {vintage} wards (the {what}): "
                f"wards before {FIRST_LSOA21_WARDS} were redrawn in many councils, so matching them by "
                "code would put LSOAs in the wrong wards",
                hint=(
                    "Use current ward boundaries (May 2024, WD24) with an LSOA21 → WD24 lookup; to keep "
                    f"{vintage} wards, use [imd2019] (IoD2019, LSOA 2011) instead"
                ),
            )


def ward_table(values: pd.DataFrame) -> pd.DataFrame:
    """The long table as wards × indicators (for checks and display)."""
    wide = values.pivot(index=s.WARD_CODE, columns=s.INDICATOR_ID, values=s.VALUE)
    wide.columns.name = None
    return wide
