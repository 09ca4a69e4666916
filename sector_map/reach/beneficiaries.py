"""Reading a beneficiary file from bytes, in memory, down to counts by LSOA.

A charity's file (CSV or XLSX) holds one postcode per person or contact, or counts by postcode,
postcode sector, LSOA or ward (:data:`~sector_map.reach.columns.KINDS`). :func:`read_beneficiaries`
reads it from the uploaded bytes (never from a file on disk), recognises its columns as the Data
page does (or takes a ``mapping``), places every row on the pack's LSOAs
(:mod:`sector_map.reach.resolve`) and keeps only aggregates: counts by LSOA, and people
unmatched by reason. Nothing it returns, raises, warns or logs holds a postcode: problems name
file rows (header = row 1) and columns, never values.

Rows whose count cannot be read ("abc", a negative number, a blank or a suppression marker) are
counted as one person each, under "bad count": a row is at least one contact, and their true
number is unknown. Every person counted is either matched to an LSOA or unmatched for a stated
reason, so ``matched + sum(unmatched) == people``.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sector_map.importers.limits import UPLOAD, Limits, reading_limits
from sector_map.importers.tables import InputError, Notes, examples, read_table_bytes, to_number
from sector_map.pack.validate import Problem
from sector_map.pack.values import normalise_postcode
from sector_map.reach import resolve as r
from sector_map.reach.columns import (
    KINDS,
    PLACE_ROLES,
    choose_roles,
    header_below,
    kind_of,
    normalise_sector,
    refuse_headerless,
    ward_key,
)

if TYPE_CHECKING:
    from sector_map.pack.io import Pack

__all__ = ["LIMITS", "REASONS", "Accounting", "BeneficiaryCounts", "read_beneficiaries"]

REASONS = r.REASONS
# A charity's contact list can be long; other upload limits as on the Data page.
LIMITS = replace(UPLOAD, rows=1_000_000, label="a beneficiary file", elsewhere="", cache=False)
MAX_PROBLEMS = 12
MAX_ROWS_NAMED = 10
WHAT = "a table of beneficiaries: a postcode column, or counts by postcode sector, LSOA or ward"
# Anything shaped like a postcode in text we hand back (a last guard: messages never quote cells).
_POSTCODE_IN_TEXT = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b", re.IGNORECASE)
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S")


@dataclass
class Accounting:
    """Where everyone in the file went. People are the count column's numbers (or 1 per row)."""

    rows_read: int = 0  # data rows (wholly blank rows are skipped by the reader)
    rows_left_out: int = 0  # rows the date or service filter left out (not in ``people``)
    people: float = 0.0
    matched: float = 0.0
    unmatched: dict[str, float] = field(default_factory=lambda: dict.fromkeys(REASONS, 0.0))
    unmatched_rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))

    @property
    def unmatched_total(self) -> float:
        return float(sum(self.unmatched.values()))


@dataclass
class BeneficiaryCounts:
    """Aggregates only: no postcode is held here."""

    by_lsoa: pd.Series  # pack lsoa_code → people (float: sectors and wards are shared out)
    accounting: Accounting
    kind: str  # a key of KINDS
    columns: dict[str, str]  # role → the file's column
    method: list[str]
    problems: list[str]
    notes: list[str] = field(default_factory=list)  # how the file was read (encoding, sheets...)
    services: list[str] = field(default_factory=list)  # service names seen (before filtering)
    date_range: tuple[dt.date | None, dt.date | None] = (None, None)  # dates seen
    headers: list[str] = field(default_factory=list)  # the file's column names, for the mapping

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]


def scrub(text: str) -> str:
    """``text`` with anything shaped like a postcode replaced by "[postcode]"."""
    return _POSTCODE_IN_TEXT.sub("[postcode]", text)


