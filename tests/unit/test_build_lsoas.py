"""The pack's LSOAs and each postcode's LSOA, as build-pack makes them: on tiny hand-made files
(British National Grid squares) whose answers can be read off the drawing below.

Wards (1 km squares): North x 380,000–381,000, y 390,000–391,000; South above it, to 392,000.
LSOA polygons: 001A the west half of North, 001B its east half, 002A the South ward from 391,100
up and only to x 380,800 (a simplified line that leaves a strip of South outside every LSOA).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from sector_map.build.builder import build_pack
from sector_map.build.lsoas import NEAREST_M, lsoa_table, place_postcodes, read_lsoa_boundaries
from sector_map.build.recipe import load_recipe
from sector_map.build.report import summary_text
from sector_map.importers.imd_read import read_lookup
from sector_map.pack import schema as s
from sector_map.pack.errors import InputError
from sector_map.pack.io import load_pack
from tests.unit.test_imd2025 import WARDS, _lookup21, _population, _renamed, _wards, _write

A, B, C = "E01000001", "E01000002", "E01000003"
POLYGONS = {
    A: box(380_000, 390_000, 380_500, 391_000),
    B: box(380_500, 390_000, 381_000, 391_000),
    C: box(380_000, 391_100, 380_800, 392_000),
    "E01000099": box(381_000, 390_000, 382_000, 391_000),  # a neighbour's LSOA, outside the wards
}
# Code-Point Open's layout: postcode, easting, northing, and the LSOA each should get.
POSTCODES = [
    ("SM1 1AA", 380_200, 390_200, A),
    ("SM1 1AB", 380_700, 390_500, B),
    ("SM2 1AA", 380_300, 391_500, C),
    ("SM2 1AB", 380_400, 391_070, C),  # 30 m below 002A's line, 70 m above 001A's: nearest is 002A
    ("SM2 1AD", 380_950, 391_500, None),  # 150 m from 002A, in no LSOA polygon: none
    ("SM9 9ZZ", 381_500, 390_500, None),  # in the neighbour's LSOA, outside the wards: not kept
]


def _boundaries(folder: Path, polygons: dict = POLYGONS, code: str = "LSOA21CD") -> Path:
    gdf = gpd.GeoDataFrame({code: list(polygons)}, geometry=list(polygons.values()), crs="EPSG:27700")
    gdf.to_file(folder / "lsoa21.geojson", driver="GeoJSON")
    return folder / "lsoa21.geojson"


def _codepoint(folder: Path) -> Path:
    lines = ["Postcode,Positional_quality_indicator,Eastings,Northings,Country_code,Admin_district_code"]
    lines += [f'"{pc}",10,{e},{n},"E92000001","E08000099"' for pc, e, n, _ in POSTCODES]
    return _write(folder / "codepoint.csv.gz", "\n".join(lines) + "\n", gz=True)


def _recipe(folder: Path, extra: str = 'boundaries = "lsoa21.geojson"\n') -> Path:
    path = folder / "recipe.toml"
    path.write_text(
        'name = "Sometown"\narea_codes = ["E08000099"]\n[wards]\npath = "wards.geojson"\n'
        '[imd2025]\nlsoa = ["imd2025_renamed.csv"]\nlookup = "lsoa21_wd24.csv"\n'
        f'population = "pop2024.csv"\n{extra}[postcodes]\npath = "codepoint.csv.gz"\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def files(tmp_path) -> Path:
    for make in (_wards, _renamed, _lookup21, _population, _boundaries, _codepoint):
        make(tmp_path)
    return tmp_path


def test_a_build_keeps_the_areas_lsoas_with_their_weights_and_national_deciles(files):
    build_pack(_recipe(files), files / "out")
    pack = load_pack(files / "out")
    lsoas = pack.lsoas.set_index(s.LSOA_CODE)
    assert list(lsoas.index) == [A, B, C]
    assert lsoas[s.WARD_CODE].tolist() == [WARDS[0], WARDS[0], WARDS[1]]
    assert lsoas[s.LSOA_NAME].tolist() == ["Sometown 001A", "Sometown 001B", "Sometown 002A"]  # the lookup's
    # The population file's 2024POP, which also weights the ward averages and sums to the wards'.
    assert lsoas[s.POPULATION].tolist() == [1500.0, 500.0, 2500.0]
    wards = pack.wards.set_index(s.WARD_CODE)[s.POPULATION]
    assert lsoas.groupby(s.WARD_CODE)[s.POPULATION].sum().to_dict() == wards.to_dict()
    # IMD is given as ranks only: deciles are ⌈rank × 10 ÷ 33,755⌉.
    assert lsoas["imd_rank"].tolist() == [30_001.0, 1_200.0, 12_000.0]
    assert lsoas["imd_decile"].tolist() == [9.0, 1.0, 4.0]
    assert lsoas["housing_decile"].tolist() == [3.0, 1.0, 5.0]  # given as deciles, no rank
    assert "housing_rank" not in lsoas.columns
    assert lsoas["living_environment_score"].tolist() == [1.0, 2.0, 3.0]
    entry = pack.manifest[s.MANIFEST_LSOAS]
    assert (entry["edition"], entry["lsoa_vintage"], entry["n_national"]) == ("2025", "2021", 33_755)
    assert "pop2024.csv" in entry["population"]


def test_each_postcode_gets_the_lsoa_its_point_is_in_or_the_nearest_within_100_m(files):
    result = build_pack(_recipe(files), files / "out")
    postcodes = load_pack(files / "out").postcodes.set_index(s.POSTCODE)
    expected = {pc: lsoa for pc, _, _, lsoa in POSTCODES if pc != "SM9 9ZZ"}
    assert (
        postcodes[s.LSOA_CODE].astype(object).where(postcodes[s.LSOA_CODE].notna(), None).to_dict()
        == expected
    )
    words = result.pack.manifest[s.MANIFEST_LSOAS]["postcode_lsoa"]
    assert words.startswith("4 of 5 postcodes placed in an LSOA") and "lsoa21.geojson" in words
    assert "for 1 point just outside" in words
    assert "LSOAs:          3 (2021 LSOAs, IoD2025); 4 of 5 postcodes placed in an LSOA" in summary_text(
        result
    )


def test_without_boundaries_the_postcodes_carry_no_lsoa_and_the_manifest_says_so(files):
    result = build_pack(_recipe(files, extra=""), files / "out")
    assert s.LSOA_CODE not in result.pack.postcodes.columns
    assert len(result.pack.lsoas) == 3
    assert result.pack.manifest[s.MANIFEST_LSOAS]["postcode_lsoa"].startswith("not placed")


def test_a_pack_with_no_postcode_table_still_keeps_its_lsoas_and_says_no_postcode_has_one(files):
    recipe = _recipe(files)
    recipe.write_text(recipe.read_text(encoding="utf-8").split("[postcodes]")[0], encoding="utf-8")
    result = build_pack(recipe)
    assert result.pack.postcodes is None and len(result.pack.lsoas) == 3
    assert "no postcode carries an LSOA" in result.pack.manifest[s.MANIFEST_LSOAS]["postcode_lsoa"]


def test_boundaries_of_other_lsoas_are_refused_by_name(files):
    _boundaries(files, {"E01999999": box(380_000, 390_000, 381_000, 392_000)})
    with pytest.raises(InputError, match="lsoa21.geojson: holds none of the area's 2021 LSOAs"):
        build_pack(_recipe(files), files / "out")
    assert not (files / "out").exists()


def test_a_recipe_checks_the_boundaries_path(files):
    with pytest.raises(InputError, match=r"\[imd2025\]: `boundaries` file not found: nowhere.geojson"):
        load_recipe(_recipe(files, extra='boundaries = "nowhere.geojson"\n'))


def test_boundary_files_are_read_by_their_code_column_repaired_and_cut_to_the_area(tmp_path):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[-2.30, 53.40], [-2.29, 53.41], [-2.29, 53.40], [-2.30, 53.41], [-2.30, 53.40]]],
    }
    far = {"type": "Polygon", "coordinates": [[[-1.0, 52.0], [-0.99, 52.0], [-0.99, 52.01], [-1.0, 52.0]]]}
    features = [
        {"type": "Feature", "properties": {"area_code": "E01000001", "area_name": "x"}, "geometry": bowtie},
        {"type": "Feature", "properties": {"area_code": "E01000002", "area_name": "y"}, "geometry": far},
    ]
    path = tmp_path / "lsoa.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    got = read_lsoa_boundaries(path, near=(-2.4, 53.3, -2.2, 53.5))
    assert got[s.LSOA_CODE].tolist() == ["E01000001"]
    assert got.crs.equals(s.METRE_CRS) and got.geometry.is_valid.all()
    assert got.geometry.area.iloc[0] > 0


def test_a_boundary_file_without_an_lsoa_code_column_is_refused(tmp_path):
    path = _boundaries(tmp_path, code="name")
    with pytest.raises(InputError, match="lsoa21.geojson: has no LSOA code column"):
        read_lsoa_boundaries(path)


def test_the_postcode_files_own_lsoa_wins_and_lsoas_outside_the_pack_become_none():
    table = pd.DataFrame(
        {
            s.POSTCODE: ["SM1 1AA", "SM1 1AB", "SM2 1AA"],
            "lon": [-2.31, -2.31, -2.31],
            "lat": [53.45, 53.45, 53.45],
            s.LSOA_CODE: pd.array([B, "E01000099", None], dtype="string"),
        }
    )
    polys = gpd.GeoDataFrame({s.LSOA_CODE: [C]}, geometry=[box(0, 0, 1e6, 1e6)], crs=s.METRE_CRS)
    placed = place_postcodes(table, [A, B, C], boundaries=polys, column="lsoa21")
    # The file says B (kept, though its point is in C's polygon); another LSOA is none of the pack's;
    # the third has no LSOA in the file and takes the polygon's.
    assert placed.lsoa.tolist() == [B, pd.NA, C]
    assert (placed.from_file, placed.in_polygon, placed.outside, placed.placed) == (2, 1, 1, 2)
    assert "own LSOA column (lsoa21)" in placed.how[0]


def test_nearest_stops_at_100_m():
    polys = gpd.GeoDataFrame(
        {s.LSOA_CODE: [A]}, geometry=[box(380_000, 390_000, 381_000, 391_000)], crs=s.METRE_CRS
    )
    xy = gpd.GeoSeries.from_xy(
        [381_000 + NEAREST_M - 1, 381_000 + NEAREST_M + 1], [390_500] * 2, crs=s.METRE_CRS
    )
    ll = xy.to_crs(s.PACK_CRS)
    table = pd.DataFrame({s.POSTCODE: ["X1 1AA", "X1 1AB"], "lon": ll.x, "lat": ll.y})
    placed = place_postcodes(table, [A], boundaries=polys)
    assert placed.lsoa.tolist() == [A, pd.NA] and placed.nearest == 1


def test_lsoa_table_keeps_the_pack_wards_lsoas_and_derives_deciles_from_ranks(tmp_path):
    lookup = read_lookup(_lookup21(tmp_path), edition="2025")
    lsoa = pd.DataFrame(
        {
            s.LSOA_CODE: pd.array([A, B, C], dtype="string"),
            "population": [10.0, np.nan, 30.0],
            "health_rank": [1.0, 3_376.0, 33_755.0],
            "health_score": [2.5, 1.0, -1.0],
        }
    )
    table = lsoa_table(lsoa, lookup, [WARDS[0]], n_national=33_755)
    assert table[s.LSOA_CODE].tolist() == [A, B]
    assert table["health_decile"].tolist() == [1.0, 2.0]  # 3,376 is just past the first tenth
    assert table[s.POPULATION].isna().tolist() == [False, True]
    assert list(table.columns) == [*s.LSOA_COLUMNS, "health_rank", "health_decile", "health_score"]
