"""360Giving grants: recipient organisations and their funded work, and ward grant totals.

Reads files in the 360Giving Data Standard as funders and GrantNav publish them: flattened
CSV/XLSX (column titles such as ``Recipient Org:Charity Number`` or
``Beneficiary Location:0:Geographic Code``, matched ignoring case, spaces and punctuation) or
the standard's JSON (``{"grants": [...]}``). Each recipient organisation becomes one raw
organisation (grants total, funders, latest award, themes from what the grants were for) and,
where the grants name the wards that benefit, one service summarising the funded work.

Decisions:
    * A grant with no ward-level beneficiary location (geographic code type ``WD`` or an ONS
      ward code) gives no service: knowing where an organisation is based says nothing about
      which wards its funded work reaches, and a "whole area" service would overstate it. The
      organisation itself is still mapped at its postcode.
    * Grants in other currencies are counted but left out of ``grants_total`` (pounds only).
    * Grants with no readable amount are skipped; grants with an unreadable award date are
      kept but do not count towards ``latest_award``. Both are reported with their rows.
    * Grants to individuals are never made into organisations; they are only counted.

:func:`ward_grant_indicators` reads GrantNav grants already aggregated by funder, year and
recipient ward (no recipient organisations) into two ward indicators.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from sector_map.importers import records as r
from sector_map.importers.giving360_read import BEN_LOCS, REC_LOCS, read_grants, with_recipient_ids
from sector_map.importers.tables import InputError, Notes, examples, find_column, read_table, to_number
from sector_map.pack import schema as s

__all__ = ["SOURCE", "read_360giving", "read_grants", "ward_grant_indicators"]

SOURCE = "360Giving"
INDICATOR_AMOUNT = "grants_360g_amount"
INDICATOR_COUNT = "grants_360g_count"
REASON_WHAT = "grant descriptions"  # reasons read "grant descriptions mention 'food bank'"

_IND_ID = re.compile(r"-IND(?![A-Z])", re.IGNORECASE)
_IND_NAMES = {"individual", "individuals", "individual recipient", "individual recipients"}
_CIC_NAME = re.compile(r"\b(?:cic|c\.i\.c\.?|community interest company)$", re.IGNORECASE)
WARD_CODE_RE = re.compile(r"^(E05|W05|S13|N08)\d{6}$")


def read_360giving(
    path: Path | str,
    *,
    source: str | None = None,
    recipients_in: set[str] | None = None,
    notes: Notes | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw organisations (one per recipient) and services (their funded work) from a 360Giving file.

    Args:
        path: a 360Giving CSV/XLSX (plain or gzipped) or JSON file.
        source: the ``source`` value to record; defaults to "360Giving: <file name>".
        recipients_in: ward and/or local authority codes; when given, only grants whose
            beneficiary or recipient location is one of them are kept.
        notes: gathers warnings (skipped rows, individuals, other currencies, the area filter).

    Returns:
        ``(organisations, services)`` as :func:`records.raw_org_frame` and
        :func:`records.raw_service_frame`. Services have ``area_type`` "wards" and an extra
        ``themes_reason`` column; recipients whose grants name no benefiting ward get none.

    Raises:
        InputError: unreadable file, no grants, or a file without recipient organisations
            (such as grants aggregated by ward: see :func:`ward_grant_indicators`).
    """
    path = Path(path)
    file = path.name
    notes = notes if notes is not None else Notes()
    source = source or f"{SOURCE}: {file}"
    grants, rows_label = read_grants(path, notes=notes)

    grants = _with_amounts(grants, file, rows_label, notes)
    if recipients_in is not None:
        grants = _in_area(grants, {str(c).strip().upper() for c in recipients_in}, file, notes)
    grants = _drop_individuals(grants, file, rows_label, notes)
    if grants.empty:
        return r.raw_org_frame(), r.raw_service_frame()

    grants = with_recipient_ids(grants)
    _note_other_currencies(grants, file, rows_label, notes)
    orgs = _organisations(grants, source)
    ward_filter = {c for c in (recipients_in or ()) if WARD_CODE_RE.match(str(c).strip().upper())}
    services = _services(grants, orgs, source, {c.upper() for c in ward_filter})
    return orgs, services


