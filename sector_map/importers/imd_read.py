"""Read English Indices of Deprivation 2019 LSOA files and LSOA→ward lookups as published.

The MHCLG CSVs (Files 1, 2, 5, 6, 7, a combined file, the Open Data Communities score file)
carry a UTF-8 byte-order mark, thousands separators ("29,199") and long column names such as
"Income Rank (where 1 is most deprived)". Columns are recognised by those published names and
renamed to short, stable ones (``imd_score``, ``income_rank``, ``income_decile``,
``population``...), so the aggregation does not care which file a measure came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from sector_map.pack import schema as s

LSOA_CODE = "lsoa_code"
LSOA_NAME = "lsoa_name"
POP_TOTAL = "population"
N_LSOAS_ENGLAND = 32_844

# Published column-name prefixes (lower case) → domain key. IDACI and IDAOPI come before
# "income" because their names start with "Income Deprivation Affecting...".
DOMAIN_PREFIXES: tuple[tuple[str, str], ...] = (
    ("index of multiple deprivation (imd)", s.DOMAIN_IMD),
    ("income deprivation affecting children index (idaci)", s.DOMAIN_IDACI),
    ("income deprivation affecting older people (idaopi)", s.DOMAIN_IDAOPI),
    ("income deprivation affecting older people index (idaopi)", s.DOMAIN_IDAOPI),
    ("income", s.DOMAIN_INCOME),
    ("employment", s.DOMAIN_EMPLOYMENT),
    ("education, skills and training", s.DOMAIN_EDUCATION),
    ("health deprivation and disability", s.DOMAIN_HEALTH),
    ("crime", s.DOMAIN_CRIME),
    ("barriers to housing and services", s.DOMAIN_HOUSING),
    ("living environment", s.DOMAIN_LIVING_ENV),
)
DOMAINS = tuple(dict.fromkeys(d for _, d in DOMAIN_PREFIXES))
MEASURES = ("score", "rank", "decile")

_POPULATION_PREFIXES = (
    ("total population", POP_TOTAL),
    ("dependent children aged 0-15", "population_0_15"),
    ("population aged 16-59", "population_16_59"),
    ("older population aged 60 and over", "population_60_plus"),
    ("working age population", "population_working_age"),
)
_LSOA11_CODE_NAMES = {"lsoa code (2011)", "lsoa11cd", "lsoa11_code", "lsoa_code", "lsoa code"}
_LSOA11_NAME_NAMES = {"lsoa name (2011)", "lsoa11nm", "lsoa11_name", "lsoa_name", "lsoa name"}
_LSOA21_NAMES = {"lsoa code (2021)", "lsoa21cd", "lsoa21_code"}
_ODC = re.compile(r"^imd_?2019_(score|rank|decile)$")
_TEXT_COLUMNS = {LSOA_CODE, LSOA_NAME, s.LA_CODE, s.LA_NAME}


def _norm(name: str) -> str:
    return " ".join(str(name).replace("\ufeff", "").strip().lower().split())


def recognise_column(name: str) -> str | None:
    """Short name for a published IoD2019 LSOA column, or None if it is not one we use.

    Example:
        >>> recognise_column("Income Rank (where 1 is most deprived)")
        'income_rank'
        >>> recognise_column("Total population: mid 2015 (excluding prisoners)")
        'population'
    """
    n = _norm(name)
    if n in _LSOA11_CODE_NAMES:
        return LSOA_CODE
    if n in _LSOA11_NAME_NAMES:
        return LSOA_NAME
    if n.startswith("local authority district code") or re.fullmatch(r"lad\d\dcd", n):
        return s.LA_CODE
    if n.startswith("local authority district name") or re.fullmatch(r"lad\d\dnm", n):
        return s.LA_NAME
    for prefix, short in _POPULATION_PREFIXES:
        if n.startswith(prefix):
            return short
    m = _ODC.match(n)
    if m:
        return f"{s.DOMAIN_IMD}_{m.group(1)}"
    for prefix, domain in DOMAIN_PREFIXES:
        if n.startswith(prefix):
            rest = n[len(prefix) :].strip()
            for measure in MEASURES:
                if rest.startswith(measure):
                    return f"{domain}_{measure}"
            return None
    return None


def _read_one(path: Path) -> pd.DataFrame:
    where = path.name
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise ValueError(f"{where}: the file is empty; expected an IoD2019 LSOA CSV") from None
    except (UnicodeDecodeError, OSError) as e:
        raise ValueError(f"{where}: could not be read as a CSV ({e})") from None
    found = {c: recognise_column(c) for c in header.columns}
    if any(_norm(c) in _LSOA21_NAMES for c in header.columns):
        raise ValueError(
            f"{where}: uses 2021 LSOAs; IoD2019 is published for 2011 LSOAs (column 'LSOA code (2011)')"
        )
    if LSOA_CODE not in found.values():
        raise ValueError(
            f"{where}: not an IoD2019 LSOA file: no LSOA code column (expected 'LSOA code (2011)' or "
            f"'LSOA11CD'); found {', '.join(map(str, header.columns[:8]))}"
        )
    data_cols = [c for c, short in found.items() if short and short not in _TEXT_COLUMNS]
    if not data_cols:
        raise ValueError(
            f"{where}: has LSOA codes but no IoD2019 score, rank, decile or population columns "
            "(expected names like 'Index of Multiple Deprivation (IMD) Score')"
        )
    shorts = [v for v in found.values() if v]
    dupes = sorted({v for v in shorts if shorts.count(v) > 1})
    if dupes:
        raise ValueError(f"{where}: several columns mean the same thing ({', '.join(dupes)})")
    keep = [c for c, short in found.items() if short]
    dtypes = {c: "string" for c in keep if found[c] in _TEXT_COLUMNS}
    df = pd.read_csv(path, usecols=keep, dtype=dtypes, thousands=",", encoding="utf-8-sig")
    df = df.rename(columns={c: found[c] for c in keep})
    if df.empty:
        raise ValueError(f"{where}: has a header but no rows")
    df[LSOA_CODE] = df[LSOA_CODE].str.strip()
    if df[LSOA_CODE].isna().any():
        rows = (df.index[df[LSOA_CODE].isna()] + 2).tolist()[:5]
        raise ValueError(f"{where}: {int(df[LSOA_CODE].isna().sum())} rows have no LSOA code; rows {rows}")
    dup = df[LSOA_CODE][df[LSOA_CODE].duplicated()].unique().tolist()
    if dup:
        raise ValueError(f"{where}: {len(dup)} LSOA codes appear more than once, e.g. {', '.join(dup[:5])}")
    for col in df.columns:
        if col in _TEXT_COLUMNS:
            continue
        num = pd.to_numeric(df[col], errors="coerce")
        bad = num.isna() & df[col].notna()
        if bad.any():
            raise ValueError(
                f"{where}: column '{col}' has {int(bad.sum())} values that are not numbers, "
                f"e.g. {df.loc[bad, col].iloc[0]!r}"
            )
        df[col] = num.astype("float64")
        if col.endswith("_decile") and not num.dropna().between(1, 10).all():
            raise ValueError(f"{where}: column '{col}' has deciles outside 1–10")
    return df


def _merge(frames: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    out = frames[0][1].set_index(LSOA_CODE)
    for where, df in frames[1:]:
        df = df.set_index(LSOA_CODE)
        for col in df.columns.intersection(out.columns):
            both = out[col].notna() & df[col].reindex(out.index).notna()
            a, b = out.loc[both, col], df[col].reindex(out.index)[both]
            differ = (a != b) if col in _TEXT_COLUMNS else (a - b).abs() > 1e-6
            if differ.any():
                raise ValueError(
                    f"{where}: column '{col}' disagrees with an earlier file for {int(differ.sum())} LSOAs, "
                    f"e.g. {differ[differ].index[0]}; are these files from the same release?"
                )
        out = out.combine_first(df)
    return out.reset_index()


def read_imd_lsoa(
    paths: Iterable[Path | str] | Path | str, *, la_codes: Iterable[str] | None = None
) -> pd.DataFrame:
    """Read one or more published IoD2019 LSOA CSVs (plain or gzipped) into one frame.

    Args:
        paths: File 1/2/5/6/7, the combined file or the ODC score file, in any mix. Files are
            joined on the LSOA code; a measure found in two files must agree.
        la_codes: keep only LSOAs in these local authorities (needs a file with the
            'Local Authority District code (2019)' column).

    Returns:
        One row per LSOA: ``lsoa_code`` (string), optional ``lsoa_name``, ``la_code``,
        ``la_name``, and float columns ``{domain}_{score|rank|decile}`` (domain keys from
        ``schema.DOMAIN_*``), ``population`` (mid-2015, excluding prisoners) and the other
        published population denominators.

    Raises:
        ValueError: naming the file, for an empty file, a file of another kind, duplicate
            LSOA codes, non-numeric values or files that disagree.
    """
    files = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not files:
        raise ValueError("no IoD2019 files given")
    frames = [(p.name, _read_one(p)) for p in files]
    out = _merge(frames)
    for col in _TEXT_COLUMNS & set(out.columns):
        out[col] = out[col].astype("string")
    if la_codes is not None:
        if s.LA_CODE not in out.columns:
            raise ValueError(
                "cannot filter by local authority: none of the files has a "
                "'Local Authority District code (2019)' column; filter with the ward lookup instead"
            )
        out = out[out[s.LA_CODE].isin(list(la_codes))].reset_index(drop=True)
    return out


def read_lookup(path: Path | str) -> pd.DataFrame:
    """Read an LSOA 2011 → ward best-fit lookup, whatever its vintage's column names.

    Recognises ``LSOA11CD`` (any case) with ``WD17CD``/``WD19CD``/``WD22CD``... and, when
    present, ``WDxxNM``, ``LADxxCD`` and ``LADxxNM``.

    Returns:
        Columns ``lsoa_code``, ``ward_code`` and, if present, ``ward_name``, ``la_code``,
        ``la_name`` (all strings); ``attrs["ward_vintage"]`` is e.g. ``"WD17"``.

    Raises:
        ValueError: if the columns are not found, the file is empty, or an LSOA is
            assigned to more than one ward (not a best-fit lookup).
    """
    path = Path(path)
    where = path.name
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise ValueError(f"{where}: the file is empty; expected an LSOA→ward lookup") from None
    cols = {_norm(c): c for c in header.columns}
    if any(k in cols for k in _LSOA21_NAMES):
        raise ValueError(f"{where}: maps 2021 LSOAs; IoD2019 needs a lookup from 2011 LSOAs (LSOA11CD)")
    lsoa = next((cols[k] for k in ("lsoa11cd", "lsoa11_code", "lsoa code (2011)") if k in cols), None)
    wards = sorted(k for k in cols if re.fullmatch(r"wd\d\dcd", k))
    if lsoa is None or not wards:
        raise ValueError(
            f"{where}: not an LSOA→ward lookup: expected columns LSOA11CD and WDxxCD (e.g. WD19CD); "
            f"found {', '.join(map(str, header.columns[:8]))}"
        )
    if len(wards) > 1:
        raise ValueError(
            f"{where}: several ward code columns ({', '.join(wards)}); pass a single-vintage lookup"
        )
    yy = wards[0][2:4]
    rename = {lsoa: LSOA_CODE, cols[wards[0]]: s.WARD_CODE}
    if f"wd{yy}nm" in cols:
        rename[cols[f"wd{yy}nm"]] = s.WARD_NAME
    la_cd = sorted(k for k in cols if re.fullmatch(r"lad\d\dcd", k))
    la_nm = sorted(k for k in cols if re.fullmatch(r"lad\d\dnm", k))
    if la_cd:
        rename[cols[la_cd[-1]]] = s.LA_CODE
    if la_nm:
        rename[cols[la_nm[-1]]] = s.LA_NAME
    df = pd.read_csv(path, usecols=list(rename), dtype="string", encoding="utf-8-sig").rename(columns=rename)
    if df.empty:
        raise ValueError(f"{where}: has a header but no rows")
    for c in df.columns:
        df[c] = df[c].str.strip()
    df = df.dropna(subset=[LSOA_CODE, s.WARD_CODE]).drop_duplicates().reset_index(drop=True)
    multi = df[LSOA_CODE][df[LSOA_CODE].duplicated()].unique().tolist()
    if multi:
        raise ValueError(
            f"{where}: {len(multi)} LSOAs are assigned to more than one ward (e.g. {', '.join(multi[:5])}); "
            "a best-fit lookup gives each LSOA exactly one ward"
        )
    df.attrs["ward_vintage"] = f"WD{yy}"
    return df
