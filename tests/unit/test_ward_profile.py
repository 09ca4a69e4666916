"""sector_map.analysis.ward_profile on the tiny pack of tests/conftest.py (four square wards in a row).

Geometry used below: wards are 0.01° wide, about 665 m at 53.4°N. o1 ("site") is at Alpha's
centre, o2 ("contact address") at Beta's centre, o3 is "area only". s1 (o1, poverty_food) is a
1.5 km radius; s2 (o2) lists Beta and Gamma. The asset "Old Library" (vacant) is at Gamma's centre.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from sector_map.analysis import gaps
from sector_map.analysis import ward_profile as wp
from sector_map.pack import schema as s
from sector_map.views import ward_map
from tests.conftest import make_tiny_pack

ALPHA, BETA, GAMMA, DELTA = "X05000001", "X05000002", "X05000003", "X05000004"


@pytest.fixture
def pack():
    p = make_tiny_pack()
    # o3 (area only) runs a whole-area service, so it reaches every ward but has no point.
    extra = pd.DataFrame(
        {
            s.SERVICE_ID: ["s3"],
            s.ORG_ID: ["o3"],
            s.SERVICE_NAME: ["Borough forum"],
            s.THEMES: [["community_cohesion"]],
            s.CLIENT_GROUPS: [[]],
            s.CAPACITY: [np.nan],
            s.AREA_TYPE: [s.AREA_WHOLE],
            s.AREA_WARDS: [[]],
            s.RADIUS_KM: [np.nan],
            s.SOURCE: ["test"],
        }
    )
    p.services = pd.concat([p.services, extra], ignore_index=True)
    centre = Point(-2.30 + 0.025, 53.405)  # Gamma's centre, beside the Old Library
    more = gpd.GeoDataFrame(
        {
            s.ASSET_ID: ["a2", "a3"],
            s.ASSET_NAME: ["Church Hall", "Scout Hut"],
            s.ASSET_KIND: ["hall", "hall"],
            s.ASSET_STATUS: ["in community use", "available for community use"],
        },
        geometry=[centre, centre],
        crs=s.PACK_CRS,
    )
    p.assets = pd.concat([p.assets, more], ignore_index=True)
    p.manifest["population_source"] = "test_population.csv"
    return p


def test_heading_names_the_ward_and_its_population_source(pack):
    h = wp.heading(pack, BETA)
    assert h == wp.Heading(
        name="Beta",
        code=BETA,
        la_name="Testshire",
        la_code="X08000001",
        population=9000,
        population_source="test_population.csv",
    )
    with pytest.raises(ValueError, match="no ward 'nope'"):
        wp.heading(pack, "nope")


def test_indicator_rows_rank_within_the_area_without_inventing_deciles(pack):
    rows = wp.indicator_rows(pack, BETA, wide=pack.indicator_wide()).set_index("Indicator")
    # imd_score 10, 40, 25, NaN: Beta's 40 is the highest of the 3 with data → 1 of 3.
    assert rows.loc["IMD score", "Value"] == "40"
    assert rows.loc["IMD score", "Rank in area"] == "1 of 3"
    # imd_rank 300, 10, 120, 500 (lower = more need): Beta's 10 is rank 1 of 4.
    assert rows.loc["IMD rank", "Rank in area"] == "1 of 4"
    assert rows.loc["IMD rank", "Which way is worse"] == "lower = more need"
    assert s.HEADER_DECILE not in rows.columns
    delta = wp.indicator_rows(pack, DELTA, wide=pack.indicator_wide()).set_index("Indicator")
    assert (
        delta.loc["IMD score", "Value"] == "no data" and delta.loc["IMD score", "Rank in area"] == "no data"
    )


def test_a_national_decile_in_the_pack_fills_its_domain(pack):
    pack.indicator_meta["imd_decile"] = s.IndicatorMeta(
        "imd_decile", "IMD decile", "decile (1 = most deprived)", s.HIGHER_IS_LESS_NEED, "t", "2019",
        ["poverty_food"], domain=s.DOMAIN_IMD,
    )  # fmt: skip
    extra = pd.DataFrame(
        {s.WARD_CODE: [ALPHA, BETA], s.INDICATOR_ID: ["imd_decile"] * 2, s.VALUE: [8.0, 2.0]}
    )
    pack.indicators = pd.concat([pack.indicators, extra], ignore_index=True)
    rows = wp.indicator_rows(pack, BETA, wide=pack.indicator_wide()).set_index("Indicator")
    assert rows[s.HEADER_DECILE].to_dict() == {"IMD score": "2", "IMD rank": "2", "IMD decile": "2"}
    # Gamma has no decile: the column stays out rather than showing a guess.
    gamma = wp.indicator_rows(pack, GAMMA, wide=pack.indicator_wide())
    assert s.HEADER_DECILE not in gamma.columns


def test_organisations_based_here_reaching_and_nearby(pack):
    alpha = wp.organisations(pack, ALPHA, near_km=0.5).set_index(s.ORG_ID)
    # o1 is in Alpha; o2 is 0.5 ward widths (≈ 0.33 km) from Alpha and s2 does not list it;
    # o3 reaches Alpha through its whole-area service.
    assert list(alpha.index) == ["o1", "o3", "o2"]
    assert list(alpha["Where"]) == [wp.BASED_HERE, wp.REACHES, wp.NEARBY]
    assert alpha.loc["o2", "Distance"] == "0.3 km" and alpha.loc["o1", "Distance"] == "based here"
    assert alpha.loc["o2", "Location"] == s.LOCATION_CONTACT
    assert alpha.loc["o1", "Size"] == s.SIZE_BAND_LABELS["small"]
    assert alpha.loc["o3", "Whole area"] and "location not known (area only)" in alpha.loc["o3", "Why"]
    assert wp.organisation_summary(alpha.reset_index(), near_km=0.5) == (
        "1 organisation based here, 1 more whose services reach it (of which 1 serves the whole area), "
        "1 more based within 0.5 km."
    )


def test_radius_and_listed_services_reach_a_ward(pack):
    gamma = wp.organisations(pack, GAMMA, near_km=0.5).set_index(s.ORG_ID)
    # s2 lists Gamma (o2 ≈ 0.33 km away); s1's 1.5 km circle reaches Gamma 1.5 widths (≈ 1.0 km) away;
    # local reach before whole area, then nearest first.
    assert list(gamma.index) == ["o2", "o1", "o3"]
    assert (gamma["Where"] == wp.REACHES).all()
    assert "works in this ward" in gamma.loc["o2", "Why"]
    assert "its reach covers this ward" in gamma.loc["o1", "Why"]
    assert gamma.loc["o1", "Distance"] == "1.0 km"
    # Delta is 2.5 widths (≈ 1.66 km) from o1, beyond s1's 1.5 km: only the whole-area service reaches it.
    delta = wp.organisations(pack, DELTA, near_km=0.5)
    assert list(delta[s.ORG_ID]) == ["o3"]


def test_one_distance_for_profile_reasons_and_provision(pack):
    # o1's food bank is inside Alpha: the profile, the provision table and the gap reason agree.
    alpha = wp.organisations(pack, ALPHA).set_index(s.ORG_ID)
    assert alpha.loc["o1", "Where"] == wp.BASED_HERE and alpha.loc["o1", "Distance"] == "based here"
    tables = wp.theme_gap_tables(pack)
    reason = tables["poverty_food"].table.loc[ALPHA, "reason"]
    assert "one is based in the ward" in reason and "km away" not in reason
    # From Beta, distance is to Beta's people: with a postcode at Beta's far (east) edge it is
    # 1.5 ward widths (≈ 1.0 km) from o1 at Alpha's centre, not the 0.33 km to Beta's nearest edge.
    beta = pack.wards.geometry.iloc[1]
    pack.postcodes = pd.DataFrame(
        {s.POSTCODE: ["DM1 9ZZ"], "lon": [beta.bounds[2] - 1e-6], "lat": [beta.centroid.y]}
    )
    from sector_map.analysis.provision import provision_table

    near = provision_table(pack, themes=["poverty_food"]).table.loc[BETA, "nearest_km"]
    assert near == pytest.approx(1.0, abs=0.02)
    assert (
        f"nearest {near:.1f} km away" in wp.theme_gap_tables(pack)["poverty_food"].table.loc[BETA, "reason"]
    )
    beta_orgs = wp.organisations(pack, BETA, near_km=2.0).set_index(s.ORG_ID)
    assert beta_orgs.loc["o1", "Distance"] == f"{near:.1f} km"


def test_size_column_is_left_out_when_no_income_is_known(pack):
    pack.organisations[s.SIZE_BAND] = s.SIZE_BAND_UNKNOWN
    assert "Size" not in wp.organisations(pack, ALPHA).columns


def test_gap_rows_give_every_theme_its_need_class_and_reason(pack):
    tables = wp.theme_gap_tables(pack)
    assert set(tables) == {"poverty_food", "community_cohesion"}
    beta = wp.gap_rows(tables, BETA).set_index("Theme")
    # Poverty need = imd_score need only (the rank restates it, weight 0): scores 0, 100, 50 → Beta 100.
    poverty = beta.loc[s.THEMES_BY_ID["poverty_food"].label]
    assert poverty["Need (0–100)"] == pytest.approx(100.0)
    # One located poverty service (the food bank) cannot tell wards apart: no class, no priority.
    assert poverty["Class"] == gaps.PROVISION_UNKNOWN
    assert poverty["Why"] == tables["poverty_food"].table.loc[BETA, "reason"]
    assert poverty["Priority"] == "not ranked"
    delta = wp.gap_rows(tables, DELTA)
    assert (delta["Class"] == "no data").all() and (delta["Priority"] == "no data").all()


def test_assets_free_to_use_first(pack):
    gamma = wp.assets(pack, GAMMA)
    assert list(gamma["Name"]) == ["Scout Hut", "Old Library", "Church Hall"]
    assert list(gamma["Where"]) == ["in the ward"] * 3
    beta = wp.assets(pack, BETA, near_km=0.5)
    assert list(beta["Where"]) == ["nearby"] * 3 and beta["Distance (km)"].iloc[0] == pytest.approx(0.3)
    assert wp.assets(pack, ALPHA, near_km=0.5).empty


def test_map_figure_draws_the_located_organisations(pack):
    orgs = wp.organisations(pack, ALPHA, near_km=0.5)
    fig = ward_map.map_figure(pack, ALPHA, orgs)
    ax = fig.axes[0]
    points = sum(len(c.get_offsets()) for c in ax.collections if type(c).__name__ == "PathCollection")
    assert points == 2  # o1 and o2; o3 has no point
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_gap_rows_need_only_for_a_pack_without_organisations():
    from tests.degenerate import no_organisations

    pack = no_organisations()
    tables = wp.theme_gap_tables(pack)
    rows = wp.gap_rows(tables, BETA, need_only=True)
    assert list(rows.columns) == ["Theme", "Need (0–100)", "Why"]
    assert rows["Why"].tolist() == ["need 100/100, in the top 35% of wards (IMD score)"] * 2
    full = wp.gap_rows(tables, BETA)
    assert (full["Class"] == "provision not known").all() and (full["Priority"] == "not ranked").all()
    assert wp.organisations(pack, BETA).empty and wp.organisations(pack, BETA)["Whole area"].dtype == bool
