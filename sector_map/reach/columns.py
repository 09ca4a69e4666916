"""Which columns of a beneficiary file hold what, and so what kind of file it is.

Roles: ``postcode``, ``sector`` (postcode sector, "M33 7"), ``lsoa`` (LSOA code), ``ward`` (ward
code or name), ``count`` (people per row), ``date`` and ``service``. Headers are matched as on the
Data page (case, spaces and punctuation ignored, :func:`sector_map.importers.tables.find_column`);
a place column whose header says nothing is recognised from its values (most of them
postcode-shaped, sector-shaped, or LSOA or ward codes). The values are looked at, never quoted.
"""

from __future__ import annotations

import re

import pandas as pd

from sector_map.importers.tables import InputError, examples, find_column
from sector_map.pack.values import normalise_postcode

__all__ = [
    "KINDS",
    "NAMES",
    "PLACE_ROLES",
    "ROLES",
    "choose_roles",
    "header_below",
    "refuse_headerless",
    "guess_roles",
    "is_lsoa_code",
    "is_sector",
    "is_ward_code",
    "kind_of",
    "normalise_code",
    "normalise_sector",
    "ward_key",
]

# One person (or contact) per row; counts by postcode, postcode sector, LSOA or ward.
KINDS = {
    "people": "one postcode per row (a person or contact)",
    "counts_by_postcode": "counts by postcode",
    "counts_by_sector": "counts by postcode sector",
    "counts_by_lsoa": "counts by LSOA",
    "counts_by_ward": "counts by ward",
}
PLACE_ROLES = ("postcode", "lsoa", "sector", "ward")
ROLES = (*PLACE_ROLES, "count", "date", "service")
# What the page calls each role, in its column mapping.
ROLE_LABELS = {
    "postcode": "Postcode",
    "sector": "Postcode sector",
    "lsoa": "LSOA code",
    "ward": "Ward (code or name)",
    "count": "How many people (count)",
    "date": "Date",
    "service": "Service",
}

# Role → header names (first match wins). Sector names come before postcode names so that
# "Postcode sector" is a sector.
# fmt: off
NAMES: dict[str, list[str]] = {
    "sector": ["postcode sector", "postcode_sector", "pcd sector", "pc sector", "sector"],
    "postcode": ["postcode", "post code", "postal code", "pcds", "pcd", "pcd7", "pcd8", "home postcode",
                 "client postcode", "postcode of residence", "residence postcode", "zip", "zip code"],
    "lsoa": ["lsoa_code", "lsoa code", "lsoa", "lsoa21cd", "lsoa11cd", "lsoa21", "lsoa11", "lsoa cd"],
    "ward": ["ward_code", "ward code", "ward", "ward name", "ward_name", "electoral ward", "wd25cd",
             "wd24cd", "wd23cd", "wd22cd", "wd19cd", "wardcode", "wardname"],
    "count": ["count", "people", "number", "number of people", "beneficiaries", "clients", "users",
              "service users", "participants", "attendees", "contacts", "visits", "attendances", "n",
              "total", "frequency", "headcount"],
    "date": ["date", "visit date", "contact date", "referral date", "date of visit", "date of contact",
             "start date", "session date", "attended", "date attended", "created"],
    "service": ["service", "service name", "programme", "program", "project", "activity", "team",
                "service type", "project name"],
}
# fmt: on
# A header holding one of these is a candidate for the role when no header matches whole.
CONTAINS = {"postcode": ["postcode", "post code"], "lsoa": ["lsoa"], "ward": ["ward"], "service": ["service"]}

_SECTOR = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9]$")
_CODE = {"lsoa": re.compile(r"^[A-Z]01[0-9]{6}$"), "ward": re.compile(r"^[A-Z]05[0-9]{6}$")}
# Share of a sample of filled cells that must look right for a column to be taken by its values.
BY_VALUES = 0.6
_SAMPLE = 500


def normalise_code(values: pd.Series) -> pd.Series:
    """ONS codes upper case without spaces (<NA> stays <NA>)."""
    return values.astype("string").str.upper().str.replace(r"\s+", "", regex=True)


def normalise_sector(values: pd.Series) -> pd.Series:
    """Postcode sectors as ``"M33 7"``; anything not sector-shaped becomes <NA>.

    Example:
        >>> normalise_sector(pd.Series(["m33 7", "M337", "M33 7AB", None])).tolist()
        ['M33 7', 'M33 7', <NA>, <NA>]
    """
    text = values.astype("string").str.upper().str.replace(r"\s+", "", regex=True)
    ok = text.str.match(_SECTOR).fillna(False).astype(bool)
    return (text.str[:-1] + " " + text.str[-1:]).where(ok).astype("string")


def is_sector(values: pd.Series) -> pd.Series:
    return normalise_sector(values).notna().astype(bool)


def is_lsoa_code(values: pd.Series) -> pd.Series:
    return normalise_code(values).str.match(_CODE["lsoa"]).fillna(False).astype(bool)


def is_ward_code(values: pd.Series) -> pd.Series:
    return normalise_code(values).str.match(_CODE["ward"]).fillna(False).astype(bool)


_LOOKS = {
    "postcode": lambda v: normalise_postcode(v).notna(),
    "sector": is_sector,
    "lsoa": is_lsoa_code,
    "ward": is_ward_code,
}


def _share(values: pd.Series, role: str) -> float:
    filled = values.dropna().head(_SAMPLE)
    if filled.empty:
        return 0.0
    return float(_LOOKS[role](filled).mean())


