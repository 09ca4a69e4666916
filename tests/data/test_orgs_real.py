"""Organisation importers on the real Trafford files: CCEW extract, postcodes, wards, food banks."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from sector_map.importers.ccew import read_ccew
from sector_map.importers.generic import read_generic
from sector_map.importers.organisations import combine
from sector_map.importers.postcodes import normalise_postcode, read_postcodes
from sector_map.importers.tables import Notes
from sector_map.pack import schema as s
from tests.conftest import shared_data_or_skip

pytestmark = pytest.mark.data

CHARITIES = "organisations/trafford_charities_ccew_extract_2023-04-04.csv"
POSTCODES = "postcodes/trafford_postcodes_onspd_may2022_oldwards_lsoa11.csv"
CODEPOINT = "postcodes/codepoint_open_2025-10_gb_all.csv.gz"
# Trafford's wards' bounds in WGS84, widened by about 5 km (as build-pack does).
NEAR_TRAFFORD = (-2.55, 53.33, -2.18, 53.53)
WARDS = "boundaries/trafford/trafford_wards_2022_generalised.geojson"


def _wards(shared: Path) -> gpd.GeoDataFrame:
    w = gpd.read_file(shared / WARDS)
    return w.rename(columns={"area_code": s.WARD_CODE, "area_name": s.WARD_NAME})


def test_trafford_postcode_file(shared_data):
    notes = Notes()
    pc = read_postcodes(shared_data / POSTCODES, notes=notes)
    assert len(pc) == 11_127 and notes == []
    assert pc[s.POSTCODE].is_unique and pc[s.WARD_CODE].str.match(r"^E0500(08[1-3]\d)$").all()
    assert pc["lon"].between(-2.5, -2.2).all() and pc["lat"].between(53.35, 53.49).all()


def test_ccew_extract_reads_every_charity(shared_data):
    notes = Notes()
    orgs, services = read_ccew(shared_data / CHARITIES, notes=notes)
    assert len(orgs) == 736 and orgs[s.CHARITY_NUMBER].is_unique and notes == []
    assert orgs[s.ORG_KIND].value_counts().to_dict() == {
        "registered charity": 426,
        "charitable company": 182,  # 180 typed so, and 2 others with a company number
        "CIO": 128,
    }
    assert orgs[s.INCOME].isna().all()
    with_text = orgs["activities"].notna()
    assert int(with_text.sum()) == 717
    # the rules find a theme for most charities that describe their activities
    assert (orgs.loc[with_text, s.THEMES].str.len() > 0).mean() > 0.8
    assert len(services) == int((orgs[s.THEMES].str.len() > 0).sum())
    food = orgs.set_index(s.ORG_NAME).loc["TRAFFORD SOUTH FOODBANK"]
    assert "poverty_food" in food[s.THEMES]


def test_ccew_placed_by_trafford_postcodes(shared_data):
    wards = _wards(shared_data)
    pc = read_postcodes(shared_data / POSTCODES)
    orgs, services, stats = combine([read_ccew(shared_data / CHARITIES)], postcodes=pc, wards=wards)
    assert stats["organisations"] == 736 and stats["merged"] == 0
    assert stats["located"] == {
        s.LOCATION_SITE: 0,
        s.LOCATION_CONTACT: 278,
        s.LOCATION_SITE_OUTSIDE: 0,
        s.LOCATION_CONTACT_OUTSIDE: 0,
        s.LOCATION_AREA_ONLY: 458,
    }
    assert stats["postcode_not_found"] == 457 and stats["outside_area"] == 0  # and 1 has no postcode
    placed = gpd.sjoin(orgs[~orgs.geometry.is_empty], wards, predicate="within")
    per_ward = placed[s.WARD_NAME].value_counts()
    assert len(placed) == 278
    expected = {"Altrincham": 28, "Bowdon": 20, "Hale Central": 19, "Timperley": 16, "Bucklow-St Martins": 5}
    assert {k: int(per_ward[k]) for k in expected} == expected
    assert orgs.loc[orgs.geometry.is_empty, s.LOCATION_QUALITY].eq(s.LOCATION_AREA_ONLY).all()


def test_food_banks_merge_with_charities(shared_data, tmp_path):
    wards = _wards(shared_data)
    pc = read_postcodes(shared_data / POSTCODES)
    ccew = read_ccew(shared_data / CHARITIES)
    food = read_generic(
        shared_data / "organisations/trafford_food_banks.csv", themes=["poverty_food"], location="site"
    )
    orgs, services, stats = combine([ccew, food], postcodes=pc, wards=wards)
    # The list names the network ("Trussell Trust"), not the registered charity, so none merge.
    assert stats["merged"] == 0 and stats["organisations"] == 743
    assert stats["located"][s.LOCATION_SITE] == 7
    # A list that names the charity as registered merges by name and postcode.
    own = tmp_path / "our_food_banks.csv"
    own.write_text("Name,Postcode,Opening\nStretford Foodbank,m32 9pt,Tue\nNew Pantry,M33 2RP,Fri\n")
    mine = read_generic(own, themes=["poverty_food"], location="site")
    orgs, services, stats = combine([ccew, mine], postcodes=pc, wards=wards)
    assert stats["merged"] == 1 and stats["organisations"] == 737
    merged = orgs.set_index(s.ORG_ID).loc["ccew-" + _number(ccew[0], "STRETFORD FOODBANK")]
    assert merged[s.SOURCE] == "Charity Commission register of charities; our_food_banks.csv"
    assert merged[s.LOCATION_QUALITY] == s.LOCATION_SITE  # the food-bank list says it is a site
    assert (services[s.ORG_ID] == merged.name).sum() == 2  # its CCEW service and the food bank


def _number(orgs, name):
    return orgs.set_index(s.ORG_NAME).loc[name, s.CHARITY_NUMBER]


def test_community_hubs_have_their_own_points(shared_data):
    hubs = read_generic(
        shared_data / "organisations/trafford_community_hubs.csv", themes=["community_cohesion"]
    )
    assert len(hubs[0]) == 6 and hubs[0]["lon"].notna().all()
    orgs, services, stats = combine([hubs], postcodes=None, wards=_wards(shared_data))
    assert stats["located"][s.LOCATION_SITE] == 6 and stats["outside_area"] == 0
    assert services[s.AREA_TYPE].eq(s.AREA_RADIUS).all() and len(services) == 6


@pytest.fixture(scope="module")
def charities():
    return read_ccew(shared_data_or_skip() / CHARITIES)


@pytest.fixture(scope="module")
def codepoint(charities):
    """Code-Point Open (1.75 million GB postcodes) filtered as read: the charities' postcodes and
    those near Trafford."""
    notes = Notes()
    table = read_postcodes(
        shared_data_or_skip() / CODEPOINT,
        keep=charities[0][s.POSTCODE].dropna(),
        near=NEAR_TRAFFORD,
        notes=notes,
    )
    return table, notes


def test_codepoint_is_filtered_as_it_is_read(codepoint, charities):
    table, notes = codepoint
    assert list(table.columns) == ["postcode", "lon", "lat", s.WARD_CODE, s.LA_CODE]
    assert table[s.POSTCODE].is_unique
    # Code-Point's Admin_ward_code and Admin_district_code: Trafford's postcodes are on its current wards.
    trafford = table[table[s.LA_CODE] == "E08000009"]
    assert len(trafford) > 6_000 and trafford[s.WARD_CODE].str.match(r"^E050152(39|[45]\d)$").all()
    # Of 1.75 million rows, only the charities' and the box's are kept.
    assert 20_000 < len(table) < 60_000
    # (the box is cut in easting/northing, a little wider than in degrees: allow 0.05° of slack)
    far = table[~(table["lon"].between(-2.60, -2.13) & table["lat"].between(53.28, 53.58))]
    wanted = set(normalise_postcode(charities[0][s.POSTCODE]).dropna())
    assert 0 < len(far) <= len(wanted) and set(far[s.POSTCODE]) <= wanted
    # Trafford Town Hall, M32 0TH: BNG 381009 395844, reprojected, agrees with ONSPD's -2.287483 53.458999.
    town_hall = table.set_index(s.POSTCODE).loc["M32 0TH"]
    assert town_hall["lon"] == pytest.approx(-2.287483, abs=2e-4)
    assert town_hall["lat"] == pytest.approx(53.458999, abs=2e-4)


def test_ccew_placed_by_codepoint_keeps_points_outside_the_area(shared_data, codepoint, charities):
    wards = _wards(shared_data)
    orgs, _, stats = combine([charities], postcodes=codepoint[0], wards=wards)
    # 729 of 736 charities get their contact address: 276 inside Trafford, 453 beyond it.
    assert stats["located"] == {
        s.LOCATION_SITE: 0,
        s.LOCATION_CONTACT: 276,
        s.LOCATION_SITE_OUTSIDE: 0,
        s.LOCATION_CONTACT_OUTSIDE: 453,
        s.LOCATION_AREA_ONLY: 7,
    }
    assert stats["postcode_not_found"] == 6 and stats["outside_area"] == 453  # and 1 has no postcode
    outside = orgs[orgs[s.LOCATION_QUALITY] == s.LOCATION_CONTACT_OUTSIDE]
    assert not outside.geometry.is_empty.any()
    assert not outside.sjoin(wards, predicate="within").index.isin(outside.index).any()
    inside = orgs[orgs[s.LOCATION_QUALITY] == s.LOCATION_CONTACT]
    assert inside.sjoin(wards, predicate="intersects").index.nunique() == 276
    # Most lie close by: half within 5 km of the borough.
    border = wards.to_crs(s.METRE_CRS).union_all()
    km = outside.to_crs(s.METRE_CRS).distance(border) / 1000
    assert (km < 5).sum() > 200 and km.max() > 100