# --- grants ---------------------------------------------------------------------------------
def _with_amounts(grants: pd.DataFrame, file: str, rows_label: str, notes: Notes) -> pd.DataFrame:
    amount, bad = to_number(grants["amount"])
    missing = amount.isna()
    if missing.any():
        what = "an amount that is not a number" if bad[missing].all() else "no readable amount"
        notes.add(
            file,
            f"{int(missing.sum())} grant(s) have {what} in `Amount Awarded` and were skipped{rows_label}",
            column="Amount Awarded",
            rows=grants.loc[missing, "_row"],
        )
    dates = _parse_dates(grants["award_date"])
    bad_date = dates.isna() & grants["award_date"].notna()
    no_date = grants["award_date"].isna()
    for mask, text in ((bad_date, "an award date that could not be read"), (no_date, "no award date")):
        mask = mask & ~missing
        if mask.any():
            notes.add(
                file,
                f"{int(mask.sum())} grant(s) have {text}; they count towards the totals but not the "
                f"latest award{rows_label}",
                column="Award Date",
                rows=grants.loc[mask, "_row"],
            )
    out = grants.assign(amount=amount, award_date=dates)
    return out[~missing].reset_index(drop=True)


def _parse_dates(values: pd.Series) -> pd.Series:
    """Award dates as days: ISO 8601 (as the standard asks; the date part, whatever the time zone)
    first, then day-first dates as Excel users type them."""
    text = values.astype("string").str.strip()
    iso = text.str.extract(r"^(\d{4}-\d{2}-\d{2})", expand=False)
    dates = pd.to_datetime(iso, errors="coerce", format="%Y-%m-%d")
    dates = dates.fillna(pd.to_datetime(text.str.slice(0, 10), errors="coerce", format="%d/%m/%Y"))
    rest = dates.isna() & text.notna()
    for i in rest[rest].index:
        with contextlib.suppress(ValueError, TypeError, OverflowError):
            dates[i] = pd.to_datetime(text[i], dayfirst=True).tz_localize(None)
    return dates


def _in_area(grants: pd.DataFrame, codes: set[str], file: str, notes: Notes) -> pd.DataFrame:
    places = grants[BEN_LOCS] + grants[REC_LOCS]
    keep = places.map(lambda locs: any(code in codes for code, _type in locs)).astype(bool)
    notes.add(
        file,
        f"kept {int(keep.sum())} of {len(grants)} grants whose beneficiary or recipient location is one "
        f"of the {len(codes)} area codes given; grants with no location codes cannot be placed and "
        "were left out",
    )
    return grants[keep].reset_index(drop=True)


def _drop_individuals(grants: pd.DataFrame, file: str, rows_label: str, notes: Notes) -> pd.DataFrame:
    rid = grants["recipient_id"].fillna("")
    name = grants["recipient_name"].fillna("").str.strip().str.lower()
    no_org = grants[["recipient_id", "recipient_name", "charity_number", "company_number"]].isna().all(axis=1)
    individual = rid.str.contains(_IND_ID) | name.isin(_IND_NAMES) | no_org
    individual = individual.fillna(False).astype(bool)
    if individual.any():
        total = grants.loc[individual, "amount"].sum()
        notes.add(
            file,
            f"{int(individual.sum())} grant(s) (£{total:,.0f}) went to individuals or name no recipient "
            f"organisation; they are counted here but not mapped{rows_label}",
            rows=grants.loc[individual, "_row"],
        )
    return grants[~individual].reset_index(drop=True)


def _note_other_currencies(grants: pd.DataFrame, file: str, rows_label: str, notes: Notes) -> None:
    other = grants["currency"].notna() & (grants["currency"].str.upper() != "GBP")
    if other.any():
        found = examples(sorted(grants.loc[other, "currency"].str.upper().unique()))
        notes.add(
            file,
            f"{int(other.sum())} grant(s) are in other currencies ({found}); they are counted but left "
            f"out of the £ totals{rows_label}",
            column="Currency",
            rows=grants.loc[other, "_row"],
        )


# --- organisations and services ----------------------------------------------------------------
def _texts(grants: pd.DataFrame) -> pd.Series:
    """One text per recipient: the distinct titles and descriptions of its grants."""

    def join(group: pd.DataFrame) -> str:
        parts = pd.concat([group["title"], group["description"]]).dropna().astype(str).str.strip()
        return ". ".join(dict.fromkeys(p for p in parts if p))

    return grants.groupby("org_id", sort=True)[["title", "description"]].apply(join)


