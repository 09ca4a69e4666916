"""A revision set against the last approved version of its service, field by field, as text.

What a reviewer reads before approving: each field the revision changes, its value now (the last
approved version, which is what the service row holds) and the proposed one. A new service shows
every field. Values become plain display text here (theme labels, delivery in words with ward
names); the pages show that text as text.

Example:
    >>> delivery_text({"mode": "radius", "postcode": "M31 4FL", "radius_km": 5})
    'within 5 km of M31 4FL'
    >>> delivery_text({"mode": "wards", "wards": ["E1", "E9"]}, ward_names={"E1": "Bucklow"})
    '2 listed wards: Bucklow (E1), E9 (not a ward of this pack)'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from sector_map.directory import listing_form
from sector_map.directory.models import SERVICE_FIELDS, Organisation, Revision, Service
from sector_map.pack.schema import THEMES_BY_ID

EMPTY = "—"
ORGANISATION = "organisation"
# The editor's names for the fields (Our listing's form), so both sides of a review use the same words.
FIELD_LABELS = {**listing_form.FIELD_LABELS, ORGANISATION: "Organisation"}
_NEW_SERVICE_DEFAULTS: dict[str, Any] = {"status": "active", "delivery": {"mode": "whole_area"}}


def _km(value: Any) -> str:
    try:
        return f"{float(value):g} km"
    except (TypeError, ValueError):
        return "reach not given"


def _site(site: Mapping[str, Any]) -> str:
    where = str(site.get("postcode") or "").strip()
    if not where and site.get("latitude") is not None and site.get("longitude") is not None:
        where = f"point {site['latitude']}, {site['longitude']}"
    return f"{where or 'no place given'} (reach {_km(site.get('reach_km'))})"


def delivery_text(delivery: Any, *, ward_names: Mapping[str, str] | None = None) -> str:
    """How a service is delivered, in words: sites with postcodes and reach, listed wards by name
    (and code), a radius around a postcode, or the whole area."""
    if not isinstance(delivery, Mapping) or not delivery:
        return EMPTY
    mode = delivery.get("mode", "whole_area")
    if mode == "whole_area":
        return "the whole area"
    if mode == "sites":
        sites = [s for s in delivery.get("sites") or [] if isinstance(s, Mapping)]
        if not sites:
            return "at sites (none given)"
        return f"at {len(sites)} site{'s' if len(sites) != 1 else ''}: " + "; ".join(map(_site, sites))
    if mode == "wards":
        names = ward_names or {}
        codes = [str(c) for c in delivery.get("wards") or []]
        shown = [f"{names[c]} ({c})" if c in names else f"{c} (not a ward of this pack)" for c in codes]
        return f"{len(codes)} listed ward{'s' if len(codes) != 1 else ''}: " + (", ".join(shown) or EMPTY)
    if mode == "radius":
        return f"within {_km(delivery.get('radius_km'))} of {delivery.get('postcode') or 'no postcode given'}"
    return json.dumps(delivery, sort_keys=True, ensure_ascii=False)


def display(field: str, value: Any, *, ward_names: Mapping[str, str] | None = None) -> str:
    """One service field's value as display text (:data:`EMPTY` when there is none)."""
    if field == "delivery":
        return delivery_text(value, ward_names=ward_names)
    if value is None or value == "" or value == []:
        return EMPTY
    if field == "themes" and isinstance(value, list):
        return ", ".join(THEMES_BY_ID[t].label if t in THEMES_BY_ID else str(t) for t in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, (dict, bool, int, float)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def _organisation_text(s: Session, revision: Revision) -> str:
    org_id = revision.content.get("organisation_id")
    existing = s.get(Organisation, org_id) if org_id else None
    if existing is not None:
        return existing.name
    given = revision.content.get("organisation") or {}
    numbers = [
        f"{k.replace('_', ' ')} {given[k]}" for k in ("charity_number", "company_number") if given.get(k)
    ]
    return f"{given.get('name') or EMPTY} (new{': ' + ', '.join(numbers) if numbers else ''})"


def revision_diff(
    source: Any, revision: Revision, *, ward_names: Mapping[str, str] | None = None
) -> list[tuple[str, str, str]]:
    """``(field, before, after)`` for each field ``revision`` changes, as display text, in the
    order of :data:`SERVICE_FIELDS`; for a new service, the organisation and every field.

    ``source`` is a :class:`~sector_map.directory.store.Store` or an open SQLAlchemy session.
    An empty list means the revision changes nothing (approving it confirms the listing).
    """
    if isinstance(source, Session):
        return _diff(source, revision, ward_names)
    with source.transaction() as s:
        return _diff(s, revision, ward_names)


def _diff(s: Session, revision: Revision, ward_names: Mapping[str, str] | None) -> list[tuple[str, str, str]]:
    proposed = revision.content.get("service") or {}
    current = s.get(Service, revision.service_id)
    rows: list[tuple[str, str, str]] = []
    if current is None or current.version == 0:
        rows.append((ORGANISATION, EMPTY, _organisation_text(s, revision)))
        for field in SERVICE_FIELDS:
            after = proposed.get(field, _NEW_SERVICE_DEFAULTS.get(field))
            rows.append((field, EMPTY, display(field, after, ward_names=ward_names)))
        return rows
    for field in SERVICE_FIELDS:
        if field in proposed and proposed[field] != getattr(current, field):
            before = display(field, getattr(current, field), ward_names=ward_names)
            rows.append((field, before, display(field, proposed[field], ward_names=ward_names)))
    return rows
