"""The national-scale fixture (sector_map.demo.scale) on a slice: two real councils, 2,000 organisations.

Birmingham (dense, 268 km²) and Northumberland (sparse, about 5,000 km²) on the May 2024 wards
with IoD2025, built from the England recipe's files; organisations at Code-Point Open postcodes.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from sector_map.build.builder import build_pack
from sector_map.demo.scale import read_postcode_points, scale_pack, write_scale_pack
from sector_map.pack import schema as s
from sector_map.pack.io import load_pack, save_pack
from tests.conftest import shared_data_or_skip

pytestmark = pytest.mark.data

BIRMINGHAM, NORTHUMBERLAND = "E08000025", "E06000057"
CODEPOINT = "postcodes/codepoint_open_2025-10_gb_all.csv.gz"
N = 2_000
RECIPE = """
name = "Birmingham and Northumberland"
area_codes = ["{birmingham}", "{northumberland}"]
allow_outside = true

[wards]
path = "{data}/boundaries/uk/uk_wards_may2024_bsc.geojson.gz"
code = "ward_code"
name = "ward_name"
la_code = "lad_code"
english_only = true

[imd2025]
lsoa = ["{data}/imd2025/imd2025_lsoa21_england_scores_ranks_deciles.csv.gz"]
lookup = "{data}/lookups/lsoa21_to_wd24_lad24_bestfit_england_wales.csv"
population = "{data}/lookups/lsoa21_to_msoa21_wd25_pcon24_lad24_england_imd2025score_pop2024.csv"
population_value = "2024POP"
"""


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory) -> Path:
    data = shared_data_or_skip()
    root = tmp_path_factory.mktemp("scale")
    recipe = root / "two.toml"
    recipe.write_text(RECIPE.format(data=data, birmingham=BIRMINGHAM, northumberland=NORTHUMBERLAND))
    build_pack(recipe, root / "base")
    return root / "base"


@pytest.fixture(scope="module")
def postcodes(base_dir) -> pd.DataFrame:
    """English postcodes near the two councils (a box around their wards, 5 km wider)."""
    table = read_postcode_points(shared_data_or_skip() / CODEPOINT)
    x0, y0, x1, y1 = load_pack(base_dir).wards.to_crs(s.METRE_CRS).total_bounds
    near = table["x"].between(x0 - 5_000, x1 + 5_000) & table["y"].between(y0 - 5_000, y1 + 5_000)
    return table[near].reset_index(drop=True)


@pytest.fixture(scope="module")
def scaled(base_dir, postcodes, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scaled") / "pack"
    pack = scale_pack(load_pack(base_dir), postcodes, organisations=N, seed=7)
    return save_pack(pack, out)


def test_same_seed_same_pack_other_seed_other_pack(base_dir, postcodes):
    base = load_pack(base_dir)
    one = scale_pack(base, postcodes, organisations=300, seed=3)
    two = scale_pack(base, postcodes, organisations=300, seed=3)
    other = scale_pack(base, postcodes, organisations=300, seed=4)
    pd.testing.assert_frame_equal(one.organisations, two.organisations)
    pd.testing.assert_frame_equal(one.services, two.services)
    assert not one.organisations[s.POSTCODE].equals(other.organisations[s.POSTCODE])


def test_pack_loads_and_keeps_the_base_wards(scaled, base_dir):
    pack, base = load_pack(scaled), load_pack(base_dir)
    assert len(pack.organisations) == N and pack.is_demo
    assert pack.manifest["scale_fixture"]["organisations"] == N
    pd.testing.assert_series_equal(pack.wards[s.WARD_CODE], base.wards[s.WARD_CODE])
    assert len(pack.indicators) == len(base.indicators)
    assert pack.organisations[s.ORG_ID].is_unique and pack.services[s.SERVICE_ID].is_unique


def test_every_placed_organisation_is_inside_a_ward_at_its_postcode(scaled, postcodes):
    pack = load_pack(scaled)
    orgs = pack.organisations
    placed = orgs[~orgs.geometry.isna()]
    assert (orgs.geometry.isna() == (orgs[s.LOCATION_QUALITY] == s.LOCATION_AREA_ONLY)).all()
    assert set(placed[s.LOCATION_QUALITY]) == {s.LOCATION_SITE, s.LOCATION_CONTACT}
    joined = gpd.sjoin(placed, pack.wards[[s.WARD_CODE, s.GEOMETRY]], predicate="within", how="left")
    assert joined[s.WARD_CODE].notna().groupby(level=0).any().all()
    # each point is its postcode's grid reference
    grid = postcodes.drop_duplicates(s.POSTCODE).set_index(s.POSTCODE)
    xy = placed.to_crs(s.METRE_CRS).geometry
    expected = grid.loc[placed[s.POSTCODE], ["x", "y"]].to_numpy()
    assert np.allclose(np.column_stack([xy.x, xy.y]), expected, atol=0.01)


def test_service_columns_follow_the_contract(scaled):
    pack = load_pack(scaled)
    orgs, svc = pack.organisations, pack.services
    counts = svc.groupby(s.ORG_ID).size().reindex(orgs[s.ORG_ID], fill_value=0)
    assert counts.between(1, 3).all()
    assert svc[s.THEMES].map(lambda t: 1 <= len(t) <= 2 and set(t) <= set(s.THEME_IDS)).all()
    assert svc[s.CLIENT_GROUPS].map(lambda g: len(g) >= 1 and set(g) <= set(s.CLIENT_GROUP_IDS)).all()
    own = orgs.set_index(s.ORG_ID)[s.THEMES]
    assert all(set(t) <= set(own[o]) for o, t in zip(svc[s.ORG_ID], svc[s.THEMES], strict=True))
    kinds = svc[s.AREA_TYPE].value_counts(normalize=True)
    assert kinds[s.AREA_RADIUS] > 0.5 and 0.1 < kinds[s.AREA_WARDS_LIST] < 0.5
    radius = svc[svc[s.AREA_TYPE] == s.AREA_RADIUS]
    assert radius[s.RADIUS_KM].between(0.5, 5.0).all()
    area_only = set(orgs.loc[orgs[s.LOCATION_QUALITY] == s.LOCATION_AREA_ONLY, s.ORG_ID])
    assert not radius[s.ORG_ID].isin(area_only).any()
    codes = set(pack.wards[s.WARD_CODE])
    listed = svc[svc[s.AREA_TYPE] == s.AREA_WARDS_LIST][s.AREA_WARDS]
    assert listed.map(lambda w: len(w) >= 1 and set(w) <= codes).all()


def test_ward_lists_are_near_the_base_or_a_whole_council(scaled):
    pack = load_pack(scaled)
    la_of = pack.wards.set_index(s.WARD_CODE)[s.LA_CODE]
    council_size = la_of.value_counts()
    listed = pack.services[pack.services[s.AREA_TYPE] == s.AREA_WARDS_LIST]
    sizes = listed[s.AREA_WARDS].map(len)
    whole_council = listed[s.AREA_WARDS].map(lambda w: len(w) == council_size[la_of[w[0]]])
    assert ((sizes <= 5) | whole_council).all() and whole_council.any() and (sizes <= 5).any()
    # a placed organisation's short list starts with the ward it is in
    orgs = pack.organisations.set_index(s.ORG_ID)
    short = listed[(sizes <= 5) & ~whole_council]
    placed = short[short[s.ORG_ID].map(lambda o: orgs.geometry[o] is not None)].head(200)
    wards = pack.wards.set_index(s.WARD_CODE).geometry
    first = [wards[w[0]] for w in placed[s.AREA_WARDS]]
    assert shapely.contains(first, list(orgs.geometry[placed[s.ORG_ID]])).all()


def test_organisations_follow_postcode_density(scaled, postcodes):
    pack = load_pack(scaled)
    wards = pack.wards.to_crs(s.METRE_CRS)
    located = pack.organisations.dropna(subset=[s.POSTCODE])
    pc_la = gpd.sjoin(
        gpd.GeoDataFrame(
            postcodes, geometry=gpd.points_from_xy(postcodes["x"], postcodes["y"]), crs=s.METRE_CRS
        ),
        wards[[s.LA_CODE, s.GEOMETRY]],
        predicate="within",
    ).drop_duplicates(s.POSTCODE)
    share_postcodes = (pc_la[s.LA_CODE] == BIRMINGHAM).mean()
    la_of_postcode = pc_la.set_index(s.POSTCODE)[s.LA_CODE]
    share_orgs = (located[s.POSTCODE].map(la_of_postcode) == BIRMINGHAM).mean()
    area = wards.dissolve(s.LA_CODE).area
    assert area[NORTHUMBERLAND] > 10 * area[BIRMINGHAM]  # by area alone Northumberland would win
    assert share_orgs > 0.6 and abs(share_orgs - share_postcodes) < 0.05


def test_write_scale_pack_reads_the_codepoint_file(base_dir, tmp_path):
    out = write_scale_pack(
        base_dir, shared_data_or_skip() / CODEPOINT, tmp_path / "p", organisations=40, seed=1
    )
    pack = load_pack(out)
    assert len(pack.organisations) == 40 and pack.services[s.ORG_ID].isin(pack.organisations[s.ORG_ID]).all()
