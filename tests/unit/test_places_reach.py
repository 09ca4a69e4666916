"""The indexed questions of sector_map.analysis.places (and Where we fit's partners built on them)
give what the straightforward computation over every service and organisation gives.

Run on the demo pack and on the demo wards scaled up to 1,500 fictional organisations
(sector_map.demo.scale: services by radius, by listed wards and across the whole area, contact
addresses and organisations placed only by area).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from sector_map.analysis import partners
from sector_map.analysis.catchment import PeopleDistances
from sector_map.analysis.matching import Offer, distances_km, offer_from_org
from sector_map.analysis.places import Places, places, to_metres
from sector_map.analysis.provision import DEFAULT_RADIUS_KM
from sector_map.analysis.tables import need_and_gap_by_theme
from sector_map.demo.make import build_demo_pack
from sector_map.demo.scale import scale_pack
from sector_map.pack import schema as s
from sector_map.pack.io import Pack


def _scaled(demo: Pack) -> Pack:
    x, y = to_metres(demo.postcodes[s.LON].to_numpy(float), demo.postcodes[s.LAT].to_numpy(float))
    points = pd.DataFrame({s.POSTCODE: demo.postcodes[s.POSTCODE].to_numpy(), "x": x, "y": y})
    return scale_pack(demo, points, organisations=1500, seed=3)


@pytest.fixture(scope="module", params=["demo", "scaled"])
def pack(request) -> Pack:
    demo = build_demo_pack()
    return demo if request.param == "demo" else _scaled(demo)


def _naive_reaching(pl: Places, wards, default_km: float | None = None) -> np.ndarray:
    """Services reaching any of ``wards``, asked ward by ward of every service
    (partners.services_reaching: distances from every service to the ward's polygon)."""
    services = pl.services
    if default_km is not None:
        services = services.assign(**{s.RADIUS_KM: services[s.RADIUS_KM].fillna(default_km)})
    out = np.zeros(len(services), dtype=bool)
    for w in wards:
        out |= partners.services_reaching(services, {pl.codes[w]}, pl.shapes[w])
    return out


def test_reaching_one_ward_is_every_service_measured(pack):
    pl = places(pack)
    for w in range(len(pl.codes)):
        assert np.array_equal(pl.reaching(np.array([w])), _naive_reaching(pl, [w])), pl.codes[w]


def test_reaching_with_a_default_radius_is_every_service_measured(pack):
    pl = places(pack)
    # a radius service stating no radius reaches as far as the default catchment
    radius = pl.services[s.RADIUS_KM].to_numpy(float).copy()
    radius[np.flatnonzero(pl.area_type == s.AREA_RADIUS)[::3]] = np.nan
    pl = Places(pl.orgs, pl.services.assign(**{s.RADIUS_KM: radius}), pl.codes, pl.shapes, pl.people)
    for w in range(0, len(pl.codes), 2):
        fast = pl.reaching(np.array([w]), default_km=DEFAULT_RADIUS_KM)
        assert np.array_equal(fast, _naive_reaching(pl, [w], DEFAULT_RADIUS_KM)), pl.codes[w]
    assert not np.array_equal(
        pl.reaching(np.arange(len(pl.codes))), pl.reaching(np.arange(len(pl.codes)), 1.0)
    )


@pytest.mark.parametrize("share", [0.1, 0.5, 1.0])
def test_reaching_many_wards_is_any_of_them(pack, share):
    pl = places(pack)
    rng = np.random.default_rng(7)
    wards = np.sort(rng.choice(len(pl.codes), max(1, int(share * len(pl.codes))), replace=False))
    assert np.array_equal(pl.reaching(wards), _naive_reaching(pl, wards))


def test_reaching_no_ward_is_the_whole_area_services(pack):
    pl = places(pack)
    assert np.array_equal(pl.reaching(np.array([], dtype=np.int64)), pl.area_type == s.AREA_WHOLE)


def test_distance_from_a_point_is_the_general_measure(pack):
    pl = places(pack)
    base = shapely.Point(*pl.shapes[3].representative_point().coords[0])
    xy = np.vstack([pl.service_xy, [[base.x, base.y], [np.nan, np.nan]]])
    general = PeopleDistances(xy, [base]).pair_metres(np.arange(len(xy)), np.zeros(len(xy), dtype=np.int64))
    fast = pl.distances_km(xy, base)
    assert np.array_equal(fast, general / 1000.0, equal_nan=True)
    assert fast[-2] == 0 and np.isnan(fast[-1])
    assert np.array_equal(fast, distances_km(xy[:, 0], xy[:, 1], base), equal_nan=True)


# --- partners and overlap, against the straightforward table sorted by pandas ---------------------
def _naive_partners(pack: Pack, offer: Offer, need: pd.DataFrame, within_km: float = 3.0, limit: int = 10):
    """Organisation ids of partners and overlap, worked out row by row over every organisation."""
    pl = places(pack)
    orgs = pl.orgs
    area = partners._offer_area(offer, pack)
    reach = _naive_reaching(pl, area) if len(area) else pl.area_type == s.AREA_WHOLE
    owner = pl.service_org
    has_reach = np.zeros(len(orgs), dtype=bool)
    has_reach[owner[reach & (owner >= 0)]] = True
    located = np.zeros(len(orgs), dtype=bool)
    located[owner[reach & (owner >= 0) & (pl.area_type != s.AREA_WHOLE)]] = True
    dist = np.full(len(orgs), np.nan)
    if offer.point is not None:
        px, py = to_metres(offer.point[0], offer.point[1])
        base = shapely.Point(float(px), float(py))
        dist = partners.org_distances_km(orgs, pl.services, base).to_numpy()
    near = dist <= within_km + 1e-9
    keep = (near | has_reach) & (orgs.index.to_numpy() != offer.org_id)
    themes = [t for t in s.THEME_IDS if t in offer.themes]
    rows = []
    need_by_ward = need[themes].mean(axis=1)
    for i in np.flatnonzero(keep):
        have, groups = orgs[s.THEMES].iat[i], orgs[s.CLIENT_GROUPS].iat[i]
        shared = [t for t in themes if t in have]
        extra = [t for t in have if t not in themes]
        asked = [g for g in offer.client_groups if g in groups]
        home = pl.home_ward[i]
        rows.append(
            {
                s.ORG_ID: orgs.index[i],
                s.ORG_NAME: orgs[s.ORG_NAME].iat[i],
                s.DISTANCE_KM: round(dist[i], 2),
                "_n": len(shared) if shared else len(asked),
                "_place": 0 if located[i] else 1 if near[i] and not offer.whole_area else 2,
                "_need": need_by_ward.get(pl.codes[home], np.nan) if home >= 0 else np.nan,
                "_size": partners.SIZE_FACTOR.get(orgs[s.SIZE_BAND].iat[i], partners.SIZE_FACTOR["unknown"]),
                "overlap": bool(shared),
                "partner": not shared and bool(extra),
            }
        )
    frame = pd.DataFrame(rows).sort_values(
        ["_place", "_n", "_need", s.DISTANCE_KM, "_size", s.ORG_NAME],
        ascending=[True, False, False, True, False, True],
        kind="stable",
        na_position="last",
    )
    return (
        frame.loc[frame["partner"], s.ORG_ID].head(limit).tolist(),
        frame.loc[frame["overlap"], s.ORG_ID].head(limit).tolist(),
    )


def _offers(pack: Pack) -> list[Offer]:
    pl = places(pack)
    lon, lat = pack.wards.to_crs(s.PACK_CRS).geometry.iloc[5].representative_point().coords[0]
    with_point = [i for i in range(len(pl.orgs)) if np.isfinite(pl.org_xy[i]).all()]
    return [
        Offer("Food", ("poverty_food",)),
        Offer("Food and health", ("poverty_food", "health_wellbeing"), client_groups=("families", "carers")),
        Offer("Near", ("older_people",), point=(lon, lat)),
        Offer("Near, 2 km", ("mental_health", "community_cohesion"), ("older people",), (lon, lat), 2.0),
        Offer("Listed", ("children_young_people",), wards=tuple(pack.wards[s.WARD_CODE].iloc[:4])),
        *(offer_from_org(pack, str(pl.orgs.index[i])) for i in with_point[:: max(1, len(with_point) // 4)]),
    ]


def test_partners_and_overlap_are_the_straightforward_order(pack):
    need, _ = need_and_gap_by_theme(pack)
    for offer in _offers(pack):
        if not offer.themes:
            continue
        found = partners.partners_and_overlap(pack, offer, need=need)
        naive = _naive_partners(pack, offer, need)
        assert (found.partners[s.ORG_ID].tolist(), found.overlap[s.ORG_ID].tolist()) == naive, offer.name


def test_partners_say_what_they_share(pack):
    need, _ = need_and_gap_by_theme(pack)
    offer = Offer("Food and health", ("poverty_food", "health_wellbeing"), client_groups=("families",))
    found = partners.partners_and_overlap(pack, offer, need=need)
    for row in found.overlap.to_dict("records"):
        assert {"poverty_food", "health_wellbeing"} & set(row[s.THEMES])
        assert row[s.WHY].startswith("also does ")
    for row in found.partners.to_dict("records"):
        assert not {"poverty_food", "health_wellbeing"} & set(row[s.THEMES])
        also = "; also works with families;" in row[s.WHY]
        assert row[s.CLIENT_GROUPS_SHARED] == (["families"] if also else [])


def test_warming_builds_the_reach_of_every_service_once():
    from sector_map.analysis import warm

    pack = build_demo_pack()
    assert not warm.indexed(pack)
    warm.warm(pack)
    assert warm.indexed(pack) and warm.ready(pack)
    pl = places(pack)
    built = pl._reach[None]  # the search over every service, done by the warming
    pl.reaching(np.array([0, 1]))
    pl.reaching(np.arange(len(pl.codes)))
    assert pl._reach == {None: built} and pl._reach[None] is built  # questions afterwards search nothing


@pytest.mark.parametrize("km", [0.0, 0.5, 3.0])
def test_points_near_a_place_are_every_point_measured(pack, km):
    pl = places(pack)
    located = np.isfinite(pl.service_xy).all(axis=1)
    for w in range(len(pl.codes)):
        for shape in (pl.shapes[w], pl.shapes[w].representative_point()):
            near = np.zeros(len(located), dtype=bool)
            near[located] = shapely.dwithin(shapely.points(pl.service_xy[located]), shape, km * 1000.0)
            assert np.array_equal(pl.services_near(shape, km), np.flatnonzero(near))
            own = np.zeros(len(pl.orgs), dtype=bool)
            has = np.isfinite(pl.org_xy).all(axis=1)
            own[has] = shapely.dwithin(shapely.points(pl.org_xy[has]), shape, km * 1000.0)
            own[pl.service_org[near & (pl.service_org >= 0)]] = True
            assert np.array_equal(pl.orgs_near(shape, km), np.flatnonzero(own))
