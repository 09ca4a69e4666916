"""One reach analysis, put together for the page, the command and the exports.

:func:`analyse` takes the counts by LSOA that reading a file left (never postcodes), the domain of
deprivation chosen and the catchment, and returns a :class:`Report`: the statistics, the same
tables with small numbers protected and ward names joined, the plain-English summary, the wards
where need is high and reach is low, and the rule for small numbers in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sector_map.importers.imd import DOMAIN_LABELS
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.reach import suppress
from sector_map.reach import tables as reach_tables
from sector_map.reach.beneficiaries import BeneficiaryCounts
from sector_map.reach.catchment import Catchment, lsoa_table
from sector_map.reach.catchment import whole as whole_area
from sector_map.reach.stats import Estimate
from sector_map.reach.summary import summary as summary_lines

DEFAULT_DOMAIN = s.DOMAIN_IMD
DECILE_COLUMNS = list(reach_tables.DECILE_COLUMNS)  # what the command prints first
WARD_COLUMNS = [s.WARD_CODE, s.WARD_NAME, *reach_tables.WARD_COLUMNS[1:]]  # the ward table, named
# "High need, low reach": wards with at least this share of residents in the 20% most deprived
# LSOAs nationally, whose reach is credibly below what population alone would give.
HIGH_NEED_SHARE = 0.2


@dataclass
class Report:
    """A reach analysis: the statistics and what may be shown of them."""

    pack_name: str
    domain: str
    domain_label: str
    catchment: Catchment
    result: reach_tables.ReachResult
    deciles: pd.DataFrame  # protected, the command's columns
    quintiles: pd.DataFrame  # protected
    wards: pd.DataFrame  # protected, with ward names
    priority: pd.DataFrame  # protected: high need, low reach, ranked
    summary: list[str]
    rule: str
    indices_shown: bool  # SII, RII and the concentration index may be shown (every fifth shown)
    curve: pd.DataFrame | None  # the concentration curve at the fifths' boundaries, if shown
    notes: list[str] = field(default_factory=list)


def whole_numbers(
    table: pd.DataFrame, columns: tuple[str, ...] = ("beneficiaries", "residents", "lsoas")
) -> pd.DataFrame:
    """Counts that are whole numbers written as such (69, not 69.0); labels and fractions stay."""
    out = table.copy()
    for col in columns:
        if col in out.columns:
            out[col] = (
                out[col]
                .map(
                    lambda v: (
                        int(v)
                        if isinstance(v, (int, float, np.number)) and np.isfinite(v) and float(v).is_integer()
                        else v
                    )
                )
                .astype(object)
            )
    return out


def domains(pack: Pack) -> dict[str, str]:
    """The deprivation domains the pack's LSOA table can rank by: id → label, IMD first."""
    if pack.lsoas is None:
        return {}
    cols = set(pack.lsoas.columns)
    have = [d for d in DOMAIN_LABELS if f"{d}_rank" in cols or f"{d}_decile" in cols]
    return {d: DOMAIN_LABELS[d] for d in have}


def domain_label(domain: str) -> str:
    return DOMAIN_LABELS.get(domain, domain)


def lsoa_input(pack: Pack, domain: str) -> pd.DataFrame:
    """The statistics' input: ``lsoa_code, ward_code, population, rank, decile`` on one domain."""
    lsoas = lsoa_table(pack)
    have = domains(pack)
    if domain not in have:
        raise ValueError(
            f"the pack's LSOA table has no {domain_label(domain)!r} ranks"
            + (f": choose one of {', '.join(have)}" if have else "")
        )
    nan = pd.Series(np.nan, index=lsoas.index, dtype="float64")
    rank = lsoas[f"{domain}_rank"].astype("float64") if f"{domain}_rank" in lsoas.columns else None
    decile = lsoas[f"{domain}_decile"].astype("float64") if f"{domain}_decile" in lsoas.columns else None
    n = int((pack.manifest.get("lsoas") or {}).get("n_national") or 0)
    if decile is None and rank is not None and n:
        decile = (rank / (n / 10)).apply(np.ceil).clip(1, 10)
    ranks = rank if rank is not None else decile if decile is not None else nan
    return pd.DataFrame(
        {
            s.LSOA_CODE: lsoas[s.LSOA_CODE].astype(str).to_numpy(),
            s.WARD_CODE: lsoas[s.WARD_CODE].astype(str).to_numpy(),
            s.POPULATION: lsoas[s.POPULATION].astype("float64").to_numpy(),
            "rank": ranks.to_numpy("float64"),
            "decile": (decile if decile is not None else nan).to_numpy("float64"),
        }
    )


def analyse(
    pack: Pack,
    by_lsoa: pd.Series,
    *,
    domain: str = DEFAULT_DOMAIN,
    catchment: Catchment | None = None,
    seed: int = 2025,
) -> Report:
    """The reach of ``by_lsoa`` (beneficiaries per LSOA code) in ``pack`` on ``domain``."""
    catchment = catchment or whole_area(pack)
    lsoas = lsoa_input(pack, domain)
    counts = by_lsoa.astype("float64").groupby(by_lsoa.index.astype(str)).sum()
    result = reach_tables.analyse(lsoas, counts, catchment=set(catchment.lsoas), seed=seed)
    protected = suppress.protect(result)
    names = pack.wards.set_index(s.WARD_CODE)[s.WARD_NAME].astype(str)
    wards = whole_numbers(protected.wards)
    wards.insert(1, s.WARD_NAME, wards[s.WARD_CODE].astype(str).map(names).to_numpy())
    label = domain_label(domain)
    return Report(
        pack_name=pack.name,
        domain=domain,
        domain_label=label,
        catchment=catchment,
        result=result,
        deciles=whole_numbers(
            protected.deciles[[c for c in DECILE_COLUMNS if c in protected.deciles.columns]]
        ),
        quintiles=whole_numbers(protected.quintiles),
        wards=wards[[c for c in WARD_COLUMNS if c in wards.columns]],
        priority=high_need_low_reach(result, wards),
        summary=summary_lines(result, pack.name, label),
        rule=protected.rule,
        indices_shown=protected.indices_shown,
        curve=protected.concentration_curve,
        notes=list(result.notes),
    )


