"""Read English Indices of Deprivation LSOA files and LSOA→ward lookups as published.

Two releases: IoD2019 on 2011 LSOAs and IoD2025 on 2021 LSOAs (``edition="2019"`` or
``"2025"``). The MHCLG CSVs (Files 1, 2, 5, 6, 7, a combined file, the Open Data Communities
score file) carry a UTF-8 byte-order mark, thousands separators ("29,199") and long column names
such as "Income Rank (where 1 is most deprived)". Columns are recognised by those published
names, or by the short names packages rename them to (``IMD_score``,
``Housing_and_Services_rank``, ``lsoa21_code``), and renamed to short, stable ones
(``imd_score``, ``income_rank``, ``income_decile``, ``population``...), so the aggregation
does not care which file a measure came from. A file of the other release's LSOAs is refused
by name.
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
EDITIONS = ("2019", "2025")
N_LSOAS = {"2019": N_LSOAS_ENGLAND, "2025": 33_755}
LSOA_VINTAGE = {"2019": "2011", "2025": "2021"}

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
_LSOA_ANY_CODE = {"lsoa_code", "lsoa code"}
_LSOA_ANY_NAME = {"lsoa_name", "lsoa name"}
# LSOA code and name columns by LSOA vintage (the IoD edition's, or the other one's).
_LSOA_CODE_NAMES = {
    "2011": {"lsoa code (2011)", "lsoa11cd", "lsoa11_code"},
    "2021": {"lsoa code (2021)", "lsoa21cd", "lsoa21_code"},
}
_LSOA_NAME_NAMES = {
    "2011": {"lsoa name (2011)", "lsoa11nm", "lsoa11_name"},
    "2021": {"lsoa name (2021)", "lsoa21nm", "lsoa21_name"},
}
_ODC = re.compile(r"^imd_?20(?:19|25)_(score|rank|decile)$")
# Short names as packages rename the published columns (humaniverse/IMD: ``Housing_and_Services_rank``).
_SHORT = re.compile(r"^([a-z_]+?)_(score|rank|decile)$")
_SHORT_DOMAINS = {
    "imd": s.DOMAIN_IMD,
    "income": s.DOMAIN_INCOME,
    "employment": s.DOMAIN_EMPLOYMENT,
    "education": s.DOMAIN_EDUCATION,
    "health": s.DOMAIN_HEALTH,
    "crime": s.DOMAIN_CRIME,
    "housing": s.DOMAIN_HOUSING,
    "housing_and_services": s.DOMAIN_HOUSING,
    "barriers": s.DOMAIN_HOUSING,
    "environment": s.DOMAIN_LIVING_ENV,
    "living_environment": s.DOMAIN_LIVING_ENV,
    "idaci": s.DOMAIN_IDACI,
    "idaopi": s.DOMAIN_IDAOPI,
}
_TEXT_COLUMNS = {LSOA_CODE, LSOA_NAME, s.LA_CODE, s.LA_NAME}


def _other(edition: str) -> str:
    """The LSOA vintage of the *other* IoD edition (the one a file must not be)."""
    return LSOA_VINTAGE["2025" if edition == "2019" else "2019"]


def _check_edition(edition: str) -> str:
    if edition not in EDITIONS:
        raise ValueError(f"unknown IoD edition {edition!r}; expected one of {', '.join(EDITIONS)}")
    return LSOA_VINTAGE[edition]


def _norm(name: str) -> str:
    return " ".join(str(name).replace("\ufeff", "").strip().lower().split())


def recognise_column(name: str, edition: str = "2019") -> str | None:
    """Short name for a published IoD LSOA column, or None if it is not one we use.

    Example:
        >>> recognise_column("Income Rank (where 1 is most deprived)")
        'income_rank'
        >>> recognise_column("Total population: mid 2015 (excluding prisoners)")
        'population'
        >>> recognise_column("Housing_and_Services_score", "2025"), recognise_column("LSOA21CD", "2025")
        ('housing_score', 'lsoa_code')
    """
    n = _norm(name)
    vintage = _check_edition(edition)
    if n in _LSOA_CODE_NAMES[vintage] or n in _LSOA_ANY_CODE:
        return LSOA_CODE
    if n in _LSOA_NAME_NAMES[vintage] or n in _LSOA_ANY_NAME:
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
    m = _SHORT.match(n)
    if m and m.group(1) in _SHORT_DOMAINS:
        return f"{_SHORT_DOMAINS[m.group(1)]}_{m.group(2)}"
    for prefix, domain in DOMAIN_PREFIXES:
        if n.startswith(prefix):
            rest = n[len(prefix) :].strip()
            for measure in MEASURES:
                if rest.startswith(measure):
                    return f"{domain}_{measure}"
            return None
    return None


def _wrong_release(where: str, edition: str) -> str:
    other = "2025" if edition == "2019" else "2019"
    return (
        f"{where}: uses {_other(edition)} LSOAs, so it is IoD{other} (or a file on its LSOAs); "
        f"IoD{edition} is published for {LSOA_VINTAGE[edition]} LSOAs (column 'LSOA code "
        f"({LSOA_VINTAGE[edition]})'). Put it under [imd{other}] instead, or use the IoD{edition} files"
    )


def _read_one(path: Path, edition: str) -> pd.DataFrame:
    where = path.name
    vintage = LSOA_VINTAGE[edition]
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise ValueError(f"{where}: the file is empty; expected an IoD{edition} LSOA CSV") from None
    except (UnicodeDecodeError, OSError) as e:
        raise ValueError(f"{where}: could not be read as a CSV ({e})") from None
    found = {c: recognise_column(c, edition) for c in header.columns}
    if any(_norm(c) in _LSOA_CODE_NAMES[_other(edition)] for c in header.columns):
        raise ValueError(_wrong_release(where, edition))
    if LSOA_CODE not in found.values():
        raise ValueError(
            f"{where}: not an IoD{edition} LSOA file: no LSOA code column (expected 'LSOA code ({vintage})' "
            f"or 'LSOA{vintage[2:]}CD'); found {', '.join(map(str, header.columns[:8]))}"
        )
    data_cols = [c for c, short in found.items() if short and short not in _TEXT_COLUMNS]
    if not data_cols:
        raise ValueError(
            f"{where}: has LSOA codes but no IoD{edition} score, rank, decile or population columns "
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
    paths: Iterable[Path | str] | Path | str,
    *,
    la_codes: Iterable[str] | None = None,
    edition: str = "2019",
) -> pd.DataFrame:
    """Read one or more published IoD LSOA CSVs (plain or gzipped) into one frame.

    Args:
        paths: File 1/2/5/6/7, the combined file or the ODC score file, in any mix, or the
            same columns renamed (``lsoa21_code, IMD_score, Income_rank ...``). Files are
            joined on the LSOA code; a measure found in two files must agree.
        la_codes: keep only LSOAs in these local authorities (needs a file with the
            'Local Authority District code (2019)' column, or its 2024 counterpart).
        edition: ``"2019"`` (2011 LSOAs) or ``"2025"`` (2021 LSOAs); a file on the other
            release's LSOAs is refused.

    Returns:
        One row per LSOA: ``lsoa_code`` (string), optional ``lsoa_name``, ``la_code``,
        ``la_name``, and float columns ``{domain}_{score|rank|decile}`` (domain keys from
        ``schema.DOMAIN_*``), ``population`` (IoD2019: mid-2015; IoD2025: mid-2022; excluding
        prisoners) and the other published population denominators, when the files have them.

    Raises:
        ValueError: naming the file, for an empty file, a file of another kind, duplicate
            LSOA codes, non-numeric values or files that disagree.
    """
    _check_edition(edition)
    files = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not files:
        raise ValueError(f"no IoD{edition} files given")
    frames = [(p.name, _read_one(p, edition)) for p in files]
    out = _merge(frames)
    for col in _TEXT_COLUMNS & set(out.columns):
        out[col] = out[col].astype("string")
    if la_codes is not None:
        if s.LA_CODE not in out.columns:
            raise ValueError(
                "cannot filter by local authority: none of the files has a "
                "'Local Authority District code' column; filter with the ward lookup instead"
            )
        out = out[out[s.LA_CODE].isin(list(la_codes))].reset_index(drop=True)
    return out


def read_lookup(path: Path | str, *, edition: str = "2019") -> pd.DataFrame:
    """Read an LSOA → ward best-fit lookup, whatever its vintage's column names.

    Recognises ``LSOA11CD`` (IoD2019) or ``LSOA21CD`` (IoD2025), any case, with
    ``WD17CD``/``WD19CD``/``WD24CD``... and, when present, ``WDxxNM``, ``LADxxCD`` and ``LADxxNM``.

    Returns:
        Columns ``lsoa_code``, ``ward_code`` and, if present, ``lsoa_name``, ``ward_name``,
        ``la_code``, ``la_name`` (all strings); ``attrs["ward_vintage"]`` is e.g. ``"WD17"``.

    Raises:
        ValueError: if the columns are not found, the lookup is from the other release's LSOAs,
            the file is empty, or an LSOA is assigned to more than one ward (not a best-fit lookup).
    """
    path = Path(path)
    where = path.name
    vintage = _check_edition(edition)
    yy_lsoa = vintage[2:]
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise ValueError(f"{where}: the file is empty; expected an LSOA→ward lookup") from None
    cols = {_norm(c): c for c in header.columns}
    if any(k in cols for k in _LSOA_CODE_NAMES[_other(edition)]):
        raise ValueError(
            f"{where}: maps {_other(edition)} LSOAs; IoD{edition} needs a lookup from {vintage} LSOAs "
            f"(LSOA{yy_lsoa}CD)"
        )
    lsoa = next((cols[k] for k in sorted(_LSOA_CODE_NAMES[vintage]) if k in cols), None)
    wards = sorted(k for k in cols if re.fullmatch(r"wd\d\dcd", k))
    if lsoa is None or not wards:
        raise ValueError(
            f"{where}: not an LSOA→ward lookup: expected columns LSOA{yy_lsoa}CD and WDxxCD (e.g. "
            f"{'WD19CD' if edition == '2019' else 'WD24CD'}); found {', '.join(map(str, header.columns[:8]))}"
        )
    if len(wards) > 1:
        raise ValueError(
            f"{where}: several ward code columns ({', '.join(wards)}); pass a single-vintage lookup"
        )
    yy = wards[0][2:4]
    rename = {lsoa: LSOA_CODE, cols[wards[0]]: s.WARD_CODE}
    lsoa_name = next((cols[k] for k in sorted(_LSOA_NAME_NAMES[vintage]) if k in cols), None)
    if lsoa_name is not None:
        rename[lsoa_name] = LSOA_NAME
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


_POP_VALUE_NAMES = ("population", "total population", "total", "all ages", "all_ages", "observation")


def read_lsoa_population(
    path: Path | str, *, code: str | None = None, value: str | None = None, edition: str = "2025"
) -> pd.Series:
    """LSOA populations (e.g. ONS mid-2024 estimates) from a CSV, to weight ward averages.

    Args:
        path: a CSV (plain or gzipped) with an LSOA code column and a population column,
            such as the BCC lookup (``LSOA21CD, ..., 2024POP``) or an ONS Nomis download.
        code: the LSOA code column, when it is not recognised (``LSOA21CD``, ``LSOA code (2021)``).
        value: the population column, when it is not recognised (a column named like
            ``population`` or ``total``, else the only one whose name holds ``pop``).
        edition: the IoD edition the weights are for; fixes the LSOA vintage.

    Returns:
        Population (float) indexed by LSOA code; ``attrs["column"]`` names the column used.

    Raises:
        ValueError: naming the file, when the columns are not found, the codes are of the
            other LSOA vintage, a code repeats with different values or values are not numbers.
    """
    path = Path(path)
    where = path.name
    vintage = _check_edition(edition)
    try:
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise ValueError(f"{where}: the file is empty; expected LSOA populations") from None
    cols = {_norm(c): str(c) for c in header.columns}
    if code is None:
        if any(k in cols for k in _LSOA_CODE_NAMES[_other(edition)]):
            raise ValueError(
                f"{where}: gives {_other(edition)} LSOAs; IoD{edition} weights need {vintage} LSOAs "
                f"(LSOA{vintage[2:]}CD)"
            )
        code = next((cols[k] for k in sorted(_LSOA_CODE_NAMES[vintage] | _LSOA_ANY_CODE) if k in cols), None)
    if value is None:
        value = next((cols[k] for k in _POP_VALUE_NAMES if k in cols), None)
        if value is None:
            pops = [c for k, c in cols.items() if "pop" in k]
            value = pops[0] if len(pops) == 1 else None
    for role, col, key in (("LSOA code", code, "population_code"), ("population", value, "population_value")):
        if col is None or col not in header.columns:
            raise ValueError(
                f"{where}: cannot find the {role} column (found {', '.join(map(str, header.columns[:8]))}); "
                f'name it with `{key} = "..."`'
            )
    assert code is not None and value is not None
    df = pd.read_csv(
        path, usecols=[code, value], dtype={code: "string", value: "string"}, encoding="utf-8-sig"
    )
    codes = df[code].str.strip()
    num = pd.to_numeric(df[value].str.replace(",", "", regex=False).str.strip(), errors="coerce")
    bad = num.isna() & df[value].notna()
    if bad.any():
        raise ValueError(
            f"{where}: column '{value}' has {int(bad.sum())} values that are not numbers, "
            f"e.g. {df.loc[bad, value].iloc[0]!r}"
        )
    pop = pd.Series(num.astype("float64").to_numpy(), index=pd.Index(codes, dtype="string"))
    pop = pop[pop.index.notna()]
    clash = pop.groupby(level=0).nunique()
    if (clash > 1).any():
        raise ValueError(
            f"{where}: {int((clash > 1).sum())} LSOA codes have more than one population, "
            f"e.g. {clash[clash > 1].index[0]}"
        )
    pop = pop.groupby(level=0).first()
    if pop.empty:
        raise ValueError(f"{where}: has a header but no rows")
    pop.attrs["column"] = value
    return pop