def guess_roles(df: pd.DataFrame, *, ward_names: set[str] | None = None) -> dict[str, str]:
    """Role → the file's column, for the columns that look like one of :data:`ROLES`.

    ``ward_names`` (normalised as by :func:`ward_key`) lets a column of ward names be recognised
    by its values. Each column is used for at most one role.

    Example:
        >>> guess_roles(pd.DataFrame({"Home PC": ["M33 7AB"], "Visits": ["2"], "When": ["2025-01-02"]}))
        {'postcode': 'Home PC', 'count': 'Visits'}
    """
    cols = [str(c) for c in df.columns]
    out: dict[str, str] = {}

    def free() -> list[str]:
        return [c for c in cols if c not in out.values()]

    for role in ROLES:
        hit = find_column(free(), NAMES[role])
        if hit is not None:
            out[role] = hit
    # A "postcode" column of sectors is a sector column (and the other way round).
    if "postcode" in out and "sector" not in out and _share(df[out["postcode"]], "sector") >= BY_VALUES:
        out["sector"] = out.pop("postcode")
    if "sector" in out and "postcode" not in out and _share(df[out["sector"]], "postcode") >= BY_VALUES:
        out["postcode"] = out.pop("sector")
    if not any(r in out for r in PLACE_ROLES):
        for role in PLACE_ROLES:
            for c in free():
                if _share(df[c], role) >= BY_VALUES:
                    out[role] = c
                    break
            if role in out:
                break
    if not any(r in out for r in PLACE_ROLES) and ward_names:
        for c in free():
            filled = df[c].dropna().head(_SAMPLE)
            if len(filled) and float(filled.map(ward_key).isin(ward_names).mean()) >= BY_VALUES:
                out["ward"] = c
                break
    if not any(r in out for r in PLACE_ROLES):
        for role, words in CONTAINS.items():
            if role in PLACE_ROLES and role not in out:
                hit = find_column(free(), words, contains=True)
                if hit is not None:
                    out[role] = hit
                    break
    if "service" not in out:
        hit = find_column(free(), CONTAINS["service"], contains=True)
        if hit is not None:
            out["service"] = hit
    return {r: out[r] for r in ROLES if r in out}


def ward_key(name: object) -> str:
    """A ward name compared without case, punctuation or "and"/"&" differences."""
    return re.sub(r"[^a-z0-9]+", " ", str(name).lower().replace("&", " and ")).strip()


def refuse_headerless(df: pd.DataFrame, filename: str) -> None:
    """Refuse a file whose first row is data: naming it would quote a postcode."""
    names = pd.Series([str(c) for c in df.columns], dtype="string")
    if bool((normalise_postcode(names).notna() | is_sector(names)).any()):
        raise InputError(
            filename,
            "the first row holds a postcode, so it looks like data rather than column names",
            rows=(1,),
            hint="Add a header row naming the columns (e.g. Postcode) and upload it again",
        )


def choose_roles(
    df: pd.DataFrame, filename: str, mapping: dict[str, str | None] | None, ward_names: set[str] | None
) -> dict[str, str]:
    """Role → column: ``mapping`` (a role mapped to None is not used) over the guesses for the
    rest; when the mapping names a place column, no other place column is guessed.

    Raises:
        InputError: the mapping names an unknown role or a column the file does not have.
    """
    mapping = mapping or {}
    unknown = [k for k in mapping if k not in ROLES]
    if unknown:
        raise InputError(
            filename,
            f"the mapping names roles we do not know ({examples(unknown)})",
            hint=f"Use roles from: {', '.join(ROLES)}",
        )
    cols = [str(c) for c in df.columns]
    missing = [v for v in mapping.values() if v and v not in cols]
    if missing:
        raise InputError(
            filename,
            f"has no column {examples(repr(m) for m in missing)} (its columns: {examples(cols, 15)})",
            hint="Choose one of the file's columns",
        )
    given = {k: v for k, v in mapping.items() if v}
    free = df[[c for c in cols if c not in given.values()]]
    guessed = guess_roles(free, ward_names=ward_names)
    if any(p in given for p in PLACE_ROLES):
        guessed = {k: v for k, v in guessed.items() if k not in PLACE_ROLES}
    out = {**{k: v for k, v in guessed.items() if k not in mapping}, **given}
    return {k: out[k] for k in ROLES if k in out}


def kind_of(roles: dict[str, str], df: pd.DataFrame) -> str | None:
    """The kind of file (a key of :data:`KINDS`) the roles make it; None without a place column.

    A postcode column with a count column is "counts by postcode" when each postcode appears
    once, else one row per person or contact with people per row.
    """
    if "postcode" in roles:
        if "count" in roles:
            pcs = normalise_postcode(df[roles["postcode"]]).dropna()
            if len(pcs) and not pcs.duplicated().any():
                return "counts_by_postcode"
        return "people"
    for role in ("lsoa", "sector", "ward"):
        if role in roles:
            return f"counts_by_{role}"
    return None


def header_below(df: pd.DataFrame) -> int | None:
    """The file row of a row near the top that names a place column (a title above the header)."""
    names = {_norm_text(n) for role in PLACE_ROLES for n in NAMES[role]}
    for i, row in df.head(10).iterrows():
        if any(_norm_text(v) in names for v in row.dropna()):
            return int(str(i)) + 2
    return None


def _norm_text(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).strip()
