"""Open Referral UK JSON in and out of the directory.

``read_feed`` turns a saved ORUK / HSDS services feed (a list of services, or a paged wrapper
``{"content": [...]}`` etc.; UTF-8 with or without a byte-order mark, plain or gzipped) into
:class:`FeedService` records, keeping every service whatever its status. Decisions, for the real
feeds (list-level ORUK v1 with PlaceCube ``pc_`` fields):

* a service with no name is skipped and counted; HTML in descriptions becomes plain text;
* a service id seen twice in one file (the Bristol feed has one, for two different services) gets
  ``~2``, ``~3``... after the second and later copies, so neither is lost;
* a service without an organisation gets one of its own named after the service;
* status "temporarily closed" and HSDS's other values are kept; anything else is "active" if
  blank and refused otherwise (counted); ``assured_date`` is the listing's last confirmation;
* delivery: ward codes in ``service_areas`` → listed wards; locations → sites (postcode or point,
  reach from the area's extent or :data:`DEFAULT_REACH_KM`); else the whole area;
* themes from taxonomy terms (the pack's ORUK term table), or else the text of the name and the
  first :data:`THEME_TEXT_CHARS` characters of the description;
  client groups from ``pc_targetAudience`` and eligibility terms.

``export_services`` writes approved, non-defunct services as ORUK JSON with their organisation,
locations, service areas, eligibility, contacts, schedule and taxonomy (the sector-map themes).
"""

from __future__ import annotations

import gzip
import html
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sector_map.directory.models import SERVICE_STATUSES, Organisation, Service

DEFAULT_REACH_KM = 1.5
# Themes are read from the name and the start of the description: long descriptions (some run to
# pages of opening hours and directions) add little and cost a lot to scan.
THEME_TEXT_CHARS = 400
_PAGE_KEYS = ("content", "contents", "items", "data", "results")
_WARD = re.compile(r"\b(?:E05|W05|S13|N08)\d{6}\b")
_TAG = re.compile(r"<[^>]+>")
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")


@dataclass
class FeedService:
    service_id: str
    organisation_id: str
    organisation: dict[str, Any]
    service: dict[str, Any]
    assured: date | None


@dataclass
class FeedReport:
    services: list[FeedService] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    renamed_ids: int = 0

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1


def plain_text(value: object) -> str:
    """Text without HTML tags or entities, whitespace collapsed.

    Example:
        >>> plain_text("<p>Food &amp; advice</p><p><br></p>")
        'Food & advice'
    """
    text = html.unescape(_TAG.sub(" ", str(value or "")))
    return re.sub(r"\s+", " ", text).strip()


def postcode(value: object) -> str | None:
    """A UK-postcode-shaped value in ``"OUTWARD INWARD"`` form, else None.

    Example:
        >>> postcode(" bs1 5th"), postcode("n/a")
        ('BS1 5TH', None)
    """
    match = _POSTCODE.match(re.sub(r"\s+", " ", str(value or "").strip().upper()))
    return f"{match[1]} {match[2]}" if match else None


def load_json(path: Path) -> Any:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return json.loads(raw.decode("utf-8-sig"))


def read_feed(path: Path) -> FeedReport:
    import pandas as pd  # here, not at the top: submit and export need none of the theme rules

    from sector_map.importers.oruk_terms import terms_to_themes
    from sector_map.importers.themes_text import themes_from_text

    data = load_json(path)
    if isinstance(data, dict):
        data = next((data[k] for k in _PAGE_KEYS if isinstance(data.get(k), list)), [data])
    if not isinstance(data, list):
        raise ValueError(f"{path.name}: not an Open Referral UK services list")
    report = FeedReport()
    seen: dict[str, int] = {}
    texts: list[str] = []
    for item in data:
        if not isinstance(item, dict):
            report.skip("not a JSON object")
            continue
        name = plain_text(item.get("name"))
        if not name:
            report.skip("no name")
            continue
        status = str(item.get("status") or "active").strip().lower().replace("_", " ")
        if status not in SERVICE_STATUSES:
            report.skip(f"status {status!r} is not an HSDS service status")
            continue
        raw_id = str(item.get("id") or "").strip() or f"row{len(report.services) + 1}"
        seen[raw_id] = seen.get(raw_id, 0) + 1
        if seen[raw_id] > 1:
            raw_id = f"{raw_id}~{seen[raw_id]}"
            report.renamed_ids += 1
        org = item.get("organization") if isinstance(item.get("organization"), dict) else None
        if org and plain_text(org.get("name")):
            org_id = "oruk-" + str(org.get("id") or plain_text(org.get("name")))
            organisation = {
                "name": plain_text(org.get("name")),
                "description": plain_text(org.get("description")),
                "url": str(org.get("url") or ""),
                "email": str(org.get("email") or ""),
            }
        else:
            org_id, organisation = f"oruk-own-{raw_id}", {"name": name}
        description = plain_text(item.get("description"))
        audience = [
            plain_text(a.get("audienceType"))
            for a in _list(item.get("pc_targetAudience"))
            if isinstance(a, dict)
        ]
        eligibility = [
            plain_text(e.get("eligibility")) for e in _list(item.get("eligibilitys")) if isinstance(e, dict)
        ]
        terms = [
            plain_text((t.get("taxonomy") or t).get("name"))
            for t in _list(item.get("service_taxonomys"))
            if isinstance(t, dict) and isinstance(t.get("taxonomy") or t, dict)
        ]
        themes, _why, groups = terms_to_themes([t for t in terms if t]) if terms else ([], "", [])
        phones = [
            str(p.get("number") or "").strip()
            for c in _list(item.get("contacts"))
            if isinstance(c, dict)
            for p in _list(c.get("phones"))
            if isinstance(p, dict)
        ]
        schedules = [
            plain_text(s.get("description"))
            for s in _list(item.get("regular_schedules"))
            if isinstance(s, dict)
        ]
        service = {
            "name": name,
            "description": description,
            "url": str(item.get("url") or ""),
            "email": str(item.get("email") or ""),
            "phone": next((p for p in phones if p), ""),
            "status": status,
            "themes": list(themes),
            "client_groups": sorted({*groups, *(a for a in audience if a)}),
            "eligibility": "; ".join(e for e in eligibility if e),
            "delivery": _delivery(item),
            "opening_times": "; ".join(s for s in schedules if s),
        }
        texts.append(f"{name}. {description[:THEME_TEXT_CHARS]}")
        report.services.append(
            FeedService(f"oruk-{raw_id}", org_id, organisation, service, _date(item.get("assured_date")))
        )
    if texts:  # services with no taxonomy term: themes from their words
        found, _ = themes_from_text(pd.Series(texts, dtype="string"))
        for record, ids in zip(report.services, found.tolist(), strict=True):
            if not record.service["themes"]:
                record.service["themes"] = list(ids)
    return report


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value or "").strip()[:10])
    except ValueError:
        return None