def high_need_low_reach(result: reach_tables.ReachResult, protected_wards: pd.DataFrame) -> pd.DataFrame:
    """Wards in the catchment where need is high and reach credibly low, neediest first.

    High need: at least a fifth of residents live in the 20% most deprived LSOAs nationally on the
    chosen domain. Low reach: the ratio's upper 95% bound is below 1. A ward whose count is hidden
    is listed with its figures hidden (being listed shows only that reach there is low).
    """
    raw = result.wards
    mask = (
        raw["in_catchment"].astype(bool)
        & (raw["deprived_share"] >= HIGH_NEED_SHARE)
        & (raw["ratio_high"] < 1)
    )
    codes = raw.loc[mask].sort_values(["deprived_share", "ratio"], ascending=[False, True])[s.WARD_CODE]
    table = protected_wards.set_index(s.WARD_CODE).loc[list(codes.astype(str))].reset_index()
    keep = [s.WARD_CODE, s.WARD_NAME, "deprived_share", "beneficiaries", "residents", "per_1000", "ratio"]
    return table[[c for c in keep if c in table.columns]]


def export_sheets(rep: Report) -> dict[str, pd.DataFrame]:
    """The protected tables for CSV (the first) and Excel (all); the first carries the small-numbers
    rule in a last ``note`` column (its first row), so a CSV passed on still says what was hidden."""
    deciles = rep.deciles.copy()
    deciles["note"] = [rep.rule] + [""] * (len(deciles) - 1) if len(deciles) else []
    sheets = {
        "By national decile": deciles,
        "By local fifth": rep.quintiles,
        "By ward": rep.wards,
        "High need, low reach": rep.priority,
    }
    return {name: _rounded(table) for name, table in sheets.items()}


def _rounded(table: pd.DataFrame, digits: int = 4) -> pd.DataFrame:
    """Float columns to ``digits`` places for files (the command prints the same)."""
    out = table.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(digits)
    return out


def _signed(value: float) -> str:
    """Two places, with a true minus sign (a leading hyphen would read as a formula in a spreadsheet)."""
    return f"{value:.2f}".replace("-", "\u2212")


def about_rows(rep: Report) -> list[tuple[str, str]]:
    """What the Excel file's About sheet says of this analysis."""
    r = rep.result
    rows = [
        ("Analysis", "Our reach: beneficiaries against residents by deprivation"),
        ("Catchment", f"residents of {rep.catchment.words}"),
        ("Deprivation domain", f"{rep.domain_label} (national LSOA deciles; 1 = most deprived)"),
        ("Small numbers", rep.rule),
    ]
    rows += [("Summary", line) for line in rep.summary]
    if rep.indices_shown:
        rows.append(("Slope index of inequality", estimate_words(r.sii, per="per 1,000 residents")))
        rows.append(("Relative index of inequality", estimate_words(r.rii)))
        rows.append(("Concentration index", concentration_words(r.concentration)))
    rows += [("Method", note) for note in rep.notes]
    return rows


def estimate_words(e: Estimate, per: str = "") -> str:
    """``0.57 (95% interval 0.49 to 0.66)``, or why there is none."""
    value = getattr(e, "value", None)
    if value is None or not np.isfinite(value):
        return getattr(e, "note", "") or "not computed"
    unit = f" {per}" if per else ""
    low, high = getattr(e, "low", np.nan), getattr(e, "high", np.nan)
    ci = (
        f" (95% interval {_signed(low)} to {_signed(high)})" if np.isfinite(low) and np.isfinite(high) else ""
    )
    return f"{_signed(value)}{unit}{ci}"


def concentration_words(e: Estimate) -> str:
    """The concentration index and what its sign means, in words."""
    value = getattr(e, "value", None)
    if value is None or not np.isfinite(value):
        return "Concentration index: " + (getattr(e, "note", "") or "not computed")
    where = (
        "beneficiaries are concentrated in the more deprived neighbourhoods"
        if value < 0
        else "beneficiaries are concentrated in the less deprived neighbourhoods"
    )
    if np.isfinite(e.low) and np.isfinite(e.high) and e.low <= 0 <= e.high:
        where = "no clear concentration either way (the interval includes 0)"
    return f"Concentration index {estimate_words(e)}: {where}"


def _n(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def accounting_lines(counts: BeneficiaryCounts) -> list[str]:
    """Where everyone in the file went, in words (nobody silently dropped)."""
    a = counts.accounting
    lines = [
        f"Read as {counts.kind_label}: {a.rows_read:,} row{'s' if a.rows_read != 1 else ''}, "
        f"{_n(a.people)} {'person' if a.people == 1 else 'people'}; {_n(a.matched)} placed in a neighbourhood of the area."
    ]
    if a.rows_left_out:
        lines.append(f"{a.rows_left_out:,} rows were left out by the date or service filter.")
    left = [(reason, v) for reason, v in a.unmatched.items() if v]
    if left:
        lines.append("Not placed: " + "; ".join(f"{_n(v)} {reason}" for reason, v in left) + ".")
    return lines
