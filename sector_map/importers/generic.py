"""Any CSV or Excel list of organisations: food banks, community hubs, libraries, a council's own list.

The caller says which of the file's columns hold which of our fields (``columns``), or lets
:func:`guess_columns` guess from the headers. Every row with a name is imported as one
organisation; rows without a name are reported (with their file rows) and left out.

Where an organisation is: a file's own coordinates (lon/lat, or British National Grid
easting/northing) win; otherwise its postcode is looked up later, in
:func:`sector_map.importers.organisations.combine`. ``location`` says what the file's
addresses are: ``"site"`` (where the service happens: a food bank, a hub) or
``"contact address"`` (where post goes). It defaults to "site" when the file has coordinates,
since people map places they mean, and to "contact address" otherwise.

Services: each row with at least one theme offers one service at that row. A service at a
**site** with no stated reach gets ``area_type = "radius"`` and ``radius_km`` from a mapped
``radius_km`` column, else :data:`DEFAULT_RADIUS_KM` (1.5 km, about a 20-minute walk: the
catchment usually assumed for walk-in local services such as food banks, hubs and libraries).
A service known only by a **contact address** serves the ``"whole area"``, since the address
says nothing about where the work happens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from sector_map.importers import records as r
from sector_map.importers.ccew import normalise_charity_number
from sector_map.importers.postcodes import bng_to_wgs84
from sector_map.importers.tables import (
    InputError,
    Notes,
    examples,
    file_rows,
    find_column,
    read_table,
    to_number,
)
from sector_map.importers.themes_text import client_groups_from_text, themes_from_text
from sector_map.pack import schema as s

__all__ = ["DEFAULT_RADIUS_KM", "FIELDS", "guess_columns", "parse_kind", "parse_labels", "read_generic"]

DEFAULT_RADIUS_KM = 1.5

# Our field → header names to look for (first match wins; case, spaces and punctuation ignored).
# fmt: off
FIELDS: dict[str, list[str]] = {
    "name": ["name", "organisation", "organisation name", "organisation_name", "org name", "organization",
             "organization name", "charity_name", "group name", "community_hub", "provider", "service name",
             "charity"],
    "postcode": ["postcode", "post code", "postal code", "charity_contact_postcode", "pcds", "zip"],
    "website": ["website", "web", "url", "web address", "website address", "charity_contact_web"],
    "charity_number": ["charity_number", "registered_charity_number", "charity no", "charity reg no",
                       "registered charity number", "regno"],
    "company_number": ["company_number", "company no", "charity_company_registration_number",
                       "company registration number"],
    "address": ["address", "full address", "street address", "charity_contact_address", "location"],
    "email": ["email", "e-mail", "email address", "contact email", "charity_contact_email"],
    "phone": ["phone", "telephone", "tel", "phone number", "telephone number", "charity_contact_phone"],
    "activities": ["activities", "description", "what we do", "services", "about", "charity_activities",
                   "summary"],
    "themes": ["themes", "theme"],
    "client_groups": ["client_groups", "client groups", "who we help", "beneficiaries"],
    "income": ["income", "annual income", "latest_income", "turnover"],
    "lon": ["lon", "long", "longitude", "lng"],
    "lat": ["lat", "latitude"],
    "easting": ["easting", "eastings", "oseast1m", "bng_e"],
    "northing": ["northing", "northings", "osnrth1m", "bng_n"],
    "kind": ["kind", "organisation type", "org type", "organisation kind", "legal form", "charity_type"],
    "radius_km": ["radius_km", "radius", "reach_km", "catchment_km"],
}
# fmt: on


def guess_columns(columns: list[str]) -> dict[str, str]:
    """Our field name → the file's header, for the headers that look like one of our fields.

    Each header is used for at most one field.

    Example:
        >>> guess_columns(["community_hub", "Postcode", "website", "lon", "lat", "opening_hours"])
        {'name': 'community_hub', 'postcode': 'Postcode', 'website': 'website', 'lon': 'lon', 'lat': 'lat'}
    """
    out: dict[str, str] = {}
    for field, candidates in FIELDS.items():
        free = [c for c in columns if c not in out.values()]
        hit = find_column(free, candidates)
        if hit is not None:
            out[field] = hit
    return out


def _norm_label(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower().replace("&", " and ")).strip()


def parse_labels(values: pd.Series, vocabulary: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """Split cells of ids/labels separated by ``;`` or ``,`` into lists of ids.

    ``vocabulary`` maps normalised words (ids and labels) to ids. Labels that themselves contain
    commas ("Poverty, food and money advice") are recognised whole before splitting.

    Returns:
        (lists of ids, lists of the words not recognised).

    Example:
        >>> vocab = {_norm_label(t.label): t.id for t in s.THEMES_LIST} | {t: t for t in s.THEME_IDS}
        >>> ids, unknown = parse_labels(pd.Series(["Poverty, food and money advice; environment, cats"]), vocab)
        >>> ids[0], unknown[0]
        (['poverty_food', 'environment'], ['cats'])
    """
    long_first = sorted((k for k in vocabulary if " " in k), key=len, reverse=True)
    patterns = [
        (
            key,
            re.compile(r"(?<![a-z0-9])" + r"[^a-z0-9;]+".join(map(re.escape, key.split())) + r"(?![a-z0-9])"),
        )
        for key in long_first
    ]
    ids, unknown = [], []
    for cell in values:
        got: list[str] = []
        bad: list[str] = []
        if isinstance(cell, str) and cell.strip():
            found: list[str] = []  # multi-word labels are swapped for a placeholder "#n" first
            text = cell.lower().replace("&", " and ")
            for key, pattern in patterns:
                while (m := pattern.search(text)) is not None:
                    text = text[: m.start()] + f";#{len(found)};" + text[m.end() :]
                    found.append(vocabulary[key])
            for part in re.split(r"[;,]", text):
                word = part.strip()
                hit = (
                    found[int(word[1:])] if re.fullmatch(r"#\d+", word) else vocabulary.get(_norm_label(word))
                )
                if not _norm_label(word):
                    continue
                if hit is None:
                    bad.append(word)
                elif hit not in got:
                    got.append(hit)
        ids.append(got)
        unknown.append(bad)
    return pd.Series(ids, index=values.index, dtype=object), pd.Series(
        unknown, index=values.index, dtype=object
    )


THEME_VOCAB = {_norm_label(t.label): t.id for t in s.THEMES_LIST} | {_norm_label(t): t for t in s.THEME_IDS}
GROUP_VOCAB = {_norm_label(g): g for g in s.CLIENT_GROUP_IDS}


def parse_kind(values: pd.Series) -> pd.Series:
    """Organisation kinds in :data:`schema.ORG_KINDS` from free text; "other" when unclear.

    Example:
        >>> parse_kind(pd.Series(["CIO", "Community Interest Company", "Church", "charity", "shop"])).tolist()
        ['CIO', 'CIC', 'faith group', 'registered charity', 'other']
    """
    text = values.astype("string").str.lower().fillna("")
    rules = [
        ("CIO", r"\bcio\b|charitable incorporated"),
        ("CIC", r"\bcic\b|community interest"),
        ("charitable company", r"charitable company"),
        ("registered charity", r"\bcharit"),
        ("faith group", r"faith|church|mosque|synagogue|temple|gurdwara|chapel"),
        ("community group", r"community|group|association|club|society|volunteer"),
    ]
    out = pd.Series("other", index=values.index, dtype="string")
    for kind, pattern in reversed(rules):  # earlier rules win, so apply them last
        out[text.str.contains(pattern, regex=True)] = kind
    exact = {k.lower(): k for k in s.ORG_KINDS}
    return out.where(~text.isin(exact), text.map(exact)).astype("string")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "org"


def _coordinates(
    df: pd.DataFrame, cols: dict[str, str], file: str, notes: Notes
) -> tuple[pd.Series, pd.Series]:
    nan = pd.Series(np.nan, index=df.index)
    if "lon" in cols and "lat" in cols:
        lon, bad_lon = to_number(df[cols["lon"]])
        lat, bad_lat = to_number(df[cols["lat"]])
        swapped = lon.between(49, 61) & lat.between(-9, 3)
        if swapped.any():
            notes.add(
                file,
                f"{int(swapped.sum())} rows seem to have longitude and latitude swapped; "
                "they were swapped back",
                column=cols["lat"],
                rows=file_rows(df.index[swapped]),
            )
            lon, lat = lon.where(~swapped, lat), lat.where(~swapped, lon)
        bad = bad_lon | bad_lat | ~lon.between(-180, 180) & lon.notna() | ~lat.between(-90, 90) & lat.notna()
        if bad.any():
            notes.add(
                file,
                f"{int(bad.sum())} rows have coordinates that are not longitude/latitude; "
                "their postcode is used instead",
                column=cols["lon"],
                rows=file_rows(df.index[bad]),
            )
        ok = ~bad & lon.notna() & lat.notna()
        return lon.where(ok), lat.where(ok)
    if "easting" in cols and "northing" in cols:
        east, _ = to_number(df[cols["easting"]])
        north, _ = to_number(df[cols["northing"]])
        ok = east.between(0, 700_000) & north.between(0, 1_300_000)
        xs, ys = bng_to_wgs84(east.to_numpy(), north.to_numpy())
        return pd.Series(xs, index=df.index).where(ok), pd.Series(ys, index=df.index).where(ok)
    return nan, nan.copy()


def read_generic(
    path: Path | str,
    *,
    columns: dict[str, str] | None = None,
    themes: list[str] | None = None,
    kind: str | None = None,
    location: str | None = None,
    source: str | None = None,
    id_prefix: str | None = None,
    notes: Notes | None = None,
    sheet: str | int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw organisations and services from any CSV/XLSX list of organisations.

    Args:
        path: the file.
        columns: our field (see :data:`FIELDS`) → the file's header; guessed when None.
        themes: theme ids (or labels) given to every row, e.g. ``["poverty_food"]`` for a list
            of food banks. A ``themes`` column adds its own; rows with neither get themes from
            their ``activities`` text, if mapped.
        kind: the organisation kind for every row (one of ``schema.ORG_KINDS``); else a mapped
            ``kind`` column; else "registered charity" when there is a charity number; else "other".
        location: "site" or "contact address" (see the module docstring for the default).
        source: the source name (default: the file name).
        id_prefix: org ids are ``<prefix>-<file row>`` (default: the file name's stem).
        notes: collects warnings.
        sheet: the worksheet of an Excel file.

    Raises:
        InputError: no name column, a mapped header not in the file, or an unknown theme, kind or
            location in the options.
    """
    path = Path(path)
    file = path.name
    notes = notes if notes is not None else Notes()
    df = read_table(path, what="a list of organisations with a header row", notes=notes, sheet=sheet)
    cols = dict(columns) if columns is not None else guess_columns(list(df.columns))
    unknown_fields = sorted(set(cols) - set(FIELDS))
    missing = {f: h for f, h in cols.items() if h not in df.columns}
    if unknown_fields or missing:
        what = [f"unknown field(s) {', '.join(unknown_fields)}"] if unknown_fields else []
        what += [f"{f} → '{h}' is not a column" for f, h in missing.items()]
        raise InputError(
            file,
            "the column mapping does not fit the file: " + "; ".join(what),
            hint=f"The file's columns are: {', '.join(df.columns)}",
        )
    if "name" not in cols:
        raise InputError(
            file,
            "has no column with the organisations' names",
            hint="Map the name field to one of: " + ", ".join(df.columns),
        )
    if location is not None and location not in (s.LOCATION_SITE, s.LOCATION_CONTACT):
        raise InputError(file, f"location must be 'site' or 'contact address', not {location!r}")
    default_themes: list[str] = []
    if themes:
        default_themes, bad = (x[0] for x in parse_labels(pd.Series(["; ".join(themes)]), THEME_VOCAB))
        if bad:
            raise InputError(
                file,
                f"unknown theme(s) given for every row: {examples(bad)}",
                hint="Use theme ids: " + ", ".join(s.THEME_IDS),
            )
    if kind is not None and kind not in s.ORG_KINDS:
        raise InputError(
            file, f"unknown organisation kind {kind!r}", hint="Use one of: " + ", ".join(s.ORG_KINDS)
        )

    def get(field: str) -> pd.Series:
        return df[cols[field]] if field in cols else pd.Series(pd.NA, index=df.index, dtype="string")

    no_name = get("name").isna()
    if no_name.any():
        notes.add(
            file,
            f"{int(no_name.sum())} rows have no name and were not imported",
            column=cols["name"],
            rows=file_rows(df.index[no_name]),
        )
        df = df[~no_name]
    if df.empty:
        raise InputError(file, "no row has a name", column=cols["name"])

    lon, lat = _coordinates(df, cols, file, notes)
    has_xy = bool(lon.notna().any())
    hint = location or (
        s.LOCATION_SITE if ("lon" in cols or "easting" in cols) and has_xy else s.LOCATION_CONTACT
    )
    income, bad_income = to_number(get("income"))
    if bad_income.any():
        notes.add(
            file,
            f"{int(bad_income.sum())} incomes are not numbers and were left blank",
            column=cols.get("income"),
            rows=file_rows(df.index[bad_income]),
        )

    row_themes, row_reasons = _themes(df, get, file, default_themes, notes, cols)
    groups, bad_groups = parse_labels(get("client_groups"), GROUP_VOCAB)
    _note_unknown(bad_groups, file, cols.get("client_groups"), "client groups", s.CLIENT_GROUP_IDS, notes)
    if "activities" in cols:
        from_text = client_groups_from_text(get("activities"))
        groups = groups.where(groups.str.len() > 0, from_text)

    charity = normalise_charity_number(get("charity_number"))
    if kind is not None:
        kinds = pd.Series(kind, index=df.index, dtype="string")
    else:
        kinds = (
            parse_kind(get("kind")) if "kind" in cols else pd.Series("other", index=df.index, dtype="string")
        )
        kinds = kinds.where(~(kinds.eq("other") & charity.notna()), "registered charity")

    prefix = id_prefix or _slug(path.stem)
    org_ids = pd.Series([f"{prefix}-{n}" for n in file_rows(df.index)], index=df.index, dtype="string")
    source = source or file
    orgs = r.raw_org_frame(
        pd.DataFrame(
            {
                s.ORG_ID: org_ids,
                s.ORG_NAME: get("name"),
                s.ORG_KIND: kinds,
                s.CHARITY_NUMBER: charity,
                r.COMPANY_NUMBER: get("company_number"),
                s.INCOME: income,
                s.POSTCODE: get("postcode"),
                r.ADDRESS: get("address"),
                s.WEBSITE: get("website"),
                r.EMAIL: get("email"),
                r.PHONE: get("phone"),
                r.ACTIVITIES: get("activities"),
                s.THEMES: row_themes,
                r.THEMES_REASON: row_reasons,
                s.CLIENT_GROUPS: groups,
                r.LON: lon,
                r.LAT: lat,
                r.LOCATION_HINT: hint,
                s.SOURCE: source,
            }
        )
    )
    radius_km, bad_radius = to_number(get("radius_km"))
    bad_radius = bad_radius | (radius_km <= 0)
    if bad_radius.any():
        notes.add(
            file,
            f"{int(bad_radius.sum())} radius values are not positive numbers; "
            f"{DEFAULT_RADIUS_KM} km is used instead",
            column=cols.get("radius_km"),
            rows=file_rows(df.index[bad_radius]),
        )
    radii = radius_km.where(~bad_radius).fillna(DEFAULT_RADIUS_KM).to_numpy()
    return orgs, _services(orgs, radii, hint)


