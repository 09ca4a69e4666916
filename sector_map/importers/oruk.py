"""Open Referral UK (HSDS) services: the organisations that run them and where they reach.

Reads the JSON that ORUK APIs and exports serve: a list of full service records (as from
``/services/{id}``), a paged wrapper (``{"content": [...]}``, ``{"contents": [...]}``,
``{"items": [...]}``), a single service, or HSDS tables in one JSON object (``organizations``,
``services``, ``locations``, ``service_at_locations``, ``taxonomy``... joined by their ids).

Decisions:
    * Themes come from the service's taxonomy terms through :data:`TERM_TABLE` (ORUK/LGA,
      esd and Open Eligibility terms people use); only when no term maps does the service's
      name and description go through :func:`themes_text.themes_from_text`.
    * Reach: ward codes (E05...) in ``service_areas`` make a "wards" service (most explicit);
      else a service with a location (coordinates or a postcode) reaches a radius around it,
      taken from a service area ``extent`` such as "2 km" or "1 mile" (a bare number is km),
      or :data:`DEFAULT_RADIUS_KM`; else it covers the "whole area".
    * Services whose status is inactive, withdrawn or defunct are skipped and counted.
    * An organisation without a postcode of its own takes the postcode (and point) of its
      first service location, as a site where it works.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sector_map.importers import records as r
from sector_map.importers.oruk_terms import GROUP_ORDER, TERM_TABLE, THEME_ORDER, extent_km, terms_to_themes
from sector_map.importers.tables import InputError, Notes, examples, read_bytes
from sector_map.pack import schema as s
from sector_map.pack.values import normalise_postcode

__all__ = ["DEFAULT_RADIUS_KM", "SOURCE", "TERM_TABLE", "read_oruk", "terms_to_themes"]

SOURCE = "Open Referral UK"
ID_PREFIX = "oruk-"
# A 20-minute walk: how far people usually travel to a local drop-in service.
DEFAULT_RADIUS_KM = 1.5
SKIP_STATUSES = {"inactive", "withdrawn", "defunct", "closed", "deleted"}
WHAT = "Open Referral UK services as JSON (a list of services, a paged API response or HSDS tables)"
_WARD = re.compile(r"\b(?:E05|W05|S13|N08)\d{6}\b")
_PAGE_KEYS = ("content", "contents", "items", "data", "results")
_TOTAL_KEYS = ("totalElements", "total_items", "totalItems", "total")
_GEOJSON_TYPES = {"FeatureCollection", "Feature", "Polygon", "MultiPolygon", "Point", "GeometryCollection"}


def read_oruk(
    path_or_json: Path | str | dict | list, *, source: str | None = None, notes: Notes | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw organisations and services from Open Referral UK / HSDS JSON.

    Args:
        path_or_json: a saved JSON file (plain or gzipped), or JSON already parsed (for
            example an API response the caller fetched). URLs are not fetched here.
        source: the ``source`` value to record; defaults to "Open Referral UK: <file name>"
            (or "Open Referral UK" for parsed JSON).
        notes: gathers warnings (skipped services, generated ids, partial pages).

    Returns:
        ``(organisations, services)`` as :func:`records.raw_org_frame` and
        :func:`records.raw_service_frame`; services carry an extra ``themes_reason`` column.

    Raises:
        InputError: not JSON (a CSV, a web page), GeoJSON, or JSON holding no services.
    """
    notes = notes if notes is not None else Notes()
    data, file = _load(path_or_json)
    parsed = isinstance(path_or_json, (dict, list))
    source = source or (SOURCE if parsed else f"{SOURCE}: {file}")
    services = _service_records(data, file, notes)
    from sector_map.importers.themes_text import client_groups_from_text, themes_from_text

    orgs: dict[str, dict] = {}
    rows: list[dict] = []
    skipped: list[int] = []
    generated: list[int] = []
    seen: set[str] = set()
    for pos, svc in enumerate(services, start=1):
        if str(svc.get("status") or "").strip().lower() in SKIP_STATUSES:
            skipped.append(pos)
            continue
        org_id = _org_row(svc, orgs, source)
        lon, lat, postcode = _location(svc)
        service_id = _id(
            svc.get("id"), orgs[org_id][s.ORG_NAME], svc.get("name"), postcode, svc.get("description")
        )
        if svc.get("id") in (None, ""):
            generated.append(pos)
        if service_id in seen:
            notes.add(file, f"service id {service_id} appears twice; the later one was skipped", rows=[pos])
            continue
        seen.add(service_id)
        area_type, wards, radius = _reach(svc, lon, postcode)
        themes, reason, groups = terms_to_themes(_terms(svc))
        groups = sorted(set(groups) | _eligibility_groups(svc), key=GROUP_ORDER.__getitem__)
        rows.append(
            {
                s.SERVICE_ID: service_id,
                s.ORG_ID: org_id,
                s.SERVICE_NAME: _text(svc.get("name")) or "Unnamed service",
                s.THEMES: themes,
                r.THEMES_REASON: reason or pd.NA,
                s.CLIENT_GROUPS: groups,
                s.AREA_TYPE: area_type,
                s.AREA_WARDS: wards,
                s.RADIUS_KM: radius,
                s.SOURCE: source,
                r.LON: lon,
                r.LAT: lat,
                "_text": " ".join(filter(None, [_text(svc.get("name")), _text(svc.get("description"))])),
            }
        )
        org = orgs[org_id]
        if pd.isna(org[s.POSTCODE]) and pd.isna(org[r.LON]) and (postcode or lat is not None):
            org.update(
                {s.POSTCODE: postcode or pd.NA, r.LON: lon, r.LAT: lat, r.LOCATION_HINT: s.LOCATION_SITE}
            )
    if skipped:
        notes.add(
            file,
            f"{len(skipped)} service(s) are inactive, withdrawn or defunct and were skipped "
            "(positions in the service list)",
            rows=skipped,
        )
    if generated:
        notes.add(
            file,
            f"{len(generated)} service(s) have no id; ids were made from their names "
            "(positions in the service list)",
            rows=generated,
        )
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame = _text_fallback(frame, themes_from_text, client_groups_from_text)
    services_out = r.raw_service_frame(frame.drop(columns=["_text"], errors="ignore"))
    if r.THEMES_REASON not in services_out.columns:
        services_out[r.THEMES_REASON] = pd.Series(dtype="string")
    return _orgs_frame(orgs, services_out), services_out


