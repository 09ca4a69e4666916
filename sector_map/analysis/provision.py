"""Provision per ward and theme: services reaching each ward, per 1,000 residents, and access.

Step 2 of the core loop (why two-step floating catchment:
``docs/decisions/0002-two-step-floating-catchment.md``). For a theme (or several), every ward gets:

- ``services``: how many services of the theme reach it. A "radius" service reaches a ward when
  its circle (the service's own ``radius_km``, else the chosen catchment radius) touches the ward;
  a "wards" service reaches the wards it lists; a "whole area" service reaches every ward.
- ``per_1000``: those services per 1,000 residents.
- ``access``: supply per 1,000 residents by the two-step floating catchment area method
  (:mod:`sector_map.analysis.catchment`), which also allows for how many other people share a service.
  Supply is a service's capacity, or 1 when capacity is unknown (so on a pack without
  capacities it is "services per 1,000 residents"), times its ``supply_weight`` when the pack
  has one (a stale directory listing counts at half: :mod:`sector_map.directory.overlay`). Demand is the ward population at one
  point per ward. Radius services use 2SFCA with their catchment. Services without a point
  cannot enter 2SFCA, so this module extends it in the same spirit: a "wards" service adds
  ``S / (total population of its listed wards)`` to each listed ward, and a "whole area"
  service adds ``S / (total population of the area)`` to every ward. Each service's supply
  is therefore shared out over the people it serves, and ``sum(access * population) / 1000``
  equals the total supply of the services that reach anyone.
- ``nearest_km``, ``nearest_service``, ``nearest_org``, ``nearest_quality``: the nearest service
  of the theme that has a point (of any area type) and how good that point is.
- ``services_weak`` and ``access_weak_share``: how much rests on weak locations. A service is
  weak when its point is only its organisation's contact address, when it has no point at all
  ("area only"), or when it is said to serve the whole area.
- The **located** and **area-wide** parts (:mod:`sector_map.analysis.service_reach`): ``services_located``,
  ``per_1000_located``, ``access_located`` count only services at a site of their own or in
  listed wards; ``services_area_wide``, ``per_1000_area_wide``, ``access_area_wide`` the rest
  (whole area, contact address only, no location). Each pair adds up to the total.
  ``nearest_located_km`` / ``nearest_located_service`` are the nearest service at a site of its
  own (a listed-wards service's point is only a contact address), and
  ``located_services`` names (up to three, nearest first) the located services reaching the
  ward, a directory listing with its provenance
  (:func:`sector_map.analysis.service_reach.service_labels`). :class:`ProvisionResult` also counts the theme's services by reach kind.

The default catchment radius is 2 km: about a 25-minute walk at an ordinary pace of 5 km an
hour, or a short bus ride, which is roughly how far people go to reach a community service such
as a food bank or a youth club. Urban wards are typically 1–3 km across, so 2 km lets a ward
reach services in its neighbours without letting every service reach the whole borough. The
radius can be changed; a service's own stated reach wins unless ``own_radius=False``.

Where people are (``ProvisionOptions.demand_point``):

- ``"postcodes"`` (default): each ward's population is spread evenly over the postcodes inside it
  (``pack.postcodes``), 2SFCA is worked out from every postcode, and the ward's ``access`` is the
  mean over its postcodes. Postcodes follow where people live, so a food bank at one end of a
  large ward serves the people near it rather than missing the ward's middle altogether.
- ``"population"``: one point per ward, the mean of its postcode centroids, as a stand-in for the
  population-weighted centroid (classic 2SFCA with one demand point per ward).
- ``"geometric"``: one point inside each ward (used whenever the pack has no postcodes).

``nearest_km`` is 0 for a service inside the ward, else the distance from the ward's nearest
postcode (its edge when it has none): see :func:`sector_map.analysis.catchment.distances_from_people_km`.
The result says which kind of point was used, and its ``notes`` say when wards fell back.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pandas.api.extensions import ExtensionArray
from scipy import sparse

from sector_map.analysis.catchment import (
    DECAYS,
    PeopleDistances,
    catchment_weights,
    check_decay,
    spread_shares,
    supply_shares,
    two_step_fca,
)
from sector_map.analysis.places import kept, per_pack
from sector_map.analysis.service_reach import (
    LOCATED,
    REACH_KINDS,
    REACH_SITE,
    service_labels,
    service_locations,
    unknown_organisations_note,
)
from sector_map.pack import schema as s
from sector_map.pack.schema import LAT, LON
from sector_map.pack.validate import has_location

if TYPE_CHECKING:
    from sector_map.pack.io import Pack

__all__ = [
    "DECAYS",
    "DEFAULT_RADIUS_KM",
    "DEMAND_POINTS",
    "DemandPoints",
    "ProvisionOptions",
    "ProvisionResult",
    "demand_points",
    "has_context",
    "provision_by_theme",
    "provision_context",
    "provision_table",
    "service_locations",
    "two_step_fca",
]

DEFAULT_RADIUS_KM = 2.0
DEMAND_POPULATION = "population"
DEMAND_GEOMETRIC = "geometric"
DEMAND_POSTCODES = "postcodes"
DEMAND_POINTS = (DEMAND_POPULATION, DEMAND_GEOMETRIC, DEMAND_POSTCODES)


@dataclass(frozen=True)
class ProvisionOptions:
    """How provision is measured.

    Attributes:
        radius_km: catchment radius for services that do not state their own reach.
        decay: ``"none"``, ``"linear"`` or ``"gaussian"`` (see :mod:`sector_map.analysis.catchment`).
        demand_point: ``"postcodes"``, ``"population"`` or ``"geometric"`` (see the module docs).
        own_radius: when False, ``radius_km`` is used for every radius service (a what-if).
    """

    radius_km: float = DEFAULT_RADIUS_KM
    decay: str = "none"
    demand_point: str = DEMAND_POSTCODES
    own_radius: bool = True

    def __post_init__(self) -> None:
        try:
            r = float(self.radius_km)
        except (TypeError, ValueError):
            r = math.nan
        if not math.isfinite(r) or r <= 0:
            raise ValueError(f"The catchment radius must be a positive number of km; got {self.radius_km!r}.")
        check_decay(self.decay)
        if self.demand_point not in DEMAND_POINTS:
            raise ValueError(
                f"The demand point must be one of {', '.join(DEMAND_POINTS)}; got {self.demand_point!r}."
            )


def _demand_metres(
    pack: Pack, options: ProvisionOptions
) -> tuple[gpd.GeoDataFrame, gpd.GeoSeries, list[str], tuple[np.ndarray, np.ndarray] | None]:
    """Demand points in metres, the wards in metres, notes, and (postcode xy, ward index) or None."""
    wards = pack.wards.reset_index(drop=True)
    wards_m = wards.geometry.to_crs(s.METRE_CRS)
    x = shapely.get_x(np.asarray(wards_m.representative_point().values, dtype=object))
    y = shapely.get_y(np.asarray(wards_m.representative_point().values, dtype=object))
    method = np.full(len(wards), DEMAND_GEOMETRIC, dtype=object)
    counts = np.zeros(len(wards), dtype=np.int64)
    notes: list[str] = []
    pcs = pack.postcodes
    units = None
    if options.demand_point != DEMAND_GEOMETRIC:
        if pcs is None or len(pcs) == 0 or LON not in pcs or LAT not in pcs:
            notes.append("The pack has no postcode table, so each ward's demand point is a point inside it.")
        else:
            lon = pd.to_numeric(pcs[LON], errors="coerce").to_numpy("float64", na_value=np.nan)
            lat = pd.to_numeric(pcs[LAT], errors="coerce").to_numpy("float64", na_value=np.nan)
            ok = np.isfinite(lon) & np.isfinite(lat)
            pts = gpd.GeoSeries(shapely.points(lon[ok], lat[ok]), crs=s.PACK_CRS).to_crs(s.METRE_CRS)
            pc_i, ward_i = shapely.STRtree(np.asarray(wards_m.values)).query(
                np.asarray(pts.values), predicate="within"
            )
            first = np.unique(pc_i, return_index=True)[1]  # a postcode on a border counts once
            pc_i, ward_i = pc_i[first], ward_i[first]
            px, py = shapely.get_x(np.asarray(pts.values)[pc_i]), shapely.get_y(np.asarray(pts.values)[pc_i])
            counts = np.bincount(ward_i, minlength=len(wards))
            has = counts > 0
            x[has] = np.bincount(ward_i, px, len(wards))[has] / counts[has]
            y[has] = np.bincount(ward_i, py, len(wards))[has] / counts[has]
            method[has] = options.demand_point
            units = (np.column_stack([px, py]), ward_i)
            if (~has).any():
                names = ", ".join(map(str, wards[s.WARD_NAME][~has].head(5)))
                notes.append(
                    f"{int((~has).sum())} wards have no postcodes inside them, so their demand point is "
                    f"a point inside the ward: {names}."
                )
    pop = pd.to_numeric(wards[s.POPULATION], errors="coerce").to_numpy("float64", na_value=np.nan)
    if np.isnan(pop).any():
        names = ", ".join(map(str, wards[s.WARD_NAME][np.isnan(pop)].head(5)))
        notes.append(
            f"{int(np.isnan(pop).sum())} wards have no population figure; they count as no demand "
            f"and get no per-1,000 figure: {names}."
        )
    frame = pd.DataFrame(
        {
            s.WARD_CODE: wards[s.WARD_CODE].astype(str).to_numpy(),
            s.WARD_NAME: wards[s.WARD_NAME].astype(object).to_numpy(),
            s.POPULATION: pop,
            s.DEMAND: np.nan_to_num(pop, nan=0.0),
            s.DEMAND_POINT: method,
            s.N_POSTCODES: counts,
        }
    )
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(shapely.points(x, y), crs=s.METRE_CRS))
    return gdf, wards_m, notes, units


def _method_label(method: np.ndarray) -> str:
    kinds = set(method.tolist())
    return kinds.pop() if len(kinds) == 1 else "mixed"


@dataclass(frozen=True)
class DemandPoints:
    """Where each ward's people are taken to be (:func:`demand_points`).

    Attributes:
        points: one row per ward (pack order), :data:`sector_map.pack.schema.DEMAND_COLUMNS`.
        kind: which kind of point was used ("postcodes", "population", "geometric", or "mixed"
            when some wards fell back to a point inside the ward).
        notes: plain-English notes on any fallback.
    """

    points: gpd.GeoDataFrame
    kind: str
    notes: list[str]


def demand_points(pack: Pack, *, options: ProvisionOptions = ProvisionOptions()) -> DemandPoints:
    """One demand point per ward (pack order) with its population and ``demand`` (NaN → 0).

    Example:
        The tiny pack has no postcodes, so each ward's people stand at a point inside it:

        >>> from sector_map.demo.tiny import tiny_pack
        >>> demand = demand_points(tiny_pack())
        >>> demand.points[s.DEMAND].tolist(), demand.kind
        ([8000.0, 9000.0, 10000.0, 11000.0], 'geometric')
    """
    gdf, _, notes, _ = _demand_metres(pack, options)
    return DemandPoints(gdf.to_crs(s.PACK_CRS), _method_label(gdf[s.DEMAND_POINT].to_numpy()), notes)


@dataclass(frozen=True)
class ProvisionResult:
    """Provision per ward for a set of themes, and how it was measured.

    Like a mapclassify scheme's result, every provision table comes with the same named fields.

    Attributes:
        table: one row per ward (pack order), indexed by ward code;
            :data:`sector_map.pack.schema.PROVISION_COLUMNS`.
        themes: the theme ids; a service counts when it has any of them.
        options: the catchment radius, decay, demand point and own-reach switch used.
        demand_point: which kind of demand point was used (see :class:`DemandPoints`).
        notes: plain-English notes: fallbacks, and services that reach no one or are left out.
        services_by_reach: how many services of the themes reach people in each way
            (:data:`sector_map.analysis.service_reach.REACH_KINDS`).
    """

    table: pd.DataFrame
    themes: list[str]
    options: ProvisionOptions
    demand_point: str
    notes: list[str] = field(default_factory=list)
    services_by_reach: dict[str, int] = field(default_factory=dict)


# The service columns the tables show, read into numpy once per context.
_SERVICE_TEXT = (s.SERVICE_NAME, s.SERVICE_ORG_NAME, s.LOCATION_QUALITY, s.REACH)
_LABEL = "_labelled"  # names as reasons show them, when the pack has directory listings


@dataclass
class _Context:
    """Everything that does not depend on the theme, computed once per pack and options.

    Only the (service, ward) pairs that reach are kept, so memory and time follow how many wards
    each service reaches, not services × wards: whole-area services reach every ward and are
    kept as a flag with one share per person, not as a pair per ward.
    """

    options: ProvisionOptions
    svc: pd.DataFrame  # the services' supply (the other columns the tables need are in ``columns``)
    wards: gpd.GeoDataFrame  # demand points in metres
    distances: PeopleDistances  # services' points against the wards' people
    themes: np.ndarray  # (n_services, n_themes) bool, columns in schema.THEME_IDS order
    pair_s: np.ndarray  # services of the reaching (service, ward) pairs, radius and listed wards
    pair_w: np.ndarray  # their wards
    pair_km: np.ndarray  # their distance (catchment.distances_from_people_km), inf without a point;
    # NaN until a table first needs it (:func:`_pair_km`)
    share_s: np.ndarray  # services of the non-zero 2SFCA shares
    share_w: np.ndarray  # their wards
    share: np.ndarray  # share per person of one unit of supply
    whole: np.ndarray  # whole-area services (they reach every ward)
    whole_share: float  # a whole-area service's share per person in every ward
    columns: dict[str, np.ndarray] = field(default_factory=dict)  # service columns as numpy arrays
    flags: dict[str, np.ndarray] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _listed_pairs(svc: gpd.GeoDataFrame, codes: pd.Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(service, ward) pairs of listed-wards services, each pair once, and which list unknown wards."""
    rows = np.flatnonzero(svc[s.AREA_TYPE].to_numpy() == s.AREA_WARDS_LIST)
    lists = svc[s.AREA_WARDS].to_numpy()[rows]
    listed = pd.DataFrame(
        {
            "s": np.repeat(rows, [len(v) for v in lists]).astype(np.int64),
            "code": [str(c) for v in lists for c in v],
        }
    ).drop_duplicates()
    pos = codes.get_indexer(pd.Index(listed["code"]))
    unknown = np.zeros(len(svc), dtype=bool)
    unknown[listed["s"].to_numpy()[pos < 0]] = True
    keep = pos >= 0
    return listed["s"].to_numpy()[keep], pos[keep].astype(np.int64), unknown


