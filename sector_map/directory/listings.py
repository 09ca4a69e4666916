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
from pyproj import Transformer
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
    """Which wards a delivery reaches, from a pack's ward boundaries and postcode centroids.

    Built once per pack and cheap to build: a ward's boundary is put in metres only when a filter
    first asks about it, and postcodes stay two arrays of coordinates.
    """

    def __init__(self, wards: gpd.GeoDataFrame, postcodes: pd.DataFrame | None) -> None:
        self._boundaries = dict(zip(wards[s.WARD_CODE].astype(str), wards.geometry, strict=True))
        self._crs = wards.crs
        self._metric: dict[str, BaseGeometry] = {}
        self._to_metres = Transformer.from_crs(s.PACK_CRS, s.METRE_CRS, always_xy=True)
        self._postcodes: dict[str, tuple[float, float]] = {}
        if postcodes is not None and len(postcodes):
            xs, ys = self._to_metres.transform(
                postcodes[s.LON].to_numpy(dtype=float), postcodes[s.LAT].to_numpy(dtype=float)
            )
            codes = normalise_postcode(postcodes[s.POSTCODE]).tolist()
            self._postcodes = {
                c: (float(x), float(y)) for c, x, y in zip(codes, xs, ys, strict=True) if isinstance(c, str)
            }

    @classmethod
    def from_pack(cls, pack: Pack) -> WardReach:
        return cls(pack.wards, pack.postcodes)

    def _ward(self, code: str) -> BaseGeometry | None:
        if code not in self._metric:
            shape = self._boundaries.get(code)
            if shape is None:
                return None
            self._metric[code] = gpd.GeoSeries([shape], crs=self._crs).to_crs(s.METRE_CRS).iloc[0]
        return self._metric[code]

    def _point(self, postcode: Any, lat: Any = None, lon: Any = None) -> Point | None:
        if lat is not None and lon is not None:
            try:
                x, y = self._to_metres.transform(float(lon), float(lat))
            except (TypeError, ValueError):
                return None
            return Point(x, y)
        squashed = "".join(str(postcode or "").upper().split())
        found = self._postcodes.get(f"{squashed[:-3]} {squashed[-3:]}") if len(squashed) > 3 else None
        return Point(*found) if found else None

    def serves(self, delivery: Mapping[str, Any], ward: str) -> bool:
        """Whether ``delivery`` reaches the ward with code ``ward`` (see the module docstring)."""
        mode = delivery.get("mode", "whole_area")
        if mode == "whole_area":
            return True
        if mode == "wards":
            return ward in {str(c) for c in delivery.get("wards") or []}
        shape = self._ward(ward)
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