# --- loading -----------------------------------------------------------------------------------
def _load(path_or_json: Path | str | dict | list) -> tuple[object, str]:
    if isinstance(path_or_json, (dict, list)):
        return path_or_json, "ORUK JSON"
    text = str(path_or_json)
    if re.match(r"^https?://", text, re.IGNORECASE):
        raise InputError(
            text,
            "is a web address; this importer reads saved files",
            hint="Save the API's JSON (every page of /services) to a file and give its path",
        )
    path = Path(path_or_json)
    raw, kind = read_bytes(path, what=WHAT)
    if kind != "json":
        found = {
            "text": "a CSV or text file",
            "zip": "a zip archive or Excel workbook",
            "pdf": "a PDF document",
            "markup": "a web page or XML",
        }.get(kind, "a binary file")
        raise InputError(path.name, f"this is {found}, not JSON", hint=f"Expected {WHAT}")
    try:
        return json.loads(raw.decode("utf-8-sig", errors="replace")), path.name
    except json.JSONDecodeError as e:
        raise InputError(
            path.name, f"is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})"
        ) from None


def _service_records(data: object, file: str, notes: Notes) -> list[dict]:
    if isinstance(data, dict) and data.get("type") in _GEOJSON_TYPES:
        raise InputError(
            file, "this is GeoJSON (map features), not Open Referral UK services", hint=f"Expected {WHAT}"
        )
    services = None
    if isinstance(data, list):
        services = data
    elif isinstance(data, dict):
        page_key = next((k for k in _PAGE_KEYS if isinstance(data.get(k), list)), None)
        if page_key:
            services = data[page_key]
            total = next((data[k] for k in _TOTAL_KEYS if isinstance(data.get(k), int)), None)
            if total is not None and total > len(services):
                notes.add(
                    file,
                    f"holds {len(services)} of the {total} services the API has (one page); "
                    "save every page to map them all",
                )
        elif isinstance(data.get("services"), list):
            services = _nest_tables(data)
        elif data.get("name") and ("organization" in data or "service_at_locations" in data):
            services = [data]
    if services is None:
        found = examples(sorted(data)) if isinstance(data, dict) else type(data).__name__
        raise InputError(
            file, f"is JSON but holds no Open Referral UK services (found {found})", hint=f"Expected {WHAT}"
        )
    services = [x for x in services if isinstance(x, dict)]
    if not any(x.get("name") or x.get("id") for x in services):
        raise InputError(file, "holds no services (no records with a name or an id)", hint=f"Expected {WHAT}")
    return services