# How many catchment settings' contexts a pack keeps (the Gaps page's current and previous one).
_CONTEXTS_KEPT = 2


def _context(pack: Pack, options: ProvisionOptions) -> _Context:
    """The theme-independent part for ``options``, kept with the pack (shared: never change it)."""
    return per_pack(pack, ("provision", options), lambda p: _new_context(p, options), keep=_CONTEXTS_KEPT)


def has_context(pack: Pack, options: ProvisionOptions = ProvisionOptions()) -> bool:
    """Whether the pack keeps the theme-independent part for ``options`` (no work if not)."""
    return kept(pack, ("provision", options))


def provision_context(pack: Pack, options: ProvisionOptions = ProvisionOptions()) -> None:
    """Work out (or find kept) the theme-independent part of provision for the pack and options."""
    _context(pack, options)


def _new_context(pack: Pack, options: ProvisionOptions) -> _Context:
    svc = service_locations(pack)
    dem, wards_m, notes, units = _demand_metres(pack, options)
    notes = unknown_organisations_note(pack) + notes
    n_s, n_w = len(svc), len(dem)
    demand = dem[s.DEMAND].to_numpy()
    area_type = svc[s.AREA_TYPE].to_numpy()
    located = has_location(svc.geometry).to_numpy()
    sxy = np.full((n_s, 2), np.nan)
    if located.any():
        located_geoms = cast(gpd.GeoSeries, svc.geometry[located])  # the stubs lose the GeoSeries in a mask
        pts = np.asarray(located_geoms.to_crs(s.METRE_CRS).values)
        sxy[located] = np.column_stack([shapely.get_x(pts), shapely.get_y(pts)])
    dxy = np.column_stack([shapely.get_x(dem.geometry.values), shapely.get_y(dem.geometry.values)])
    shapes = np.asarray(wards_m.values, dtype=object)
    no_pairs = np.empty(0, dtype=np.int64)
    radius_s, radius_w = no_pairs, no_pairs
    shares = sparse.csr_matrix((0, n_w))
    # Radius services with a point: circle against ward polygons, 2SFCA against demand points.
    own = svc[s.RADIUS_KM].to_numpy() if options.own_radius else np.full(n_s, np.nan)
    radius_m = np.where(np.isfinite(own) & (own > 0), own, options.radius_km) * 1000.0
    rad = np.flatnonzero((area_type == s.AREA_RADIUS) & located)
    if len(rad):
        q, radius_w = shapely.STRtree(shapes).query(
            shapely.points(sxy[rad]), predicate="dwithin", distance=radius_m[rad]
        )
        radius_s = rad[q]
        if units is not None and options.demand_point == DEMAND_POSTCODES:
            shares = spread_shares(
                sxy[rad],
                dxy,
                demand,
                units,
                radius_m=options.radius_km * 1000,
                decay=options.decay,
                supply_radius_m=radius_m[rad],
            )
        else:
            weights = catchment_weights(
                sxy[rad],
                dxy,
                radius_m=options.radius_km * 1000,
                decay=options.decay,
                supply_radius_m=radius_m[rad],
            )
            shares = supply_shares(weights, demand)
    shares = shares.tocoo()
    share_s, share_w, share = (
        rad[shares.row] if len(rad) else no_pairs,
        shares.col.astype(np.int64),
        shares.data,
    )
    # Listed wards: shared over the listed wards' population.
    list_s, list_w, unknown_list = _listed_pairs(svc, pd.Index(dem[s.WARD_CODE]))
    total = np.bincount(list_s, demand[list_w], minlength=n_s)
    counted = total[list_s] > 0
    share_s = np.concatenate([share_s, list_s[counted]])
    share_w = np.concatenate([share_w, list_w[counted]])
    share = np.concatenate([share, 1.0 / total[list_s[counted]]])
    whole = area_type == s.AREA_WHOLE
    whole_share = 1.0 / demand.sum() if demand.sum() > 0 else 0.0

    pair_s = np.concatenate([radius_s.astype(np.int64), list_s])
    pair_w = np.concatenate([radius_w.astype(np.int64), list_w])
    order = np.lexsort((pair_w, pair_s))
    pair_s, pair_w = pair_s[order], pair_w[order]
    distances = PeopleDistances(sxy, shapes, units)
    pair_km = np.full(len(pair_s), np.nan)
    reaches = (np.bincount(pair_s, minlength=n_s) > 0) | (whole & (n_w > 0))
    supplied = (np.bincount(share_s, share, minlength=n_s) > 0) | (whole & (whole_share > 0))
    flags = {
        "no_point_radius": (area_type == s.AREA_RADIUS) & ~located,
        "lost": reaches & ~supplied,
        "unknown_list": unknown_list,
    }
    # (arrays, not lists of Python ints: nationally these lists took ~45 MB at the build's peak)
    cells = svc[s.THEMES].tolist()
    lengths = np.fromiter(map(len, cells), dtype=np.int64, count=len(cells))
    named = np.fromiter(itertools.chain.from_iterable(cells), dtype=object, count=int(lengths.sum()))
    theme_i = pd.Index(s.THEME_IDS).get_indexer(pd.Index(named, dtype=object))
    svc_i = np.repeat(np.arange(n_s), lengths)
    themes = np.zeros((n_s, len(s.THEME_IDS)), dtype=bool)
    themes[svc_i[theme_i >= 0], theme_i[theme_i >= 0]] = True
    return _Context(
        options,
        svc[[s.SUPPLY]].copy(),
        dem,
        distances,
        themes,
        pair_s,
        pair_w,
        pair_km,
        share_s,
        share_w,
        share,
        whole,
        whole_share,
        {c: _shared_text(svc[c]) for c in _SERVICE_TEXT}
        | {s.WEAK: svc[s.WEAK].to_numpy(dtype=bool)}
        | ({_LABEL: service_labels(svc)} if s.LISTING_ID in svc else {}),
        flags,
        notes,
    )


