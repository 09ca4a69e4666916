"""Organisations, services and wards in metres, worked out once per pack, with spatial indexes.

Matching, partners and the ward profile ask "who is near this place, whose services reach it"
again and again. The tables they read (organisations and services with points in metres, ward
polygons, where each ward's people are, which services list which wards) are built once per pack
and kept with it (:func:`per_pack`), and the questions use R-trees and k-d trees, so each costs
what it touches rather than organisations × wards. The tables are shared: never change them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, TypeVar, cast

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyproj
import shapely
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from sector_map.analysis.catchment import PeopleDistances
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.pack.validate import has_location

T = TypeVar("T")
_MEMO = "_analysis_memo"


_GUARD = threading.Lock()  # guards every pack's memo dict and its table of locks
_LOCKS = "_analysis_locks"


def _tables(pack: Pack) -> tuple:
    return (
        pack.wards,
        pack.organisations,
        pack.services,
        pack.postcodes,
        pack.indicators,
        pack.indicator_meta,
    )


def _group(name: Hashable) -> Hashable:
    return name[0] if isinstance(name, tuple) and name else name


def _hit(pack: Pack, name: Hashable) -> tuple[tuple, Any] | None:
    hit = pack.__dict__.get(_MEMO, {}).get(name)
    return (
        hit if hit is not None and all(a is b for a, b in zip(hit[0], _tables(pack), strict=True)) else None
    )


def kept(pack: Pack, name: Hashable) -> bool:
    """Whether :func:`per_pack` holds ``name`` for the pack's present tables (a look-up costs nothing)."""
    return _hit(pack, name) is not None


def per_pack(pack: Pack, name: Hashable, build: Callable[[Pack], T], *, keep: int | None = None) -> T:
    """``build(pack)``, worked out once and kept with the pack while its tables are the same.

    The pack's wards, organisations, services, postcodes and indicators are compared by identity:
    a pack whose tables are replaced (an upload, a test's edit) gets fresh results. The memo holds
    the tables it was built from, so a replaced table's identity is never reused while the memo lives.
    With ``keep``, ``name`` is ``(group, key)`` and only the ``keep`` latest keys of the group stay.

    Thread-safe: one lock per pack and group, so two threads (two sessions, or a session and
    :mod:`sector_map.analysis.warm`) asking for the same result wait for one build, not two.
    """
    hit = _hit(pack, name)
    if hit is not None:
        return cast(T, hit[1])
    with _GUARD:
        lock = pack.__dict__.setdefault(_LOCKS, {}).setdefault(_group(name), threading.RLock())
    with lock:
        hit = _hit(pack, name)
        if hit is not None:  # built by another thread while this one waited
            return cast(T, hit[1])
        tables = _tables(pack)
        value = build(pack)
        with _GUARD:
            memo: dict[Hashable, tuple[tuple, Any]] = pack.__dict__.setdefault(_MEMO, {})
            if keep is not None:
                group = [
                    k for k in memo if isinstance(k, tuple) and k[0] == cast(tuple, name)[0] and k != name
                ]
                for old in group[: max(0, len(group) - keep + 1)]:
                    memo.pop(old, None)
            memo[name] = (tables, value)
        return value


def as_tuple(value: Any) -> tuple[str, ...]:
    """A list-like cell (list, array, None, NaN) as a tuple of strings."""
    if value is None or isinstance(value, float | str):
        return (value,) if isinstance(value, str) and value else ()
    return tuple(str(v) for v in value)


@lru_cache(maxsize=1)
def _transformer() -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(s.PACK_CRS, s.METRE_CRS, always_xy=True)


