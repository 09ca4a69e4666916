"""The Charity Commission for England and Wales register extract, as published.

Reads the extract's ``charity`` table (tab-separated ``publicextract.charity.txt`` or a CSV with
the same column names, such as Trafford Data Lab's subset of charities operating in Trafford),
and optionally its ``charity_classification`` and ``charity_area_of_operation`` tables.

One organisation per registered charity: linked (subsidiary) charities, which share the main
charity's number with ``linked_charity_number`` other than 0, are left out, as are removed
charities and repeated charity numbers, each with a note. A charity with no postcode is kept
(it is placed later as "area only"). Themes come from the classification codes when the
classification table is given and they say something about local need; otherwise from the
charity's activities text and name, by the rules in :mod:`~sector_map.importers.themes_text`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sector_map.importers import records as r
from sector_map.importers.tables import InputError, Notes, file_rows, find_column, read_table, to_number
from sector_map.importers.themes_text import (
    client_groups_from_text,
    themes_for_charities,
    themes_from_classification,
)
from sector_map.pack import schema as s

__all__ = ["DEFAULT_SOURCE", "normalise_charity_number", "read_ccew"]

DEFAULT_SOURCE = "Charity Commission register of charities"
_WHAT = "the Charity Commission register extract's charity table (publicextract.charity.txt or CSV)"

_FIELDS = {
    "number": ["registered_charity_number", "regno", "charity_number", "registered charity number"],
    "linked": ["linked_charity_number", "subno", "linked charity number"],
    "name": ["charity_name", "name"],
    "type": ["charity_type"],
    "status": ["charity_registration_status", "registration_status"],
    "removed": ["date_of_removal"],
    "income": ["latest_income", "income"],
    "activities": ["charity_activities", "activities"],
    "postcode": ["charity_contact_postcode", "postcode"],
    "address": ["charity_contact_address", "address"],
    "phone": ["charity_contact_phone", "phone"],
    "email": ["charity_contact_email", "email"],
    "web": ["charity_contact_web", "website", "web"],
    "company": ["charity_company_registration_number", "company_number"],
    "is_cio": ["charity_is_cio"],
}


def normalise_charity_number(values: pd.Series) -> pd.Series:
    """Charity numbers as digit strings without leading zeros; a "-1" subsidiary suffix is ignored.

    Example:
        >>> normalise_charity_number(pd.Series(["0214927", "1012345-1", " 503 ", "none", None])).tolist()
        ['214927', '1012345', '503', <NA>, <NA>]
    """
    text = values.astype("string").str.strip().str.replace(r"-\d+$", "", regex=True)
    digits = text.str.replace(r"\D", "", regex=True).str.lstrip("0")
    return digits.where(digits.str.len() > 0).astype("string")  # a string column fills the rest with <NA>


def _col(cols: list[str], key: str) -> str | None:
    return find_column(cols, _FIELDS[key])


def _linked_main(df: pd.DataFrame, col: str | None) -> pd.Series:
    if col is None:
        return pd.Series(True, index=df.index)
    linked = df[col].astype("string").str.strip()
    return linked.isna() | linked.isin(["0", "0.0", ""])


def _address(df: pd.DataFrame, cols: list[str]) -> pd.Series:
    one = _col(cols, "address")
    if one is not None:
        return df[one]
    lines = [c for c in (find_column(cols, [f"charity_contact_address{i}"]) for i in range(1, 6)) if c]
    if not lines:
        return pd.Series(pd.NA, index=df.index, dtype="string")
    joined = df[lines].apply(lambda row: ", ".join(v for v in row if isinstance(v, str) and v), axis=1)
    return joined.astype("string").replace("", pd.NA)  # type: ignore[call-overload]  # pandas-stubs: replace() takes no pd.NA


def _kind(df: pd.DataFrame, cols: list[str]) -> pd.Series:
    kind = pd.Series("registered charity", index=df.index, dtype="string")
    ctype = df[c].astype("string").str.lower() if (c := _col(cols, "type")) else None
    company = df[c].notna() if (c := _col(cols, "company")) else pd.Series(False, index=df.index)
    if ctype is not None:
        company = company | ctype.str.contains("company", na=False)
    kind[company] = "charitable company"
    cio = (
        ctype.str.fullmatch(r"\s*cio\s*", na=False) if ctype is not None else pd.Series(False, index=df.index)
    )
    if (c := _col(cols, "is_cio")) is not None:
        cio = cio | df[c].astype("string").str.lower().isin(["true", "1", "yes", "t"])
    kind[cio] = "CIO"
    return kind


def _codes_by_charity(path: Path | str, notes: Notes | None) -> pd.Series:
    path = Path(path)
    df = read_table(path, what="the Charity Commission charity_classification table", notes=notes)
    cols = list(df.columns)
    num = _col(cols, "number")
    code = find_column(cols, ["classification_code", "code"])
    if num is None or code is None:
        raise InputError(
            path.name,
            "is not a Charity Commission classification table",
            hint="Expected columns registered_charity_number and classification_code "
            "(publicextract.charity_classification.txt)",
        )
    df = df[_linked_main(df, _col(cols, "linked"))]
    codes, _ = to_number(df[code])
    tidy = pd.DataFrame({"n": normalise_charity_number(df[num]), "code": codes}).dropna()
    tidy["code"] = tidy["code"].astype(int)
    return tidy.groupby("n")["code"].agg(list)


def _operating_in(path: Path | str, area_names: list[str], notes: Notes | None) -> set[str]:
    path = Path(path)
    df = read_table(path, what="the Charity Commission charity_area_of_operation table", notes=notes)
    cols = list(df.columns)
    num = _col(cols, "number")
    desc = find_column(cols, ["geographic_area_description", "area_of_operation", "area"])
    if num is None or desc is None:
        raise InputError(
            path.name,
            "is not a Charity Commission area-of-operation table",
            hint="Expected columns registered_charity_number and geographic_area_description "
            "(publicextract.charity_area_of_operation.txt)",
        )
    wanted = {a.strip().lower() for a in area_names}
    hit = df[desc].astype("string").str.strip().str.lower().isin(wanted)
    return set(normalise_charity_number(df.loc[hit, num]).dropna())


def read_ccew(
    path: Path | str,
    *,
    classification: Path | str | None = None,
    area_of_operation: Path | str | None = None,
    area_names: list[str] | None = None,
    source: str = DEFAULT_SOURCE,
    notes: Notes | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw organisations and services from the Charity Commission register extract.

    Args:
        path: the ``charity`` table (tab-separated .txt, CSV, gzipped or not).
        classification: optional ``charity_classification`` table; its What/Who codes give
            themes and client groups (see ``CCEW_CLASSIFICATION_THEMES``). Charities whose
            codes give no theme (general purposes only, or absent) fall back to their text.
        area_of_operation: optional ``charity_area_of_operation`` table. With ``area_names``
            (e.g. ``["Trafford"]``), only charities whose area of operation lists one of them
            are kept; without ``area_names`` the table is not used (and a note says so).
        area_names: local authority names as the Commission writes them.
        source: the source name given to every organisation and service.
        notes: collects warnings (rows left out and why).

    Returns:
        ``(organisations, services)`` in the shapes of :func:`records.raw_org_frame` and
        :func:`records.raw_service_frame`. ``org_id`` is ``ccew-<charity number>``; each
        charity with a theme gets one service, "<name> (charitable activities)", serving the
        whole area (the register says where a charity works, not which sites it runs).

    Raises:
        InputError: if the file has no charity number or charity name column.
    """
    path = Path(path)
    file = path.name
    df = read_table(path, what=_WHAT, notes=notes)
    cols = list(df.columns)
    num_col, name_col = _col(cols, "number"), _col(cols, "name")
    if num_col is None or name_col is None:
        raise InputError(
            file,
            "is not the Charity Commission charity table",
            column=None if num_col is None else "charity_name",
            hint="Expected columns registered_charity_number and charity_name, as in the register extract",
        )
    notes = notes if notes is not None else Notes()

    def drop(mask: pd.Series, text: str, column: str | None = None) -> None:
        nonlocal df
        if mask.any():
            notes.add(file, f"{int(mask.sum())} {text}", column=column, rows=file_rows(df.index[mask]))
            df = df[~mask]

    number = normalise_charity_number(df[num_col])
    drop(number.isna(), "rows have no charity number and were left out", num_col)
    linked_col = _col(cols, "linked")
    drop(
        ~_linked_main(df, linked_col),
        "linked (subsidiary) charities left out: each is part of its main charity",
    )
    if (c := _col(cols, "status")) is not None:
        drop(
            df[c].astype("string").str.lower().str.strip().eq("removed").fillna(False),
            "removed charities left out",
            c,
        )
    if (c := _col(cols, "removed")) is not None:
        drop(df[c].notna(), "charities with a date of removal left out", c)
    number = normalise_charity_number(df[num_col])
    drop(
        number.duplicated(keep="first"), "repeated charity numbers left out (the first row is kept)", num_col
    )
    number = normalise_charity_number(df[num_col])

    if area_of_operation is not None:
        if area_names:
            inside = number.isin(_operating_in(area_of_operation, area_names, notes))
            drop(~inside, f"charities not operating in {', '.join(area_names)} left out")
            number = number[inside]
        else:
            notes.add(Path(area_of_operation).name, "not used: no area name was given to filter charities by")

    def get(key: str) -> pd.Series:
        c = _col(cols, key)
        return df[c] if c is not None else pd.Series(pd.NA, index=df.index, dtype="string")

    name = get("name")
    activities = get("activities")
    income, bad_income = to_number(get("income"))
    if bad_income.any():
        notes.add(
            file,
            f"{int(bad_income.sum())} incomes are not numbers and were left blank",
            column=_col(cols, "income"),
            rows=file_rows(df.index[bad_income]),
        )

    text_themes = themes_for_charities(name, activities)
    text_groups = client_groups_from_text(activities.fillna("") + " " + name.fillna(""))
    themes, reasons, groups = text_themes[0], text_themes[1], text_groups
    if classification is not None:
        codes = _codes_by_charity(classification, notes).reindex(number.to_numpy())
        codes.index = df.index
        c_themes, c_reasons, c_groups = themes_from_classification(codes)
        has = c_themes.str.len() > 0
        themes = c_themes.where(has, themes)
        reasons = c_reasons.where(has, reasons)
        groups = c_groups.where(c_groups.str.len() > 0, groups)

    orgs = r.raw_org_frame(
        pd.DataFrame(
            {
                s.ORG_ID: "ccew-" + number,
                s.ORG_NAME: name,
                s.ORG_KIND: _kind(df, cols),
                s.CHARITY_NUMBER: number,
                r.COMPANY_NUMBER: get("company"),
                s.INCOME: income,
                s.POSTCODE: get("postcode"),
                r.ADDRESS: _address(df, cols),
                s.WEBSITE: get("web"),
                r.EMAIL: get("email"),
                r.PHONE: get("phone"),
                r.ACTIVITIES: activities,
                s.THEMES: themes,
                r.THEMES_REASON: reasons,
                s.CLIENT_GROUPS: groups,
                r.LOCATION_HINT: s.LOCATION_CONTACT,
                s.SOURCE: source,
            }
        )
    )
    with_theme = orgs[orgs[s.THEMES].str.len() > 0]
    services = r.raw_service_frame(
        pd.DataFrame(
            {
                s.SERVICE_ID: with_theme[s.ORG_ID] + "-activities",
                s.ORG_ID: with_theme[s.ORG_ID],
                s.SERVICE_NAME: with_theme[s.ORG_NAME].fillna("") + " (charitable activities)",
                s.THEMES: with_theme[s.THEMES],
                s.CLIENT_GROUPS: with_theme[s.CLIENT_GROUPS],
                s.AREA_TYPE: s.AREA_WHOLE,
                s.SOURCE: source,
            }
        )
    )
    return orgs, services