def _themes(
    df: pd.DataFrame,
    get: Callable[[str], pd.Series],
    file: str,
    default_themes: list[str],
    notes: Notes,
    cols: dict[str, str],
) -> tuple[pd.Series, pd.Series]:
    col_themes, bad = parse_labels(get("themes"), THEME_VOCAB)
    _note_unknown(bad, file, cols.get("themes"), "themes", s.THEME_IDS, notes)
    text_ids, text_why = themes_from_text(get("activities")) if "activities" in cols else (None, None)
    order = {t: i for i, t in enumerate(s.THEME_IDS)}
    ids, reasons = [], []
    for i, idx in enumerate(df.index):
        why: dict[str, str] = {}
        for t in col_themes.iloc[i]:
            why[t] = f"the {cols['themes']} column of {file} gives this theme"
        for t in default_themes:
            why.setdefault(t, f"every row of {file} was given this theme when it was imported")
        if not why and text_ids is not None and text_why is not None:
            why = dict(zip(text_ids[idx], str(text_why[idx]).split("; "), strict=False))
        got = sorted(why, key=lambda t: order.get(t, len(order)))
        ids.append(got)
        reasons.append("; ".join(why[t] for t in got))
    return pd.Series(ids, index=df.index, dtype=object), pd.Series(reasons, index=df.index, dtype="string")


