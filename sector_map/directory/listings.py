"""The public Directory's listings: every approved, non-defunct service with what a reader needs
(organisation, themes, how delivered, contact, last confirmed, staleness, source), and the search
and filters over them.

A service *serves a ward* when it covers the whole area, lists the ward, or has a site or radius
whose reach touches the ward (a site's or radius's postcode placed by the pack's postcode table,
or a site's own point; reach 0 means the site's own ward).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from sector_map.directory.diff import delivery_text
from sector_map.directory.store import Store, staleness
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.pack.values import normalise_postcode

NOT_CONFIRMED = "not confirmed"


@dataclass(frozen=True)
class Listing:
    service_id: str
    name: str
    organisation: str
    description: str
    organisation_description: str
    themes: tuple[str, ...]
    client_groups: tuple[str, ...]
    status: str
    delivery: Mapping[str, Any]
    how_delivered: str
    url: str
    email: str
    phone: str
    opening_times: str
    eligibility: str
    assured_date: date | None
    staleness: str  # "current", "stale" or "out of provision"
    source: str

    @property
    def last_confirmed(self) -> str:
        """ "last confirmed 2 Nov 2026", or "not confirmed"."""
        if self.assured_date is None:
            return NOT_CONFIRMED
        return f"last confirmed {self.assured_date.day} {self.assured_date:%b %Y}"

    @property
    def contact(self) -> str:
        return " · ".join(x for x in (self.phone, self.email, self.url) if x)


def listings(store: Store, today: date, *, ward_names: Mapping[str, str] | None = None) -> list[Listing]:
    """Every approved service that is not defunct, by organisation then service name."""
    out = [
        Listing(
            svc.id,
            svc.name,
            org.name,
            svc.description,
            org.description,
            tuple(str(t) for t in svc.themes or []),
            tuple(str(g) for g in svc.client_groups or []),
            svc.status,
            dict(svc.delivery or {}),
            delivery_text(svc.delivery, ward_names=ward_names),
            svc.url,
            svc.email,
            svc.phone,
            svc.opening_times,
            svc.eligibility,
            svc.assured_date,
            staleness(svc.assured_date, today),
            svc.source,
        )  # fmt: skip
        for svc, org in store.services(include_defunct=False)
    ]
    return sorted(out, key=lambda x: (x.organisation.casefold(), x.name.casefold(), x.service_id))


def ward_names(pack: Pack) -> dict[str, str]:
    """Ward name per ward code."""
    wards = pack.wards
    return dict(zip(wards[s.WARD_CODE].astype(str), wards[s.WARD_NAME].astype(str), strict=True))


class WardReach:
    """Which wards a delivery reaches, from a pack's ward boundaries and postcode centroids."""

    def __init__(self, wards: gpd.GeoDataFrame, postcodes: pd.DataFrame | None) -> None:
        metric = wards.to_crs(s.METRE_CRS)
        self._wards: dict[str, BaseGeometry] = dict(
            zip(metric[s.WARD_CODE].astype(str), metric.geometry, strict=True)
        )
        self._postcodes: dict[str, BaseGeometry] = {}
        if postcodes is not None and len(postcodes):
            points = gpd.GeoSeries(
                gpd.points_from_xy(postcodes[s.LON], postcodes[s.LAT]), crs=s.PACK_CRS
            ).to_crs(s.METRE_CRS)
            codes = normalise_postcode(postcodes[s.POSTCODE])
            self._postcodes = {str(c): p for c, p in zip(codes, points, strict=True) if isinstance(c, str)}

    @classmethod
    def from_pack(cls, pack: Pack) -> WardReach:
        return cls(pack.wards, pack.postcodes)

    def _point(self, postcode: Any, lat: Any = None, lon: Any = None) -> BaseGeometry | None:
        if lat is not None and lon is not None:
            try:
                return gpd.GeoSeries([Point(float(lon), float(lat))], crs=s.PACK_CRS).to_crs(s.METRE_CRS)[0]
            except (TypeError, ValueError):
                return None
        code = normalise_postcode(pd.Series([postcode]))[0]
        return self._postcodes.get(code) if isinstance(code, str) else None

    def serves(self, delivery: Mapping[str, Any], ward: str) -> bool:
        """Whether ``delivery`` reaches the ward with code ``ward`` (see the module docstring)."""
        mode = delivery.get("mode", "whole_area")
        if mode == "whole_area":
            return True
        if mode == "wards":
            return ward in {str(c) for c in delivery.get("wards") or []}
        shape = self._wards.get(ward)
        if shape is None:
            return False
        if mode == "radius":
            places = [(self._point(delivery.get("postcode")), delivery.get("radius_km"))]
        else:
            places = [
                (
                    self._point(site.get("postcode"), site.get("latitude"), site.get("longitude")),
                    site.get("reach_km"),
                )
                for site in delivery.get("sites") or []
                if isinstance(site, Mapping)
            ]
        for point, km in places:
            if point is None:
                continue
            try:
                metres = max(float(km or 0), 0.0) * 1000
            except (TypeError, ValueError):
                metres = 0.0
            if shape.distance(point) <= metres:
                return True
        return False


def search(
    found: Iterable[Listing],
    *,
    text: str = "",
    themes: Iterable[str] = (),
    client_groups: Iterable[str] = (),
    statuses: Iterable[str] = (),
    staleness_states: Iterable[str] = (),
    ward: str | None = None,
    reach: WardReach | None = None,
) -> list[Listing]:
    """The listings matching every filter given: ``text`` (each word, in any case, somewhere in the
    service's or organisation's name or description), any of ``themes``, any of ``client_groups``,
    one of ``statuses`` and ``staleness_states``, and serving ``ward`` (needs ``reach``)."""
    words = text.casefold().split()
    themes, groups = set(themes), set(client_groups)
    statuses, states = set(statuses), set(staleness_states)
    out = []
    for x in found:
        haystack = " ".join((x.name, x.organisation, x.description, x.organisation_description)).casefold()
        if any(w not in haystack for w in words):
            continue
        if themes and not themes & set(x.themes):
            continue
        if groups and not groups & set(x.client_groups):
            continue
        if statuses and x.status not in statuses:
            continue
        if states and x.staleness not in states:
            continue
        if ward and (reach is None or not reach.serves(x.delivery, ward)):
            continue
        out.append(x)
    return out
