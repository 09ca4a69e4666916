"""Tests for the fictional demo borough generator (sector_map.demo.make and its demo_* helpers)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pandas.testing import assert_frame_equal

from sector_map.demo.indicators import MISSING_ROW, MISSING_VALUE, england_rank
from sector_map.demo.make import DEFAULT_SEED, LA_CODE, build_demo_pack, write_demo_pack
from sector_map.demo.names import place_stem, slug
from sector_map.pack import schema as s
from sector_map.pack.io import load_pack, validate_pack

REGISTERED = {"registered charity", "CIO", "charitable company"}
OTHER_SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def pack():
    return build_demo_pack()


@pytest.fixture(scope="module")
def wide(pack):
    return pack.indicator_wide()


@pytest.fixture(scope="module")
def wards_m(pack):
    return pack.wards.to_crs(s.METRE_CRS)


def _geoms_equal(a: gpd.GeoSeries, b: gpd.GeoSeries) -> bool:
    return list(a.to_wkb()) == list(b.to_wkb())


# --- determinism and contract ---------------------------------------------------------------
def test_same_seed_gives_identical_pack(pack):
    again = build_demo_pack(seed=DEFAULT_SEED)
    assert again.manifest == pack.manifest
    assert {k: m.to_dict() for k, m in again.indicator_meta.items()} == {
        k: m.to_dict() for k, m in pack.indicator_meta.items()
    }
    for name in ("wards", "organisations", "assets"):
        a, b = getattr(pack, name), getattr(again, name)
        assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")))
        assert _geoms_equal(a.geometry, b.geometry)
    assert_frame_equal(pack.indicators, again.indicators)
    assert_frame_equal(pack.services, again.services)


def test_other_seed_gives_a_different_borough(pack):
    other = build_demo_pack(seed=1)
    assert not _geoms_equal(other.wards.geometry.iloc[:1], pack.wards.geometry.iloc[:1])
    assert list(other.organisations[s.ORG_NAME]) != list(pack.organisations[s.ORG_NAME])


@pytest.mark.parametrize("seed", OTHER_SEEDS)
def test_other_seeds_build_valid_packs(seed):
    p = build_demo_pack(seed=seed)
    assert validate_pack(p) == []
    assert 20 <= len(p.wards) <= 30
    assert p.wards[s.POPULATION].between(5_000, 15_000).all()
    wards = p.wards.to_crs(s.METRE_CRS)
    assert shapely.coverage_is_valid(np.array(wards.geometry))
    assert abs(shapely.union_all(wards.geometry).area - wards.area.sum()) < 1.0


def test_columns_order_and_dtypes(pack):
    assert list(pack.wards.columns) == s.WARD_COLUMNS
    assert list(pack.indicators.columns) == s.INDICATOR_COLUMNS
    assert list(pack.organisations.columns) == s.ORGANISATION_COLUMNS
    assert list(pack.services.columns) == s.SERVICE_COLUMNS
    assert list(pack.assets.columns) == s.ASSET_COLUMNS
    assert pd.api.types.is_integer_dtype(pack.wards[s.POPULATION])
    for frame, col in [
        (pack.wards, s.WARD_CODE),
        (pack.indicators, s.WARD_CODE),
        (pack.organisations, s.ORG_ID),
        (pack.services, s.SERVICE_ID),
        (pack.assets, s.ASSET_ID),
    ]:
        assert pd.api.types.is_string_dtype(frame[col]), col
    assert pack.organisations[s.INCOME].dtype == "float64"
    assert pack.services[s.CAPACITY].dtype == "float64"
    assert pack.services[s.RADIUS_KM].dtype == "float64"
    for gdf in (pack.wards, pack.organisations, pack.assets):
        assert gdf.crs.equals(s.PACK_CRS)


def test_manifest_says_it_is_fictional(pack):
    m = pack.manifest
    assert m["name"] == "Marrowby" and pack.is_demo
    assert m["area_codes"] == [LA_CODE] and m["ward_vintage"] == "fictional"
    assert "not a real place" in m["description"]
    assert "built_at" not in m
    (src,) = m["sources"]
    assert src["title"] == "sector-map fictional demo borough"
    assert src["licence"] == "Fictional data; free to reuse"
    assert "not a real place" in src["attribution"]


def test_demo_modules_do_not_import_streamlit():
    root = Path(__file__).resolve().parents[2] / "sector_map"
    for path in root.glob("demo*.py"):
        assert "streamlit" not in path.read_text(encoding="utf-8"), path.name


# --- wards ----------------------------------------------------------------------------------
def test_ward_count_population_and_codes(pack):
    w = pack.wards
    assert 20 <= len(w) <= 30
    assert w[s.POPULATION].between(5_000, 15_000).all()
    assert w[s.POPULATION].std() > 1_000  # not all the same size
    assert w[s.WARD_CODE].is_unique and w[s.WARD_NAME].is_unique
    assert all(re.fullmatch(r"X05\d{6}", c) for c in w[s.WARD_CODE])
    assert not w[s.WARD_CODE].str.startswith("E05").any()
    assert (w[s.LA_CODE] == LA_CODE).all() and (w[s.LA_NAME] == pack.name).all()
    assert list(w[s.WARD_NAME]) == sorted(w[s.WARD_NAME])  # codes follow names, as ONS codes do


def test_wards_tile_the_borough_without_gaps_or_overlaps(wards_m):
    geoms = np.array(wards_m.geometry)
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)
    union = shapely.union_all(geoms)
    assert union.geom_type == "Polygon" and len(union.interiors) == 0  # one piece, no holes
    assert union.area == pytest.approx(wards_m.area.sum(), rel=1e-9)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pairs = left < right
    overlaps = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    assert overlaps.max() < 1.0  # square metres
    assert pairs.sum() >= len(geoms)  # wards really do share borders


def test_wards_are_irregular(wards_m):
    area = wards_m.area
    assert area.std() / area.mean() > 0.15
    rect = shapely.area(shapely.minimum_rotated_rectangle(np.array(wards_m.geometry)))
    assert (area.to_numpy() / rect < 0.95).all()  # no ward is a rectangle
    assert (shapely.get_num_coordinates(np.array(wards_m.geometry)) > 20).all()  # bent, not straight


def test_borough_sits_offshore_inside_the_national_grid(pack, wards_m):
    c = shapely.union_all(wards_m.geometry).centroid
    assert abs(c.x - 640_000) < 3_000 and abs(c.y - 520_000) < 3_000
    minx, miny, maxx, maxy = pack.wards.total_bounds
    assert minx > -9.01 and maxx < 2.01 and miny > 49.75 and maxy < 61.01  # EPSG:27700 area of use
    assert minx > 1.0  # far east of the Yorkshire coast (about -0.1 degrees)
    assert 60e6 < wards_m.area.sum() < 120e6  # about 12 km by 9 km


@pytest.mark.data
def test_names_are_not_real_ward_or_council_names(pack, shared_data):
    path = shared_data / "boundaries" / "uk" / "uk_wards_dec2019_bgc_simplified.geojson"
    props = [f["properties"] for f in json.loads(path.read_text(encoding="utf-8"))["features"]]
    real = {p["WD19NM"].lower() for p in props} | {p["LAD19NM"].lower() for p in props}
    assert pack.name.lower() not in real
    stems = {place_stem(n).lower() for n in pack.wards[s.WARD_NAME]}
    assert not ({n.lower() for n in pack.wards[s.WARD_NAME]} | stems) & real


# --- indicators -----------------------------------------------------------------------------
def test_indicator_values_in_realistic_ranges(wide):
    ranges = {
        "imd_score": (3, 58),
        "income_score": (0.02, 0.38),
        "employment_score": (0.02, 0.27),
        "education_score": (2, 62),
        "health_score": (-2.2, 2.6),
        "crime_score": (-1.6, 1.6),
        "housing_score": (8, 42),
        "living_env_score": (5, 52),
        "idaci_score": (0.02, 0.48),
        "idaopi_score": (0.03, 0.46),
        "pop_65plus_pct": (7, 31),
        "life_expectancy": (72, 88),
    }
    for ind, (low, high) in ranges.items():
        v = wide[ind].dropna()
        assert v.between(low, high).all(), ind
        assert v.nunique() > len(v) // 2, ind  # values vary, not clipped flat
    assert wide["imd_score"].max() - wide["imd_score"].min() > 20  # a borough with real contrast
    for rank in ("imd_rank", "income_rank", "employment_rank", "idaci_rank", "idaopi_rank"):
        r = wide[rank]
        assert r.between(1, 7_180).all() and (r == r.round()).all(), rank


def test_domains_correlate_like_the_real_index(wide):
    c = wide.corr()
    assert c.loc["income_score", "idaci_score"] > 0.7
    assert c.loc["imd_score", "income_score"] > 0.85
    assert c.loc["imd_score", "employment_score"] > 0.85
    assert c.loc["imd_score", "health_score"] > 0.5
    assert c.loc["imd_score", "crime_score"] > 0.3
    assert c.loc["imd_score", "living_env_score"] < c.loc["imd_score", "income_score"] - 0.2
    assert c.loc["imd_score", "housing_score"] < c.loc["imd_score", "income_score"] - 0.2
    assert c.loc["imd_score", "pop_65plus_pct"] < -0.2
    assert c.loc["health_score", "life_expectancy"] < -0.5


def test_ranks_follow_scores(wide):
    for score, rank in [
        ("imd_score", "imd_rank"),
        ("income_score", "income_rank"),
        ("idaci_score", "idaci_rank"),
        ("idaopi_score", "idaopi_rank"),
    ]:
        order = wide.sort_values(score, ascending=False)
        assert order[rank].is_monotonic_increasing, rank  # higher score -> nearer rank 1
    assert (
        england_rank(np.array([60.0]), 2.78, 0.606)[0] < 200 < england_rank(np.array([5.0]), 2.78, 0.606)[0]
    )


def test_deprivation_is_spatially_clustered(wide, wards_m):
    geoms = np.array(wards_m.geometry)
    imd = wide["imd_score"].to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="touches")
    neighbour_mean = pd.Series(imd[right]).groupby(left).mean().to_numpy()
    assert np.corrcoef(imd, neighbour_mean)[0, 1] > 0.4


def test_indicator_metadata(pack):
    meta = pack.indicator_meta
    assert set(meta) == set(pack.indicators[s.INDICATOR_ID])
    for m in meta.values():
        assert m.label and m.unit and "simulated" in m.description and "simulated" in m.year
        assert set(m.themes) <= set(s.THEME_IDS) and m.themes
        expected = (
            s.HIGHER_IS_LESS_NEED
            if m.id.endswith("_rank") or m.id == "life_expectancy"
            else (s.HIGHER_IS_MORE_NEED)
        )
        assert m.higher_is == expected, m.id
        if m.domain:
            assert m.themes == s.themes_for_domain(m.domain)
    assert meta["imd_rank"].unit == "rank (1 = most deprived)"
    assert meta["income_score"].unit == "proportion of population"
    assert meta["pop_65plus_pct"].themes == ["older_people"]
    assert {m.domain for m in meta.values()} >= {
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
    }


def test_exactly_the_documented_values_are_missing(pack, wide):
    w = pack.wards.set_index(s.WARD_CODE)[s.POPULATION]
    least, most = w.idxmin(), w.idxmax()
    ind = pack.indicators
    assert len(ind) == len(pack.wards) * len(pack.indicator_meta) - 1
    life = ind[ind[s.INDICATOR_ID] == MISSING_ROW]
    assert least not in set(life[s.WARD_CODE])  # no row at all
    older = ind[ind[s.INDICATOR_ID] == MISSING_VALUE].set_index(s.WARD_CODE)[s.VALUE]
    assert math.isnan(older[most])  # a row whose value is NaN
    assert ind[s.VALUE].isna().sum() == 1
    missing = wide.isna().stack()
    assert sorted(missing[missing].index) == sorted([(least, MISSING_ROW), (most, MISSING_VALUE)])


# --- organisations --------------------------------------------------------------------------
def test_organisation_count_and_size_mix(pack):
    o = pack.organisations
    assert 300 <= len(o) <= 500
    band = o[s.SIZE_BAND].value_counts(normalize=True)
    assert band["micro"] > 0.40
    assert band.get("large", 0) + band.get("major", 0) < 0.05
    assert (o[s.SIZE_BAND] == "large").sum() >= 3 and (o[s.SIZE_BAND] == "major").sum() <= 2
    assert 0.05 < band["unknown"] < 0.15
    assert list(o[s.SIZE_BAND]) == [s.size_band_for(x) for x in o[s.INCOME]]
    unknown_kinds = set(o.loc[o[s.INCOME].isna(), s.ORG_KIND])
    assert unknown_kinds and not unknown_kinds & REGISTERED
    groups = o[o[s.ORG_KIND] == "community group"]
    assert groups[s.SIZE_BAND].isin(["micro", "unknown"]).mean() > 0.7


def test_organisation_fields(pack):
    o = pack.organisations
    assert o[s.ORG_ID].is_unique and o[s.ORG_NAME].is_unique
    assert set(o[s.ORG_KIND]) <= set(s.ORG_KINDS) and len(set(o[s.ORG_KIND])) >= 6
    registered = o[s.ORG_KIND].isin(REGISTERED)
    assert all(re.fullmatch(r"9\d{6}", n) for n in o.loc[registered, s.CHARITY_NUMBER])
    assert o.loc[registered, s.CHARITY_NUMBER].is_unique
    assert o.loc[~registered, s.CHARITY_NUMBER].isna().all()
    assert all(re.fullmatch(r"DM\d{1,2} \d[A-Z]{2}", p) for p in o[s.POSTCODE])
    sites = o[o[s.WEBSITE].notna()][s.WEBSITE]
    assert 0.2 < len(sites) / len(o) < 0.9
    assert all(re.fullmatch(r"https://www\.[a-z0-9-]+\.example", u) for u in sites)
    assert (o[s.SOURCE] == "demo").all()
    assert o.loc[o[s.ORG_KIND] == "CIC", s.ORG_NAME].str.endswith(" CIC").all()


def test_organisation_themes(pack):
    themes = pack.organisations[s.THEMES]
    assert all(isinstance(t, list) and 1 <= len(t) <= 3 and len(set(t)) == len(t) for t in themes)
    assert all(x in s.THEME_IDS for t in themes for x in t)
    main = themes.map(lambda t: t[0]).value_counts()
    common = sum(
        main.get(t, 0) for t in ("community_cohesion", "arts_culture_sport", "children_young_people")
    )
    rare = main.get("housing_homelessness", 0) + main.get("crime_safety", 0)
    assert common > 5 * rare
    assert len(main) >= 11


def test_locations(pack, wards_m):
    o = pack.organisations
    q = o[s.LOCATION_QUALITY].value_counts(normalize=True)
    assert q[s.LOCATION_SITE] == pytest.approx(0.75, abs=0.05)
    assert q[s.LOCATION_CONTACT] == pytest.approx(0.15, abs=0.05)
    assert q[s.LOCATION_AREA_ONLY] == pytest.approx(0.10, abs=0.05)
    area_only = o[s.LOCATION_QUALITY] == s.LOCATION_AREA_ONLY
    assert o.geometry[area_only].isna().all()
    assert (o.geometry[~area_only].geom_type == "Point").all()
    borough = shapely.union_all(wards_m.geometry)
    sites = o[o[s.LOCATION_QUALITY] == s.LOCATION_SITE].to_crs(s.METRE_CRS)
    assert sites.within(borough).all()
    contacts = o[o[s.LOCATION_QUALITY] == s.LOCATION_CONTACT].to_crs(s.METRE_CRS)
    outside = ~contacts.within(borough)
    assert outside.any() and (contacts[outside].distance(borough) < 3_000).all()


def test_postcode_district_is_consistent_per_ward(pack, wards_m):
    sites = pack.organisations[pack.organisations[s.LOCATION_QUALITY] == s.LOCATION_SITE].to_crs(s.METRE_CRS)
    joined = gpd.sjoin(sites, wards_m[[s.WARD_CODE, "geometry"]], predicate="within")
    district = joined[s.POSTCODE].str.split(" ").str[0]
    per_ward = district.groupby(joined[s.WARD_CODE]).nunique()
    assert (per_ward == 1).all()
    assert district.nunique() >= len(wards_m) // 2


def test_community_groups_lean_to_deprived_wards(pack, wide, wards_m):
    sites = pack.organisations[pack.organisations.geometry.notna()].to_crs(s.METRE_CRS)
    joined = gpd.sjoin(sites, wards_m[[s.WARD_CODE, "geometry"]], predicate="within")
    imd = joined[s.WARD_CODE].map(wide["imd_score"])
    by_kind = imd.groupby(joined[s.ORG_KIND]).mean()
    assert by_kind["community group"] > by_kind["registered charity"]
    per_ward = joined.groupby(s.WARD_CODE).size().reindex(wards_m[s.WARD_CODE], fill_value=0)
    pop = wards_m.set_index(s.WARD_CODE)[s.POPULATION]
    assert per_ward.corr(pop) > 0.2  # more organisations where more people live


# --- services and assets --------------------------------------------------------------------
def test_services(pack):
    sv, o = pack.services, pack.organisations.set_index(s.ORG_ID)
    assert sv[s.SERVICE_ID].is_unique
    per_org = sv.groupby(s.ORG_ID).size().reindex(o.index, fill_value=0)
    assert per_org.between(1, 3).all() and per_org.max() == 3
    for row in sv.itertuples(index=False):
        themes, groups, wards = row.themes, row.client_groups, row.area_wards
        assert isinstance(themes, list) and themes and set(themes) <= set(o.at[row.org_id, s.THEMES])
        assert isinstance(groups, list) and groups and set(groups) <= set(s.CLIENT_GROUP_IDS)
        assert isinstance(wards, list)
        if row.area_type == s.AREA_RADIUS:
            assert 0.5 <= row.radius_km <= 5 and wards == []
        elif row.area_type == s.AREA_WARDS_LIST:
            assert math.isnan(row.radius_km) and 1 <= len(wards) <= 5 and len(set(wards)) == len(wards)
            assert set(wards) <= set(pack.wards[s.WARD_CODE])
        else:
            assert row.area_type == s.AREA_WHOLE and math.isnan(row.radius_km) and wards == []
    assert set(sv[s.AREA_TYPE]) == set(s.AREA_TYPES)
    cap = sv[s.CAPACITY]
    assert 0.45 < cap.notna().mean() < 0.75
    assert (cap.dropna() > 0).all() and (cap.dropna() == cap.dropna().round()).all()


def test_area_only_orgs_have_no_radius_services(pack):
    o = pack.organisations
    area_only = set(o.loc[o[s.LOCATION_QUALITY] == s.LOCATION_AREA_ONLY, s.ORG_ID])
    theirs = pack.services[pack.services[s.ORG_ID].isin(area_only)]
    assert len(theirs) >= len(area_only)
    assert not (theirs[s.AREA_TYPE] == s.AREA_RADIUS).any()


def test_whole_area_services_come_mostly_from_larger_orgs(pack):
    sv = pack.services.merge(pack.organisations[[s.ORG_ID, s.SIZE_BAND]], on=s.ORG_ID)
    whole = sv[s.AREA_TYPE] == s.AREA_WHOLE
    big = sv[s.SIZE_BAND].isin(["large", "major"])
    small = sv[s.SIZE_BAND].isin(["micro", "small", "unknown"])
    assert whole[big].mean() > 0.4 > 0.1 > whole[small].mean()


def test_assets(pack, wards_m):
    a = pack.assets
    assert 20 <= len(a) <= 40
    assert a[s.ASSET_ID].is_unique and a[s.ASSET_NAME].is_unique
    assert set(a[s.ASSET_STATUS]) == set(s.ASSET_STATUSES)
    assert {"library", "community centre", "former library", "church hall"} <= set(a[s.ASSET_KIND])
    assert a.to_crs(s.METRE_CRS).within(shapely.union_all(wards_m.geometry)).all()
    assert (a.loc[a[s.ASSET_KIND].str.startswith("former"), s.ASSET_STATUS] != "in community use").all()


# --- round trip -----------------------------------------------------------------------------
def test_write_then_load_round_trips(tmp_path, pack):
    out = write_demo_pack(tmp_path / "demo")
    assert out == tmp_path / "demo"
    loaded = load_pack(out)
    assert loaded.summary() == pack.summary()
    assert loaded.is_demo and loaded.name == pack.name and "built_at" in loaded.manifest
    assert loaded.warnings == []
    for col in (s.THEMES,):
        assert [list(v) for v in loaded.organisations[col]] == list(pack.organisations[col])
    for col in (s.THEMES, s.CLIENT_GROUPS, s.AREA_WARDS):
        assert [list(v) for v in loaded.services[col]] == list(pack.services[col]), col
    area_only = loaded.organisations[s.LOCATION_QUALITY] == s.LOCATION_AREA_ONLY
    assert loaded.organisations.geometry[area_only].isna().all()
    assert loaded.wards[s.WARD_CODE].map(type).eq(str).all()
    assert loaded.indicator_wide().isna().sum().sum() == 2
    assert_frame_equal(loaded.indicators, pack.indicators, check_dtype=False)


def test_name_helpers():
    assert place_stem("Kettlewick North") == "Kettlewick"
    assert place_stem("Fernholt Vale") == "Fernholt"
    assert place_stem("Coldmere and Wrenfield") == "Coldmere"
    assert place_stem("Foundry Bridge") == "Foundry Bridge"
    assert slug("St Ebba's Digital Skills Café") == "st-ebbas-digital-skills-cafe"