def _note_unknown(
    bad: pd.Series, file: str, column: str | None, what: str, allowed: Iterable[str], notes: Notes
) -> None:
    has = bad.str.len() > 0
    if has.any():
        words = sorted({w for ws in bad[has] for w in ws})
        notes.add(
            file,
            f"{int(has.sum())} rows name {what} that are not known and were ignored "
            f"({examples(words)}); known {what}: {', '.join(allowed)}",
            column=column,
            rows=file_rows(bad.index[has]),
        )


def _services(orgs: pd.DataFrame, radius_km: np.ndarray, hint: str) -> pd.DataFrame:
    keep = (orgs[s.THEMES].str.len() > 0).to_numpy()
    o = orgs[keep]
    site = hint == s.LOCATION_SITE
    return r.raw_service_frame(
        pd.DataFrame(
            {
                s.SERVICE_ID: o[s.ORG_ID] + "-service",
                s.ORG_ID: o[s.ORG_ID],
                s.SERVICE_NAME: o[s.ORG_NAME],
                s.THEMES: o[s.THEMES],
                s.CLIENT_GROUPS: o[s.CLIENT_GROUPS],
                s.AREA_TYPE: s.AREA_RADIUS if site else s.AREA_WHOLE,
                s.RADIUS_KM: radius_km[keep] if site else np.nan,
                s.SOURCE: o[s.SOURCE],
                r.LON: o[r.LON],
                r.LAT: o[r.LAT],
            }
        )
    )
