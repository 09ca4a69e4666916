"""A CSV of organisations' updates (a CVS sending many at once) → one revision per row.

The columns are those of ``data/templates/organisations.csv`` (name, postcode, charity_number,
company_number, website, email, phone, activities, themes, income, kind) plus these optional ones:

* ``service_name`` (default: the organisation's name), ``client_groups``, ``eligibility``,
  ``capacity``, ``opening_times``, ``status`` (HSDS: active, inactive, defunct, temporarily closed);
* delivery: ``delivery`` = sites | wards | radius | whole_area, with ``sites`` (more postcodes,
  ";"-separated, besides ``postcode``) and ``reach_km``, ``wards`` (ward codes, ";"-separated) or
  ``radius_km``. A row without ``delivery`` is a service delivered at its postcode (one site
  reaching :data:`~sector_map.directory.oruk.DEFAULT_REACH_KM`), or the whole area without one;
* ``service_id`` and ``base_version``: to change a listed service instead of adding one.

Lists (themes, client groups, wards, sites) are ";"- or ","-separated. Income and kind are the
pack's fields, not the directory's, and are ignored here.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sector_map.directory.models import DELIVERY_MODES
from sector_map.directory.oruk import DEFAULT_REACH_KM, postcode

_SPLIT = re.compile(r"[;,]")


@dataclass(frozen=True)
class Row:
    line: int
    service: dict[str, Any]
    organisation: dict[str, Any]
    service_id: str | None
    base_version: int | None


def _items(value: str | None) -> list[str]:
    return [v.strip() for v in _SPLIT.split(value or "") if v.strip()]


def _km(value: str | None, what: str) -> float:
    try:
        km = float(str(value).strip())
    except ValueError:
        raise ValueError(f"{what} must be a number of km, not {value!r}") from None
    if not 0 < km <= 200:
        raise ValueError(f"{what} must be between 0 and 200 km, not {km}")
    return km


def delivery_of(row: dict[str, str]) -> dict[str, Any]:
    """The delivery a CSV row describes (see the module docstring).

    Example:
        >>> delivery_of({"postcode": "m31 4fl"})
        {'mode': 'sites', 'sites': [{'postcode': 'M31 4FL', 'latitude': None, 'longitude': None, 'reach_km': 1.5}]}
        >>> delivery_of({"delivery": "wards", "wards": "E05000829; E05000830"})
        {'mode': 'wards', 'wards': ['E05000829', 'E05000830']}
    """
    mode = (row.get("delivery") or "").strip().lower().replace(" ", "_") or None
    home = postcode(row.get("postcode"))
    if mode is None:
        mode = "sites" if home else "whole_area"
    if mode not in DELIVERY_MODES:
        raise ValueError(f"delivery must be one of {', '.join(DELIVERY_MODES)}, not {row.get('delivery')!r}")
    if mode == "wards":
        wards = [w.upper() for w in _items(row.get("wards"))]
        if not wards:
            raise ValueError("delivery 'wards' needs ward codes in the wards column")
        return {"mode": "wards", "wards": wards}
    if mode == "radius":
        if home is None:
            raise ValueError("delivery 'radius' needs a postcode")
        return {"mode": "radius", "postcode": home, "radius_km": _km(row.get("radius_km"), "radius_km")}
    if mode == "sites":
        reach = (
            _km(row.get("reach_km"), "reach_km") if (row.get("reach_km") or "").strip() else DEFAULT_REACH_KM
        )
        codes = [home] if home else []
        for given in _items(row.get("sites")):
            code = postcode(given)
            if code is None:
                raise ValueError(f"not a postcode in sites: {given!r}")
            codes.append(code)
        if not codes:
            raise ValueError("delivery 'sites' needs a postcode")
        return {
            "mode": "sites",
            "sites": [
                {"postcode": c, "latitude": None, "longitude": None, "reach_km": reach}
                for c in dict.fromkeys(codes)
            ],
        }
    return {"mode": "whole_area"}


def read_rows(path: Path) -> tuple[list[Row], list[str]]:
    """The rows of a submission CSV, and a message per row that cannot be read ("line N: why")."""
    rows: list[Row] = []
    problems: list[str] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"name", "postcode"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path.name} has no {', '.join(sorted(missing))} column")
        for line, raw in enumerate(reader, start=2):
            row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            try:
                rows.append(_row(line, row))
            except ValueError as exc:
                problems.append(f"line {line}: {exc}")
    return rows, problems


def _row(line: int, row: dict[str, str]) -> Row:
    name = row.get("name", "")
    if not name:
        raise ValueError("no name")
    if row.get("postcode") and postcode(row["postcode"]) is None:
        raise ValueError(f"not a postcode: {row['postcode']!r}")
    service: dict[str, Any] = {
        "name": row.get("service_name") or name,
        "description": row.get("activities", ""),
        "url": row.get("website", ""),
        "email": row.get("email", ""),
        "phone": row.get("phone", ""),
        "themes": _items(row.get("themes")),
        "client_groups": _items(row.get("client_groups")),
        "eligibility": row.get("eligibility", ""),
        "capacity": row.get("capacity", ""),
        "opening_times": row.get("opening_times", ""),
        "delivery": delivery_of(row),
    }
    if row.get("status"):
        service["status"] = row["status"].lower()
    organisation = {
        "name": name,
        "charity_number": row.get("charity_number") or None,
        "company_number": row.get("company_number") or None,
        "url": row.get("website", ""),
        "email": row.get("email", ""),
    }
    base = row.get("base_version") or None
    if base is not None and not base.isdigit():
        raise ValueError(f"base_version must be a whole number, not {base!r}")
    return Row(line, service, organisation, row.get("service_id") or None, int(base) if base else None)
