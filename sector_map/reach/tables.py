"""Reach tables: beneficiaries against residents by ward, national decile and local fifth.

:func:`analyse` takes aggregates only: the pack's LSOAs (``lsoa_code, ward_code, population, rank,
decile``, rank and decile national for the chosen deprivation domain, 1 = most deprived), the
beneficiary count of each LSOA (fractional counts, from apportioning, are used as given) and the
organisation's catchment (a set of LSOA codes; default: every LSOA). It returns a
:class:`ReachResult`:

- ``wards``: one row per ward of ``lsoas``. A ward with LSOAs in the catchment counts only those
  LSOAs (the whole ward for a whole-area or listed-wards catchment); ``expected`` = catchment
  beneficiaries × the ward's residents ÷ catchment residents, ``ratio`` = beneficiaries ÷ expected,
  with the Wilson interval of the ward's share of beneficiaries divided by its share of residents;
  ``per_1000`` with Garwood's exact Poisson interval. A ward with no catchment LSOA shows its whole
  beneficiaries and residents and rate, with ``in_catchment`` False and no expected or ratio.
  ``deprived_share``: the share of those residents living in the 20% most deprived LSOAs in England
  (national deciles 1 and 2) on the chosen domain.
- ``deciles`` (1–10, national) and ``quintiles`` (local, population-weighted, 1 = the most deprived
  fifth of the catchment's residents): share of the catchment's beneficiaries against share of its
  residents, and their ratio with its interval. Quintiles, SII/RII and the concentration index
  need at least 5 catchment LSOAs with a rank; with fewer they are left out and ``notes`` says why.
- ``total`` counts every beneficiary given; those in LSOAs outside the catchment (or not in the
  table at all) are ``outside_catchment`` and are left out of every share and ratio.

The methods and their references are in :mod:`sector_map.reach.stats` and the README.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sector_map.reach import stats

LSOA_COLUMNS = ("lsoa_code", "ward_code", "population", "rank", "decile")
WARD_COLUMNS = (
    "ward_code",
    "beneficiaries",
    "residents",
    "per_1000",
    "per_1000_low",
    "per_1000_high",
    "expected",
    "ratio",
    "ratio_low",
    "ratio_high",
    "in_catchment",
    "deprived_share",
)
DECILE_COLUMNS = (
    "decile",
    "beneficiaries",
    "residents",
    "share_beneficiaries",
    "share_residents",
    "ratio",
    "ratio_low",
    "ratio_high",
)
QUINTILE_COLUMNS = (
    "quintile",
    "lsoas",
    "beneficiaries",
    "residents",
    "share_beneficiaries",
    "share_residents",
    "ratio",
    "ratio_low",
    "ratio_high",
)
CURVE_COLUMNS = ("cum_residents", "cum_beneficiaries")
MIN_LSOAS = 5
DEPRIVED_DECILES = 2


@dataclass(frozen=True)
class ReachResult:
    """Reach by ward, national decile and local fifth, with the inequality indices."""

    wards: pd.DataFrame
    deciles: pd.DataFrame
    quintiles: pd.DataFrame
    sii: stats.Estimate
    rii: stats.Estimate
    concentration: stats.Estimate
    concentration_curve: pd.DataFrame
    total: float
    in_catchment_total: float
    outside_catchment: float
    catchment_residents: float = 0.0
    catchment_lsoas: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def nothing_to_compare(self) -> bool:
        """True when no beneficiary lives in the catchment (or it has no residents)."""
        return not (self.in_catchment_total > 0 and self.catchment_residents > 0)


def _check(lsoas: pd.DataFrame, counts: pd.Series) -> None:
    missing = [c for c in LSOA_COLUMNS if c not in lsoas.columns]
    if missing:
        raise ValueError(f"the LSOA table needs the columns {', '.join(missing)}")
    codes = lsoas["lsoa_code"].astype(str)
    if codes.duplicated().any():
        raise ValueError(f"the LSOA table lists {codes[codes.duplicated()].iloc[0]} more than once")
    population = pd.to_numeric(lsoas["population"], errors="coerce")
    if population.isna().any() or (population < 0).any():
        bad = codes[population.isna() | (population < 0)].iloc[0]
        raise ValueError(f"LSOA {bad}: the population must be a number of 0 or more")
    decile = pd.to_numeric(lsoas["decile"], errors="coerce")
    if (decile.notna() & ~decile.isin(range(1, 11))).any():
        bad = codes[decile.notna() & ~decile.isin(range(1, 11))].iloc[0]
        raise ValueError(f"LSOA {bad}: the decile must be a whole number from 1 to 10")
    values = pd.to_numeric(counts, errors="coerce")
    if values.isna().any() or (values < 0).any():
        raise ValueError("beneficiary counts must be numbers of 0 or more")


def _share_rows(groups: pd.DataFrame, total: float, residents: float) -> pd.DataFrame:
    ratio, low, high = stats.share_ratio(groups["beneficiaries"], total, groups["residents"], residents)
    out = groups.copy()
    out["share_beneficiaries"] = groups["beneficiaries"] / total if total > 0 else np.nan
    out["share_residents"] = groups["residents"] / residents if residents > 0 else np.nan
    out["ratio"], out["ratio_low"], out["ratio_high"] = ratio, low, high
    return out


def _wards(table: pd.DataFrame, inside: pd.Series, total: float, residents: float) -> pd.DataFrame:
    frame = table.assign(
        inside=inside,
        deprived_pop=table["population"].where(table["decile"] <= DEPRIVED_DECILES, 0.0),
    )
    whole = frame.groupby("ward_code", sort=True)[["beneficiaries", "population", "deprived_pop"]].sum()
    part = frame[frame["inside"]].groupby("ward_code")[["beneficiaries", "population", "deprived_pop"]].sum()
    in_catchment = whole.index.isin(part.index)
    chosen = whole.copy()
    chosen.loc[in_catchment] = part.reindex(whole.index[in_catchment])
    out = pd.DataFrame({"ward_code": whole.index.astype(str)})
    out["beneficiaries"] = chosen["beneficiaries"].to_numpy(float)
    out["residents"] = chosen["population"].to_numpy(float)
    out["per_1000"], out["per_1000_low"], out["per_1000_high"] = stats.rate_per_1000(
        out["beneficiaries"], out["residents"]
    )
    ratio, low, high = stats.share_ratio(out["beneficiaries"], total, out["residents"], residents)
    use = in_catchment & (out["residents"].to_numpy() > 0)
    expected = total * out["residents"] / residents if residents > 0 else np.nan
    out["expected"] = np.where(in_catchment, expected, np.nan)
    out["ratio"], out["ratio_low"], out["ratio_high"] = (np.where(use, v, np.nan) for v in (ratio, low, high))
    out["in_catchment"] = in_catchment
    with np.errstate(divide="ignore", invalid="ignore"):
        out["deprived_share"] = np.where(
            out["residents"] > 0, chosen["deprived_pop"].to_numpy(float) / out["residents"], np.nan
        )
    return out[list(WARD_COLUMNS)]


def _deciles(ranked: pd.DataFrame, total: float, residents: float) -> pd.DataFrame:
    groups = (
        ranked.groupby(ranked["decile"].astype(int))[["beneficiaries", "population"]]
        .sum()
        .reindex(range(1, 11), fill_value=0.0)
        .rename(columns={"population": "residents"})
        .rename_axis("decile")
        .reset_index()
    )
    return _share_rows(groups, total, residents)[list(DECILE_COLUMNS)]


def _quintiles(ranked: pd.DataFrame, total: float, residents: float) -> pd.DataFrame:
    fifth = stats.local_quintiles(ranked["population"], ranked["rank"])
    groups = (
        ranked.assign(quintile=fifth, lsoas=1)
        .groupby("quintile")[["lsoas", "beneficiaries", "population"]]
        .sum()
        .reindex(range(1, stats.FIFTHS + 1), fill_value=0)
        .rename(columns={"population": "residents"})
        .rename_axis("quintile")
        .reset_index()
    )
    groups["beneficiaries"] = groups["beneficiaries"].astype(float)
    groups["residents"] = groups["residents"].astype(float)
    return _share_rows(groups, total, residents)[list(QUINTILE_COLUMNS)]


def analyse(
    lsoas: pd.DataFrame,
    counts: pd.Series,
    *,
    catchment: Iterable[str] | None = None,
    seed: int = stats.DEFAULT_SEED,
    n_sim: int = stats.DEFAULT_N_SIM,
) -> ReachResult:
    """Reach by ward, decile and local fifth, with SII, RII and the concentration index.

    ``counts`` maps LSOA codes to beneficiaries; codes not in ``lsoas`` count as outside the
    catchment. Deterministic for a given ``seed`` (the intervals of SII, RII and the concentration
    index come from ``n_sim`` seeded simulations).
    """
    _check(lsoas, counts)
    table = lsoas[list(LSOA_COLUMNS)].copy()
    table["lsoa_code"] = table["lsoa_code"].astype(str)
    table["ward_code"] = table["ward_code"].astype(str)
    for column in ("population", "rank", "decile"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype(float)
    by_code = pd.to_numeric(counts, errors="coerce").astype(float)
    by_code = by_code.groupby(by_code.index.astype(str)).sum()
    table["beneficiaries"] = table["lsoa_code"].map(by_code).fillna(0.0)
    inside = (
        pd.Series(True, index=table.index)
        if catchment is None
        else table["lsoa_code"].isin({str(c) for c in catchment})
    )
    notes: list[str] = []
    in_total = float(table.loc[inside, "beneficiaries"].sum())
    outside = float(by_code[~by_code.index.isin(table["lsoa_code"])].sum())
    outside += float(table.loc[~inside, "beneficiaries"].sum())
    residents = float(table.loc[inside, "population"].sum())
    if not inside.any():
        notes.append("No LSOA of the area is in the catchment, so there is nothing to compare.")
    elif in_total <= 0:
        notes.append("No beneficiaries live in the catchment, so there is nothing to compare.")

    ranked = table[inside & table["rank"].notna() & table["decile"].notna()]
    ranked = ranked.sort_values(["rank", "lsoa_code"], kind="stable")
    unranked = int(inside.sum() - len(ranked))
    if unranked:
        notes.append(
            f"{unranked} catchment LSOA(s) have no deprivation rank and are left out of the deciles and fifths."
        )
    empty_q = pd.DataFrame({c: pd.Series(dtype=float) for c in QUINTILE_COLUMNS})
    curve = pd.DataFrame({c: pd.Series(dtype=float) for c in CURVE_COLUMNS})
    if len(ranked) < MIN_LSOAS or ranked["population"].sum() <= 0:
        why = (
            f"The catchment has {len(ranked)} LSOA(s) with a deprivation rank; local fifths, the slope "
            f"and relative indices and the concentration index need at least {MIN_LSOAS}."
        )
        notes.append(why)
        quintiles = empty_q
        sii = rii = conc = stats.Estimate.missing(why)
    else:
        quintiles = _quintiles(ranked, in_total, residents)
        if in_total <= 0:
            sii = rii = conc = stats.Estimate.missing("there are no beneficiaries in the catchment")
        else:
            sii, rii = stats.sii_rii(
                quintiles["beneficiaries"], quintiles["residents"], seed=seed, n_sim=n_sim
            )
            conc = stats.concentration_index(
                ranked["beneficiaries"], ranked["population"], seed=seed, n_sim=n_sim
            )
            curve = stats.concentration_curve(ranked["beneficiaries"], ranked["population"])
    return ReachResult(
        wards=_wards(table, inside, in_total, residents),
        deciles=_deciles(ranked, in_total, residents),
        quintiles=quintiles,
        sii=sii,
        rii=rii,
        concentration=conc,
        concentration_curve=curve,
        total=float(by_code.sum()),
        in_catchment_total=in_total,
        outside_catchment=outside,
        catchment_residents=residents,
        catchment_lsoas=int(inside.sum()),
        notes=tuple(notes),
    )