def to_metres(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 lon/lat (scalars or arrays) to British National Grid metres; NaN stays NaN."""
    x, y = _transformer().transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _bits(cells: list[Any], ids: tuple[str, ...]) -> np.ndarray:
    """``(n, len(ids))`` booleans: which of ``ids`` each list cell holds (others ignored)."""
    pos = {v: i for i, v in enumerate(ids)}
    rows, cols = [], []
    for r, cell in enumerate(cells):
        for v in as_tuple(cell):
            c = pos.get(v)
            if c is not None:
                rows.append(r)
                cols.append(c)
    out = np.zeros((len(cells), len(ids)), dtype=bool)
    out[rows, cols] = True
    return out


def _tuples(bits: np.ndarray, ids: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Each row of ``bits`` as the tuple of its ids, in ``ids`` order."""
    codes = bits.astype(np.int64) @ (1 << np.arange(len(ids), dtype=np.int64))
    uniq, inverse = np.unique(codes, return_inverse=True)
    made = [tuple(v for i, v in enumerate(ids) if code >> i & 1) for code in uniq.tolist()]
    return [made[i] for i in inverse.tolist()]


def organisation_table(pack: Pack) -> pd.DataFrame:
    """One row per organisation (index org_id): name, size band, location quality, themes and
    client groups (unions over its services, else its own), and its point in metres (x, y).

    Worked out once per pack (:func:`per_pack`); shared, so never change it."""
    return per_pack(pack, "organisation_table", _organisation_table)


def _organisation_table(pack: Pack) -> pd.DataFrame:
    orgs = pack.organisations
    table = pd.DataFrame(
        {
            s.ORG_NAME: orgs[s.ORG_NAME].astype(str).values,
            s.SIZE_BAND: orgs[s.SIZE_BAND].fillna(s.SIZE_BAND_UNKNOWN).astype(str).values,
            s.LOCATION_QUALITY: orgs[s.LOCATION_QUALITY].astype(str).values,
        },
        index=orgs[s.ORG_ID].astype(str).values,
    )
    located = has_location(orgs.geometry).to_numpy()
    x = np.full(len(orgs), np.nan)
    y = np.full(len(orgs), np.nan)
    if located.any():
        pts = cast(gpd.GeoSeries, orgs.geometry[located])  # the stubs lose the GeoSeries in a mask
        x[located], y[located] = to_metres(pts.x.to_numpy(), pts.y.to_numpy())
    table[s.X_METRES], table[s.Y_METRES] = x, y
    svc = pack.services
    owner = pd.Index(table.index).get_indexer(pd.Index(svc[s.ORG_ID].astype(str)))
    known = owner >= 0
    groups = orgs[s.CLIENT_GROUPS] if s.CLIENT_GROUPS in orgs.columns else pd.Series([()] * len(orgs))

    def by_org(cells: pd.Series, ids: tuple[str, ...]) -> np.ndarray:
        """Per organisation, the union of its services' ids."""
        out = np.zeros((len(orgs), len(ids)), dtype=bool)
        bits = _bits(cells.tolist(), ids)[known]
        np.logical_or.at(out, owner[known], bits)
        return out

    svc_themes = by_org(svc[s.THEMES], s.THEME_IDS)
    own_themes = _bits(orgs[s.THEMES].tolist(), s.THEME_IDS)
    # an organisation whose services name no theme keeps its own
    themes = np.where(svc_themes.any(axis=1, keepdims=True), svc_themes, own_themes)
    client_groups = by_org(svc[s.CLIENT_GROUPS], s.CLIENT_GROUP_IDS) | _bits(
        groups.tolist(), s.CLIENT_GROUP_IDS
    )
    table[s.THEMES] = _tuples(themes, s.THEME_IDS)
    table[s.CLIENT_GROUPS] = _tuples(client_groups, s.CLIENT_GROUP_IDS)
    if s.PROVENANCE in svc.columns:
        table[s.PROVENANCE] = _provenance_by_org(svc, owner, len(orgs))
    return table


def _provenance_by_org(svc: pd.DataFrame, owner: np.ndarray, n_orgs: int) -> np.ndarray:
    """Per organisation, where its services' description comes from: its directory listings' provenance
    when it has any, else its first service's ("" for none)."""
    out = np.full(n_orgs, "", dtype=object)
    listed = (
        (svc[s.LISTING_ID].fillna("").astype(str) != "").to_numpy()
        if s.LISTING_ID in svc.columns
        else np.zeros(len(svc), dtype=bool)
    )
    rows = np.flatnonzero(owner >= 0)
    rows = rows[np.argsort(~listed[rows], kind="stable")]  # listings first
    first = np.unique(owner[rows], return_index=True)[1]
    text = svc[s.PROVENANCE].fillna("").astype(str).to_numpy(dtype=object)
    out[owner[rows[first]]] = text[rows[first]]
    return out


def service_table(pack: Pack, orgs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Services with org_id, themes (tuple), area type, area wards (tuple), radius and point in
    metres (the service's own lon/lat, else its organisation's point).

    With no ``orgs`` given, worked out once per pack; shared, so never change it."""
    if orgs is None:
        return per_pack(pack, "service_table", lambda p: _service_table(p, organisation_table(p)))
    return _service_table(pack, orgs)


def _shared_tuples(cells: pd.Series) -> np.ndarray:
    """List cells as tuples (:func:`as_tuple`), equal ones one shared object: hundreds of thousands
    of services name a few hundred sets of themes, and many list the same wards."""
    seen: dict[tuple[str, ...], tuple[str, ...]] = {}
    return np.fromiter(
        (seen.setdefault(v, v) for v in map(as_tuple, cells.tolist())), dtype=object, count=len(cells)
    )


def _service_table(pack: Pack, orgs: pd.DataFrame) -> pd.DataFrame:
    svc = pack.services
    org_ids = svc[s.ORG_ID].astype(str)
    x = orgs[s.X_METRES].reindex(org_ids).to_numpy(dtype=float, copy=True)
    y = orgs[s.Y_METRES].reindex(org_ids).to_numpy(dtype=float, copy=True)
    if s.LON in svc.columns and s.LAT in svc.columns:
        own = svc[s.LON].notna().to_numpy() & svc[s.LAT].notna().to_numpy()
        if own.any():
            x[own], y[own] = to_metres(svc[s.LON].to_numpy(float)[own], svc[s.LAT].to_numpy(float)[own])
    return pd.DataFrame(
        {
            s.ORG_ID: org_ids.values,
            s.THEMES: _shared_tuples(svc[s.THEMES]),
            s.AREA_TYPE: svc[s.AREA_TYPE].astype(str).values,
            s.AREA_WARDS: _shared_tuples(svc[s.AREA_WARDS]),
            s.RADIUS_KM: pd.to_numeric(svc[s.RADIUS_KM], errors="coerce").to_numpy(float),
            s.X_METRES: x,
            s.Y_METRES: y,
        }
    )


@dataclass
class Places:
    """The pack's organisations, services and wards in metres, with the indexes to search them.

    Attributes:
        orgs: :func:`organisation_table`.
        services: :func:`service_table`.
        codes: ward codes, pack order.
        shapes: ward polygons in metres, pack order.
        people: postcode points in metres and the position of the ward each is in, or None.
    """

    orgs: pd.DataFrame
    services: pd.DataFrame
    codes: pd.Index
    shapes: np.ndarray
    people: tuple[np.ndarray, np.ndarray] | None
    _reach: dict[float | None, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    warmed: bool = field(default=False, init=False)  # set by :meth:`warm` once every index is built

    @cached_property
    def theme_bits(self) -> np.ndarray:
        """``(n_orgs, n_themes)`` booleans: each organisation's themes, columns in THEME_IDS order."""
        return _bits(self.orgs[s.THEMES].tolist(), s.THEME_IDS)

    @cached_property
    def group_bits(self) -> np.ndarray:
        """``(n_orgs, n_groups)`` booleans: each organisation's client groups, in CLIENT_GROUP_IDS order."""
        return _bits(self.orgs[s.CLIENT_GROUPS].tolist(), s.CLIENT_GROUP_IDS)

    @cached_property
    def name_rank(self) -> np.ndarray:
        """Each organisation's name as a rank (0 first; equal names share one), sorting as the names do."""
        names = np.asarray(self.orgs[s.ORG_NAME].to_numpy(), dtype=object)
        return np.unique(names, return_inverse=True)[1].reshape(-1).astype(np.int64)

    @cached_property
    def service_xy(self) -> np.ndarray:
        return self.services[[s.X_METRES, s.Y_METRES]].to_numpy(float)

    @cached_property
    def org_xy(self) -> np.ndarray:
        return self.orgs[[s.X_METRES, s.Y_METRES]].to_numpy(float)

    @cached_property
    def service_org(self) -> np.ndarray:
        """Each service's position in :attr:`orgs` (-1 when its organisation is not there)."""
        return pd.Index(self.orgs.index).get_indexer(pd.Index(self.services[s.ORG_ID]))

    @cached_property
    def _listed(self) -> tuple[np.ndarray, np.ndarray]:
        """(service, ward position) pairs of every ward a service lists (known wards only)."""
        lists = self.services[s.AREA_WARDS].tolist()
        svc_i = np.repeat(np.arange(len(lists)), [len(v) for v in lists])
        pos = self.codes.get_indexer(pd.Index([c for v in lists for c in v], dtype=object))
        return svc_i[pos >= 0], pos[pos >= 0]

    @cached_property
    def _service_tree(self) -> tuple[cKDTree, np.ndarray]:
        ids = np.flatnonzero(np.isfinite(self.service_xy).all(axis=1))
        return cKDTree(self.service_xy[ids]), ids

    @cached_property
    def _org_tree(self) -> tuple[cKDTree, np.ndarray]:
        ids = np.flatnonzero(np.isfinite(self.org_xy).all(axis=1))
        return cKDTree(self.org_xy[ids]), ids

    def ward_index(self, codes: Iterable[str]) -> np.ndarray:
        """Positions of ward codes (those in the pack) in pack order."""
        pos = self.codes.get_indexer(pd.Index(list(codes), dtype=object))
        return np.unique(pos[pos >= 0])

    def ward_people(self, position: int) -> np.ndarray:
        """The postcode points (metres) inside one ward: ``(n, 2)``, empty when none."""
        if self.people is None:
            return np.empty((0, 2))
        return self.people[0][self.people[1] == position]

    def services_near(self, shape: BaseGeometry, km: float) -> np.ndarray:
        """Positions of services whose point is within ``km`` of ``shape``."""
        return _near(self._service_tree, self.service_xy, shape, km)

    def orgs_near(self, shape: BaseGeometry, km: float) -> np.ndarray:
        """Positions of organisations with their own point, or a service's, within ``km`` of ``shape``."""
        own = _near(self._org_tree, self.org_xy, shape, km)
        via = self.service_org[self.services_near(shape, km)]
        return np.unique(np.concatenate([own, via[via >= 0]]))

    @cached_property
    def area_type(self) -> np.ndarray:
        """Each service's area type (:data:`sector_map.pack.schema.AREA_TYPES`) as a numpy array."""
        return self.services[s.AREA_TYPE].to_numpy()

    @cached_property
    def ward_tree(self) -> shapely.STRtree:
        """An R-tree of the ward polygons (positions in pack order)."""
        return shapely.STRtree(self.shapes)

    def _radius_reach(self, default_km: float | None) -> tuple[np.ndarray, np.ndarray]:
        """(service, ward position) pairs, ward by ward, of every radius service whose radius (its
        own, else ``default_km``) from its point touches the ward: one R-tree search of all the
        services against the wards, once per pack and default (the first is the one that counts)."""
        radius = self.services[s.RADIUS_KM].to_numpy(float)
        reach = (self.area_type == s.AREA_RADIUS) & np.isfinite(self.service_xy).all(axis=1)
        if default_km is not None and (reach & ~np.isfinite(radius)).any():
            radius = np.where(np.isfinite(radius), radius, default_km)
        else:
            default_km = None  # every radius service states its radius: the default changes nothing
        with self._lock:
            found = self._reach.get(default_km)
            if found is None:
                cand = np.flatnonzero(reach & np.isfinite(radius))
                svc_i, ward_i = self.ward_tree.query(
                    shapely.points(self.service_xy[cand]),
                    predicate="dwithin",
                    distance=radius[cand] * 1000.0 + 1e-6,
                )
                order = np.lexsort((svc_i, ward_i))
                found = (
                    cand[svc_i[order]].astype(np.int32),
                    np.searchsorted(ward_i[order], np.arange(len(self.shapes) + 1)),
                )
                self._reach[default_km] = found
        return found

    def reaching(self, wards: np.ndarray, default_km: float | None = None) -> np.ndarray:
        """Which services reach any of the wards at ``wards`` (positions): whole area, a listed
        ward, or a radius (the service's own, else ``default_km``) from its point touching one.

        Reach by radius is worked out for every service and ward once per pack
        (:meth:`warm` does it in the background), so a question costs the wards it asks about."""
        wards = np.unique(np.asarray(wards, dtype=np.int64))
        out = self.area_type == s.AREA_WHOLE
        if not len(wards):
            return out
        chosen = np.zeros(len(self.shapes), dtype=bool)
        chosen[wards] = True
        svc_i, ward_i = self._listed
        listed = np.zeros(len(out), dtype=bool)
        listed[svc_i[chosen[ward_i]]] = True
        out |= listed & (self.area_type == s.AREA_WARDS_LIST)
        services, start = self._radius_reach(default_km)
        if len(wards) <= 64:  # a few wards: their runs of pairs
            out[np.concatenate([services[start[w] : start[w + 1]] for w in wards])] = True
        else:
            out[services[np.repeat(chosen, np.diff(start))]] = True
        return out

    def warm(self) -> None:
        """Build every index the questions use (what a first question would otherwise build)."""
        for name in ("service_org", "_listed", "_service_tree", "_org_tree", "home_ward", "theme_bits"):
            getattr(self, name)
        for name in ("group_bits", "name_rank"):
            getattr(self, name)
        self._radius_reach(None)
        self.warmed = True

    def distances_km(
        self, xy: np.ndarray, shape: BaseGeometry, people: np.ndarray | None = None
    ) -> np.ndarray:
        """km from points to one place, 0 inside it (:func:`sector_map.analysis.catchment.distances_from_people_km`)."""
        if (people is None or not len(people)) and isinstance(shape, shapely.Point) and not shape.is_empty:
            # from a point: plain Euclidean distance (as GEOS measures it), no index to build
            d = np.asarray(xy, dtype=float).reshape(-1, 2) - np.array([shape.x, shape.y])
            return np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]) / 1000.0
        units = None
        if people is not None and len(people):
            units = (np.asarray(people, dtype=float).reshape(-1, 2), np.zeros(len(people), dtype=np.int64))
        found = PeopleDistances(xy, [shape], units)
        return found.pair_metres(np.arange(len(found.xy)), np.zeros(len(found.xy), dtype=np.int64)) / 1000.0

    def org_distances_km(
        self, org_pos: np.ndarray, shape: BaseGeometry, people: np.ndarray | None = None
    ) -> np.ndarray:
        """Per organisation (positions), km from its nearest known point (its own or a service's)."""
        org_pos = np.asarray(org_pos, dtype=np.int64)
        own = self.distances_km(self.org_xy[org_pos], shape, people)
        svc = np.flatnonzero(np.isin(self.service_org, org_pos))
        d = self.distances_km(self.service_xy[svc], shape, people)
        best = pd.Series(own, index=org_pos)
        by_org = pd.Series(d).groupby(self.service_org[svc]).min()
        return pd.concat([best, by_org.reindex(org_pos)], axis=1).min(axis=1).to_numpy()

    @cached_property
    def home_ward(self) -> np.ndarray:
        """Per organisation, the position of the ward its point is inside (-2 outside every ward,
        -1 with no point); a point on a border belongs to neither ward it touches."""
        out = np.full(len(self.orgs), -1, dtype=np.int64)
        ok = np.isfinite(self.org_xy).all(axis=1)
        out[ok] = -2
        pts = shapely.points(self.org_xy[ok])
        p_i, w_i = self.ward_tree.query(pts, predicate="within")
        where = np.flatnonzero(ok)
        order = np.argsort(w_i, kind="stable")  # the last ward containing a point wins, as before
        out[where[p_i[order]]] = w_i[order]
        return out