def _nest_tables(data: dict) -> list[dict]:
    """HSDS tables joined into nested service records (nested fields already there are kept)."""

    def table(*keys: str) -> list[dict]:
        return next(
            ([x for x in data[k] if isinstance(x, dict)] for k in keys if isinstance(data.get(k), list)), []
        )

    def by(rows: list[dict], key: str) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for row in rows:
            out.setdefault(str(row.get(key)), []).append(row)
        return out

    orgs = {str(o.get("id")): o for o in table("organizations", "organisations")}
    addresses = by(table("physical_addresses", "addresses"), "location_id")
    locations = {
        str(loc.get("id")): {"physical_addresses": addresses.get(str(loc.get("id")), [])} | loc
        for loc in table("locations")
    }
    taxonomy = {str(t.get("id")): t for t in table("taxonomy", "taxonomys", "taxonomies", "taxonomy_terms")}
    links = {
        "service_at_locations": by(table("service_at_locations"), "service_id"),
        "service_taxonomys": by(table("service_taxonomys", "service_taxonomies"), "service_id"),
        "eligibilitys": by(table("eligibilitys", "eligibility"), "service_id"),
        "service_areas": by(table("service_areas"), "service_id"),
    }
    nested = []
    for svc in table("services"):
        svc = dict(svc)
        sid = str(svc.get("id"))
        if not isinstance(svc.get("organization"), dict) and svc.get("organization_id") is not None:
            svc["organization"] = orgs.get(str(svc["organization_id"]), {"id": svc["organization_id"]})
        svc.setdefault(
            "service_at_locations",
            [
                {"location": locations.get(str(x.get("location_id")), {})}
                for x in links["service_at_locations"].get(sid, [])
            ],
        )
        svc.setdefault(
            "service_taxonomys",
            [
                {"taxonomy": taxonomy.get(str(x.get("taxonomy_id")), {})}
                for x in links["service_taxonomys"].get(sid, [])
            ],
        )
        svc.setdefault("eligibilitys", links["eligibilitys"].get(sid, []))
        svc.setdefault("service_areas", links["service_areas"].get(sid, []))
        nested.append(svc)
    return nested


# --- one service -------------------------------------------------------------------------------
def _text(value: object) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else " ".join(str(value).split())


def _list(value: object) -> list:
    return (
        [x for x in value if isinstance(x, dict)]
        if isinstance(value, list)
        else [value]
        if isinstance(value, dict)
        else []
    )


def _id(given: object, *parts: object) -> str:
    """``oruk-<id>``, or a stable id made from the record's text when it has none."""
    if given not in (None, ""):
        return ID_PREFIX + str(given).strip()
    digest = hashlib.sha1("|".join(_text(p) for p in parts).encode()).hexdigest()[:10]
    return f"{ID_PREFIX}gen-{digest}"


def _org_row(svc: dict, orgs: dict[str, dict], source: str) -> str:
    org = svc.get("organization")
    if not isinstance(org, dict):
        org = {}
    name = _text(org.get("name")) or _text(svc.get("name")) or "Unnamed organisation"
    org_id = _id(org.get("id"), "org", name)
    if org_id not in orgs:
        phone = next((_text(p.get("number")) for p in _list(org.get("phones")) if p.get("number")), "")
        orgs[org_id] = {
            s.ORG_ID: org_id,
            s.ORG_NAME: name,
            s.WEBSITE: _text(org.get("url") or org.get("website")) or pd.NA,
            r.EMAIL: _text(org.get("email") or svc.get("email")) or pd.NA,
            r.PHONE: phone or pd.NA,
            r.ACTIVITIES: _text(org.get("description")) or pd.NA,
            s.POSTCODE: pd.NA,
            r.LON: pd.NA,
            r.LAT: pd.NA,
            r.LOCATION_HINT: pd.NA,
            s.SOURCE: source,
        }
    return org_id


