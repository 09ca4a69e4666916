"""The *Our listing* page's rules: an editor's form input into the store's service fields.

What an editor types (see :func:`service_from_form`) becomes the fields a revision proposes, with
the delivery JSON of :mod:`sector_map.directory.models`; each site is a postcode (checked against
the pack's postcode table, the postcodes inside the area) or a map point ``"lat, lon"`` (checked
against the wards). Problems stop a submission and say what to change; notes (a point just
outside the area, a pack without a postcode table) do not. Also: searching the pack's
organisations for a claim, a delivery in words, and a listing set beside an editor's draft.
Plain Python; the store checks everything again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from sector_map.directory.models import SERVICE_FIELDS, SERVICE_NAME, SERVICE_STATUSES
from sector_map.directory.oruk import DEFAULT_REACH_KM, postcode
from sector_map.pack import schema as s
from sector_map.pack.values import as_list

DELIVERY_LABELS = {
    "sites": "At sites: a postcode or a map point, each with how far it reaches",
    "wards": "In wards we list",
    "radius": "Within a distance of a postcode",
    "whole_area": "Across the whole area",
}
FIELD_LABELS = {
    SERVICE_NAME: "Name",
    "description": "Description",
    "url": "Web address",
    "email": "E-mail",
    "phone": "Phone",
    "status": "Status",
    "themes": "Themes",
    "client_groups": "Who it is for",
    "eligibility": "Eligibility",
    "delivery": "How it is delivered",
    "capacity": "Capacity",
    "opening_times": "Opening times",
}
MAX_REACH_KM = 200.0
EMPTY = "(empty)"  # a field with no value, in a comparison
RADIUS_KM = "radius_km"
# The form's delivery inputs besides the sites (see service_from_form).
FORM_DELIVERY_KEYS = ("mode", "wards", "radius_postcode", RADIUS_KM)
_POINT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[, ]\s*(-?\d+(?:\.\d+)?)\s*$")
_TEXT_FIELDS = ("description", "eligibility", "capacity", "opening_times", "url", "email", "phone")


@dataclass(frozen=True)
class Place:
    """One site as the editor gave it, checked: a postcode or a point, or a problem."""

    given: str
    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    problem: str = ""  # stops a submission
    note: str = ""  # said, but does not stop it


@dataclass
class Draft:
    """The service fields a form describes, what stops them being submitted, and remarks."""

    fields: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)  # the sites or the radius's centre, checked


def _in_area(wards: gpd.GeoDataFrame | None, lon: float, lat: float) -> bool | None:
    if wards is None or not len(wards):
        return None
    return bool(len(wards.sindex.query(Point(lon, lat), predicate="intersects")))


def check_place(text: str, *, postcodes: pd.DataFrame | None, wards: gpd.GeoDataFrame | None = None) -> Place:
    """A site given as a postcode or ``"lat, lon"``, checked against the area.

    A postcode must be in the pack's postcode table when the pack has one (it lists the
    postcodes inside the area); a point must be a UK latitude and longitude, and one outside every
    ward is kept with a note (a service just over the border still reaches the wards beside it).

    Example:
        >>> table = pd.DataFrame({"postcode": ["DM2 2HS"], "lon": [1.72], "lat": [54.55]})
        >>> check_place("dm2 2hs", postcodes=table).latitude
        54.55
        >>> check_place("DM1 1AA", postcodes=table).problem
        'DM1 1AA is not one of the postcodes of this area: it is outside the area or not a current postcode. Check it, or give the place as a map point (latitude, longitude).'
    """
    given = " ".join(str(text or "").split())
    if not given:
        return Place(given, problem="a site has neither a postcode nor a map point")
    point = _POINT.match(given)
    if point:
        lat, lon = float(point[1]), float(point[2])
        if not (49.0 <= lat <= 61.5 and -9.0 <= lon <= 2.5):
            return Place(given, problem=f"{given} is not a latitude, longitude in the UK (e.g. 53.44, -2.42)")
        inside = _in_area(wards, lon, lat)
        note = "" if inside is not False else f"the map point {lat}, {lon} is outside the area's wards"
        return Place(given, latitude=lat, longitude=lon, note=note)
    code = postcode(given)
    if code is None:
        return Place(given, problem=f"{given} is neither a UK postcode nor a map point (latitude, longitude)")
    if postcodes is None or not len(postcodes):
        return Place(
            given, postcode=code, note=f"{code} could not be checked: this pack has no postcode list"
        )
    found = postcodes[postcodes[s.POSTCODE].astype(str).str.upper() == code]
    if not len(found):
        return Place(
            given,
            postcode=code,
            problem=f"{code} is not one of the postcodes of this area: it is outside the area or not a "
            "current postcode. Check it, or give the place as a map point (latitude, longitude).",
        )
    row = found.iloc[0]
    return Place(given, postcode=code, latitude=float(row[s.LAT]), longitude=float(row[s.LON]))


def _reach(value: Any, what: str, problems: list[str]) -> float:
    try:
        km = float(value)
    except (TypeError, ValueError):
        problems.append(f"{what} must be a number of km")
        return DEFAULT_REACH_KM
    if not 0 < km <= MAX_REACH_KM:
        problems.append(f"{what} must be more than 0 and at most {MAX_REACH_KM:g} km, not {km:g}")
    return km


def _delivery(
    form: Mapping[str, Any], draft: Draft, postcodes: pd.DataFrame | None, wards: gpd.GeoDataFrame | None
) -> dict[str, Any]:
    mode = form.get("mode") or "whole_area"
    if mode == "sites":
        sites = []
        for i, site in enumerate(form.get("sites") or [], start=1):
            place = check_place(site.get("place", ""), postcodes=postcodes, wards=wards)
            draft.places.append(place)
            draft.problems += [f"site {i}: {place.problem}"] if place.problem else []
            draft.notes += [f"site {i}: {place.note}"] if place.note else []
            reach = _reach(site.get("reach_km", DEFAULT_REACH_KM), f"site {i}'s reach", draft.problems)
            point = place.postcode is None
            sites.append(
                {
                    "postcode": place.postcode,
                    "latitude": place.latitude if point else None,
                    "longitude": place.longitude if point else None,
                    "reach_km": reach,
                }
            )
        if not sites:
            draft.problems.append("add at least one site (a postcode or a map point)")
        return {"mode": "sites", "sites": sites}
    if mode == "wards":
        codes = list(dict.fromkeys(str(c) for c in form.get("wards") or []))
        known = set(wards[s.WARD_CODE]) if wards is not None else set(codes)
        unknown = [c for c in codes if c not in known]
        if unknown:
            draft.problems.append(f"not wards of this area: {', '.join(unknown)}")
        if not codes:
            draft.problems.append("choose at least one ward (in the list, or by clicking the map)")
        return {"mode": "wards", "wards": codes}
    if mode == "radius":
        place = check_place(form.get("radius_postcode", ""), postcodes=postcodes, wards=wards)
        draft.places.append(place)
        if place.postcode is None and not place.problem:
            draft.problems.append("the centre of a radius is a postcode")
        draft.problems += [f"centre: {place.problem}"] if place.problem else []
        draft.notes += [f"centre: {place.note}"] if place.note else []
        radius = _reach(form.get("radius_km"), "the radius", draft.problems)
        return {"mode": "radius", "postcode": place.postcode or place.given, "radius_km": radius}
    if mode != "whole_area":
        draft.problems.append(f"unknown way of delivering: {mode!r}")
    return {"mode": "whole_area"}


def service_from_form(
    form: Mapping[str, Any],
    *,
    postcodes: pd.DataFrame | None = None,
    wards: gpd.GeoDataFrame | None = None,
) -> Draft:
    """The service fields (``models.SERVICE_FIELDS``) an editor's form describes, checked.

    ``form`` holds ``name``, ``description``, ``status``, ``themes`` and ``client_groups``
    (lists), ``eligibility``, ``capacity``, ``opening_times``, ``url``, ``email``, ``phone``, and
    the delivery: ``mode`` (a key of :data:`DELIVERY_LABELS`) with ``sites`` (``[{"place":
    postcode or "lat, lon", "reach_km": km}]``), ``wards`` (ward codes), or ``radius_postcode``
    and ``radius_km``.
    """
    fields: dict[str, Any] = {SERVICE_NAME: " ".join(str(form.get(SERVICE_NAME) or "").split())}
    draft = Draft(fields)
    if not fields[SERVICE_NAME]:
        draft.problems.append("give the service a name")
    for name in _TEXT_FIELDS:
        fields[name] = str(form.get(name) or "").strip()
    status = form.get("status") or "active"
    if status not in SERVICE_STATUSES:
        draft.problems.append(f"status must be one of {', '.join(SERVICE_STATUSES)}")
    fields["status"] = status
    themes = [str(t) for t in form.get("themes") or []]
    unknown = [t for t in themes if t not in s.THEMES_BY_ID]
    if unknown:
        draft.problems.append(f"unknown themes: {', '.join(unknown)}")
    fields["themes"] = themes
    fields["client_groups"] = [str(c).strip() for c in form.get("client_groups") or [] if str(c).strip()]
    if fields["url"] and not re.match(r"(?i)^https?://[^\s/]+\.[^\s]+$", fields["url"]):
        draft.problems.append(
            "the web address must start with http:// or https:// (e.g. https://example.org)"
        )
    if fields["email"] and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", fields["email"]):
        draft.problems.append(f"{fields['email']} is not an e-mail address")
    fields["delivery"] = _delivery(form, draft, postcodes, wards)
    draft.fields = {k: fields[k] for k in SERVICE_FIELDS}
    return draft


def form_from_service(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values for a listed service (the inverse of :func:`service_from_form`)."""
    form: dict[str, Any] = {k: fields.get(k) or "" for k in (SERVICE_NAME, *_TEXT_FIELDS)}
    form["status"] = fields.get("status") or "active"
    form["themes"] = [t for t in as_list(fields.get("themes")) if t in s.THEMES_BY_ID]
    form["client_groups"] = [str(c) for c in as_list(fields.get("client_groups"))]
    delivery = dict(fields.get("delivery") or {"mode": "whole_area"})
    form["mode"] = delivery.get("mode", "whole_area")
    form["sites"] = [
        {"place": site_text(site), "reach_km": float(site.get("reach_km") or DEFAULT_REACH_KM)}
        for site in delivery.get("sites") or []
    ]
    form["wards"] = [str(w) for w in delivery.get("wards") or []]
    form["radius_postcode"] = str(delivery.get("postcode") or "")
    form["radius_km"] = float(delivery.get("radius_km") or 5.0)
    return form