def offered_themes(pack: Pack) -> frozenset[str]:
    """The themes any of the pack's services offers, once per pack.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> sorted(offered_themes(tiny_pack()))
        ['disability_carers', 'poverty_food']
    """
    return per_pack(pack, "offered_themes", _offered_themes)


def _offered_themes(pack: Pack) -> frozenset[str]:
    return frozenset(t for ts in pack.services[s.THEMES] for t in as_tuple(ts))


def _near(tree: tuple[cKDTree, np.ndarray], xy: np.ndarray, shape: BaseGeometry, km: float) -> np.ndarray:
    """Positions (sorted) of the points of ``tree`` within ``km`` of ``shape``: a k-d tree (a few MB,
    where an R-tree of point geometries takes ~100 MB nationally) finds those near the shape's
    bounding box, and GEOS measures only them."""
    found, ids = tree
    minx, miny, maxx, maxy = shape.bounds
    if not len(ids) or minx != minx:
        return np.empty(0, dtype=np.int64)
    reach = 0.5 * float(np.hypot(maxx - minx, maxy - miny)) + km * 1000.0
    near = np.asarray(
        found.query_ball_point([(minx + maxx) / 2, (miny + maxy) / 2], reach * (1 + 1e-9) + 1.0)
    )
    cand = ids[near.astype(np.int64)]
    return np.sort(cand[shapely.dwithin(shapely.points(xy[cand]), shape, km * 1000.0)])


