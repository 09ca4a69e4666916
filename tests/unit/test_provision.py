"""Provision per ward: 2SFCA worked by hand, and a hand-built four-ward pack."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from sector_map.analysis.catchment import catchment_weights, decay_weights
from sector_map.analysis.provision import (
    DECAYS,
    DEFAULT_RADIUS_KM,
    ProvisionOptions,
    demand_points,
    provision_by_theme,
    provision_table,
    service_locations,
    two_step_fca,
)
from sector_map.pack import schema as s
from sector_map.pack.io import Pack

# --- two_step_fca on a line of points (metres) --------------------------------------------
# Supply A at x=0 (10 places), B at x=3000 (5 places); demand P1 at x=1000 (100 people),
# P2 at x=2000 (300), P3 at x=5000 (50); catchment 2,500 m.
SXY = [[0, 0], [3000, 0]]
S = [10, 5]
DXY = [[1000, 0], [2000, 0], [5000, 0]]
P = [100, 300, 50]


def test_two_step_fca_no_decay_by_hand():
    # A reaches P1 (1 km) and P2 (2 km): R_A = 10 / (100 + 300) = 0.025.
    # B reaches P1 (2 km), P2 (1 km), P3 (2 km): R_B = 5 / (100 + 300 + 50) = 1/90.
    # A1 = A2 = 0.025 + 1/90 = 0.036111; A3 = 1/90 = 0.011111.
    a = two_step_fca(SXY, S, DXY, P, radius_m=2500)
    assert a == pytest.approx([0.025 + 1 / 90, 0.025 + 1 / 90, 1 / 90])
    # Supply is conserved: sum(A * P) = 10 + 5.
    assert float(np.dot(a, P)) == pytest.approx(15.0)


def test_two_step_fca_linear_by_hand():
    # W(1 km) = 1 - 1000/2500 = 0.6; W(2 km) = 1 - 2000/2500 = 0.2.
    # R_A = 10 / (0.6*100 + 0.2*300) = 10/120; R_B = 5 / (0.2*100 + 0.6*300 + 0.2*50) = 5/210.
    ra, rb = 10 / 120, 5 / 210
    a = two_step_fca(SXY, S, DXY, P, radius_m=2500, decay="linear")
    assert a == pytest.approx([0.6 * ra + 0.2 * rb, 0.2 * ra + 0.6 * rb, 0.2 * rb])
    assert a[0] == pytest.approx(0.0547619, rel=1e-6)
    assert float(np.dot(a, P)) == pytest.approx(15.0)


def test_two_step_fca_gaussian_by_hand():
    # W = 100 ** -(d/d0)**2: W(1 km) = 10**-0.32 = 0.478630; W(2 km) = 10**-1.28 = 0.052481.
    w1, w2 = 10**-0.32, 10**-1.28
    ra = 10 / (w1 * 100 + w2 * 300)  # 10 / 63.607 = 0.157215
    rb = 5 / (w2 * 100 + w1 * 300 + w2 * 50)  # 5 / 151.461 = 0.033012
    a = two_step_fca(SXY, S, DXY, P, radius_m=2500, decay="gaussian")
    assert a[0] == pytest.approx(w1 * ra + w2 * rb)
    assert a[0] == pytest.approx(0.076980, rel=1e-4)
    assert float(np.dot(a, P)) == pytest.approx(15.0)
    assert decay_weights(np.array([2500.0]), 2500.0, "gaussian")[0] == pytest.approx(0.01)


def test_two_step_fca_per_service_radius():
    # A's own catchment is 1.5 km: it reaches P1 only, R_A = 10/100 = 0.1. B keeps 2.5 km: 5/450.
    a = two_step_fca(SXY, S, DXY, P, radius_m=2500, supply_radius_m=[1500, np.nan])
    assert a == pytest.approx([0.1 + 5 / 450, 5 / 450, 5 / 450])


def test_two_step_fca_edge_is_inside_and_empty_catchment_gives_nothing():
    # The demand point exactly at 2,000 m is inside a 2,000 m catchment.
    assert two_step_fca([[0, 0]], [4], [[2000, 0]], [8], radius_m=2000).tolist() == [0.5]
    # Nobody within reach: the supply goes nowhere rather than dividing by zero.
    assert two_step_fca([[0, 0]], [4], [[9000, 0]], [8], radius_m=2000).tolist() == [0.0]
    assert catchment_weights(np.zeros((0, 2)), DXY, radius_m=100).shape == (0, 3)


def test_unknown_decay_is_a_plain_error():
    with pytest.raises(ValueError, match="Distance decay must be one of none, linear, gaussian"):
        two_step_fca(SXY, S, DXY, P, radius_m=2500, decay="cubic")


# --- a hand-built pack --------------------------------------------------------------------
# Four wards 0.03° wide in a row. At latitude 53.4°, 0.03° of longitude is
# 0.03 × 111.32 km × cos(53.4°) ≈ 1.99 km, so neighbouring ward centres are ~1.99 km apart and a
# centre is ~1.0 km from its ward's side borders. Ward C has no population figure.
X0, Y0, D = -2.30, 53.40, 0.03
CODES = ["T05000001", "T05000002", "T05000003", "T05000004"]
KM = 0.03 * 111.32 * math.cos(math.radians(53.415))  # ≈ 1.99 km between neighbouring centres


def centre(i: int, dx: float = 0.0) -> tuple[float, float]:
    return (X0 + (i + 0.5) * D + dx, Y0 + D / 2)


def make_pack(*, postcodes: bool = True) -> Pack:
    wards = gpd.GeoDataFrame(
        {
            s.WARD_CODE: CODES,
            s.WARD_NAME: ["A", "B", "C", "D"],
            s.LA_CODE: ["T08000001"] * 4,
            s.LA_NAME: ["Handshire"] * 4,
            s.POPULATION: [1000.0, 2000.0, np.nan, 4000.0],
        },
        geometry=[box(X0 + i * D, Y0, X0 + (i + 1) * D, Y0 + D) for i in range(4)],
        crs=s.PACK_CRS,
    )
    orgs = gpd.GeoDataFrame(
        {
            s.ORG_ID: ["o1", "o2", "o3", "o4", "o5"],
            s.ORG_NAME: ["Hub", "Advice", "Borough Trust", "Phantom", "Corner"],
            s.ORG_KIND: ["registered charity"] * 5,
            s.CHARITY_NUMBER: [None] * 5,
            s.INCOME: [np.nan] * 5,
            s.SIZE_BAND: ["unknown"] * 5,
            s.POSTCODE: [None] * 5,
            s.WEBSITE: [None] * 5,
            s.THEMES: [["poverty_food"]] * 5,
            s.LOCATION_QUALITY: [
                s.LOCATION_SITE,
                s.LOCATION_CONTACT,
                s.LOCATION_AREA_ONLY,
                s.LOCATION_AREA_ONLY,
                s.LOCATION_CONTACT,
            ],
            s.SOURCE: ["test"] * 5,
        },
        # o2's contact address is on the B/C border; o5's is at D's centre.
        geometry=[Point(centre(0)), Point(X0 + 2 * D, Y0 + D / 2), None, None, Point(centre(3))],
        crs=s.PACK_CRS,
    )
    nan = np.nan
    services = pd.DataFrame(
        {
            s.SERVICE_ID: ["s1", "s2", "s3", "s4", "s5", "s6", "s7"],
            s.ORG_ID: ["o1", "o1", "o2", "o3", "o4", "o1", "o5"],
            s.SERVICE_NAME: ["Pantry", "Bus", "Advice line", "Grants", "Ghost", "Youth club", "Corner shop"],
            s.THEMES: [["poverty_food"]] * 5 + [["children_young_people"], ["poverty_food"]],
            s.CLIENT_GROUPS: [[]] * 7,
            s.CAPACITY: [30.0, nan, 60.0, nan, nan, nan, 8.0],
            s.AREA_TYPE: ["radius", "radius", "wards", "whole area", "radius", "radius", "radius"],
            s.AREA_WARDS: [[], [], [CODES[1], CODES[3]], [], [], [], []],
            s.RADIUS_KM: [0.5, 2.5, nan, nan, 1.0, 0.5, 0.5],
            s.SOURCE: ["test"] * 7,
            # s1 at A's centre (same as its org), s2 at B's centre, s6 at D's centre: own sites.
            "lon": [centre(0)[0], centre(1)[0], nan, nan, nan, centre(3)[0], nan],
            "lat": [centre(0)[1], centre(1)[1], nan, nan, nan, centre(3)[1], nan],
        }
    )
    assets = gpd.GeoDataFrame({s.ASSET_ID: [], s.ASSET_NAME: [], s.ASSET_KIND: [], s.ASSET_STATUS: []},
                              geometry=[], crs=s.PACK_CRS)  # fmt: skip
    # One postcode at each ward centre, and a second in D 0.01° (≈ 0.66 km) east of its centre,
    # so D's mean-of-postcodes point is ≈ 0.33 km east of its centre.
    pts = [centre(0), centre(1), centre(2), centre(3), centre(3, 0.01)]
    pcs = pd.DataFrame({"postcode": [f"HS{i} 1AA" for i in range(5)], "lon": [p[0] for p in pts],
                        "lat": [p[1] for p in pts]})  # fmt: skip
    manifest = {"name": "Handshire", "sources": []}
    return Pack(
        manifest, wards, pd.DataFrame(), {}, orgs, services, assets, postcodes=pcs if postcodes else None
    )


POP = ProvisionOptions(demand_point="population")


def test_service_locations_points_and_quality():
    svc = service_locations(make_pack()).set_index(s.SERVICE_ID)
    # s1's own point equals its organisation's point, so it keeps the organisation's quality
    # ("site" here); s2 has a point of its own; s3 sits at o2's contact address; s4, s5 have none.
    assert svc[s.LOCATION_QUALITY].to_dict() == {
        "s1": "site",
        "s2": "site",
        "s3": "contact address",
        "s4": "area only",
        "s5": "area only",
        "s6": "site",
        "s7": "contact address",
    }
    assert svc["supply"].tolist() == [30.0, 1.0, 60.0, 1.0, 1.0, 1.0, 8.0]
    assert svc["weak"].tolist() == [False, False, True, True, True, False, True]
    assert svc.geometry["s5"].is_empty and svc.geometry["s2"].x == pytest.approx(centre(1)[0])


def test_provision_table_by_hand_no_decay():
    result = provision_table(make_pack(), "poverty_food", options=POP)
    t = result.table
    assert t.index.tolist() == CODES
    # Reach: s1 (0.5 km circle at A's centre, ~1 km from A's borders) -> A.
    # s2 (2.5 km circle at B's centre) -> A, B, C polygons (their borders are ~1 km away), not D (~3 km).
    # s3 lists B and D. s4 serves the whole area. s5 has no point. s7 (0.5 km at D's centre) -> D.
    assert t["services"].tolist() == [3, 3, 2, 3]  # A: s1 s2 s4; B: s2 s3 s4; C: s2 s4; D: s3 s4 s7
    assert t["services_weak"].tolist() == [1, 2, 1, 3]  # weak: s3 contact, s4 whole area, s7 contact
    # per 1,000: A 3/1000*1000 = 3; B 3/2000*1000 = 1.5; C no population; D 3/4000*1000 = 0.75.
    assert t["per_1000"].iloc[[0, 1, 3]].tolist() == pytest.approx([3.0, 1.5, 0.75])
    assert math.isnan(t["per_1000"].iloc[2])
    # Access per 1,000 residents:
    #   s1: 30 / 1000 people in reach (A only)        -> A +30
    #   s2: 1 / (1000 + 2000 + 0) (C has no people)   -> A, B, C +1/3
    #   s3: 60 / (2000 + 4000) listed wards           -> B, D +10
    #   s4: 1 / (1000 + 2000 + 0 + 4000) whole area   -> all +1/7
    #   s7: 8 / 4000 (D's point is 0.33 km away, inside 0.5 km) -> D +2
    third, seventh = 1000 / 3000, 1000 / 7000
    expected = [30 + third + seventh, third + 10 + seventh, third + seventh, 10 + seventh + 2]
    assert t["access"].tolist() == pytest.approx(expected)
    # Every place of supply is shared out over people: sum(access * pop) / 1000 = 30+1+60+1+8 = 100.
    assert float((t["access"] * [1000, 2000, 0, 4000]).sum() / 1000) == pytest.approx(100.0)
    # Weak share: A 1/7 of 30.476 = 0.0046875; B (10 + 1/7) / 10.476 = 0.96818; C (1/7)/(10/21) = 0.3; D 1.
    assert t["access_weak_share"].tolist() == pytest.approx(
        [seventh / expected[0], (10 + seventh) / expected[1], 0.3, 1.0]
    )
    # Nearest located service, from the ward's people (0 when based in the ward):
    #   A: Pantry at 0 km; B: Bus at 0 km; C: the Advice line's contact address on the B/C border,
    #   half a ward (≈ 1.0 km) from C's postcode; D: Corner shop inside D, so 0 ("based here").
    assert t["nearest_km"].tolist() == pytest.approx([0.0, 0.0, KM / 2, 0.0], rel=5e-3, abs=1e-6)
    assert t["nearest_service"].tolist() == ["Pantry", "Bus", "Advice line", "Corner shop"]
    assert t["nearest_org"].tolist() == ["Hub", "Hub", "Advice", "Corner"]
    assert t["nearest_quality"].tolist() == ["site", "site", "contact address", "contact address"]
    assert result.options.radius_km == DEFAULT_RADIUS_KM and result.options.decay == "none"
    assert result.demand_point == "population" and result.themes == ["poverty_food"]
    notes = " ".join(result.notes)
    assert "1 radius services have no point" in notes and "Ghost" in notes
    assert "1 wards have no population figure" in notes and ": C." in notes


def test_provision_table_linear_decay():
    t = provision_table(make_pack(), "poverty_food", options=ProvisionOptions(demand_point="population",
                                                                                 decay="linear")).table  # fmt: skip
    # s2 (2.5 km): W(A) = W(C) = 1 - 1.99/2.5 ≈ 0.204, W(B) = 1; R = 1 / (0.204*1000 + 2000) ≈ 1/2204.
    # s1 and s7 sit at (or 0.33 km from) their only ward's point: W(s1->A) = 1; W(s7->D) = 1 - 0.33/0.5 = 0.336,
    # but with D the only ward reached, 8 * 0.336 / (0.336 * 4000) is still 2 per 1,000.
    w = 1 - KM / 2.5
    r2 = 1000 / (w * 1000 + 2000)
    seventh = 1000 / 7000
    expected = [30 + w * r2 + seventh, r2 + 10 + seventh, w * r2 + seventh, 10 + seventh + 2]
    assert t["access"].tolist() == pytest.approx(expected, rel=1e-2)
    assert float((t["access"] * [1000, 2000, 0, 4000]).sum() / 1000) == pytest.approx(100.0)


def test_whole_area_service_adds_the_same_everywhere():
    pack = make_pack()
    before = provision_table(pack, "poverty_food", options=POP).table
    extra = pack.services.iloc[[3]].assign(service_id="s8", capacity=14.0)
    pack.services = pd.concat([pack.services, extra], ignore_index=True)
    after = provision_table(pack, "poverty_food", options=POP).table
    # 14 places over 7,000 people = 2 per 1,000 in every ward, including C with no population.
    assert (after["access"] - before["access"]).tolist() == pytest.approx([2.0] * 4)
    assert (after["services"] - before["services"]).tolist() == [1, 1, 1, 1]
    assert (after["services_weak"] - before["services_weak"]).tolist() == [1, 1, 1, 1]


def test_postcodes_spread_people_within_a_ward():
    pack = make_pack()
    # A 0.2 km service at D's centre: D's mean point is 0.33 km away, so with one point per ward
    # it reaches nobody; with postcodes it reaches D's centre postcode (2,000 of D's 4,000 people):
    # R = 1/2000, postcode access 1/2000 and 0, ward mean 1/4000 -> 0.25 per 1,000.
    extra = pack.services.iloc[[5]].assign(service_id="s9", themes=[["environment"]], radius_km=0.2)
    pack.services = pd.concat([pack.services, extra], ignore_index=True)
    one_point = provision_table(pack, "environment", options=POP)
    assert one_point.table["access"].tolist() == [0.0] * 4
    assert "reach no ward with people in it" in " ".join(one_point.notes)
    spread = provision_table(pack, "environment")
    assert spread.demand_point == "postcodes"
    assert spread.table["access"].tolist() == pytest.approx([0.0, 0.0, 0.0, 0.25])
    assert spread.table["services"].tolist() == [0, 0, 0, 1]


def test_demand_points_fall_back_to_a_point_inside_the_ward():
    pack = make_pack(postcodes=False)
    demand = demand_points(pack, options=POP)
    assert demand.kind == "geometric"
    assert "no postcode table" in demand.notes[0]
    assert demand.points.within(pack.wards.geometry.reset_index(drop=True)).all()
    assert demand.points["demand"].tolist() == [1000.0, 2000.0, 0.0, 4000.0]
    with_pcs = demand_points(make_pack(), options=POP)
    assert with_pcs.kind == "population"
    assert with_pcs.points.geometry.iloc[3].x == pytest.approx(centre(3, 0.005)[0])
    assert provision_table(pack, "poverty_food").demand_point == "geometric"


def test_several_themes_and_by_theme():
    pack = make_pack()
    both = provision_table(pack, ["poverty_food", "children_young_people"], options=POP).table
    food = provision_table(pack, "poverty_food", options=POP).table
    # The youth club (0.5 km at D's centre, 1 place) adds 1 service and 1/4000*1000 = 0.25 to D.
    assert (both["services"] - food["services"]).tolist() == [0, 0, 0, 1]
    assert (both["access"] - food["access"]).tolist() == pytest.approx([0, 0, 0, 0.25])
    by = provision_by_theme(pack, options=POP)
    assert list(by) == ["children_young_people", "poverty_food"]
    pd.testing.assert_frame_equal(by["poverty_food"].table, food)
    young = by["children_young_people"].table
    assert young["services"].tolist() == [0, 0, 0, 1] and young["services_weak"].tolist() == [0, 0, 0, 0]
    assert young["access_weak_share"].isna().tolist() == [True, True, True, False]
    assert young["nearest_service"].tolist() == ["Youth club"] * 4


def test_theme_with_no_services_gives_zeros_and_no_nearest():
    t = provision_table(make_pack(), "environment").table
    assert t["services"].tolist() == [0] * 4 and t["access"].tolist() == [0.0] * 4
    assert t["nearest_km"].isna().all() and t["nearest_service"].isna().all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"radius_km": -1}, "catchment radius must be a positive number of km"),
        ({"radius_km": 0}, "catchment radius must be a positive number of km"),
        ({"radius_km": "far"}, "catchment radius must be a positive number of km"),
        ({"decay": "exponential"}, "Distance decay must be one of none, linear, gaussian"),
        ({"demand_point": "town hall"}, "demand point must be one of"),
    ],
)
def test_options_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ProvisionOptions(**kwargs)


def test_unknown_theme_is_a_plain_error():
    with pytest.raises(ValueError, match="unknown theme\\(s\\) food; choose from: children_young_people"):
        provision_table(make_pack(), "food")
    with pytest.raises(ValueError, match="none given"):
        provision_table(make_pack(), [])


def test_every_decay_runs_and_conserves_supply():
    for decay in DECAYS:
        t = provision_table(make_pack(), "poverty_food", options=ProvisionOptions(decay=decay)).table
        assert float((t["access"] * [1000, 2000, 0, 4000]).sum() / 1000) == pytest.approx(100.0)


@pytest.mark.parametrize("factory", ["no_organisations", "no_services", "organisations_without_themes"])
def test_a_pack_with_no_matching_service_has_zero_provision_and_no_nearest(factory):
    from sector_map.analysis.provision import provision_by_theme, provision_table
    from tests import degenerate

    pack = getattr(degenerate, factory)()
    table = provision_table(pack, ["poverty_food"]).table
    assert list(table.index) == list(pack.wards[s.WARD_CODE])
    assert (table["services"] == 0).all() and (table["access"] == 0).all()
    assert table["nearest_km"].isna().all() and table["nearest_service"].isna().all()
    both = provision_by_theme(pack, themes=["poverty_food", "older_people"])
    assert (
        list(both) == ["poverty_food", "older_people"] and (both["older_people"].table["services"] == 0).all()
    )
    assert provision_by_theme(pack, themes=[]) == {}


# --- how each service reaches people: located and area-wide parts -------------------------


def test_each_service_says_how_it_reaches_people():
    svc = service_locations(make_pack()).set_index(s.SERVICE_ID)
    # s1, s2, s6: radius services at a site; s3 lists wards; s4 serves the whole area;
    # s5 is a radius service with no point; s7 is a radius service at o5's contact address.
    assert svc["reach"].to_dict() == {
        "s1": "site",
        "s2": "site",
        "s3": "listed wards",
        "s4": "whole area",
        "s5": "no location",
        "s6": "site",
        "s7": "contact address only",
    }


def test_any_contact_address_quality_is_contact_address_only():
    # A quality other than site / area only (e.g. a contact address outside the area) is a contact address.
    from sector_map.analysis.service_reach import reach_kind

    kinds = reach_kind(
        np.array(["radius", "radius", "wards"]),
        np.array(
            ["contact address outside the area", s.LOCATION_CONTACT, "contact address outside the area"]
        ),
        np.array([True, True, True]),
    )
    assert kinds.tolist() == ["contact address only", "contact address only", "listed wards"]


def test_a_site_just_outside_the_area_is_a_site_and_not_weak():
    from sector_map.analysis.service_reach import reach_kind

    kinds = reach_kind(
        np.array(["radius", "radius"]),
        np.array([s.LOCATION_SITE_OUTSIDE, s.LOCATION_CONTACT_OUTSIDE]),
        np.array([True, True]),
    )
    assert kinds.tolist() == ["site", "contact address only"]
    pack = make_pack()
    orgs = pack.organisations.copy()
    quality = np.array(orgs[s.LOCATION_QUALITY].astype(object).tolist(), dtype=object)
    quality[quality == s.LOCATION_SITE] = s.LOCATION_SITE_OUTSIDE
    orgs[s.LOCATION_QUALITY] = quality
    pack.organisations = orgs
    svc = service_locations(pack).set_index(s.SERVICE_ID)
    assert svc.loc[["s1", "s2", "s6"], "reach"].tolist() == ["site"] * 3
    assert not svc.loc[["s1", "s2", "s6"], s.WEAK].any()


def test_located_and_area_wide_parts_by_hand():
    result = provision_table(make_pack(), "poverty_food", options=POP)
    t = result.table
    # Located: s1 (site, A), s2 (site, A B C), s3 (listed B, D). Area-wide: s4 (whole), s5 (none), s7 (contact, D).
    assert t["services_located"].tolist() == [2, 2, 1, 1]
    assert t["services_area_wide"].tolist() == [1, 1, 1, 2]
    assert (t["services_located"] + t["services_area_wide"]).tolist() == t["services"].tolist()
    third, seventh = 1000 / 3000, 1000 / 7000
    # Located access: s1 30/1000 (A), s2 1/3000 (A B C), s3 60/6000 (B D), per 1,000 residents.
    assert t["access_located"].tolist() == pytest.approx([30 + third, third + 10, third, 10])
    # Area-wide: s4 1/7000 everywhere; s7 8/4000 at its contact address in D.
    assert t["access_area_wide"].tolist() == pytest.approx([seventh, seventh, seventh, seventh + 2])
    # Per 1,000 residents: A 2/1000, B 2/2000, C no population, D 1/4000.
    assert t["per_1000_located"].iloc[[0, 1, 3]].tolist() == pytest.approx([2.0, 1.0, 0.25])
    # Names of located services reaching each ward, nearest first (s3's point is its contact address on B/C).
    assert t["located_services"].tolist() == ["Pantry, Bus", "Bus, Advice line", "Bus", "Advice line"]
    # Nearest site, from each ward's nearest postcode (its people): A Pantry 0; B Bus 0; C Bus one
    # ward away; D Bus two wards away (D's nearest postcode is its centre, not the mean of its two).
    assert t["nearest_located_service"].tolist() == ["Pantry", "Bus", "Bus", "Bus"]
    assert t["nearest_located_km"].tolist() == pytest.approx([0, 0, KM, 2 * KM], rel=5e-3, abs=1e-6)
    assert result.services_by_reach == {
        "site": 2,
        "listed wards": 1,
        "whole area": 1,
        "contact address only": 1,
        "no location": 1,
    }