def _location(svc: dict) -> tuple[float | None, float | None, str | None]:
    """The first service location's point, and the first postcode among its locations."""
    point: tuple[float | None, float | None] = (None, None)
    postcode = None
    for link in _list(svc.get("service_at_locations")):
        loc = link.get("location") if isinstance(link.get("location"), dict) else link
        lat, lon = pd.to_numeric(pd.Series([loc.get("latitude"), loc.get("longitude")]), errors="coerce")
        if point == (None, None) and -90 <= lat <= 90 and -180 <= lon <= 180 and (lat, lon) != (0, 0):
            point = (float(lon), float(lat))
        for addr in _list(loc.get("physical_addresses")) + _list(loc.get("addresses")):
            code = addr.get("postal_code") or addr.get("postcode")
            if postcode is None and code:
                postcode = normalise_postcode(pd.Series([str(code)])).iloc[0]
                postcode = None if pd.isna(postcode) else postcode
    return point[0], point[1], postcode


def _reach(svc: dict, lon: float | None, postcode: str | None) -> tuple[str, list[str], float]:
    areas = _list(svc.get("service_areas"))
    wards = sorted({w for a in areas for w in _WARD.findall(json.dumps(a, default=str))})
    if wards:
        return s.AREA_WARDS_LIST, wards, float("nan")
    if lon is not None or postcode:
        radius = next(
            (km for a in areas if (km := extent_km(a.get("extent"))) is not None), DEFAULT_RADIUS_KM
        )
        return s.AREA_RADIUS, [], radius
    return s.AREA_WHOLE, [], float("nan")


def _terms(svc: dict) -> list[str]:
    terms = []
    for link in _list(svc.get("service_taxonomys")) + _list(svc.get("attributes")):
        term = link.get("taxonomy") or link.get("taxonomy_term") or link
        if isinstance(term, dict) and _text(term.get("name")):
            terms.append(_text(term["name"]))
    return terms


def _eligibility_groups(svc: dict) -> set[str]:
    items = _list(svc.get("eligibilitys")) + _list(svc.get("eligibility")) + [svc]
    words = [_text(svc.get("eligibility"))] + [
        _text(e.get("eligibility") or e.get("eligibility_description")) for e in items
    ]
    groups = set(terms_to_themes([w for w in words if w])[2])
    for e in items:
        low, high = pd.to_numeric(pd.Series([e.get("minimum_age"), e.get("maximum_age")]), errors="coerce")
        if high == high and high < 13:
            groups.add("children")
        elif high == high and high <= 25:
            groups |= {"young people"} | ({"children"} if not low >= 11 else set())
        if low == low and low >= 50:
            groups.add("older people")
    return groups


def _text_fallback(
    frame: pd.DataFrame,
    themes_from_text: Callable[..., tuple[pd.Series, pd.Series]],
    client_groups_from_text: Callable[[pd.Series], pd.Series],
) -> pd.DataFrame:
    """Themes from name + description for services whose taxonomy terms gave none."""
    frame = frame.copy()
    empty = frame[s.THEMES].map(len) == 0
    if empty.any():
        themes, reasons = themes_from_text(frame.loc[empty, "_text"], what="name and description")
        frame.loc[empty, s.THEMES] = pd.Series(themes.tolist(), index=themes.index, dtype=object)
        frame.loc[empty, r.THEMES_REASON] = reasons.replace("", pd.NA)
    no_groups = frame[s.CLIENT_GROUPS].map(len) == 0
    if no_groups.any():
        frame.loc[no_groups, s.CLIENT_GROUPS] = client_groups_from_text(frame.loc[no_groups, "_text"])
    return frame


def _orgs_frame(orgs: dict[str, dict], services: pd.DataFrame) -> pd.DataFrame:
    """Organisations with the union of their services' themes (with reasons) and client groups."""
    from sector_map.importers.themes_text import zip_reasons

    why: dict[str, dict[str, str]] = {org_id: {} for org_id in orgs}
    groups: dict[str, set[str]] = {org_id: set() for org_id in orgs}
    for row in services.to_dict("records"):
        for theme, reason in zip_reasons(row[s.THEMES], row[r.THEMES_REASON]):
            why[row[s.ORG_ID]].setdefault(theme, f"service '{row[s.SERVICE_NAME]}': {reason}")
        groups[row[s.ORG_ID]].update(row[s.CLIENT_GROUPS])
    for org_id, org in orgs.items():
        ids = sorted(why[org_id], key=THEME_ORDER.__getitem__)
        org[s.THEMES] = ids
        org[r.THEMES_REASON] = "; ".join(why[org_id][t] for t in ids) or pd.NA
        org[s.CLIENT_GROUPS] = sorted(groups[org_id], key=GROUP_ORDER.__getitem__)
    return r.raw_org_frame(list(orgs.values()))
