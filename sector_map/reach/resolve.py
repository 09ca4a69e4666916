"""Beneficiaries' places to the pack's LSOAs, in memory: postcodes, postcode sectors, LSOAs, wards.

Each function takes one column of a beneficiary file and returns an *allocation*: for each row,
the share of its people that goes to each pack LSOA, or to a reason it could not be placed
(:data:`REASONS`). A row's shares add up to 1, so people matched plus people unmatched is always
everyone counted.

* **Postcodes** are looked up in the pack's postcode table (its ``lsoa_code`` column).
* **Postcode sectors** ("M33 7") are shared over LSOAs by where the sector's pack postcodes are.
* **LSOA codes** are taken as they are.
* **Wards** (codes or names) are shared over the ward's LSOAs by their population.

A national postcode file (:func:`scan_national`) only tells a postcode outside the area from one
that does not exist; it is read a chunk at a time and only the uploaded postcodes' rows are kept,
in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sector_map.importers.limits import BUILD, reading_limits
from sector_map.importers.tables import find_column, read_table
from sector_map.pack import schema as s
from sector_map.pack.values import normalise_postcode
from sector_map.reach.columns import (
    is_lsoa_code,
    is_ward_code,
    normalise_code,
    normalise_sector,
    ward_key,
)

__all__ = [
    "REASONS",
    "Allocation",
    "National",
    "by_lsoa",
    "by_postcode",
    "by_sector",
    "by_ward",
    "outward",
    "scan_national",
]

LSOA_CODE = "lsoa_code"
BLANK, NOT_POSTCODE, NOT_FOUND, OUTSIDE, NO_LSOA, BAD_COUNT = (
    "blank",
    "not a postcode",
    "not found",
    "outside the area",
    "no LSOA",
    "bad count",
)
REASONS = (NOT_POSTCODE, NOT_FOUND, OUTSIDE, NO_LSOA, BLANK, BAD_COUNT)
# Allocation columns: the file row's position, the LSOA (or <NA>), the reason (or <NA>), the share.
ROW, REASON, SHARE = "row", "reason", "share"

_NATIONAL_POSTCODE = ["pcds", "pcd", "pcd7", "pcd8", "pcd2", "postcode", "post code"]


@dataclass
class National:
    """What a national postcode file says about the uploaded places (held in memory only)."""

    postcodes: set[str] = field(default_factory=set)  # uploaded postcodes (no spaces) it holds
    sectors: dict[str, int] = field(default_factory=dict)  # uploaded sectors → postcodes in it


Allocation = pd.DataFrame


def _alloc(rows: pd.Index, lsoa: pd.Series | None = None, reason: pd.Series | None = None) -> Allocation:
    n = len(rows)
    return pd.DataFrame(
        {
            ROW: rows.to_numpy(),
            LSOA_CODE: (lsoa if lsoa is not None else pd.Series([pd.NA] * n)).astype("string").to_numpy(),
            REASON: (reason if reason is not None else pd.Series([pd.NA] * n)).astype("string").to_numpy(),
            SHARE: 1.0,
        }
    )


def outward(postcodes: pd.Series) -> pd.Series:
    """The outward code (district, "M33") of normalised postcodes or sectors."""
    return postcodes.astype("string").str.split(" ").str[0]


def _compact(values: pd.Series) -> pd.Series:
    return values.astype("string").str.upper().str.replace(r"\s+", "", regex=True)


def scan_national(path: str | Path, *, postcodes: set[str], sectors: set[str]) -> National:
    """Which of ``postcodes`` (normalised, "M33 7AB") a national file holds, and how many postcodes
    each of ``sectors`` ("M33 7") has there. Code-Point Open or ONSPD-like, gzipped or not.

    Only rows with one of those postcodes or sectors are kept, a chunk at a time; nothing is written.
    """
    want_pc = {p.replace(" ", "") for p in postcodes}
    want_sec = {x.replace(" ", "") for x in sectors}

    def keep(chunk: pd.DataFrame) -> pd.DataFrame:
        col = find_column(list(chunk.columns), _NATIONAL_POSTCODE)
        if col is None:
            return chunk.iloc[:0]
        key = _compact(chunk[col])
        hit = key.isin(want_pc) | key.str[:-2].isin(want_sec)
        return chunk.loc[hit.fillna(False).astype(bool)]

    with reading_limits(BUILD):  # a national file is no upload; and BUILD never caches
        df = read_table(path, what="a national postcode file (Code-Point Open or ONSPD)", rows=keep)
    col = find_column(list(df.columns), _NATIONAL_POSTCODE)
    if col is None:
        return National()
    key = _compact(df[col]).dropna().drop_duplicates()
    sec = key.str[:-2]
    counts = sec[sec.isin(want_sec)].value_counts()
    by_sector = {f"{str(k)[:-1]} {str(k)[-1]}": int(v) for k, v in counts.items()}
    return National(postcodes=set(key[key.isin(want_pc)]), sectors=by_sector)


def _pack_postcodes(postcodes: pd.DataFrame, lsoas: pd.DataFrame) -> pd.DataFrame:
    """The pack's postcodes with their LSOA, <NA> where it has none or one not in the LSOA table."""
    pc = normalise_postcode(postcodes[s.POSTCODE])
    lsoa = (
        postcodes[LSOA_CODE].astype("string")
        if LSOA_CODE in postcodes.columns
        else pd.Series(pd.NA, index=postcodes.index, dtype="string")
    )
    lsoa = lsoa.where(lsoa.isin(set(lsoas[LSOA_CODE].astype(str))))
    out = pd.DataFrame({s.POSTCODE: pc, LSOA_CODE: lsoa}).dropna(subset=[s.POSTCODE])
    return out.drop_duplicates(s.POSTCODE)