def read_beneficiaries(
    data: bytes,
    filename: str,
    pack: Pack,
    *,
    mapping: dict[str, str | None] | None = None,
    postcodes_file: str | Path | None = None,
    date_from: dt.date | str | None = None,
    date_to: dt.date | str | None = None,
    services: list[str] | None = None,
    sheet: str | int | None = None,
    limits: Limits = LIMITS,
) -> BeneficiaryCounts:
    """Counts by the pack's LSOAs from a beneficiary file's bytes (see the module docstring).

    Args:
        data: the file's bytes (CSV/TSV, gzipped or not, any of UTF-8, UTF-8 with BOM,
            Windows-1252, UTF-16; or XLSX).
        filename: the name to give in messages.
        pack: the area's pack; needs ``lsoas`` and, for postcodes and sectors, ``postcodes``
            with an ``lsoa_code`` column.
        mapping: role (``postcode``, ``sector``, ``lsoa``, ``ward``, ``count``, ``date``,
            ``service``) → column, overriding the guesses; a role mapped to None is not used.
        postcodes_file: a national postcode file (Code-Point Open or ONSPD), only to tell
            "outside the area" from "not found".
        date_from, date_to: keep rows dated within these (inclusive); needs a date column.
        services: keep rows whose service is one of these (case ignored); needs a service column.
        sheet: the workbook sheet (default the first).
        limits: the most the reader takes from the file.

    Raises:
        InputError: the file cannot be read, has no usable column, or the pack has no LSOAs. The
            message names rows and columns, never a value.
    """
    failure: InputError | None = None
    try:
        return _read(
            data, filename, pack, mapping, postcodes_file, date_from, date_to, services, sheet, limits
        )
    except InputError as e:
        failure = InputError(filename, _scrubbed_text(e, filename), hint=scrub(e.hint) if e.hint else None)
    except Exception as e:  # noqa: BLE001 (anything else would carry the library's text, maybe a value)
        failure = InputError(
            filename,
            f"could not be read ({type(e).__name__})",
            hint="Check it is the table you meant, and save it again as CSV UTF-8",
        )
    raise failure  # outside the except blocks: no chained exception carries the original text


def file_columns(data: bytes, filename: str, *, sheet: str | int | None = None) -> list[str]:
    """The file's column names, for the page's column mapping; [] when it cannot be read or has no
    header row (a first row of postcodes is data, never offered as names)."""
    try:
        with reading_limits(LIMITS):
            df = read_table_bytes(data, filename, what=WHAT, sheet=sheet, notes=Notes())
        refuse_headerless(df, filename)
    except Exception:  # noqa: BLE001 (read_beneficiaries reports the problem, scrubbed)
        return []
    return [str(c) for c in df.columns]


def _scrubbed_text(e: InputError, filename: str) -> str:
    text = e.problem.message()
    prefix = f"{e.problem.file}: "
    return scrub(text[len(prefix) :] if text.startswith(prefix) else text)


def _read(
    data: bytes,
    filename: str,
    pack: Pack,
    mapping: dict[str, str | None] | None,
    postcodes_file: str | Path | None,
    date_from: dt.date | str | None,
    date_to: dt.date | str | None,
    services: list[str] | None,
    sheet: str | int | None,
    limits: Limits,
) -> BeneficiaryCounts:
    lsoas = getattr(pack, "lsoas", None)
    if lsoas is None or len(lsoas) == 0:
        raise InputError(
            filename,
            "cannot be placed: this pack has no LSOA table (lsoas.parquet)",
            hint="Rebuild the pack with build-pack from a recipe with an [imd2025] or [imd2019] section",
        )
    got = Notes()
    with reading_limits(limits):
        df = read_table_bytes(data, filename, what=WHAT, sheet=sheet, notes=got)
    df = df.dropna(how="all")
    refuse_headerless(df, filename)
    wards = pack.wards
    names = {ward_key(n) for n in wards["ward_name"].dropna()} if "ward_name" in wards else None
    roles = choose_roles(df, filename, mapping, names)
    kind = kind_of(roles, df)
    if kind is None:
        header = header_below(df)
        if header is not None:
            raise InputError(
                filename,
                f"the column names seem to be on row {header}, not row 1",
                rows=(header,),
                hint="Delete the rows above the column names (titles, notes) and upload it again",
            )
        raise InputError(
            filename,
            "has no column of postcodes, postcode sectors, LSOA codes or wards "
            f"(its columns: {examples(df.columns, 15)})",
            hint="Name the column holding places in the mapping (e.g. postcode → your postcode column)",
        )
    place_role = next(p for p in PLACE_ROLES if p in roles)
    roles = {k: v for k, v in roles.items() if k not in PLACE_ROLES or k == place_role}  # the one used
    acc = Accounting(rows_read=len(df))
    problems: list[str] = []
    seen_services = _services_seen(df, roles)
    seen_dates, keep = _filters(df, roles, date_from, date_to, services, filename, problems)
    acc.rows_left_out = int((~keep).sum())
    df = df[keep]

    people, bad = _people(df, roles)
    alloc, ambiguous, method = _allocate(df[roles[place_role]].where(~bad), kind, pack, lsoas, postcodes_file)
    alloc = alloc[alloc[r.ROW].isin(df.index[~bad])]
    bad_alloc = pd.DataFrame(
        {r.ROW: df.index[bad], r.LSOA_CODE: pd.NA, r.REASON: r.BAD_COUNT, r.SHARE: 1.0}
    ).astype({r.LSOA_CODE: "string", r.REASON: "string"})
    alloc = pd.concat([alloc, bad_alloc], ignore_index=True) if bad.any() else alloc
    alloc["people"] = alloc[r.SHARE] * alloc[r.ROW].map(people).astype("float64")

    matched = alloc[alloc[r.LSOA_CODE].notna()]
    codes = lsoas[r.LSOA_CODE].astype(str)
    by_lsoa = matched.groupby(r.LSOA_CODE)["people"].sum().reindex(codes, fill_value=0.0).astype("float64")
    by_lsoa.index = pd.Index(codes.to_numpy(), name=r.LSOA_CODE)
    by_lsoa.name = "beneficiaries"
    acc.people = float(people.sum())
    acc.matched = float(matched["people"].sum())
    off = alloc[alloc[r.REASON].notna()]
    for reason in REASONS:
        mine = off[off[r.REASON] == reason]
        acc.unmatched[reason] = float(mine["people"].sum())
        acc.unmatched_rows[reason] = int(mine[r.ROW].nunique())
    problems += _problems(off, ambiguous)
    if bad.any():
        method.append(
            "Rows whose count could not be read (a word, a negative number, a blank or a suppression "
            "mark) are counted as one person each and not placed ('bad count')."
        )
    return BeneficiaryCounts(
        headers=[str(c) for c in df.columns],
        by_lsoa=by_lsoa,
        accounting=acc,
        kind=kind,
        columns=roles,
        method=[scrub(m) for m in _kind_method(kind, roles) + method],
        problems=[scrub(p) for p in problems[:MAX_PROBLEMS]]
        + ([f"and {len(problems) - MAX_PROBLEMS} more problems"] if len(problems) > MAX_PROBLEMS else []),
        notes=[scrub(_note_text(p, filename)) for p in got],
        services=seen_services,
        date_range=seen_dates,
    )