def _shared_text(column: pd.Series) -> np.ndarray:
    """A text column as an object array whose equal values are one shared string: a national pack's
    services repeat a few location qualities and reach kinds, and their organisations' names."""
    seen: dict = {}
    return np.fromiter(
        (seen.setdefault(v, v) for v in column.to_numpy(dtype=object)), dtype=object, count=len(column)
    )


def _names(names: np.ndarray, mask: np.ndarray) -> str:
    shown = names[mask][:5].astype(str).tolist()
    more = int(mask.sum()) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


_KM = "km"  # the distance in what _nearest gives


def _table(ctx: _Context, wanted: list[str]) -> ProvisionResult:
    svc, dem = ctx.svc, ctx.wards
    n_w = len(dem)
    match: np.ndarray = np.asarray(ctx.themes[:, [s.THEME_IDS.index(t) for t in wanted]].any(axis=1))
    weak = ctx.columns[s.WEAK]
    reach = ctx.columns[s.REACH]
    supply = svc[s.SUPPLY].to_numpy() * match
    pop = dem[s.POPULATION].to_numpy()

    located: np.ndarray = np.asarray(np.isin(reach, LOCATED))

    def count(mask: np.ndarray) -> np.ndarray:
        """Services of ``mask`` reaching each ward."""
        return np.bincount(ctx.pair_w[mask[ctx.pair_s]], minlength=n_w) + int((mask & ctx.whole).sum())

    def supply_per_person(values: np.ndarray) -> np.ndarray:
        """Per ward, the supply ``values`` reaching it per person (2SFCA)."""
        local = np.bincount(ctx.share_w, values[ctx.share_s] * ctx.share, minlength=n_w)
        return local + ctx.whole_share * values[ctx.whole].sum()

    services = count(match)
    services_located = count(match & located)
    access = 1000.0 * supply_per_person(supply)
    access_weak = 1000.0 * supply_per_person(supply * weak)
    access_located = 1000.0 * supply_per_person(supply * located)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_1000 = np.where(pop > 0, services / pop * 1000.0, np.nan)
        per_1000_located = np.where(pop > 0, services_located / pop * 1000.0, np.nan)
        weak_share = np.where(access > 0, access_weak / access, np.nan)

    near = _nearest(ctx, match, n_w)
    # A listed-wards service's point is only a contact address: the nearest *site* is measured.
    near_located = _nearest(ctx, match & (reach == REACH_SITE), n_w)
    out = pd.DataFrame(
        {
            s.SERVICES: services.astype("int64"),
            s.SERVICES_WEAK: count(match & weak).astype("int64"),
            s.PER_1000: per_1000,
            s.ACCESS: access,
            s.ACCESS_WEAK_SHARE: weak_share,
            s.NEAREST_KM: near[_KM],
            s.NEAREST_SERVICE: near[s.SERVICE_NAME],
            s.NEAREST_ORG: near[s.SERVICE_ORG_NAME],
            s.NEAREST_QUALITY: near[s.LOCATION_QUALITY],
            s.SERVICES_LOCATED: services_located.astype("int64"),
            s.SERVICES_AREA_WIDE: (services - services_located).astype("int64"),
            s.PER_1000_LOCATED: per_1000_located,
            s.PER_1000_AREA_WIDE: per_1000 - per_1000_located,
            s.ACCESS_LOCATED: access_located,
            s.ACCESS_AREA_WIDE: access - access_located,
            s.NEAREST_LOCATED_KM: near_located[_KM],
            s.NEAREST_LOCATED_SERVICE: near_located[s.SERVICE_NAME],
            s.LOCATED_SERVICES: _located_names(ctx, match & located),
        },
        index=pd.Index(dem[s.WARD_CODE], name=s.WARD_CODE),
    )
    notes = list(ctx.notes)
    for flag, text in (
        (
            "no_point_radius",
            "radius services have no point (their organisation is known only by its area), "
            "so they reach no ward",
        ),
        ("lost", "services reach no ward with people in it, so their supply is not in `access`"),
        ("unknown_list", "services list wards that are not in this pack; those wards are ignored"),
    ):
        m = ctx.flags[flag] & match
        if m.any():
            notes.append(f"{int(m.sum())} {text}: {_names(ctx.columns[s.SERVICE_NAME], m)}.")
    return ProvisionResult(
        table=out,
        themes=wanted,
        options=ctx.options,
        demand_point=_method_label(dem[s.DEMAND_POINT].to_numpy()),
        notes=notes,
        services_by_reach={k: int((match & (reach == k)).sum()) for k in REACH_KINDS},
    )


