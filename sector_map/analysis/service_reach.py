"""How each service reaches people: the point it is at, how good that point is, and its reach kind.

A service reaches people in one of five ways (``REACH``), worked out from its ``area_type`` and
the quality of its point:

- ``"site"``: a radius service at a site of its own (a food bank's address): it reaches the
  wards within its catchment.
- ``"listed wards"``: a service that names the wards it works in.
- ``"whole area"``: a service said to serve the whole area (a charity's area of operation).
- ``"contact address only"``: a radius service whose only point is its organisation's contact
  address (any location quality other than ``site`` and ``area only``, including a contact
  address outside the area). That is where a charity is administered, not proof that it
  delivers anything there.
- ``"no location"``: a radius service with no point at all; it reaches no ward.

The first two are **located** (they say which wards a service reaches); the other three are
**area-wide** (they cannot tell one ward from another). Gap classes are set by located provision
only (:mod:`sector_map.analysis.gaps`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sector_map.pack import schema as s
from sector_map.pack.schema import LAT, LON
from sector_map.pack.validate import has_location

if TYPE_CHECKING:
    from sector_map.pack.io import Pack

_SAME_DEG = 1e-5  # about a metre: a service "at" its organisation's point
REACH = s.REACH  # the column of service_locations holding each service's reach kind

REACH_SITE = "site"
REACH_WARDS = "listed wards"
REACH_WHOLE = "whole area"
REACH_CONTACT = "contact address only"
REACH_NONE = "no location"
REACH_KINDS = (REACH_SITE, REACH_WARDS, REACH_WHOLE, REACH_CONTACT, REACH_NONE)
LOCATED = (REACH_SITE, REACH_WARDS)
AREA_WIDE = (REACH_WHOLE, REACH_CONTACT, REACH_NONE)


def is_site(quality: np.ndarray) -> np.ndarray:
    """True where a location quality is a site, inside the area or just outside it.

    A service delivered at a site over the border still reaches the wards beside it.

    Example:
        >>> is_site(np.array(["site", "site (outside the area)", "contact address", "area only"])).tolist()
        [True, True, False, False]
    """
    kinds = pd.Series(quality, dtype=object).map(s.LOCATION_KIND)
    return (kinds == s.LOCATION_SITE).to_numpy(dtype=bool)


def reach_kind(area_type: np.ndarray, quality: np.ndarray, has_point: np.ndarray) -> np.ndarray:
    """Each service's reach kind (see the module docs) from its area type, location quality and point.

    Example:
        >>> reach_kind(np.array(["radius", "radius", "wards", "whole area", "radius"]),
        ...            np.array(["site", "contact address", "area only", "site", "area only"]),
        ...            np.array([True, True, False, True, False])).tolist()
        ['site', 'contact address only', 'listed wards', 'whole area', 'no location']
    """
    radius = area_type == s.AREA_RADIUS
    return np.select(
        [
            area_type == s.AREA_WARDS_LIST,
            area_type == s.AREA_WHOLE,
            radius & has_point & is_site(quality),
            radius & has_point,
        ],
        [REACH_WARDS, REACH_WHOLE, REACH_SITE, REACH_CONTACT],
        default=REACH_NONE,
    ).astype(object)


def _as_list(v: Any) -> list[str]:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return []
    if isinstance(v, str):
        return [v]
    return [str(x) for x in v]


def service_locations(pack: Pack) -> gpd.GeoDataFrame:
    """One row per service with the point it is at and how good that point is.

    The point is the service's own ``lon``/``lat`` ("site"), else its organisation's point
    (with the organisation's ``location_quality``), else empty ("area only"). ``supply`` is the
    capacity, or 1 when unknown, times the optional ``supply_weight`` (a stale directory listing
    counts for less: :mod:`sector_map.directory.overlay`); ``weak`` marks contact-address, area-only and whole-area services;
    ``reach`` is the service's reach kind (see the module docs). Columns:
    :data:`sector_map.pack.schema.SERVICE_LOCATION_COLUMNS`.
    """
    sv = pack.services.reset_index(drop=True)
    orgs = pack.organisations.drop_duplicates(s.ORG_ID)
    pos = pd.Index(orgs[s.ORG_ID].astype(str)).get_indexer(pd.Index(sv[s.ORG_ID].astype(str)))
    found = pos >= 0
    org_pts = np.asarray(orgs.geometry.values, dtype=object)
    org_ok = has_location(orgs.geometry).to_numpy()
    org_q = orgs[s.LOCATION_QUALITY].astype(object).to_numpy()
    org_names = orgs[s.ORG_NAME].astype(object).to_numpy()

    n = len(sv)
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    quality = np.full(n, s.LOCATION_AREA_ONLY, dtype=object)
    via_org = found & np.append(org_ok, False)[pos]
    if via_org.any():
        pts = org_pts[pos[via_org]]
        x[via_org], y[via_org] = shapely.get_x(pts), shapely.get_y(pts)
        q = org_q[pos[via_org]]
        quality[via_org] = np.where(pd.isna(q), s.LOCATION_CONTACT, q)
    if LON in sv and LAT in sv:
        lon = pd.to_numeric(sv[LON], errors="coerce").to_numpy("float64", na_value=np.nan)
        lat = pd.to_numeric(sv[LAT], errors="coerce").to_numpy("float64", na_value=np.nan)
        own = np.isfinite(lon) & np.isfinite(lat)
        # Importers copy the organisation's point onto its services; that is not a site of its own.
        same = via_org & (np.abs(lon - x) < _SAME_DEG) & (np.abs(lat - y) < _SAME_DEG)
        if s.LISTING_ID in sv:  # a directory listing's site is one, even at its organisation's address
            same &= (sv[s.LISTING_ID].fillna("").astype(str) == "").to_numpy()
        site = own & ~same
        x[site], y[site], quality[site] = lon[site], lat[site], s.LOCATION_SITE
    located = np.isfinite(x)
    geom = np.full(n, shapely.Point(), dtype=object)  # one shared empty point (geometries are immutable)
    geom[located] = shapely.points(x[located], y[located])

    capacity = pd.to_numeric(sv[s.CAPACITY], errors="coerce").to_numpy("float64", na_value=np.nan)
    supply = np.where(np.isnan(capacity), 1.0, capacity)
    if s.SUPPLY_WEIGHT in sv:  # a stale directory listing counts for less (sector_map.directory.overlay)
        weight = pd.to_numeric(sv[s.SUPPLY_WEIGHT], errors="coerce").to_numpy("float64", na_value=np.nan)
        supply = supply * np.where(np.isnan(weight), 1.0, weight)
    area_type = sv[s.AREA_TYPE].astype(object).to_numpy()
    out = pd.DataFrame(
        {
            s.SERVICE_ID: sv[s.SERVICE_ID].astype(str).to_numpy(),
            s.ORG_ID: sv[s.ORG_ID].astype(str).to_numpy(),
            s.SERVICE_NAME: sv[s.SERVICE_NAME].astype(object).to_numpy(),
            s.SERVICE_ORG_NAME: [org_names[i] if i >= 0 else None for i in pos],
            s.THEMES: [_as_list(t) for t in sv[s.THEMES]],
            s.AREA_TYPE: area_type,
            s.AREA_WARDS: [_as_list(w) for w in sv[s.AREA_WARDS]],
            s.RADIUS_KM: pd.to_numeric(sv[s.RADIUS_KM], errors="coerce").to_numpy("float64", na_value=np.nan),
            s.CAPACITY: capacity,
            s.SUPPLY: supply,
            s.LOCATION_QUALITY: quality,
            s.WEAK: ~is_site(quality) | (area_type == s.AREA_WHOLE),
            s.REACH: reach_kind(area_type, quality, located),
        }
    )
    for optional in (s.PROVENANCE, s.LISTING_ID):  # carried when the directory is laid over the pack
        if optional in sv:
            out[optional] = sv[optional].fillna("").astype(str).to_numpy(dtype=object)
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geom, crs=s.PACK_CRS), crs=s.PACK_CRS)


def service_labels(svc: pd.DataFrame) -> np.ndarray:
    """Each service's name as reasons show it: a directory listing's with its provenance, e.g.
    ``"Youth club (described by the organisation, reviewed 2 Nov 2026)"``; others by name alone.

    Example:
        >>> rows = pd.DataFrame({s.SERVICE_NAME: ["Club", "Register entry"],
        ...                      s.PROVENANCE: ["described by the organisation, reviewed 2 Nov 2026", "CCEW"],
        ...                      s.LISTING_ID: ["svc-1", ""]})
        >>> service_labels(rows).tolist()
        ['Club (described by the organisation, reviewed 2 Nov 2026)', 'Register entry']
    """
    names = svc[s.SERVICE_NAME].astype(object).to_numpy()
    if s.PROVENANCE not in svc or s.LISTING_ID not in svc:
        return names
    listed = (svc[s.LISTING_ID].fillna("").astype(str) != "").to_numpy()
    out = names.copy()
    prov = svc[s.PROVENANCE].fillna("").astype(str).to_numpy(dtype=object)
    out[listed] = [f"{n} ({p})" if p else str(n) for n, p in zip(names[listed], prov[listed], strict=True)]
    return out


def unknown_organisations_note(pack: Pack) -> list[str]:
    """A note when services name an organisation that is not in the pack (they have no point)."""
    # plain Python sets: pandas' isin on string columns costs ~5 ms here on every provision run
    known = {str(o) for o in pack.organisations[s.ORG_ID].astype(object).tolist()}
    missing = sum(str(o) not in known for o in pack.services[s.ORG_ID].astype(object).tolist())
    return (
        [f"{missing} services name an organisation that is not in the pack; they have no point."]
        if missing
        else []
    )
