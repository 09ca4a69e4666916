"""Provision keeps only the (service, ward) pairs that reach and finds the nearest service with
spatial indexes; on small random packs it must equal a plain dense calculation, written here
from the definitions (services × wards tables and loops), whatever the services, radii, lists,
postcodes and options."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from sector_map.analysis.catchment import decay_weights, distances_from_people_km, nearest_from_people
from sector_map.analysis.provision import ProvisionOptions, demand_points, provision_by_theme
from sector_map.analysis.service_reach import LOCATED, REACH_SITE, service_locations
from sector_map.pack import schema as s
from sector_map.pack.io import Pack

THEMES = ["poverty_food", "older_people", "mental_health"]
CELL_M = 800.0
X0, Y0 = 383_000.0, 397_000.0  # British National Grid metres in Greater Manchester, where the
# grid transformation round-trips (near the grid's false origin it does not, by tens of metres)
QUALITIES = [s.LOCATION_SITE, s.LOCATION_CONTACT, s.LOCATION_AREA_ONLY]


def random_pack(seed: int, cols: int, rows: int, n_orgs: int, n_postcodes: int) -> Pack:
    """A grid of square wards with organisations, services (every area type) and postcodes."""
    rng = np.random.default_rng(seed)
    cells = [
        box(i * CELL_M, j * CELL_M, (i + 1) * CELL_M, (j + 1) * CELL_M)
        for j in range(rows)
        for i in range(cols)
    ]
    codes = [f"X0500{k:04d}" for k in range(len(cells))]
    wards = gpd.GeoDataFrame(
        {
            s.WARD_CODE: codes,
            s.WARD_NAME: [f"Ward {k}" for k in range(len(cells))],
            s.LA_CODE: "X08000001",
            s.LA_NAME: "Gridshire",
            # some wards with no people, to exercise services that reach nobody
            s.POPULATION: np.where(rng.random(len(cells)) < 0.15, 0, rng.integers(1000, 9000, len(cells))),
        },
        geometry=gpd.GeoSeries(cells, crs=s.METRE_CRS).to_crs(s.PACK_CRS).values,
        crs=s.PACK_CRS,
    )
    width, height = cols * CELL_M, rows * CELL_M

    def somewhere(n: int) -> np.ndarray:  # inside the grid or up to one cell beyond it
        return np.column_stack(
            [X0 + rng.uniform(-CELL_M, width + CELL_M, n), Y0 + rng.uniform(-CELL_M, height + CELL_M, n)]
        )

    def to_lonlat(xy: np.ndarray) -> np.ndarray:
        pts = gpd.GeoSeries(shapely.points(xy), crs=s.METRE_CRS).to_crs(s.PACK_CRS)
        return np.column_stack([pts.x, pts.y])

    org_xy = to_lonlat(somewhere(n_orgs))
    org_xy[rng.random(n_orgs) < 0.3] = org_xy[0]  # organisations sharing a point: ties
    quality = rng.choice(QUALITIES, n_orgs)
    orgs = gpd.GeoDataFrame(
        {
            s.ORG_ID: [f"o{i}" for i in range(n_orgs)],
            s.ORG_NAME: [f"Org {i}" for i in range(n_orgs)],
            s.ORG_KIND: "community group",
            s.CHARITY_NUMBER: None,
            s.INCOME: np.nan,
            s.SIZE_BAND: "unknown",
            s.POSTCODE: None,
            s.WEBSITE: None,
            s.THEMES: [[str(rng.choice(THEMES))] for _ in range(n_orgs)],
            s.LOCATION_QUALITY: quality,
            s.SOURCE: "test",
        },
        geometry=[
            Point() if q == s.LOCATION_AREA_ONLY else Point(*xy)
            for q, xy in zip(quality, org_xy, strict=True)
        ],
        crs=s.PACK_CRS,
    )
    n_svc = 2 * n_orgs
    kind = rng.choice([s.AREA_RADIUS, s.AREA_WARDS_LIST, s.AREA_WHOLE], n_svc, p=[0.6, 0.3, 0.1])
    own = (rng.random(n_svc) < 0.4) & (kind == s.AREA_RADIUS)
    own_xy = to_lonlat(somewhere(n_svc))
    listed = [
        sorted(
            set(rng.choice(codes + ["X05999999"], int(rng.integers(1, 4)))) if k == s.AREA_WARDS_LIST else []
        )
        for k in kind
    ]
    services = pd.DataFrame(
        {
            s.SERVICE_ID: [f"s{j}" for j in range(n_svc)],
            s.ORG_ID: [f"o{int(o)}" for o in rng.integers(0, n_orgs, n_svc)],
            # repeated names, so "distinct names, nearest first" is exercised
            s.SERVICE_NAME: [f"Service {int(k)}" for k in rng.integers(0, n_svc // 2 + 1, n_svc)],
            s.THEMES: [
                list(rng.choice(THEMES, int(rng.integers(1, 3)), replace=False)) for _ in range(n_svc)
            ],
            s.CLIENT_GROUPS: [[] for _ in range(n_svc)],
            s.CAPACITY: np.where(rng.random(n_svc) < 0.5, rng.integers(1, 50, n_svc), np.nan),
            s.AREA_TYPE: kind,
            s.AREA_WARDS: listed,
            s.RADIUS_KM: np.where(kind == s.AREA_RADIUS, rng.uniform(0.2, 2.5, n_svc).round(2), np.nan),
            s.SOURCE: "test",
            s.LON: np.where(own, own_xy[:, 0], np.nan),
            s.LAT: np.where(own, own_xy[:, 1], np.nan),
        }
    )
    pc_xy = to_lonlat(
        np.column_stack([X0 + rng.uniform(0, width, n_postcodes), Y0 + rng.uniform(0, height, n_postcodes)])
    )
    postcodes = pd.DataFrame(
        {s.POSTCODE: [f"ZZ1 {i}AA" for i in range(n_postcodes)], s.LON: pc_xy[:, 0], s.LAT: pc_xy[:, 1]}
    )
    assets = gpd.GeoDataFrame(
        {s.ASSET_ID: [], s.ASSET_NAME: [], s.ASSET_KIND: [], s.ASSET_STATUS: []}, geometry=[], crs=s.PACK_CRS
    )
    manifest = {"name": "Gridshire", "demo": True, "sources": []}
    return Pack(
        manifest,
        wards,
        pd.DataFrame(columns=[s.WARD_CODE, s.INDICATOR_ID, s.VALUE]),
        {},
        orgs,
        services,
        assets,
        postcodes=postcodes if n_postcodes else None,
    )


def metres(geoms: gpd.GeoSeries) -> np.ndarray:
    xy = np.full((len(geoms), 2), np.nan)
    ok = ~(geoms.is_empty | geoms.isna()).to_numpy()
    pts = geoms[ok].to_crs(s.METRE_CRS)
    xy[ok] = np.column_stack([pts.x, pts.y])
    return xy


def dense_reference(pack: Pack, theme: str, options: ProvisionOptions) -> pd.DataFrame:
    """Provision for one theme from services × wards tables, straight from the definitions."""
    svc = service_locations(pack)
    shapes = list(pack.wards.to_crs(s.METRE_CRS).geometry)
    n_w, n_s = len(shapes), len(svc)
    demand_frame = demand_points(pack, options=options).points
    demand = demand_frame[s.DEMAND].to_numpy(float)
    pop = demand_frame[s.POPULATION].to_numpy(float)
    dxy = metres(demand_frame.geometry)
    sxy = metres(svc.geometry)
    # people: each postcode in the first ward containing it
    unit_xy, unit_ward = np.empty((0, 2)), np.empty(0, dtype=int)
    if pack.postcodes is not None and options.demand_point != "geometric":
        pc = metres(
            gpd.GeoSeries(gpd.points_from_xy(pack.postcodes[s.LON], pack.postcodes[s.LAT]), crs=s.PACK_CRS)
        )
        home = [next((w for w, shape in enumerate(shapes) if shape.contains(Point(*p))), -1) for p in pc]
        keep = np.array(home) >= 0
        unit_xy, unit_ward = pc[keep], np.array(home)[keep]
    people = (unit_xy, unit_ward) if len(unit_ward) else None
    dist = distances_from_people_km(sxy, shapes, people).T  # (services, wards), the shared definition

    area_type = svc[s.AREA_TYPE].to_numpy()
    located_pt = np.isfinite(sxy).all(axis=1)
    own = svc[s.RADIUS_KM].to_numpy(float) if options.own_radius else np.full(n_s, np.nan)
    radius = np.where(np.isfinite(own) & (own > 0), own, options.radius_km) * 1000
    reach = np.zeros((n_s, n_w), dtype=bool)
    share = np.zeros((n_s, n_w))
    spread = people is not None and options.demand_point == "postcodes"
    counts = np.bincount(unit_ward, minlength=n_w) if spread else np.zeros(n_w, dtype=int)
    for j in range(n_s):
        if area_type[j] == s.AREA_RADIUS and located_pt[j]:
            p = Point(*sxy[j])
            reach[j] = [shape.distance(p) <= radius[j] for shape in shapes]
            # demand units: postcodes carrying an equal share of their ward, else the ward's point
            uxy = np.vstack([unit_xy, dxy[counts == 0]]) if spread else dxy
            uward = np.concatenate([unit_ward, np.flatnonzero(counts == 0)]) if spread else np.arange(n_w)
            per_unit = demand[uward] / np.maximum(np.bincount(uward, minlength=n_w), 1)[uward]
            d = np.sqrt(((uxy - sxy[j]) ** 2).sum(axis=1))
            w = decay_weights(d, radius[j], options.decay)
            total = (w * per_unit).sum()
            if total > 0:
                unit_share = w / total
                share[j] = np.bincount(uward, unit_share, minlength=n_w) / np.bincount(uward, minlength=n_w)
        elif area_type[j] == s.AREA_WARDS_LIST:
            idx = [
                k for k, code in enumerate(pack.wards[s.WARD_CODE]) if code in set(svc[s.AREA_WARDS].iat[j])
            ]
            reach[j, idx] = True
            if demand[idx].sum() > 0:
                share[j, idx] = 1 / demand[idx].sum()
        elif area_type[j] == s.AREA_WHOLE:
            reach[j] = True
            share[j] = 1 / demand.sum() if demand.sum() > 0 else 0.0

    match = np.array([theme in t for t in svc[s.THEMES]])
    kinds = svc[s.REACH].to_numpy()
    located = np.isin(kinds, LOCATED)
    supply = svc[s.SUPPLY].to_numpy(float) * match

    def nearest(mask: np.ndarray) -> tuple[np.ndarray, list]:
        d = np.where(mask[:, None] & np.isfinite(dist), dist, np.inf)
        best = d.argmin(axis=0)
        has = np.isfinite(d.min(axis=0))
        names = [svc[s.SERVICE_NAME].iat[b] if h else None for b, h in zip(best, has, strict=True)]
        return np.where(has, d.min(axis=0), np.nan), names

    def located_names(w: int) -> str | None:
        idx = np.flatnonzero(match & located & reach[:, w])
        d = np.where(np.isfinite(dist[idx, w]), dist[idx, w], np.inf)
        ordered = list(dict.fromkeys(svc[s.SERVICE_NAME].to_numpy()[idx[np.argsort(d, kind="stable")]]))
        if not ordered:
            return None
        return ", ".join(ordered[:3]) + (f" and {len(ordered) - 3} more" if len(ordered) > 3 else "")

    near_km, near_name = nearest(match)
    site_km, site_name = nearest(match & (kinds == REACH_SITE))
    return pd.DataFrame(
        {
            s.SERVICES: reach[match].sum(axis=0),
            s.SERVICES_LOCATED: reach[match & located].sum(axis=0),
            s.SERVICES_WEAK: reach[match & svc[s.WEAK].to_numpy(bool)].sum(axis=0),
            s.PER_1000: np.where(
                pop > 0, reach[match].sum(axis=0) / np.where(pop > 0, pop, 1) * 1000, np.nan
            ),
            s.ACCESS: 1000 * supply @ share,
            s.ACCESS_LOCATED: 1000 * (supply * located) @ share,
            s.NEAREST_KM: near_km,
            s.NEAREST_SERVICE: near_name,
            s.NEAREST_LOCATED_KM: site_km,
            s.NEAREST_LOCATED_SERVICE: site_name,
            s.LOCATED_SERVICES: [located_names(w) for w in range(n_w)],
        },
        index=pd.Index(pack.wards[s.WARD_CODE], name=s.WARD_CODE),
    )


def texts(column: pd.Series) -> list[str | None]:
    return [None if pd.isna(v) else str(v) for v in column]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**31),
    cols=st.integers(1, 4),
    rows=st.integers(1, 3),
    n_orgs=st.integers(1, 12),
    n_postcodes=st.sampled_from([0, 5, 30]),
    radius_km=st.sampled_from([0.5, 1.0, 2.0]),
    decay=st.sampled_from(["none", "linear", "gaussian"]),
    demand_point=st.sampled_from(["postcodes", "population", "geometric"]),
    own_radius=st.booleans(),
)
def test_sparse_provision_equals_the_dense_definition(
    seed, cols, rows, n_orgs, n_postcodes, radius_km, decay, demand_point, own_radius
):
    pack = random_pack(seed, cols, rows, n_orgs, n_postcodes)
    options = ProvisionOptions(
        radius_km=radius_km, decay=decay, demand_point=demand_point, own_radius=own_radius
    )
    results = provision_by_theme(pack, options=options, themes=THEMES)
    for theme in THEMES:
        got, want = results[theme].table, dense_reference(pack, theme, options)
        for column in (s.SERVICES, s.SERVICES_LOCATED, s.SERVICES_WEAK):
            assert got[column].tolist() == want[column].tolist(), (theme, column)
        for column in (s.PER_1000, s.ACCESS, s.ACCESS_LOCATED, s.NEAREST_KM, s.NEAREST_LOCATED_KM):
            np.testing.assert_allclose(
                got[column].to_numpy(float),
                want[column].to_numpy(float),
                rtol=1e-9,
                atol=1e-12,
                err_msg=f"{theme} {column}",
            )
        for column in (s.NEAREST_SERVICE, s.NEAREST_LOCATED_SERVICE, s.LOCATED_SERVICES):
            assert texts(got[column]) == texts(want[column]), (theme, column)


@pytest.mark.parametrize("people", [False, True])
def test_nearest_equals_the_argmin_of_the_full_table(people):
    rng = np.random.default_rng(7)
    shapes = [box(i * 1000, 0, (i + 1) * 1000, 1000) for i in range(6)] + [shapely.Polygon()]
    xy = rng.uniform(-2000, 8000, (40, 2))
    xy[::7] = np.nan  # unknown points
    xy[5] = xy[3]  # two points at one place: the lower index wins
    crowd = None
    if people:
        pxy = rng.uniform(0, 6000, (50, 2)) * [1, 1 / 6]
        crowd = (pxy, (pxy[:, 0] // 1000).astype(int))
    full = distances_from_people_km(xy, shapes, crowd)
    best, km = nearest_from_people(xy, shapes, crowd)
    known = np.isfinite(full).any(axis=1)
    assert best.tolist() == [int(np.nanargmin(row)) if k else -1 for row, k in zip(full, known, strict=True)]
    np.testing.assert_allclose(
        km, [np.nanmin(row) if k else np.nan for row, k in zip(full, known, strict=True)]
    )
