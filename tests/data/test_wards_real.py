"""Ward boundaries, ward statistics and community assets read from the real published files."""

from __future__ import annotations

import pandas as pd
import pytest

from sector_map.importers.assets import read_assets
from sector_map.importers.tables import Notes
from sector_map.importers.ward_indicators import read_ward_indicators
from sector_map.importers.wards import read_wards
from sector_map.pack import schema as s

pytestmark = pytest.mark.data

TRAFFORD = "E08000009"
TRAFFORD_WARDS = "boundaries/trafford/trafford_wards_2017_generalised.geojson"
GM_WARDS = "boundaries/greater_manchester/gm_wards_2017_generalised.geojson"
UK_WARDS = "boundaries/uk/uk_wards_dec2019_bgc_simplified.geojson"
WARD_STATS = "ward_stats/trafford_ward_indicators_oldwards_2004-2023_snapshot2022-07-21.csv"
GENERAL_HEALTH = "ward_stats/trafford_census2021_ward/2021_general_health_ward_trafford.csv.gz"


@pytest.fixture
def trafford(shared_data):
    return read_wards(shared_data / TRAFFORD_WARDS, la_code=TRAFFORD)


def test_trafford_wards(trafford):
    assert len(trafford) == 21
    assert trafford[s.WARD_CODE].min() == "E05000819" and trafford[s.WARD_CODE].max() == "E05000839"
    assert set(trafford[s.LA_CODE]) == {TRAFFORD}
    assert trafford.crs.equals(s.PACK_CRS) and trafford.is_valid.all()
    minx, miny, maxx, maxy = trafford.total_bounds
    assert -2.48 < minx < maxx < -2.25 and 53.35 < miny < maxy < 53.49


def test_greater_manchester_with_lookup(shared_data):
    lookup = shared_data / "lookups/gm_wd17_to_lad17.csv"
    gm = read_wards(shared_data / GM_WARDS, la_lookup=lookup)
    assert len(gm) == 215 and gm[s.LA_CODE].nunique() == 10
    assert gm.attrs["ward_vintage"] == "WD17"
    assert gm[s.LA_CODE].value_counts()[TRAFFORD] == 21
    only = read_wards(shared_data / GM_WARDS, la_lookup=lookup, area_codes=[TRAFFORD])
    assert len(only) == 21 and set(only[s.LA_NAME]) == {"Trafford"}


def test_england_wards_are_read_and_repaired(shared_data):
    # How fast this is read is measured by `python -m bench` (the England build), not here.
    notes = Notes()
    england = read_wards(shared_data / UK_WARDS, english_only=True, notes=notes)
    assert len(england) == 7219 and england[s.WARD_CODE].str.startswith("E05").all()
    assert england.attrs["ward_vintage"] == "WD19"
    assert england[s.LA_CODE].notna().all() and england[s.LA_CODE].nunique() == 317
    assert england.is_valid.all()
    assert [p.text for p in notes] == ["repaired 1 invalid ward polygon: E05012462"]
    assert england.loc[england[s.WARD_CODE] == "E05012462", s.WARD_NAME].item() == "Bathavon South"


def test_uk_wards_filtered_by_local_authority(shared_data):
    wards = read_wards(shared_data / UK_WARDS, area_codes=[TRAFFORD])
    assert len(wards) == 21 and set(wards[s.WARD_CODE]) == {f"E05000{n}" for n in range(819, 840)}


def test_trafford_ward_statistics_match_published_imd(shared_data, trafford):
    notes = Notes()
    values, meta = read_ward_indicators(
        shared_data / WARD_STATS, ward_codes=set(trafford[s.WARD_CODE]), notes=notes
    )
    assert len(meta) == 88 and values[s.WARD_CODE].nunique() == 21
    imd = values[values[s.INDICATOR_ID] == "index_of_multiple_deprivation"].set_index(s.WARD_CODE)[s.VALUE]
    names = trafford.set_index(s.WARD_CODE)[s.WARD_NAME]
    assert names[imd.idxmin()] == "Timperley" and imd.min() == 4.9
    assert names[imd.idxmax()] == "Bucklow-St Martins" and imd.max() == 42.5
    m = meta["index_of_multiple_deprivation"]
    assert (m.domain, m.higher_is, m.year) == (s.DOMAIN_IMD, s.HIGHER_IS_MORE_NEED, "2019")
    domains = {k: v.domain for k, v in meta.items() if v.domain}
    assert sorted(domains.values()) == sorted(
        [
            s.DOMAIN_IMD,
            s.DOMAIN_INCOME,
            s.DOMAIN_EMPLOYMENT,
            s.DOMAIN_EDUCATION,
            s.DOMAIN_HEALTH,
            s.DOMAIN_CRIME,
            s.DOMAIN_HOUSING,
            s.DOMAIN_LIVING_ENV,
            s.DOMAIN_IDACI,
            s.DOMAIN_IDAOPI,
        ]
    )
    assert meta["female_healthy_life_expectancy"].higher_is == s.HIGHER_IS_LESS_NEED
    assert meta["hospital_admissions_for_self_harm"].themes[0] == "mental_health"
    assert meta["children_in_low_income_families_0_15_years_percent"].year == "2020/21"
    # One published value is blank (a suppressed cell): it stays missing, the ward is still there.
    assert values[s.VALUE].isna().sum() == 1
    assert notes == []


