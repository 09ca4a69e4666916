"""Ward boundary import: formats, CRS guesses, column detection, filters and geometry repairs."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import MultiPolygon, Point, Polygon, box

from sector_map.importers.tables import InputError, Notes
from sector_map.importers.wards import read_wards
from sector_map.pack import schema as s

# Two 1 km squares side by side in British National Grid metres, near Altrincham.
X0, Y0 = 376_000, 388_000


def _bng_wards(**extra) -> gpd.GeoDataFrame:
    data = {"WD19CD": ["E05000001", "E05000002"], "WD19NM": ["Alpha", "Beta"]} | extra
    return gpd.GeoDataFrame(
        data,
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)],
        crs=27700,
    )


def _write_geojson(tmp_path: Path, features: list[dict], name="w.geojson", crs: str | None = None) -> Path:
    doc = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    p = tmp_path / name
    p.write_text(json.dumps(doc))
    return p


def _feature(props: dict, geom) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geom.__geo_interface__ if geom else None}


def test_bng_geopackage_is_reprojected_and_vintage_recorded(tmp_path):
    p = tmp_path / "w.gpkg"
    _bng_wards(LAD19CD=["E08000009", "E08000009"], LAD19NM=["Trafford", "Trafford"]).to_file(p)
    g = read_wards(p)
    assert list(g.columns) == s.WARD_COLUMNS
    assert g.crs.equals(s.PACK_CRS)
    assert g.attrs["ward_vintage"] == "WD19"
    assert g[s.WARD_CODE].tolist() == ["E05000001", "E05000002"]
    assert g[s.LA_NAME].tolist() == ["Trafford", "Trafford"]
    assert g[s.POPULATION].isna().all()
    # 376,500 / 388,500 on the grid is 2.3548 W, 53.3928 N (OS grid converter).
    c = g.geometry[0].centroid
    assert c.x == pytest.approx(-2.3548, abs=0.0005) and c.y == pytest.approx(53.3928, abs=0.0005)


def test_zipped_shapefile_with_population(tmp_path):
    shp = tmp_path / "shp"
    shp.mkdir()
    _bng_wards(population=[1200, 3400]).to_file(shp / "wards.shp")
    z = tmp_path / "wards.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in shp.iterdir():
            zf.write(f, f.name)
    g = read_wards(z, la_code="E08000009")
    assert g[s.POPULATION].tolist() == [1200.0, 3400.0]
    assert g[s.LA_CODE].tolist() == ["E08000009", "E08000009"]
    assert g.crs.equals(s.PACK_CRS)


def test_zip_without_dbf_says_what_is_missing(tmp_path):
    shp = tmp_path / "shp"
    shp.mkdir()
    _bng_wards().to_file(shp / "wards.shp")
    z = tmp_path / "wards.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(shp / "wards.shp", "wards.shp")
        zf.write(shp / "wards.shx", "wards.shx")
    with pytest.raises(InputError, match=r"lacks its \.dbf"):
        read_wards(z)


def test_no_crs_in_metres_is_taken_as_british_national_grid(tmp_path):
    shp = tmp_path / "w.shp"
    _bng_wards().to_file(shp)
    shp.with_suffix(".prj").unlink()
    notes = Notes()
    g = read_wards(shp, notes=notes)
    assert g.geometry[0].centroid.x == pytest.approx(-2.3548, abs=0.0005)
    assert any("EPSG:27700 was assumed" in p.text for p in notes)


def test_geojson_holding_grid_metres_is_recognised(tmp_path):
    # Old exports put metres in a GeoJSON with no crs member, which by RFC 7946 means WGS84.
    feats = [_feature({"area_code": "E05000001", "area_name": "Alpha"}, box(X0, Y0, X0 + 500, Y0 + 500))]
    notes = Notes()
    g = read_wards(_write_geojson(tmp_path, feats), notes=notes)
    # 376,250 / 388,250 is 2.3586 W, 53.3905 N.
    assert g.geometry[0].centroid.y == pytest.approx(53.3905, abs=0.0005)
    assert len(notes) == 1 and "British National Grid" in notes[0].text


def test_impossible_coordinates_are_an_error(tmp_path):
    shp = tmp_path / "w.shp"
    gpd.GeoDataFrame(
        {"code": ["E05000001"]}, geometry=[box(5e6, 5e6, 5e6 + 10, 5e6 + 10)], crs=27700
    ).to_file(shp)
    shp.with_suffix(".prj").unlink(missing_ok=True)
    with pytest.raises(InputError, match="neither degrees nor British National Grid"):
        read_wards(shp)


def test_crs84_geojson_with_area_code_columns_and_codes_stripped(tmp_path):
    feats = [
        _feature({"area_code": " E05000001 ", "area_name": "Alpha"}, box(-2.3, 53.4, -2.29, 53.41)),
        _feature({"area_code": "E05000002", "area_name": "Beta"}, box(-2.29, 53.4, -2.28, 53.41)),
    ]
    g = read_wards(_write_geojson(tmp_path, feats, crs="urn:ogc:def:crs:OGC:1.3:CRS84"))
    assert g[s.WARD_CODE].tolist() == ["E05000001", "E05000002"]
    assert g[s.WARD_NAME].tolist() == ["Alpha", "Beta"]
    assert g.attrs["ward_vintage"] is None
    assert g.geometry[0].bounds == pytest.approx((-2.3, 53.4, -2.29, 53.41))


def test_numeric_codes_are_strings_without_decimal_point(tmp_path):
    feats = [_feature({"code": 101, "name": "Alpha"}, box(-2.3, 53.4, -2.29, 53.41))]
    g = read_wards(_write_geojson(tmp_path, feats))
    assert g[s.WARD_CODE].tolist() == ["101"]


def test_lookup_gives_la_and_area_codes_filter(tmp_path):
    feats = [
        _feature({"wd17cd": "E05000001", "wd17nm": "Alpha"}, box(-2.3, 53.4, -2.29, 53.41)),
        _feature({"wd17cd": "E05000002", "wd17nm": "Beta"}, box(-2.29, 53.4, -2.28, 53.41)),
        _feature({"wd17cd": "E05000003", "wd17nm": "Gamma"}, box(-2.28, 53.4, -2.27, 53.41)),
    ]
    lookup = tmp_path / "lk.csv"
    lookup.write_text(
        "\ufeffwd17cd,wd17nm,lad17cd,lad17nm\nE05000001,Alpha,E08000009,Trafford\n"
        "E05000002,Beta,E08000003,Manchester\nE05000003,Gamma,E08000009,Trafford\n",
        encoding="utf-8",
    )
    path = _write_geojson(tmp_path, feats)
    g = read_wards(path, la_lookup=lookup, area_codes=["E08000009"])
    assert g[s.WARD_CODE].tolist() == ["E05000001", "E05000003"]
    assert g[s.LA_NAME].tolist() == ["Trafford", "Trafford"]
    assert g.attrs["ward_vintage"] == "WD17"
    with pytest.raises(InputError, match=r"no wards in local authority E08000001.*E08000003, E08000009"):
        read_wards(path, la_lookup=lookup, area_codes=["E08000001"])
    with pytest.raises(InputError, match="la_lookup"):
        read_wards(path, area_codes=["E08000009"])


def test_lookup_of_another_vintage_is_an_error(tmp_path):
    feats = [_feature({"WD23CD": "E05015239", "WD23NM": "New"}, box(-2.3, 53.4, -2.29, 53.41))]
    lookup = tmp_path / "lk.csv"
    lookup.write_text("WD19CD,LAD19CD\nE05000819,E08000009\n")
    with pytest.raises(InputError, match="same ward vintage"):
        read_wards(_write_geojson(tmp_path, feats), la_lookup=lookup)


def test_english_only(tmp_path):
    feats = [
        _feature({"WD19CD": "E05000001", "WD19NM": "A"}, box(-2.3, 53.4, -2.29, 53.41)),
        _feature({"WD19CD": "W05000002", "WD19NM": "B"}, box(-3.3, 52.4, -3.29, 52.41)),
    ]
    g = read_wards(_write_geojson(tmp_path, feats), english_only=True)
    assert g[s.WARD_CODE].tolist() == ["E05000001"]


def test_parts_of_one_ward_are_dissolved(tmp_path):
    a, b = box(-2.3, 53.4, -2.29, 53.41), box(-2.2, 53.4, -2.19, 53.41)
    feats = [
        _feature({"ward_code": "E05000001", "ward_name": "Alpha"}, a),
        _feature({"ward_code": "E05000002", "ward_name": "Beta"}, box(-2.29, 53.4, -2.28, 53.41)),
        _feature({"ward_code": "E05000001", "ward_name": "Alpha"}, b),
    ]
    notes = Notes()
    g = read_wards(_write_geojson(tmp_path, feats), notes=notes)
    assert g[s.WARD_CODE].tolist() == ["E05000001", "E05000002"]
    assert isinstance(g.geometry[0], MultiPolygon) and g.geometry[0].area == pytest.approx(a.area + b.area)
    assert notes[0].rows == (1, 3)


def test_duplicate_codes_with_different_names_are_an_error(tmp_path):
    feats = [
        _feature({"ward_code": "E05000001", "ward_name": "Alpha"}, box(-2.3, 53.4, -2.29, 53.41)),
        _feature({"ward_code": "E05000001", "ward_name": "Beta"}, box(-2.29, 53.4, -2.28, 53.41)),
    ]
    with pytest.raises(InputError, match="E05000001") as e:
        read_wards(_write_geojson(tmp_path, feats))
    assert e.value.problem.rows == (1, 2)


def test_missing_codes_are_an_error_naming_features(tmp_path):
    feats = [
        _feature({"ward_code": "E05000001", "ward_name": "A"}, box(-2.3, 53.4, -2.29, 53.41)),
        _feature({"ward_code": None, "ward_name": "B"}, box(-2.29, 53.4, -2.28, 53.41)),
    ]
    with pytest.raises(InputError, match="1 wards have no code") as e:
        read_wards(_write_geojson(tmp_path, feats))
    assert e.value.problem.rows == (2,)


def test_bow_tie_polygon_is_repaired_and_noted(tmp_path):
    bow = Polygon([(-2.3, 53.4), (-2.28, 53.42), (-2.28, 53.4), (-2.3, 53.42), (-2.3, 53.4)])
    assert not bow.is_valid
    feats = [_feature({"WD19CD": "E05000009", "WD19NM": "Bow"}, bow)]
    notes = Notes()
    g = read_wards(_write_geojson(tmp_path, feats), notes=notes)
    assert g.geometry[0].is_valid and g.geometry[0].geom_type == "MultiPolygon"
    assert g.geometry[0].area == pytest.approx(2 * 0.5 * 0.02 * 0.01)
    assert notes[0].text == "repaired 1 invalid ward polygon: E05000009"


def test_points_and_empty_geometries_are_errors(tmp_path):
    feats = [_feature({"ward_code": "E05000001", "ward_name": "A"}, Point(-2.3, 53.4))]
    with pytest.raises(InputError, match="expected ward polygons, found points"):
        read_wards(_write_geojson(tmp_path, feats))
    feats = [_feature({"ward_code": "E05000001", "ward_name": "A"}, None)]
    with pytest.raises(InputError, match="have no boundary"):
        read_wards(_write_geojson(tmp_path, feats, name="e.geojson"))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("ward_code,ward_name\nE05000001,A\n", "this is a table"),
        ('{"wards": [1, 2]}', "JSON but not GeoJSON"),
        ("", "empty"),
    ],
)
def test_wrong_kinds_of_file(tmp_path, content, expected):
    p = tmp_path / "wards.geojson"
    p.write_text(content)
    with pytest.raises(InputError, match=expected):
        read_wards(p)


def test_unknown_columns_say_what_to_pass(tmp_path):
    feats = [_feature({"foo": "E05000001"}, box(-2.3, 53.4, -2.29, 53.41))]
    path = _write_geojson(tmp_path, feats)
    with pytest.raises(InputError, match="Pass code="):
        read_wards(path)
    notes = Notes()
    g = read_wards(path, code="foo", notes=notes)
    assert g[s.WARD_NAME].tolist() == ["E05000001"]
    with pytest.raises(InputError, match="neither a column"):
        read_wards(path, code="foo", la_code="LAD_CD")


def test_population_is_float_nan_when_absent(tmp_path):
    feats = [_feature({"ward_code": "E05000001", "ward_name": "A"}, box(-2.3, 53.4, -2.29, 53.41))]
    g = read_wards(_write_geojson(tmp_path, feats))
    assert g[s.POPULATION].dtype == np.float64 and np.isnan(g[s.POPULATION][0])
