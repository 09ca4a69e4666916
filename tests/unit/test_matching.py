"""Matching on a hand-built pack: five 1 km square wards in a row, six organisations.

The wards are drawn in British National Grid metres and stored in WGS84, so distances in the
tests are whole hundreds of metres: ward i spans x = 380000 + 1000·i … +1000 (i = 0..4).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from sector_map.analysis.matching import (
    Offer,
    find_organisations,
    offer_from_description,
    offer_from_org,
    rank_wards_for_offer,
)
from sector_map.analysis.partners import consortium, partners_and_overlap, rank_organisations_for_ward
from sector_map.pack import schema as s
from sector_map.pack.io import Pack

X0, Y0 = 380_000, 390_000
CODES = ["X05000001", "X05000002", "X05000003", "X05000004", "X05000005"]
W1, W2, W3, W4, W5 = CODES
POV, CYP, MH = "poverty_food", "children_young_people", "mental_health"


def _pt(x: float) -> Point:
    return Point(X0 + x, Y0 + 500)


def make_match_pack() -> Pack:
    wards = gpd.GeoDataFrame(
        {
            s.WARD_CODE: CODES,
            s.WARD_NAME: ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"],
            s.LA_CODE: ["X08000001"] * 5,
            s.LA_NAME: ["Testshire"] * 5,
            s.POPULATION: [8000] * 5,
        },
        geometry=[box(X0 + 1000 * i, Y0, X0 + 1000 * (i + 1), Y0 + 1000) for i in range(5)],
        crs=s.METRE_CRS,
    ).to_crs(s.PACK_CRS)
    orgs = gpd.GeoDataFrame(
        {
            s.ORG_ID: ["o1", "o2", "o3", "o4", "o5", "o6"],
            s.ORG_NAME: [
                "Alpha Food Share",
                "Beta Carers",
                "Borough Money Advice",
                "Gamma Youth Club",
                "Delta Mind",
                "Epsilon Pantry",
            ],
            s.ORG_KIND: ["registered charity"] * 6,
            s.CHARITY_NUMBER: ["1000001", None, "1000003", None, None, None],
            s.INCOME: np.nan,
            s.SIZE_BAND: ["small", "micro", "medium", "large", "unknown", "micro"],
            s.POSTCODE: None,
            s.WEBSITE: None,
            s.THEMES: [[POV], ["disability_carers"], [POV], [CYP], [MH], [POV]],
            s.LOCATION_QUALITY: [
                s.LOCATION_SITE,
                s.LOCATION_CONTACT,
                s.LOCATION_AREA_ONLY,
                s.LOCATION_SITE,
                s.LOCATION_CONTACT,
                s.LOCATION_SITE,
            ],
            s.SOURCE: "test",
        },
        # o1 at x=600 (ward 1), o2 1500 (ward 2), o3 nowhere, o4 2500 (3), o5 3500 (4), o6 4500 (5)
        geometry=gpd.GeoSeries(
            [_pt(600), _pt(1500), None, _pt(2500), _pt(3500), _pt(4500)], crs=s.METRE_CRS
        ).to_crs(s.PACK_CRS),
        crs=s.PACK_CRS,
    )
    services = pd.DataFrame(
        {
            s.SERVICE_ID: ["s1", "s2", "s3", "s4", "s5", "s6"],
            s.ORG_ID: ["o1", "o2", "o3", "o4", "o5", "o6"],
            s.SERVICE_NAME: ["Food bank", "Carers", "Advice", "Youth club", "Talking", "Pantry"],
            s.THEMES: [
                [POV],
                ["disability_carers", "older_people"],
                [POV, MH, "housing_homelessness"],
                [CYP, "arts_culture_sport"],
                [MH, "health_wellbeing"],
                [POV],
            ],
            s.CLIENT_GROUPS: [
                ["people on low incomes"],
                ["carers"],
                ["people on low incomes"],
                ["children", "young people"],
                ["people on low incomes"],
                ["families"],
            ],
            s.CAPACITY: [40.0, np.nan, np.nan, 25.0, np.nan, np.nan],
            s.AREA_TYPE: [s.AREA_RADIUS, s.AREA_WARDS_LIST, s.AREA_WHOLE, s.AREA_RADIUS, s.AREA_RADIUS]
            + [s.AREA_WARDS_LIST],
            s.AREA_WARDS: [[], [W2, W3], [], [], [], [W5]],
            s.RADIUS_KM: [1.5, np.nan, np.nan, 2.0, 1.0, np.nan],
            s.SOURCE: "test",
        }
    )
    postcodes = pd.DataFrame(
        {s.POSTCODE: ["DM1 1AA"], "lon": [orgs.geometry[0].x], "lat": [orgs.geometry[0].y]}
    )
    empty = gpd.GeoDataFrame({s.ASSET_ID: []}, geometry=[], crs=s.PACK_CRS)
    manifest = {"name": "Matchshire", "demo": True, "sources": []}
    return Pack(manifest, wards, pd.DataFrame(), {}, orgs, services, empty, postcodes=postcodes)


@pytest.fixture(scope="module")
def pack() -> Pack:
    return make_match_pack()


def _frame(**cols) -> pd.DataFrame:
    return pd.DataFrame(cols, index=CODES)


# --- offers ---------------------------------------------------------------------------------
def test_offer_from_org_takes_services_reach_and_point(pack):
    o1 = offer_from_org(pack, "o1")
    assert o1.themes == (POV,) and o1.client_groups == ("people on low incomes",)
    assert o1.reach_km == 1.5 and o1.wards == () and o1.capacity == 40.0 and o1.size_band == "small"
    assert o1.point == pytest.approx((pack.organisations.geometry[0].x, pack.organisations.geometry[0].y))
    o2 = offer_from_org(pack, "o2")  # a "wards" service only: keeps its wards, no reach in km
    assert o2.wards == (W2, W3) and o2.reach_km is None and not o2.whole_area
    o3 = offer_from_org(pack, "o3")  # whole area, no location
    assert o3.whole_area and o3.point is None
    assert o3.themes == (MH, POV, "housing_homelessness")  # taxonomy order


def test_unknown_org_and_postcode_say_what_to_do(pack):
    with pytest.raises(ValueError, match="no organisation with id 'nope'.*Where we fit page"):
        offer_from_org(pack, "nope")
    with pytest.raises(ValueError, match="postcode 'ZZ9 9ZZ' is not among.*give a point.*whole area"):
        offer_from_description(pack, themes=[POV], postcode="ZZ9 9ZZ")
    with pytest.raises(ValueError, match="unknown theme"):
        offer_from_description(pack, themes=["food"])


def test_offer_from_description_looks_up_postcode(pack):
    offer = offer_from_description(pack, themes=[POV], postcode="dm11aa", reach_km=1.5)
    assert offer.point == pytest.approx(offer_from_org(pack, "o1").point)
    assert offer.reach_km == 1.5 and offer.name == "Your offer"


def test_find_organisations_words_any_order_and_charity_number(pack):
    assert find_organisations(pack, "share food")["org_id"].tolist() == ["o1"]
    assert find_organisations(pack, "1000003")["org_id"].tolist() == ["o3"]
    # "a" is in every name; names starting with it first ("Alpha"), then alphabetical
    assert find_organisations(pack, "a", limit=3)["name"].tolist() == [
        "Alpha Food Share",
        "Beta Carers",
        "Borough Money Advice",
    ]
    assert list(find_organisations(pack, "zzz").columns) == [
        "org_id",
        "name",
        "charity_number",
        "themes",
        "size_band",
        "location_quality",
        "address",
        "postcode",
        "ward_name",
        "label",
    ]


def test_search_results_say_where_each_organisation_is(pack):
    found = find_organisations(pack, "a").set_index("org_id")
    # o1 is a site in Alpha with a charity number; o3 is known only by its area.
    assert found.loc["o1", "ward_name"] == "Alpha"
    assert found.loc["o1", "label"] == "Alpha Food Share (charity 1000001; Alpha ward)"
    assert found.loc["o3", "label"] == "Borough Money Advice (charity 1000003; location not known)"
    assert found.loc["o4", "label"] == "Gamma Youth Club (Gamma ward)"


# --- wards for an offer ---------------------------------------------------------------------
def test_rank_wards_scores_reach_and_no_data(pack):
    gap = _frame(poverty_food=[30.0, 60.0, 90.0, 95.0, np.nan])
    fit = rank_wards_for_offer(pack, offer_from_org(pack, "o1"), need=None, gap=gap)
    out = fit.table
    # o1 is at x=600 with a 1.5 km reach; the wards' edges are 0, 0.4, 1.4, 2.4, 3.4 km away.
    # Score = unmet need (the gap alone here, with no need table): in reach Gamma 90, Beta 60,
    # Alpha 30, ranked 1–3. Delta (95) is beyond the reach: it keeps its score but gets no rank,
    # after the reachable wards. Epsilon has no data: last, unranked.
    assert out["ward_name"].tolist() == ["Gamma", "Beta", "Alpha", "Delta", "Epsilon"]
    assert out["score"].tolist()[:4] == pytest.approx([90.0, 60.0, 30.0, 95.0])
    assert out["rank"].tolist()[:3] == [1, 2, 3] and out["rank"].isna().tolist()[3:] == [True, True]
    assert out["in_reach"].tolist() == [True, True, True, False, False]
    assert np.isnan(out["score"].iloc[4])
    assert out["distance_km"].tolist() == pytest.approx([1.4, 0.4, 0.0, 2.4, 3.4])
    assert (
        out["reason"][0] == "high unmet need for poverty, food and money advice (gap 90/100); 1.4 km from you"
    )
    assert out["reason"][2].endswith("your base is in this ward") and out["reason"][2].startswith("moderate")
    assert out["reason"][3] == (
        "high unmet need for poverty, food and money advice (gap 95/100); "
        "beyond your reach (2.4 km from your base; you reach 1.5 km)"
    )
    assert out["reason"][4].startswith("no data")
    # Until a ward is chosen, pages show the one ranked first (Gamma), not the highest score (Delta).
    assert fit.first_ward() == W3 and fit.ward_or_first(None) == W3 and fit.ward_or_first(W5) == W5
    assert fit.ward_or_first(None) == fit.first_ward() and fit.ward_or_first("E9") == "E9"


def test_high_need_with_some_provision_beats_middling_need_with_none(pack):
    # The Salford Food Share case: need 99 with gap 55 must come before need 50 with gap 71.
    offer = offer_from_description(pack, themes=[POV])
    need = _frame(poverty_food=[99.0, 50.0, 20.0, 70.0, 10.0])
    gap = _frame(poverty_food=[55.0, 71.0, 60.0, 50.0, 40.0])
    fit = rank_wards_for_offer(pack, offer, need=need, gap=gap)
    out = fit.table
    # unmet = (need + gap) / 2: Alpha 77, Delta 60, Beta 60.5, Gamma 40, Epsilon 25.
    assert out["ward_name"].tolist() == ["Alpha", "Beta", "Delta", "Gamma", "Epsilon"]
    assert out["score"].tolist() == pytest.approx([77.0, 60.5, 60.0, 40.0, 25.0])
    assert fit.score_from == "need and gap" and not fit.by_need_alone
    assert out["reason"][0] == "high unmet need for poverty, food and money advice (need 99, gap 55/100)"


def test_rank_wards_whole_area_mean_over_themes_with_data(pack):
    offer = offer_from_description(pack, themes=[POV, CYP])
    gap = _frame(
        poverty_food=[82.0, 20.0, np.nan, 40.0, np.nan],
        children_young_people=[71.0, 10.0, 50.0, 80.0, np.nan],
    )
    out = rank_wards_for_offer(pack, offer, need=None, gap=gap, limit=4).table
    # No need table: score = mean gap over the themes with data.
    # Alpha (82+71)/2 = 76.5; Delta (40+80)/2 = 60; Gamma 50 (poverty missing); Beta 15.
    assert out["ward_name"].tolist() == ["Alpha", "Delta", "Gamma", "Beta"]
    assert out["score"].tolist() == pytest.approx([76.5, 60.0, 50.0, 15.0])
    assert out["reason"][0] == (
        "high unmet need for poverty, food and money advice (gap 82/100) and children and young people (gap 71/100)"
    )
    assert out["reason"][2].endswith("; no data for poverty, food and money advice")
    assert out["themes_matched"][2] == [CYP]


def test_rank_wards_falls_back_to_need_and_honours_ward_lists(pack):
    need = _frame(disability_carers=[90.0, 40.0, 70.0, 10.0, 95.0])
    fit = rank_wards_for_offer(pack, offer_from_org(pack, "o2"), need=need, gap=None)
    out = fit.table
    # o2 works in Beta and Gamma only: Gamma 70 and Beta 40 are ranked; the others are beyond its
    # reach, unranked, by need (Epsilon 95, Alpha 90, Delta 10).
    assert out["ward_name"].tolist() == ["Gamma", "Beta", "Epsilon", "Alpha", "Delta"]
    assert out["score"].tolist()[:2] == pytest.approx([70.0, 40.0])
    assert out["rank"].tolist()[:2] == [1, 2] and out["rank"].isna().sum() == 3
    assert out["reason"][0].startswith("high need for disability and carers (need 70/100)")
    assert out["reason"][2].endswith("beyond your reach (not one of the wards you work in)")
    assert fit.score_from == "need" and fit.by_need_alone


def test_rank_wards_uses_need_when_no_ward_has_a_gap(pack):
    need = _frame(disability_carers=[90.0, 40.0, 70.0, 10.0, 95.0])
    gap = _frame(disability_carers=[np.nan] * 5)  # no provision anywhere: gap is unknown
    fit = rank_wards_for_offer(pack, offer_from_org(pack, "o2"), need=need, gap=gap)
    out = fit.table
    assert fit.score_from == "need"
    assert out["score"].tolist()[:2] == pytest.approx([70.0, 40.0])
    assert out["reason"][0].startswith("high need for disability and carers (need 70/100)")


def test_no_first_ward_when_the_offer_reaches_no_ward_with_data(pack):
    # o2 works in Beta and Gamma only, and neither has data: nothing is ranked.
    need = _frame(disability_carers=[90.0, np.nan, np.nan, 10.0, 95.0])
    fit = rank_wards_for_offer(pack, offer_from_org(pack, "o2"), need=need, gap=None)
    assert fit.table["rank"].isna().all()
    assert fit.first_ward() is None and fit.ward_or_first(None) is None and fit.ward_or_first(W2) == W2


def test_an_offer_with_no_themes_is_a_plain_error(pack):
    offer = Offer(name="Quiet Group", themes=())
    with pytest.raises(ValueError, match="Quiet Group has no themes, so there is nothing to match"):
        rank_wards_for_offer(pack, offer, need=_frame(poverty_food=[1.0] * 5), gap=None)


# --- organisations for a ward ---------------------------------------------------------------
def test_rank_organisations_for_ward(pack):
    out = rank_organisations_for_ward(pack, W3, [POV, CYP, MH])
    # Gamma spans x = 2000..3000. Score = 60 × share + 25 × reaches + 10 × (1 − d/10) + 5 × size:
    #   o3 covers poverty + mental health (2/3 → 40), whole area (25), location unknown (0), medium 3 → 68
    #   o4 youth (20), radius 2 km from inside (25), d=0 (10), large 4 → 59
    #   o1 poverty (20), 1.5 km radius from x=600 reaches (d=1.4) (25), 8.6, small 2 → 55.6
    #   o5 mental health (20), 1 km radius from x=3500 (d=0.5) (25), 9.5, unknown 1 → 55.5
    #   o6 poverty (20), lists only Epsilon (0), d=1.5 → 8.5, micro 1 → 29.5
    #   o2 covers none of the themes → left out
    assert out["org_id"].tolist() == ["o3", "o4", "o1", "o5", "o6"]
    assert out["score"].tolist() == pytest.approx([68.0, 59.0, 55.6, 55.5, 29.5])
    assert out["reaches"].tolist() == [True, True, True, True, False]
    assert out["reason"][0].startswith(
        "covers mental health and poverty, food and money advice (2 of 3 themes); works across the whole area"
    )
    assert "location not known (area only)" in out["reason"][0]
    assert "its 1.5 km radius reaches this ward; based 1.4 km away" in out["reason"][2]
    assert "contact address" in out["reason"][3]
    assert "no service of it is known to reach this ward" in out["reason"][4]
    with pytest.raises(ValueError, match="no ward 'E0'"):
        rank_organisations_for_ward(pack, "E0", [POV])


# --- partners, overlap, consortium ------------------------------------------------------------
def test_partners_and_overlap(pack):
    partners, overlap = partners_and_overlap(pack, offer_from_org(pack, "o1"), within_km=3.0)
    # From o1 (x=600): o2 0.9 km, o4 1.9 km, o5 2.9 km are within 3 km; o3 works across the whole
    # area; o6 is 3.9 km away and lists only Epsilon, which o1 does not reach → not there.
    # Partners (no shared theme): o5 shares "people on low incomes" so comes first, then by distance.
    assert partners["org_id"].tolist() == ["o5", "o2", "o4"]
    assert partners["why"][0] == (
        "brings health and wellbeing and mental health, which you do not offer; also works with people on "
        "low incomes; based 2.9 km from you (location is a contact address, which may not be where it works)"
    )
    assert overlap["org_id"].tolist() == ["o3"]
    assert overlap["why"][0].startswith("also does poverty, food and money advice; also works with people on")
    assert "works across the whole area" in overlap["why"][0]
    _, overlap4 = partners_and_overlap(pack, offer_from_org(pack, "o1"), within_km=4.0)
    assert overlap4["org_id"].tolist() == ["o6", "o3"]  # same theme; o6 located (3.9 km), o3 not


def test_partners_of_a_whole_area_offer_put_located_ones_in_needier_wards_first(pack):
    offer = offer_from_description(pack, themes=[CYP])  # no base, no reach: the whole area
    assert offer.whole_area and offer.point is None
    need = _frame(**{CYP: [10.0, 40.0, 50.0, 70.0, 90.0]})
    partners, overlap = partners_and_overlap(pack, offer, need=need)
    # o1, o2, o5, o6 have a located service (radius or listed wards); o3 only works across the
    # whole area, so it comes last. Among the located, the neediest home ward first: o6 is based
    # in Epsilon (90), o5 in Delta (70), o2 in Beta (40), o1 in Alpha (10).
    assert partners["org_id"].tolist() == ["o6", "o5", "o2", "o1", "o3"]
    assert partners["why"].iloc[-1].endswith("works across the whole area")
    assert partners["based_in"].tolist() == ["Epsilon", "Delta", "Beta", "Alpha", "not known"]
    assert overlap["org_id"].tolist() == ["o4"]
    # without need, the located still come first; then larger, then by name
    plain, _ = partners_and_overlap(pack, offer)
    assert plain["org_id"].tolist() == ["o1", "o2", "o5", "o6", "o3"]


def test_consortium_greedy_cover(pack):
    group = consortium(pack, W3, [POV, CYP, MH, "environment"])
    out = group.table
    # Reaching Gamma: o1 {poverty}, o3 {poverty, mental health}, o4 {children}, o5 {mental health}.
    # o3 brings 2 → then o4 brings children; nobody brings environment.
    assert out["org_id"].tolist() == ["o3", "o4"]
    assert out["covers"].tolist() == [[MH, POV], [CYP]]
    assert group.uncovered == ["environment"]
    assert "no organisation" in group.note and "environment and green space" in group.note


def test_consortium_ties_go_to_the_nearer(pack):
    # Each of o3 (location unknown), o4 (children, in the ward, d=0) and o5 (mental health,
    # 0.5 km) brings one theme; the nearest, o4, wins the only place.
    group = consortium(pack, W3, [MH, CYP], max_members=1)
    assert group.table["org_id"].tolist() == ["o4"]
    assert group.uncovered == [MH] and "stopped at 1 members" in group.note
    out = consortium(pack, W3, [MH]).table  # o3 and o5 tie on themes; o5 is nearer (0.5 km vs unknown)
    assert out["org_id"].tolist() == ["o5"]
    assert out["reason"][0].startswith("brings mental health; its 1 km radius reaches this ward")


def test_offer_dataclass_defaults():
    offer = Offer(name="x", themes=(POV,))
    assert offer.whole_area and offer.wards == () and offer.point is None


def test_a_theme_with_no_gap_anywhere_is_ranked_by_its_need(pack):
    offer = offer_from_description(pack, themes=[POV, CYP])
    need = _frame(
        poverty_food=[90.0, 20.0, 50.0, 40.0, 10.0], children_young_people=[60.0, 10.0, 30.0, 20.0, 0.0]
    )
    gap = _frame(poverty_food=[70.0, 20.0, 50.0, 40.0, np.nan], children_young_people=[np.nan] * 5)
    out = rank_wards_for_offer(pack, offer, need=need, gap=gap).table
    # Alpha: poverty (90 + 70) / 2 = 80, children 60 (need alone) → 70.
    assert out["score"][0] == pytest.approx(70.0)
    assert out["reason"][0] == (
        "high unmet need for poverty, food and money advice (need 90, gap 70/100) and children and "
        "young people (need 60/100); provision of children and young people cannot tell wards apart, "
        "so need alone"
    )