def _text_themes(texts: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    from sector_map.importers.themes_text import client_groups_from_text, themes_from_text

    themes, reasons = themes_from_text(texts, what=REASON_WHAT)
    return themes, reasons.replace("", pd.NA), client_groups_from_text(texts)


def _organisations(grants: pd.DataFrame, source: str) -> pd.DataFrame:
    g = grants.sort_values(["org_id", "award_date"], na_position="first", kind="stable")
    gbp = g["currency"].isna() | (g["currency"].str.upper() == "GBP")
    g = g.assign(gbp_amount=g["amount"].where(gbp), funder=g["funder_name"].fillna(g["funder_id"]))
    by = g.groupby("org_id", sort=True)
    orgs = pd.DataFrame(
        {
            s.ORG_NAME: by["recipient_name"].last(),
            s.CHARITY_NUMBER: by["charity_number"].last(),
            r.COMPANY_NUMBER: by["company_number"].last(),
            r.ORG_IDENTIFIER: by["recipient_id"].last(),
            s.POSTCODE: by["postcode"].last(),
            r.GRANTS_TOTAL: by["gbp_amount"].sum(min_count=1),
            r.GRANTS_COUNT: by.size().astype(float),
            r.FUNDERS: by["funder"].agg(lambda f: sorted(set(f.dropna()))),
            r.LATEST_AWARD: by["award_date"]
            .max()
            .map(lambda d: d.date().isoformat() if pd.notna(d) else pd.NA),
        }
    )
    orgs[s.ORG_NAME] = orgs[s.ORG_NAME].fillna(orgs[r.ORG_IDENTIFIER]).fillna(orgs[s.CHARITY_NUMBER])
    themes, reasons, groups = _text_themes(_texts(g))
    orgs[s.THEMES], orgs[r.THEMES_REASON], orgs[s.CLIENT_GROUPS] = themes, reasons, groups
    orgs[s.ORG_KIND] = np.where(
        orgs[s.CHARITY_NUMBER].notna(),
        "registered charity",
        np.where(orgs[s.ORG_NAME].fillna("").str.strip().str.contains(_CIC_NAME), "CIC", None),  # type: ignore[call-overload]  # numpy stubs take no None fill
    )
    orgs[r.LOCATION_HINT] = pd.Series(s.LOCATION_CONTACT, index=orgs.index).where(orgs[s.POSTCODE].notna())
    orgs[s.SOURCE] = source
    return r.raw_org_frame(orgs.rename_axis(s.ORG_ID).reset_index())


def _ward_codes(locations: Iterable[tuple[str, str]]) -> list[str]:
    return sorted({code for code, kind in locations if kind == "WD" or WARD_CODE_RE.match(code)})


def _services(grants: pd.DataFrame, orgs: pd.DataFrame, source: str, ward_filter: set[str]) -> pd.DataFrame:
    g = grants.sort_values(["org_id", "award_date"], na_position="first", kind="stable")
    wards = g.groupby("org_id", sort=True)[BEN_LOCS].agg(
        lambda col: _ward_codes(x for locs in col for x in locs)
    )
    if ward_filter:
        wards = wards.map(lambda codes: [c for c in codes if c in ward_filter])
    titles = g.groupby("org_id", sort=True)["title"].agg(lambda t: list(dict.fromkeys(t.dropna())))
    org = orgs.set_index(s.ORG_ID)
    rows = []
    for org_id, codes in wards.items():
        if not codes:
            continue
        names = titles.get(org_id, [])
        name = names[-1] if names else f"Grant-funded work of {str(org.at[org_id, s.ORG_NAME])}"
        if len(names) > 1:
            name += f" and {len(names) - 1} other funded project{'s' if len(names) > 2 else ''}"
        rows.append(
            {
                s.SERVICE_ID: f"{org_id}-funded-work",
                s.ORG_ID: org_id,
                s.SERVICE_NAME: name,
                s.THEMES: org.at[org_id, s.THEMES],
                r.THEMES_REASON: org.at[org_id, r.THEMES_REASON],
                s.CLIENT_GROUPS: org.at[org_id, s.CLIENT_GROUPS],
                s.AREA_TYPE: s.AREA_WARDS_LIST,
                s.AREA_WARDS: codes,
                s.SOURCE: source,
            }
        )
    out = r.raw_service_frame(rows)
    if r.THEMES_REASON not in out.columns:
        out[r.THEMES_REASON] = pd.Series(dtype="string")
    return out


# --- ward totals from GrantNav's aggregated file --------------------------------------------------
def ward_grant_indicators(
    path: Path | str, *, ward_codes: set[str], notes: Notes | None = None
) -> tuple[pd.DataFrame, dict[str, s.IndicatorMeta]]:
    """Ward indicators from 360Giving grants aggregated by funder, award year and recipient ward.

    The file has one row per funder × award year × recipient ward, with ``Amount Awarded``
    (the sum, £) and ``Identifier`` (the number of grants). Wards are those of the recipients'
    addresses, so the figures are funding received by organisations based in the ward, not
    need and not necessarily where the money was spent.

    Args:
        path: the aggregated CSV (plain or gzipped).
        ward_codes: the pack's ward codes. A ward absent from the file gets 0 (no grants
            recorded), and is named in ``notes``.

    Returns:
        ``(values, meta)``: a long frame with :data:`schema.INDICATOR_COLUMNS` and metadata for
        ``grants_360g_amount`` (£) and ``grants_360g_count``.

    Raises:
        InputError: a missing column, or none of ``ward_codes`` in the file (different ward
            boundaries, or another area).
    """
    path = Path(path)
    file = path.name
    notes = notes if notes is not None else Notes()
    df = read_table(path, what="360Giving grants aggregated by recipient ward", notes=notes)
    cols = {}
    for key, names in {
        "ward": ["Recipient Ward Geographic Code", "Recipient Ward Code", "ward_code"],
        "amount": ["Amount Awarded"],
        "count": ["Identifier", "Grant Count", "Grants"],
    }.items():
        cols[key] = find_column(df.columns, names)
        if cols[key] is None:
            raise InputError(
                file,
                f"has no `{names[0]}` column",
                hint="Expected GrantNav grants aggregated by funder, year and recipient ward with columns "
                "`Recipient Ward Geographic Code`, `Amount Awarded` and `Identifier` (number of grants)",
            )
    year_col = find_column(df.columns, ["Award Year", "Year"])
    wards = df[cols["ward"]].str.strip().str.upper()
    wanted = {str(c).strip().upper() for c in ward_codes}
    here = wards.isin(wanted)
    if not here.any():
        raise InputError(
            file,
            f"none of the {len(wanted)} ward codes ({examples(sorted(wanted))}) appear in `{cols['ward']}`",
            column=cols["ward"],
            hint="The file uses the ward codes of its year (2017/18 boundaries); use wards of that vintage",
        )
    amount, bad_amount = to_number(df.loc[here, cols["amount"]])
    count, bad_count = to_number(df.loc[here, cols["count"]])
    bad = bad_amount | bad_count | amount.isna() | count.isna()
    if bad.any():
        notes.add(
            file,
            f"{int(bad.sum())} row(s) without a readable amount or grant count were skipped",
            rows=[int(i) + 2 for i in bad[bad].index],
        )
    ok = ~bad
    frame = pd.DataFrame({s.WARD_CODE: wards[here][ok], "amount": amount[ok], "count": count[ok]})
    sums = frame.groupby(s.WARD_CODE)[["amount", "count"]].sum().reindex(sorted(wanted), fill_value=0.0)
    absent = sorted(wanted - set(frame[s.WARD_CODE]))
    if absent:
        notes.add(
            file,
            f"{len(absent)} ward(s) have no grants in the file and were given 0 (none recorded, or a ward code of another vintage): {examples(absent)}",
        )
    years = pd.to_numeric(df[year_col], errors="coerce").dropna() if year_col else pd.Series(dtype=float)
    year = f"{int(years.min())}–{int(years.max())}" if len(years) else ""
    values = pd.concat(
        [
            pd.DataFrame({s.WARD_CODE: sums.index, s.INDICATOR_ID: indicator, s.VALUE: sums[col].to_numpy()})
            for indicator, col in ((INDICATOR_AMOUNT, "amount"), (INDICATOR_COUNT, "count"))
        ],
        ignore_index=True,
    )
    values[s.WARD_CODE] = values[s.WARD_CODE].astype("string")
    values[s.VALUE] = values[s.VALUE].astype("float64")
    return values, _ward_meta(year)


def _ward_meta(year: str) -> dict[str, s.IndicatorMeta]:
    period = f", {year}" if year else ""
    common = (
        "Grants recorded in 360Giving's GrantNav (funders' open data, as in the 2018 snapshot), "
        "counted by the ward of the recipient organisation's registered address. This is funding "
        "received by organisations based in the ward, not a measure of need: a national charity's "
        "head office draws its grants to one ward, and work funded elsewhere is not seen. Shown "
        "as 'more is less need' only so that wards with little recorded funding stand out."
    )
    source = "360Giving GrantNav grants by funder, year and recipient ward (2018 snapshot)"
    return {
        INDICATOR_AMOUNT: s.IndicatorMeta(
            id=INDICATOR_AMOUNT,
            label=f"Grant funding received by organisations in the ward{period} (£)",
            unit="£",
            higher_is=s.HIGHER_IS_LESS_NEED,
            source=source,
            year=year,
            themes=[],
            description=f"Total £ awarded{period}. {common}",
        ),
        INDICATOR_COUNT: s.IndicatorMeta(
            id=INDICATOR_COUNT,
            label=f"Grants received by organisations in the ward{period}",
            unit="grants",
            higher_is=s.HIGHER_IS_LESS_NEED,
            source=source,
            year=year,
            themes=[],
            description=f"Number of grants{period}. {common}",
        ),
    }