def _nearest(ctx: _Context, mask: np.ndarray, n_wards: int) -> dict[str, np.ndarray | ExtensionArray]:
    """Per ward, the nearest service of ``mask`` that has a point: its distance, name, org, quality."""
    best, km = ctx.distances.nearest(mask)
    has = best >= 0
    out: dict[str, np.ndarray | ExtensionArray] = {_KM: km}
    for column in (s.SERVICE_NAME, s.SERVICE_ORG_NAME, s.LOCATION_QUALITY):
        values = np.full(n_wards, None, dtype=object)
        values[has] = ctx.columns[column][best[has]]
        out[column] = pd.array(values, dtype="string")
    return out


def _pair_km(ctx: _Context, keep: np.ndarray) -> np.ndarray:
    """The distances of the reaching pairs ``keep``, measured the first time they are asked for."""
    todo = np.flatnonzero(keep & np.isnan(ctx.pair_km))
    if len(todo):
        d = ctx.distances.pair_metres(ctx.pair_s[todo], ctx.pair_w[todo]) / 1000.0
        ctx.pair_km[todo] = np.where(np.isfinite(d), d, np.inf)
    return ctx.pair_km[keep]


def _located_names(ctx: _Context, mask: np.ndarray, most: int = 3) -> list[str | None]:
    """Per ward, the names of the located services that reach it (distinct, nearest first)."""
    keep = mask[ctx.pair_s]
    ward, km, svc_i = ctx.pair_w[keep], _pair_km(ctx, keep), ctx.pair_s[keep]
    order = np.lexsort((svc_i, km, ward))  # by ward, nearest first, ties in service order
    pairs = pd.DataFrame(
        {
            "w": ward[order],
            "text": ctx.columns.get(_LABEL, ctx.columns[s.SERVICE_NAME])[svc_i[order]].astype(str),
        }
    ).drop_duplicates()
    out: list[str | None] = [None] * len(ctx.wards)
    names = pairs["text"].to_numpy()
    wards = pairs["w"].to_numpy()
    bounds = np.r_[0, np.flatnonzero(np.diff(wards)) + 1, len(wards)] if len(wards) else np.zeros(1, int)
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        more = hi - lo - most
        out[wards[lo]] = ", ".join(names[lo : min(hi, lo + most)]) + (f" and {more} more" if more > 0 else "")
    return out