def _delivery(item: dict) -> dict[str, Any]:
    from sector_map.importers.oruk_terms import extent_km

    areas = [a for a in _list(item.get("service_areas")) if isinstance(a, dict)]
    wards = sorted(
        {w for a in areas for w in _WARD.findall(f"{a.get('service_area', '')} {a.get('uri', '')}")}
    )
    if wards:
        return {"mode": "wards", "wards": wards}
    reach = next((km for a in areas if (km := extent_km(a.get("extent"))) is not None), DEFAULT_REACH_KM)
    sites = []
    for sal in _list(item.get("service_at_locations")):
        loc = sal.get("location") if isinstance(sal, dict) else None
        if not isinstance(loc, dict):
            continue
        addresses = [a for a in _list(loc.get("physical_addresses")) if isinstance(a, dict)]
        code = next((pc for a in addresses if (pc := postcode(a.get("postal_code")))), None)
        lat, lon = _number(loc.get("latitude")), _number(loc.get("longitude"))
        if code or (lat is not None and lon is not None):
            sites.append({"postcode": code, "latitude": lat, "longitude": lon, "reach_km": reach})
    return {"mode": "sites", "sites": sites} if sites else {"mode": "whole_area"}


def _number(value: object) -> float | None:
    try:
        number = float(str(value))
    except ValueError:
        return None
    return number if number == number and number != 0.0 else None  # NaN and 0 are "not given"


def export_services(rows: list[tuple[Service, Organisation]]) -> list[dict[str, Any]]:
    """Approved, non-defunct services as Open Referral UK service records."""
    out = []
    for svc, org in rows:
        if svc.status == "defunct":
            continue
        delivery = svc.delivery or {"mode": "whole_area"}
        record: dict[str, Any] = {
            "id": svc.id,
            "name": svc.name,
            "description": svc.description,
            "url": svc.url,
            "email": svc.email,
            "status": svc.status,
            "assured_date": svc.assured_date.isoformat() if svc.assured_date else None,
            "last_modified": svc.last_modified.isoformat(),
            "attending_type": "",
            "organization": {"id": org.id, "name": org.name, "description": org.description, "url": org.url},
            "eligibilitys": [{"id": f"{svc.id}-eligibility", "eligibility": svc.eligibility}]
            if svc.eligibility
            else [],
            "contacts": [{"id": f"{svc.id}-contact", "phones": [{"number": svc.phone}]}] if svc.phone else [],
            "regular_schedules": [{"id": f"{svc.id}-schedule", "description": svc.opening_times}]
            if svc.opening_times
            else [],
            "service_taxonomys": [
                {"id": f"{svc.id}-{t}", "taxonomy": {"id": t, "name": t, "vocabulary": "sector-map themes"}}
                for t in svc.themes
            ],
            "service_areas": _service_areas(svc.id, delivery),
            "service_at_locations": _locations(svc.id, delivery),
            "x_sector_map": {
                "source": svc.source,
                "version": svc.version,
                "client_groups": svc.client_groups,
            },
        }
        out.append(record)
    return out


def _service_areas(service_id: str, delivery: dict[str, Any]) -> list[dict[str, Any]]:
    mode = delivery.get("mode")
    if mode == "wards":
        return [
            {"id": f"{service_id}-{w}", "service_area": w, "extent": None, "uri": None}
            for w in delivery["wards"]
        ]
    if mode == "radius":
        km = delivery.get("radius_km")
        return [
            {"id": f"{service_id}-area", "service_area": delivery.get("postcode") or "", "extent": f"{km} km"}
        ]
    if mode == "sites":
        return [
            {
                "id": f"{service_id}-area{i}",
                "service_area": site.get("postcode") or "",
                "extent": f"{site.get('reach_km')} km",
            }
            for i, site in enumerate(delivery.get("sites", []), start=1)
        ]
    return [{"id": f"{service_id}-area", "service_area": "whole area", "extent": None}]


def _locations(service_id: str, delivery: dict[str, Any]) -> list[dict[str, Any]]:
    sites = delivery.get("sites", []) if delivery.get("mode") == "sites" else []
    if delivery.get("mode") == "radius" and delivery.get("postcode"):
        sites = [{"postcode": delivery["postcode"]}]
    return [
        {
            "id": f"{service_id}-at{i}",
            "location": {
                "id": f"{service_id}-loc{i}",
                "latitude": site.get("latitude"),
                "longitude": site.get("longitude"),
                "physical_addresses": [
                    {"id": f"{service_id}-addr{i}", "postal_code": site.get("postcode") or ""}
                ],
            },
        }
        for i, site in enumerate(sites, start=1)
    ]