def _elsewhere(district: pd.Series, found: pd.Series | None, pack_districts: set[str]) -> pd.Series:
    """Outside the area or not found, for places not in the pack.

    With a national file, outside = it exists there. Without, outside = its district holds none of
    the pack's postcodes (a place in one of the area's districts may just be missing).
    """
    outside = found if found is not None else ~district.isin(pack_districts)
    return pd.Series(OUTSIDE, index=district.index, dtype="string").where(
        outside.fillna(False).astype(bool), NOT_FOUND
    )


def by_postcode(
    raw: pd.Series, postcodes: pd.DataFrame, lsoas: pd.DataFrame, national: National | None = None
) -> Allocation:
    """Each row's postcode to its pack LSOA, or to blank / not a postcode / not found / outside the
    area / no LSOA."""
    table = _pack_postcodes(postcodes, lsoas)
    key = normalise_postcode(raw)
    in_pack = key.isin(set(table[s.POSTCODE]))
    lsoa = key.map(table.set_index(s.POSTCODE)[LSOA_CODE]).astype("string")
    reason = pd.Series(pd.NA, index=raw.index, dtype="string")
    reason[raw.isna()] = BLANK
    reason[raw.notna() & key.isna()] = NOT_POSTCODE
    reason[in_pack & lsoa.isna()] = NO_LSOA
    away = key.notna() & ~in_pack
    if away.any():
        found = key[away].str.replace(" ", "").isin(national.postcodes) if national is not None else None
        pack_districts = set(outward(table[s.POSTCODE]))
        reason[away] = _elsewhere(outward(key[away]), found, pack_districts)
    return _alloc(raw.index, lsoa.where(reason.isna()), reason)


def by_sector(
    raw: pd.Series, postcodes: pd.DataFrame, lsoas: pd.DataFrame, national: National | None = None
) -> Allocation:
    """Each row's sector shared over LSOAs by where the sector's pack postcodes are (and, with a
    national file, the part of the sector outside the pack to "outside the area")."""
    table = _pack_postcodes(postcodes, lsoas)
    table["sector"] = table[s.POSTCODE].str[:-2]
    key = normalise_sector(raw)
    reason = pd.Series(pd.NA, index=raw.index, dtype="string")
    reason[raw.isna()] = BLANK
    reason[raw.notna() & key.isna()] = NOT_POSTCODE
    in_pack = key.isin(set(table["sector"]))
    away = key.notna() & ~in_pack
    if away.any():
        found = key[away].map(lambda x: x in national.sectors) if national is not None else None
        reason[away] = _elsewhere(outward(key[away]), found, set(outward(table[s.POSTCODE])))
    parts = [_alloc(raw.index[reason.notna()], reason=reason[reason.notna()])]
    inside = key[in_pack]
    if len(inside):
        per = table[table["sector"].isin(set(inside))].copy()
        per[LSOA_CODE] = per[LSOA_CODE].fillna("\0")  # no LSOA, kept as a group for now
        n = per.groupby(["sector", LSOA_CODE]).size().rename("n").reset_index()
        total = n.groupby("sector")["n"].transform("sum").astype("float64")
        if national is not None:
            nat = n["sector"].map(national.sectors).astype("float64").fillna(0.0)
            total = pd.concat([total, nat], axis=1).max(axis=1)
        n[SHARE] = n["n"] / total
        rows = pd.DataFrame({ROW: raw.index[in_pack].to_numpy(), "sector": inside.to_numpy()})
        got = rows.merge(n, on="sector")
        got[REASON] = pd.Series(pd.NA, index=got.index, dtype="string").where(got[LSOA_CODE] != "\0", NO_LSOA)
        got[LSOA_CODE] = got[LSOA_CODE].where(got[LSOA_CODE] != "\0")
        parts.append(got[[ROW, LSOA_CODE, REASON, SHARE]])
        rest = 1.0 - got.groupby(ROW)[SHARE].sum()
        rest = rest[rest > 1e-12]
        if len(rest):
            out = _alloc(pd.Index(rest.index), reason=pd.Series([OUTSIDE] * len(rest)))
            out[SHARE] = rest.to_numpy()
            parts.append(out)
    return _concat(parts)


