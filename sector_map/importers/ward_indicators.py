"""Ward-level statistics tables (long or wide) as pack indicators with readable metadata.

A *long* table has a ward code column, an indicator column and a value column, and optionally
period, measure and unit columns (Trafford Data Lab's ward statistics; Nomis-style census
tables with a category column). A *wide* table has a ward code column and one numeric column per
indicator. Both become the pack's long ``indicators`` table plus one :class:`schema.IndicatorMeta`
per indicator.

Which way is worse, which IMD domain and which themes an indicator belongs to are decided by the
keyword tables in :mod:`sector_map.pack.indicator_rules` (:data:`DIRECTION_RULES`,
:data:`DOMAIN_RULES`, :data:`THEME_RULES`), first match wins, so a user can read why. When no
direction rule matches, "higher = more need" is assumed and the description says it was guessed.

Census-style tables (a category column, counts only, e.g. Census 2021 general health) become one
indicator per category: the percentage of the ward's total across the categories (or of a
"Total"/"All ..." category when there is one). That assumes the categories do not overlap, as in
ONS topic tables; a note says so. With several category columns (age × sex), only the
"All ..."/"Total" rows of all but one are used.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sector_map.importers.tables import (
    InputError,
    Notes,
    examples,
    file_rows,
    find_column,
    read_table,
    to_number,
)
from sector_map.pack import schema as s
from sector_map.pack.indicator_rules import (
    DIRECTION_RULES,
    DOMAIN_RULES,
    THEME_RULES,
    direction_for,
    domain_for,
    period_key,
    slug,
    themes_for,
)

__all__ = [
    "DIRECTION_RULES",
    "DOMAIN_RULES",
    "THEME_RULES",
    "direction_for",
    "domain_for",
    "period_key",
    "read_ward_indicators",
    "slug",
    "themes_for",
]

MORE, LESS = s.HIGHER_IS_MORE_NEED, s.HIGHER_IS_LESS_NEED
WHAT = "a table of ward figures: a ward code column and either indicator + value columns or one column per indicator"

CODE_NAMES = ["ward_code", "area_code", "wardcode", "ward code", "geography code", "code"]
INDICATOR_NAMES = ["indicator", "indicator_name", "variable", "measure_name", "statistic"]
VALUE_NAMES = ["value", "obs_value", "observation"]
PERIOD_NAMES = ["period", "year", "date", "time_period"]
MEASURE_NAMES = ["measure", "measures"]
UNIT_NAMES = ["unit", "units"]
_CONTEXT = {
    "theme",
    "source_file",
    "area_name",
    "ward_name",
    "geography",
    "geography_name",
    "la_code",
    "la_name",
}
_ONS = re.compile(r"^[EWSN]\d{8}$")
_PERCENT = re.compile(r"percent|%|proportion|share", re.I)
_TOTAL = re.compile(r"^(?:total|all\b)", re.I)


def code_column(df: pd.DataFrame, file: str) -> str:
    col = next((c for c in df.columns if re.fullmatch(r"wd\d\dcd", str(c), re.I)), None)
    col = col or find_column(df.columns, CODE_NAMES)
    if col is None:
        share = {c: df[c].dropna().str.match(_ONS).mean() for c in df.columns if df[c].notna().any()}
        col = max(share, key=lambda c: share[c]) if share and max(share.values()) > 0.8 else None
    if col is None:
        raise InputError(
            file,
            f"no ward code column found (looked for ward_code, area_code, WDyyCD, or codes like E05000819); "
            f"its columns are {examples(df.columns, 12)}",
            hint=f"Expected {WHAT}",
        )
    return col


def _meta(
    iid: str, label: str, unit: str, year: str, source: str, description: str, context: str
) -> s.IndicatorMeta:
    higher_is, why, guessed = direction_for(context)
    domain = domain_for(context)
    direction = ("Direction guessed: " if guessed else "Direction: ") + (
        f"higher = {'more' if higher_is == MORE else 'less'} need ({why})."
    )
    return s.IndicatorMeta(
        id=iid,
        label=label,
        unit=unit,
        higher_is=higher_is,
        source=source,
        year=year,
        themes=themes_for(context, domain),
        description=f"{description} {direction}".strip(),
        domain=domain,
    )


def _unique_ids(base: pd.Series) -> pd.Series:
    ids = base.copy()
    seen: dict[str, int] = {}
    for i, v in ids.items():
        n = seen.get(v, 0)
        seen[v] = n + 1
        if n:
            ids.at[i] = f"{v}_{n + 1}"
    return ids


def _long(
    df: pd.DataFrame, file: str, code: str, ind: str, val: str, source: str, year: str | None, notes: Notes
) -> tuple[pd.DataFrame, dict[str, s.IndicatorMeta]]:
    period = find_column(df.columns, PERIOD_NAMES)
    measure = find_column(df.columns, MEASURE_NAMES)
    unit = find_column(df.columns, UNIT_NAMES)
    used = {code, ind, val, period, measure, unit}
    group = [c for c in (code, ind, measure, period) if c]
    others = [c for c in df.columns if c not in used and c.lower() not in _CONTEXT]
    dims = []
    if others:
        varies = df.groupby(group, dropna=False)[others].nunique(dropna=True).max()
        dims = [c for c in others if varies[c] > 1]
    df, dims = _drop_total_dimensions(df, dims, file, notes)
    if year and period:
        notes.add(file, f"year={year!r} was not used: the file has its own periods (column `{period}`)")
    t = pd.DataFrame(
        {
            "code": df[code],
            "indicator": df[ind].fillna(""),
            "measure": df[measure].fillna("") if measure else "",
            "unit": df[unit].fillna("") if unit else "",
            "period": df[period].fillna("") if period else (year or ""),
            "category": df[dims].fillna("").astype(str).agg(" / ".join, axis=1) if dims else "",
            "source_file": df["source_file"].fillna("") if "source_file" in df.columns else "",
        },
        index=df.index,
    )
    t["value"], bad = to_number(df[val])
    if bad.any():
        notes.add(
            file,
            f"{int(bad.sum())} values are not numbers and were left out",
            column=val,
            rows=file_rows(df.index[bad]),
        )
    t = t[t["code"].notna() & t["indicator"].ne("")]
    series = ["indicator", "category", "measure", "unit"]
    ends = {p: period_key(p) for p in t["period"].unique()}
    t = t.assign(_key=t["period"].map({p: y * 10_000 + m * 100 + d for p, (y, m, d) in ends.items()}))
    latest = t.groupby(series)["_key"].transform("max")
    t = t[t["_key"] == latest].drop(columns="_key")

    if dims:
        t = _census_shares(t, file, notes)
    keys = t[series + ["period", "source_file"]].drop_duplicates(series).reset_index(drop=True)
    if dims:
        dim_label = " / ".join(d.replace("_", " ") for d in dims)
        base = keys["category"].map(lambda c: slug(f"{dim_label} {c}"))
        if keys["indicator"].nunique() > 1:
            base = keys["indicator"].map(lambda x: slug(x)[:40]) + "_" + base
        labels = keys["category"] + keys["unit"].map(lambda u: f" ({u})" if u else "")
    else:
        multi = keys["indicator"].map(keys.groupby("indicator")["measure"].nunique()) > 1
        with_measure = keys["indicator"].map(slug) + "_" + keys["measure"].map(slug)
        base = keys["indicator"].map(slug).where(~multi, with_measure)
        labels = keys["indicator"].where(~multi, keys["indicator"] + " (" + keys["measure"].str.lower() + ")")
    base = base.where(~base.duplicated(keep=False), base + "_" + keys["unit"].map(slug))
    keys["id"] = _unique_ids(base)
    meta = {}
    k: Any  # a row of ``keys``: text fields, which pandas-stubs cannot see
    for k, lab in zip(keys.itertuples(index=False), labels, strict=True):
        if dims:
            unit_txt = k.unit
            desc = f"{k.indicator} Category: {k.category}; period {k.period}."
            context = f"{k.category} {k.unit}"
        else:
            unit_txt = k.measure.lower() + (f" ({k.unit.lower()})" if k.unit and k.unit != k.measure else "")
            desc = (
                f"{k.indicator}; measure {k.measure or '-'}, unit {k.unit or '-'}, period {k.period or '-'}."
            )
            context = f"{k.indicator} {k.measure}"
        if k.source_file:
            desc = f"{desc} From {k.source_file}."
        meta[k.id] = _meta(k.id, lab, unit_txt.strip(), k.period, source, desc, context)
    ids = dict(zip(map(tuple, keys[series].to_numpy().tolist()), keys["id"], strict=True))
    t["indicator_id"] = [ids[k] for k in map(tuple, t[series].to_numpy().tolist())]
    return t, meta


def _drop_total_dimensions(
    df: pd.DataFrame, dims: list[str], file: str, notes: Notes
) -> tuple[pd.DataFrame, list[str]]:
    """With several category columns (age × sex), keep only the 'All ...'/'Total' rows of the others."""
    dims = list(dims)
    for d in list(dims):
        if len(dims) < 2:
            break
        values = df[d].dropna().unique()
        totals = [v for v in values if _TOTAL.match(str(v))]
        if len(totals) == 1:
            df = df[df[d] == totals[0]]
            dims.remove(d)
            notes.add(
                file, f"only the '{totals[0]}' rows of column `{d}` were used, so categories do not overlap"
            )
    return df, dims


def _census_shares(t: pd.DataFrame, file: str, notes: Notes) -> pd.DataFrame:
    """Per category: the published percentage when there is one, else the share of the ward total."""
    pct = t["measure"].str.contains(_PERCENT) | t["unit"].str.contains(_PERCENT)
    if pct.any():
        return t[pct]
    per = ["code", "indicator", "measure", "period"]
    is_total = t["category"].str.contains(_TOTAL)
    parts = t[~is_total]
    total = t[is_total].groupby(per)["value"].sum(min_count=1)
    denom = parts.groupby(per)["value"].transform("sum")
    if len(total):
        denom = parts.join(total.rename("_total"), on=per)["_total"].fillna(denom)
    out = parts.assign(value=100 * parts["value"] / denom.replace(0, np.nan))
    out["unit"] = "% of " + out["unit"].where(out["unit"].ne(""), "total").str.lower()
    how = "the 'Total' category" if len(total) else "the sum of the categories (assumed not to overlap)"
    notes.add(file, f"counts per category were turned into percentages of each ward's total, taken as {how}")
    return out


def _wide(
    df: pd.DataFrame, file: str, code: str, source: str, year: str | None, notes: Notes
) -> tuple[pd.DataFrame, dict[str, s.IndicatorMeta]]:
    name = find_column(df.columns, ["ward_name", "area_name", "name", "ward name", "WD19NM"])
    meta, skipped = {}, []
    stem = Path(file).name.lower()
    file_context = stem if re.search(r"imd|indices|iod|depriv", stem) else ""
    parts = []
    for c in df.columns:
        if c in (code, name) or re.fullmatch(r"(wd|lad)\d\d(cd|nm)", c, re.I):
            continue
        nums, bad = to_number(df[c])
        filled = nums.notna() | bad
        if not nums.notna().any() or bad.sum() > 0.5 * filled.sum():
            skipped.append(c)
            continue
        if bad.any():
            notes.add(
                file, "values that are not numbers were left out", column=c, rows=file_rows(df.index[bad])
            )
        iid = slug(c)
        while iid in meta:
            iid += "_2"
        unit = "%" if re.search(r"%|percent", c, re.I) else ""
        label = c.replace("_", " ").strip()
        meta[iid] = _meta(
            iid, label, unit, year or "", source, f"Column '{c}' of {file}.", f"{label} {file_context}"
        )
        parts.append(pd.DataFrame({"code": df[code], "indicator_id": iid, "value": nums}, index=df.index))
    if not parts:
        raise InputError(
            file,
            f"has no numeric columns besides the ward code; columns are {examples(df.columns, 12)}",
            hint=f"Expected {WHAT}",
        )
    if skipped:
        notes.add(file, f"columns that are not numbers were not used as indicators: {examples(skipped)}")
    t = pd.concat(parts)
    return t[t["code"].notna()], meta


def read_ward_indicators(
    path: str | Path,
    *,
    ward_codes: set[str] | None = None,
    source: str | None = None,
    year: str | None = None,
    indicators: list[str] | None = None,
    notes: Notes | None = None,
    sheet: str | int | None = None,
) -> tuple[pd.DataFrame, dict[str, s.IndicatorMeta]]:
    """Read a long or wide table of ward figures into pack indicators and their metadata.

    Args:
        path: CSV/TSV (plain or gzipped) or XLSX.
        ward_codes: the pack's wards; rows for other codes are dropped (and noted).
        source: the source named in the metadata (default: the file name).
        year: the year for the metadata of a table without a period column.
        indicators: keep only these indicator ids (or the indicator names in the file).
        notes: collects warnings.
        sheet: the worksheet of an Excel file (default: the first).

    Returns:
        ``(values, meta)``: ``schema.INDICATOR_COLUMNS`` (value float, NaN where suppressed) and
        an :class:`schema.IndicatorMeta` per indicator id. In a long table only the latest
        period of each indicator and measure is kept.

    Raises:
        InputError: no ward code column, no usable value, no code among ``ward_codes``, an
            unknown indicator requested, or the same ward and indicator twice with different values.

    Example:
        >>> import tempfile, os
        >>> d = tempfile.mkdtemp(); p = os.path.join(d, "w.csv")
        >>> _ = open(p, "w").write("ward_code,Life expectancy,Crime rate\\nE05000001,80.5,12\\n")
        >>> values, meta = read_ward_indicators(p)
        >>> values["indicator_id"].tolist(), values["value"].tolist()
        (['crime_rate', 'life_expectancy'], [12.0, 80.5])
        >>> meta["life_expectancy"].higher_is, meta["crime_rate"].themes
        ('less_need', ['crime_safety'])
    """
    path = Path(path)
    file = path.name
    notes = Notes() if notes is None else notes
    source = source or file
    df = read_table(path, what=WHAT, notes=notes, sheet=sheet)
    code = code_column(df, file)
    df[code] = df[code].str.strip()
    ind = find_column(df.columns, INDICATOR_NAMES)
    val = find_column(df.columns, VALUE_NAMES)
    if ind and val:
        t, meta = _long(df, file, code, ind, val, source, year, notes)
    else:
        t, meta = _wide(df, file, code, source, year, notes)

    if indicators is not None:
        aliases: dict[str, set[str]] = {k.lower(): {k} for k in meta}
        if "indicator" in t.columns:
            for name, iid in t[["indicator", "indicator_id"]].drop_duplicates().itertuples(index=False):
                aliases.setdefault(str(name).lower(), set()).add(iid)
        unknown = [w for w in indicators if w.lower() not in aliases]
        if unknown:
            raise InputError(
                file,
                f"has no indicator {examples(unknown)}; its indicators are {examples(sorted(meta), 12)}",
                hint="Use the indicator ids (or the names in the file's indicator column)",
            )
        wanted = set().union(*(aliases[w.lower()] for w in indicators))
        t = t[t["indicator_id"].isin(wanted)]
        meta = {k: v for k, v in meta.items() if k in wanted}

    if ward_codes is not None:
        codes = set(ward_codes)
        inside = t["code"].isin(codes)
        if not inside.any():
            raise InputError(
                file,
                f"none of its ward codes are the pack's wards: the file has {examples(sorted(t['code'].unique()), 3)}, "
                f"the wards are {examples(sorted(codes), 3)}",
                column=code,
                hint="The codes look like another ward vintage or area; use figures for the same wards as the boundaries",
            )
        outside = sorted(t.loc[~inside, "code"].unique())
        if outside:
            notes.add(
                file,
                f"{len(outside):,} ward codes are not among the pack's wards and were left out: {examples(outside)}",
                column=code,
            )
        t = t[inside]
        no_value = codes - set(t.loc[t["value"].notna(), "code"])
        if no_value:
            notes.add(
                file, f"{len(no_value):,} of the pack's {len(codes):,} wards have no value in this file"
            )

    dup = t.duplicated(["code", "indicator_id"], keep=False)
    if dup.any():
        clash = t[dup].groupby(["code", "indicator_id"])["value"].nunique(dropna=False)
        if (clash > 1).any():
            bad = clash[clash > 1].index
            raise InputError(
                file,
                f"the same ward and indicator appear more than once with different values "
                f"(e.g. {bad[0][0]} / {bad[0][1]})",
                rows=file_rows(t.index[dup])[:20] if t.index.is_unique else (),
                hint="Keep one row per ward, indicator, measure and period",
            )
        t = t.drop_duplicates(["code", "indicator_id"])
    values = pd.DataFrame(
        {
            s.WARD_CODE: t["code"].astype("string").to_numpy(),
            s.INDICATOR_ID: t["indicator_id"].astype("string").to_numpy(),
            s.VALUE: t["value"].astype("float64").to_numpy(),
        }
    )
    values = values.sort_values([s.INDICATOR_ID, s.WARD_CODE], kind="stable").reset_index(drop=True)
    return values, meta