def changed_fields(
    listed: Mapping[str, Any],
    fields: Mapping[str, Any],
    *,
    postcodes: pd.DataFrame | None = None,
    wards: gpd.GeoDataFrame | None = None,
) -> dict[str, Any]:
    """The fields of a draft that differ from the listed service it was loaded from, so that a
    revision proposes only what the editor changed (no fields at all: the listing is confirmed as
    it is). The listed values go through the form and back first, so a value the form writes
    another way (a reach of ``2`` as ``2.0``) is not taken for a change."""
    loaded = service_from_form(form_from_service(listed), postcodes=postcodes, wards=wards).fields
    return {k: v for k, v in fields.items() if loaded.get(k) != v}


def toggle_ward(listed: Sequence[str], code: str | None) -> list[str]:
    """The listed wards after a click on ``code``: added if absent, removed if present.

    Example:
        >>> toggle_ward(["E1", "E2"], "E3"), toggle_ward(["E1", "E2"], "E1"), toggle_ward(["E1"], None)
        (['E1', 'E2', 'E3'], ['E2'], ['E1'])
    """
    if code is None:
        return list(listed)
    return [c for c in listed if c != code] if code in listed else [*listed, code]


def site_text(site: Mapping[str, Any]) -> str:
    """A site as the form shows it: its postcode, else ``"lat, lon"``."""
    if site.get("postcode"):
        return str(site["postcode"])
    if site.get("latitude") is not None and site.get("longitude") is not None:
        return f"{float(site['latitude']):.5f}, {float(site['longitude']):.5f}"
    return ""


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def describe_delivery(delivery: Mapping[str, Any] | None, ward_names: Mapping[str, str] | None = None) -> str:
    """A delivery in words.

    Example:
        >>> describe_delivery({"mode": "sites", "sites": [{"postcode": "M31 4FL", "reach_km": 1.5}]})
        'At 1 site: M31 4FL (reaching 1.5 km)'
        >>> describe_delivery({"mode": "wards", "wards": ["E1", "E2", "E3"]}, {"E1": "Ashby"})
        'In 3 wards: Ashby, E2 and E3'
        >>> describe_delivery({"mode": "radius", "postcode": "M31 4FL", "radius_km": 5})
        'Within 5 km of M31 4FL'
    """
    delivery = delivery or {"mode": "whole_area"}
    mode = delivery.get("mode", "whole_area")
    if mode == "sites":
        sites = delivery.get("sites") or []
        parts = [
            f"{site_text(site) or 'a site with no place'} (reaching {float(site.get('reach_km') or 0):g} km)"
            for site in sites
        ]
        return (
            f"At {len(sites)} site{'s' if len(sites) != 1 else ''}: {_and(parts)}"
            if parts
            else "At no site yet"
        )
    if mode == "wards":
        names = [(ward_names or {}).get(w, w) for w in delivery.get("wards") or []]
        shown = names[:12] + ([f"{len(names) - 12} more"] if len(names) > 12 else [])
        return (
            f"In {len(names)} ward{'s' if len(names) != 1 else ''}: {_and(shown)}"
            if names
            else "In no ward yet"
        )
    if mode == "radius":
        return f"Within {float(delivery.get('radius_km') or 0):g} km of {delivery.get('postcode') or 'a postcode'}"
    return "Across the whole area"