def provision_table(
    pack: Pack, themes: str | list[str], *, options: ProvisionOptions = ProvisionOptions()
) -> ProvisionResult:
    """Provision for one theme, or several together, in every ward of the pack (pack order).

    A service counts when it has any of the themes. The result's table has ``services``,
    ``services_weak``, ``per_1000``, ``access``, ``access_weak_share``, ``nearest_km``,
    ``nearest_service``, ``nearest_org``, ``nearest_quality`` and their located / area-wide parts
    (see the module docstring); the result also says how it was measured, with plain-English notes.

    Raises:
        ValueError: for an unknown theme id.

    Example:
        The tiny pack's food bank (40 places, reaching 1.5 km from Alpha) reaches Alpha, Beta
        and Gamma, 27,000 people in all, so each of them has 40 / 27,000 places per person,
        1.48 per 1,000; Delta is beyond its reach:

        >>> from sector_map.demo.tiny import tiny_pack
        >>> result = provision_table(tiny_pack(), "poverty_food")
        >>> table = result.table
        >>> table[s.SERVICES].tolist(), table[s.ACCESS].round(2).tolist()
        ([1, 1, 1, 0], [1.48, 1.48, 1.48, 0.0])
        >>> table[s.NEAREST_KM].round(1).tolist(), table[s.NEAREST_SERVICE].tolist()
        ([0.0, 0.3, 1.0, 1.7], ['Food bank', 'Food bank', 'Food bank', 'Food bank'])
        >>> result.demand_point, result.services_by_reach[REACH_SITE]
        ('geometric', 1)

        A narrower catchment for every service (a what-if) shares the places among fewer people:

        >>> narrow = ProvisionOptions(radius_km=1.0, own_radius=False)
        >>> provision_table(tiny_pack(), "poverty_food", options=narrow).table[s.ACCESS].round(2).tolist()
        [2.35, 2.35, 0.0, 0.0]
    """
    return _table(_context(pack, options), s.check_theme_ids(themes))


def provision_by_theme(
    pack: Pack, *, options: ProvisionOptions = ProvisionOptions(), themes: list[str] | None = None
) -> dict[str, ProvisionResult]:
    """:func:`provision_table` for every theme that has at least one service, in theme order.

    With ``themes``, for exactly those themes (a theme no service offers gets a table of zeros),
    so callers never work out the catchments again theme by theme.

    Example:
        >>> from sector_map.demo.tiny import tiny_pack
        >>> results = provision_by_theme(tiny_pack())
        >>> {theme: result.table[s.SERVICES].tolist() for theme, result in results.items()}
        {'disability_carers': [0, 1, 1, 0], 'poverty_food': [1, 1, 1, 0]}
    """
    ctx = _context(pack, options)
    if themes is not None:
        return {t: _table(ctx, [t]) for t in (s.check_theme_ids(themes) if themes else [])}
    present = {
        t for t, offered in zip(s.THEME_IDS, np.asarray(ctx.themes.any(axis=0)), strict=True) if offered
    }
    return {t: _table(ctx, [t]) for t in s.THEME_IDS if t in present}