def _note_text(problem: Problem, filename: str) -> str:
    return problem.message().removeprefix(f"{filename}: ")


def _services_seen(df: pd.DataFrame, roles: dict[str, str]) -> list[str]:
    if "service" not in roles:
        return []
    return sorted(df[roles["service"]].dropna().astype(str).unique().tolist())


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates written as people and spreadsheets write them (day first, as in the UK)."""
    text = values.astype("string").str.strip()
    best = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for fmt in _DATE_FORMATS:  # each format fills only the cells no earlier one read
        if best.notna().sum() == text.notna().sum():
            break
        best = best.fillna(pd.to_datetime(text.where(best.isna()), format=fmt, errors="coerce"))
    if best.notna().sum() < text.notna().sum():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loose = pd.to_datetime(text, errors="coerce", dayfirst=True, format="mixed")
        best = best.fillna(loose)
    return best


def _as_date(value: dt.date | str | None) -> pd.Timestamp | None:
    if value is None or value == "":
        return None
    return pd.Timestamp(value)


def _filters(
    df: pd.DataFrame,
    roles: dict[str, str],
    date_from: dt.date | str | None,
    date_to: dt.date | str | None,
    services: list[str] | None,
    filename: str,
    problems: list[str],
) -> tuple[tuple[dt.date | None, dt.date | None], pd.Series]:
    keep = pd.Series(True, index=df.index)
    seen: tuple[dt.date | None, dt.date | None] = (None, None)
    start, end = _as_date(date_from), _as_date(date_to)
    if "date" in roles:
        dates = parse_dates(df[roles["date"]])
        if dates.notna().any():
            seen = (dates.min().date(), dates.max().date())
        if start is not None or end is not None:
            unreadable = dates.isna()
            if unreadable.any():
                problems.append(
                    _rows_sentence(df.index[unreadable], "no readable date, so left out by the date filter")
                )
            keep &= ~unreadable
            if start is not None:
                keep &= dates >= start
            if end is not None:
                keep &= dates < end + pd.Timedelta(days=1)
    elif start is not None or end is not None:
        raise InputError(
            filename,
            "has no date column, so it cannot be filtered by date",
            hint="Name the date column in the mapping, or clear the dates",
        )
    if services:
        if "service" not in roles:
            raise InputError(
                filename,
                "has no service column, so it cannot be filtered by service",
                hint="Name the service column in the mapping, or clear the services",
            )
        wanted = {x.strip().casefold() for x in services}
        keep &= df[roles["service"]].astype("string").str.strip().str.casefold().isin(wanted).fillna(False)
    return seen, keep.astype(bool)


def _people(df: pd.DataFrame, roles: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """People per row and the rows whose count cannot be read (counted as one each)."""
    if "count" not in roles:
        return pd.Series(1.0, index=df.index), pd.Series(False, index=df.index)
    n, _ = to_number(df[roles["count"]])
    bad = (n.isna() | (n < 0)).astype(bool)
    return n.where(~bad, 1.0).astype("float64"), bad


def _allocate(
    raw: pd.Series, kind: str, pack: Pack, lsoas: pd.DataFrame, postcodes_file: str | Path | None
) -> tuple[r.Allocation, pd.Series, list[str]]:
    method: list[str] = []
    none = pd.Series(False, index=raw.index)
    if kind in ("counts_by_lsoa", "counts_by_ward"):
        if kind == "counts_by_lsoa":
            return r.by_lsoa(raw, lsoas), none, method
        alloc, ambiguous = r.by_ward(raw, pack.wards, lsoas)
        return alloc, ambiguous, method
    table = pack.postcodes
    if table is None or r.LSOA_CODE not in table.columns:
        raise InputError(
            "the pack",
            "has no postcodes placed in LSOAs, so postcodes and postcode sectors cannot be placed",
            hint="Rebuild the pack with a postcode file and LSOA boundaries, or upload counts by LSOA or ward",
        )
    national = None
    if postcodes_file is not None:
        if kind == "counts_by_sector":
            sectors = normalise_sector(raw).dropna()
            national = r.scan_national(postcodes_file, postcodes=set(), sectors=set(sectors))
        else:
            key = normalise_postcode(raw).dropna()
            away = key[~key.isin(set(normalise_postcode(table["postcode"]).dropna()))]
            national = r.scan_national(postcodes_file, postcodes=set(away), sectors=set())
        method.append(
            f"A postcode found in the national postcode file ({Path(postcodes_file).name}) but not in the "
            "area's postcode table is counted as outside the area; one in neither as not found."
        )
    else:
        method.append(
            "Without a national postcode file, a postcode whose district (e.g. M33) holds none of the "
            "area's postcodes is counted as outside the area, and one in the area's districts but not "
            "in its postcode table as not found."
        )
    if kind == "counts_by_sector":
        return r.by_sector(raw, table, lsoas, national), none, method
    return r.by_postcode(raw, table, lsoas, national), none, method


def _kind_method(kind: str, roles: dict[str, str]) -> list[str]:
    people = (
        f"People per row are read from the column '{roles['count']}'."
        if "count" in roles
        else "Each row counts as one person."
    )
    text = {
        "people": "Each row is a person or contact with a postcode, placed in its LSOA through the "
        "area's postcode table.",
        "counts_by_postcode": "Counts by postcode, each placed in its LSOA through the area's postcode table.",
        "counts_by_sector": "Each postcode sector's count is shared over LSOAs by the share of the "
        "sector's postcodes (in the area's postcode table) lying in each LSOA. Without a national "
        "postcode file the sharing covers only the area's postcodes, so a sector partly outside the "
        "area counts wholly inside it; with one, the part of the sector outside the area counts as "
        "outside the area.",
        "counts_by_lsoa": "Counts by LSOA are used as they are; LSOA codes not in the area count as "
        "outside the area.",
        "counts_by_ward": "Each ward's count is shared over the ward's LSOAs by population. This assumes "
        "reach is even within each ward, which understates differences within wards.",
    }[kind]
    return [text, people]


def _rows_sentence(index: pd.Index, what: str) -> str:
    rows = sorted(int(i) + 2 for i in index)
    shown = [str(x) for x in rows[:MAX_ROWS_NAMED]]
    if len(rows) > MAX_ROWS_NAMED:
        listed = ", ".join(shown) + f" and {len(rows) - MAX_ROWS_NAMED} more"
    else:
        listed = ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1]
    return f"{'row' if len(rows) == 1 else 'rows'} {listed}: {what}"


def _problems(off: pd.DataFrame, ambiguous: pd.Series) -> list[str]:
    out = []
    whole = off.groupby([r.ROW, r.REASON])[r.SHARE].sum().reset_index()
    whole = whole[whole[r.SHARE] > 1 - 1e-9]
    for reason in REASONS:
        rows = pd.Index(whole.loc[whole[r.REASON] == reason, r.ROW])
        if len(rows):
            out.append(_rows_sentence(rows, reason))
    if ambiguous.any():
        out.append(
            _rows_sentence(
                ambiguous.index[ambiguous], "the ward name matches more than one ward; give ward codes"
            )
        )
    return out