def test_census_general_health_as_percentages(shared_data, trafford):
    values, meta = read_ward_indicators(shared_data / GENERAL_HEALTH, ward_codes=set(trafford[s.WARD_CODE]))
    assert len(meta) == 5 and len(values) == 105
    wide = values.pivot(index=s.WARD_CODE, columns=s.INDICATOR_ID, values=s.VALUE)
    assert wide.sum(axis=1).round(6).eq(100).all()
    # Altrincham: 318 in bad health of 7,484 + 3,897 + 1,142 + 318 + 90 = 12,931 residents.
    assert wide.loc["E05000819", "general_health_bad_health"] == pytest.approx(100 * 318 / 12931)
    assert meta["general_health_very_good_health"].higher_is == s.HIGHER_IS_LESS_NEED


def test_assets(shared_data):
    d = shared_data / "organisations"
    libraries = read_assets(d / "trafford_libraries.csv", kind="library")
    assert len(libraries) == 13 and set(libraries[s.ASSET_KIND]) == {"library"}
    assert libraries.loc[0, s.ASSET_NAME] == "Altrincham Library"
    centres = read_assets(d / "trafford_childrens_centres.csv", kind="children's centre")
    assert centres[s.ASSET_NAME].tolist() == ["Partington Children's Centre", "Stretford Children's Centre"]
    notes = Notes()
    worship = read_assets(d / "trafford_places_of_worship.geojson", notes=notes)
    assert len(worship) == 118 and worship[s.ASSET_ID].is_unique
    assert set(worship[s.ASSET_STATUS]) == {"in community use"}
    assert worship.geometry.geom_type.eq("Point").all()
    assert (worship.loc[0, s.ASSET_NAME], worship.loc[0, s.ASSET_KIND]) == (
        "Gorse Hill Methodist Church",
        "Place Of Worship",
    )
    assert [p.text for p in notes] == ["118 outlines (polygons) were placed at a point inside each"]


def test_food_banks_placed_by_postcode(shared_data):
    postcodes = pd.read_csv(
        shared_data / "postcodes/trafford_postcodes_onspd_may2022_oldwards_lsoa11.csv",
        usecols=["postcode", "lon", "lat"],
        dtype={"postcode": "string"},
    )
    banks = read_assets(
        shared_data / "organisations/trafford_food_banks.csv", kind="food bank", postcodes=postcodes
    )
    assert len(banks) == 7
    assert banks.geometry.x.between(-2.48, -2.25).all() and banks.geometry.y.between(53.35, 53.49).all()


def test_gm_wards_without_their_la_column_take_it_from_code_point(shared_data, tmp_path):
    """Each of GM's 215 current wards gets the borough its file names, from the postcodes inside it
    (Code-Point Open's Admin_district_code), when the file's borough columns are removed."""
    import geopandas as gpd

    from sector_map.build.builder import build_pack
    from sector_map.build.postcodes import ward_la_from_postcodes

    gm = gpd.read_file(shared_data / "boundaries/greater_manchester/gm_wards_2023_generalised.geojson")
    stripped = gm.drop(columns=["local_authority_area_code", "local_authority_area_name"])
    stripped.to_file(tmp_path / "wards.geojson", driver="GeoJSON")
    codepoint = shared_data / "postcodes/codepoint_open_2025-10_gm_postcode_areas_bl_m_ol_sk_wa_wn.csv.gz"
    got = ward_la_from_postcodes(codepoint, stripped.rename(columns={"area_code": s.WARD_CODE}))
    assert got is not None
    by_postcode = got[1].set_index(s.WARD_CODE)[s.LA_CODE]
    assert by_postcode.reindex(gm["area_code"]).tolist() == gm["local_authority_area_code"].tolist()
    recipe = tmp_path / "recipe.toml"
    recipe.write_text(
        f'name = "x"\narea_codes = ["{TRAFFORD}"]\n[wards]\npath = "wards.geojson"\n'
        f'[postcodes]\npath = "{codepoint}"\n',
        encoding="utf-8",
    )
    result = build_pack(recipe)
    trafford = gm.loc[gm["local_authority_area_code"] == TRAFFORD, "area_code"]
    assert sorted(result.pack.wards[s.WARD_CODE]) == sorted(trafford)
    assert any("postcode file" in n.message() for n in result.notes)