def value_text(name: str, value: Any, ward_names: Mapping[str, str] | None = None) -> str:
    """A service field's value as one line of text for tables."""
    if name == "delivery":
        return describe_delivery(value, ward_names)
    if name == "themes":
        return ", ".join(s.THEMES_BY_ID[t].label if t in s.THEMES_BY_ID else str(t) for t in as_list(value))
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def compare(
    approved: Mapping[str, Any] | None,
    yours: Mapping[str, Any],
    *,
    opened: Mapping[str, Any] | None = None,
    waiting: Mapping[str, Any] | None = None,
    ward_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The editor's changes beside the listing: one row per field that ``yours`` or ``waiting``
    (another change waiting for review) sets, or that changed since the editor ``opened`` the
    listing, with the columns field, [when you opened it,] approved now, [waiting for review,]
    yours (a field you did not set: as approved now). Rows where every value agrees are left out.
    """
    approved = approved or {}
    since = opened is not None and any(opened.get(k) != approved.get(k) for k in SERVICE_FIELDS)
    columns = ["Field", *(["When you opened it"] if since else []), "Approved now"]
    columns += [*(["Waiting for review"] if waiting is not None else []), "Yours"]
    rows = []
    for name in SERVICE_FIELDS:
        now = approved.get(name)
        values = {"Approved now": now, "Yours": yours.get(name, now)}
        if since and opened is not None:
            values["When you opened it"] = opened.get(name)
        if waiting is not None:
            values["Waiting for review"] = waiting.get(name, now)
        if all(v == now for v in values.values()):
            continue
        text = {k: value_text(name, v, ward_names) or EMPTY for k, v in values.items()}
        rows.append({"Field": FIELD_LABELS[name], **{c: text[c] for c in columns[1:]}})
    return pd.DataFrame(rows, columns=columns)


def search_organisations(organisations: pd.DataFrame, text: str, *, limit: int = 20) -> pd.DataFrame:
    """The pack's organisations whose name contains ``text`` (any case), or whose charity number,
    org id or postcode is ``text``; by name, at most ``limit``."""
    text = " ".join(str(text or "").split())
    if not text or not len(organisations):
        return organisations.iloc[:0]
    names = organisations[s.ORG_NAME].astype(str).str.lower()
    hit = names.str.contains(text.lower(), regex=False)
    for column, wanted in (
        (s.CHARITY_NUMBER, text),
        (s.ORG_ID, text),
        (s.POSTCODE, postcode(text) or "\0"),
    ):
        if column in organisations:
            hit |= organisations[column].astype(str).str.strip().str.upper() == wanted.upper()
    found = organisations[hit]
    return found.iloc[found[s.ORG_NAME].astype(str).str.lower().argsort(kind="stable")].head(limit)


def pack_organisation_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """What a claim of a pack organisation sends the store: its pack id, name, charity number and
    web site."""

    def text(column: str) -> str | None:
        value = row.get(column)
        return None if value is None or value != value or not str(value).strip() else str(value).strip()

    return {
        "pack_org_id": text(s.ORG_ID),
        "name": text(s.ORG_NAME),
        "charity_number": text(s.CHARITY_NUMBER),
        "url": text(s.WEBSITE) or "",
    }


def published_services(services: pd.DataFrame, pack_org_id: str | None) -> pd.DataFrame:
    """The pack's published services of one organisation, as a read-only table: name, themes,
    how delivered, and where the record comes from."""
    columns = ["Service", "Themes", "How it is delivered", "Published by"]
    if not pack_org_id or not len(services):
        return pd.DataFrame(columns=columns)
    own = services[services[s.ORG_ID].astype(str) == str(pack_org_id)]
    rows = []
    for _, svc in own.iterrows():
        area = svc.get(s.AREA_TYPE)
        if area == s.AREA_WARDS_LIST:
            n = len(as_list(svc.get(s.AREA_WARDS)))
            how = f"In {n} listed ward{'s' if n != 1 else ''}"
        elif area == s.AREA_RADIUS and svc.get(s.RADIUS_KM) == svc.get(s.RADIUS_KM):
            how = f"Within {float(svc[s.RADIUS_KM]):g} km of the organisation"
        else:
            how = "Across the whole area"
        rows.append(
            {
                "Service": str(svc.get(s.SERVICE_NAME) or ""),
                "Themes": value_text("themes", as_list(svc.get(s.THEMES))),
                "How it is delivered": how,
                "Published by": f"published: {svc.get(s.SOURCE) or 'the data pack'}",
            }
        )
    return pd.DataFrame(rows, columns=columns)