def by_lsoa(raw: pd.Series, lsoas: pd.DataFrame) -> Allocation:
    """Each row's LSOA code as it is: in the pack, outside the area (an LSOA code not in the pack),
    or not found."""
    key = normalise_code(raw)
    known = key.isin(set(lsoas[LSOA_CODE].astype(str)))
    reason = pd.Series(pd.NA, index=raw.index, dtype="string")
    reason[raw.isna()] = BLANK
    reason[raw.notna() & ~known] = NOT_FOUND
    reason[raw.notna() & ~known & is_lsoa_code(raw)] = OUTSIDE
    return _alloc(raw.index, key.where(known), reason)


def by_ward(raw: pd.Series, wards: pd.DataFrame, lsoas: pd.DataFrame) -> tuple[Allocation, pd.Series]:
    """Each row's ward (code or name) shared over its LSOAs by population.

    Returns the allocation and a mask of rows whose name matches more than one pack ward (these
    are "not found": the file should give codes).
    """
    codes = wards[s.WARD_CODE].astype(str)
    code = normalise_code(raw)
    ward = code.where(code.isin(set(codes)))
    names = pd.DataFrame({"key": wards[s.WARD_NAME].map(ward_key), s.WARD_CODE: codes.to_numpy()})
    twice = names["key"].duplicated(keep=False)
    unique = names[~twice].set_index("key")[s.WARD_CODE]
    key = raw.map(ward_key, na_action="ignore")
    ward = ward.fillna(key.map(unique).astype("string"))
    ambiguous = ward.isna() & key.isin(set(names.loc[twice, "key"]))
    reason = pd.Series(pd.NA, index=raw.index, dtype="string")
    reason[raw.isna()] = BLANK
    reason[raw.notna() & ward.isna()] = NOT_FOUND
    reason[raw.notna() & ward.isna() & is_ward_code(raw)] = OUTSIDE
    pop = lsoas[[LSOA_CODE, s.WARD_CODE, s.POPULATION]].copy()
    pop[s.POPULATION] = pd.to_numeric(pop[s.POPULATION], errors="coerce").fillna(0.0).clip(lower=0.0)
    pop = pop[pop[s.POPULATION] > 0]
    pop[SHARE] = pop[s.POPULATION] / pop.groupby(s.WARD_CODE)[s.POPULATION].transform("sum")
    reason[ward.notna() & ~ward.isin(set(pop[s.WARD_CODE].astype(str)))] = NO_LSOA
    parts = [_alloc(raw.index[reason.notna()], reason=reason[reason.notna()])]
    placed = ward[reason.isna()]
    rows = pd.DataFrame({ROW: placed.index.to_numpy(), s.WARD_CODE: placed.to_numpy(dtype=object)})
    got = rows.merge(pop.astype({s.WARD_CODE: object}), on=s.WARD_CODE)
    got[REASON] = pd.Series(pd.NA, index=got.index, dtype="string")
    parts.append(got[[ROW, LSOA_CODE, REASON, SHARE]])
    return _concat(parts), ambiguous.fillna(False).astype(bool)


def _concat(parts: list[pd.DataFrame]) -> Allocation:
    parts = [p for p in parts if len(p)]
    if not parts:
        return _alloc(pd.Index([]))
    out = pd.concat(parts, ignore_index=True)
    out[LSOA_CODE] = out[LSOA_CODE].astype("string")
    out[REASON] = out[REASON].astype("string")
    out[SHARE] = out[SHARE].astype("float64")
    return out