def places(pack: Pack) -> Places:
    """The pack's :class:`Places`, worked out once per pack."""
    return per_pack(pack, "places", _places)


def _places(pack: Pack) -> Places:
    codes = pd.Index(pack.wards[s.WARD_CODE].astype(str))
    shapes = np.asarray(pack.wards.to_crs(s.METRE_CRS).geometry.values, dtype=object)
    people = None
    pcs = pack.postcodes
    if pcs is not None and len(pcs) and s.LON in pcs and s.LAT in pcs:
        lon = pd.to_numeric(pcs[s.LON], errors="coerce").to_numpy(float)
        lat = pd.to_numeric(pcs[s.LAT], errors="coerce").to_numpy(float)
        ok = np.isfinite(lon) & np.isfinite(lat)
        x, y = to_metres(lon[ok], lat[ok])
        pc_i, ward_i = shapely.STRtree(shapes).query(shapely.points(x, y), predicate="within")
        first = np.unique(pc_i, return_index=True)[1]  # a postcode on a border counts once
        pc_i, ward_i = pc_i[first], ward_i[first]
        order = np.argsort(pc_i, kind="stable")
        people = (np.column_stack([x[pc_i[order]], y[pc_i[order]]]), ward_i[order].astype(np.int64))
    return Places(organisation_table(pack), service_table(pack), codes, shapes, people)
