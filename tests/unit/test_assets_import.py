"""Community asset import: locations from lon/lat, grid references, postcodes and outlines."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import box

from sector_map.importers.assets import read_assets
from sector_map.importers.tables import InputError, Notes
from sector_map.pack import schema as s


def _csv(tmp_path: Path, text: str, name: str = "halls.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_lon_lat_table_with_status_words(tmp_path):
    p = _csv(
        tmp_path,
        "name,type,status,lon,lat\n"
        "Old Library,library,Vacant,-2.35,53.38\n"
        "Scout Hut,hall,available to hire,-2.30,53.40\n"
        "Town Hall,civic,Demolished,-2.31,53.41\n"
        "Park Pavilion,pavilion,,-2.32,53.42\n",
    )
    notes = Notes()
    g = read_assets(p, notes=notes)
    assert list(g.columns) == s.ASSET_COLUMNS and g.crs.equals(s.PACK_CRS)
    assert g[s.ASSET_STATUS].tolist() == [
        "vacant",
        "available for community use",
        "in community use",
        "in community use",
    ]
    assert g[s.ASSET_KIND].tolist() == ["library", "hall", "civic", "pavilion"]
    assert g[s.ASSET_ID].tolist() == ["halls-1", "halls-2", "halls-3", "halls-4"]
    assert (g.geometry[0].x, g.geometry[0].y) == (-2.35, 53.38)
    odd = [p for p in notes if "not recognised" in p.text]
    assert len(odd) == 1 and odd[0].rows == (4,) and "Demolished" in odd[0].text


def test_rows_without_location_or_name(tmp_path):
    p = _csv(tmp_path, "name,lon,lat\nA,-2.35,53.38\nB,,\n,-2.3,53.4\nC,150,10\n")
    notes = Notes()
    g = read_assets(p, kind="hall", id_prefix="h", notes=notes)
    assert g[s.ASSET_NAME].tolist() == ["A", "Hall 3"]
    assert g[s.ASSET_ID].tolist() == ["h-1", "h-3"]
    dropped = [p for p in notes if "no usable location" in p.text]
    assert dropped[0].text.startswith("2 assets") and dropped[0].rows == (3, 5)
    assert [p.rows for p in notes if "no name" in p.text] == [(4,)]
    assert any("outside the UK" in p.text for p in notes)


def test_swapped_lon_lat_are_swapped_back(tmp_path):
    p = _csv(tmp_path, "name,longitude,latitude\nA,53.38,-2.35\n")
    notes = Notes()
    g = read_assets(p, notes=notes)
    assert (g.geometry[0].x, g.geometry[0].y) == (-2.35, 53.38)
    assert "wrong way round" in notes[0].text


def test_easting_northing(tmp_path):
    g = read_assets(_csv(tmp_path, "name,easting,northing\nA,376500,388500\n"))
    # 376,500 / 388,500 on the grid is 2.3548 W, 53.3928 N.
    assert g.geometry[0].x == pytest.approx(-2.3548, abs=0.0005)
    assert g.geometry[0].y == pytest.approx(53.3928, abs=0.0005)


def test_postcodes_are_normalised_and_looked_up(tmp_path):
    p = _csv(tmp_path, "name,postcode\nA,wa141ah\nB,M33  4nd\nC,ZZ1 1ZZ\n")
    postcodes = pd.DataFrame(
        {"postcode": ["WA14 1AH", "M334ND"], "lon": [-2.352, -2.351], "lat": [53.387, 53.414]}
    )
    notes = Notes()
    g = read_assets(p, postcodes=postcodes, notes=notes)
    assert g[s.ASSET_NAME].tolist() == ["A", "B"]
    assert g.geometry[1].y == 53.414
    assert any("ZZ1 1ZZ" in p.text and p.rows == (4,) for p in notes)


def test_postcode_only_without_table_says_so(tmp_path):
    p = _csv(tmp_path, "name,postcode\nA,WA14 1AH\n")
    with pytest.raises(InputError, match="no asset could be placed"):
        read_assets(p)


def test_geojson_outlines_become_points_inside(tmp_path):
    a = box(-2.3, 53.4, -2.299, 53.401)
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"DISTNAME": "St Mary's", "ID": "X1"},
                "geometry": a.__geo_interface__,
            },
            {"type": "Feature", "properties": {"DISTNAME": None, "ID": "X2"}, "geometry": None},
        ],
    }
    p = tmp_path / "worship.geojson"
    p.write_text(json.dumps(doc))
    notes = Notes()
    g = read_assets(p, kind="place of worship", status="in community use", notes=notes)
    assert g[s.ASSET_ID].tolist() == ["worship-X1"]
    assert g[s.ASSET_KIND].tolist() == ["place of worship"]
    assert a.contains(g.geometry[0])
    assert any("no usable location" in p.text and p.rows == (2,) for p in notes)


def test_column_overrides_and_bad_fixed_status(tmp_path):
    p = _csv(tmp_path, "community_hub,x_coord,y_coord\nAltrincham,-2.348,53.383\n")
    g = read_assets(p, columns={"name": "community_hub", "lon": "x_coord", "lat": "y_coord"})
    assert g[s.ASSET_NAME].tolist() == ["Altrincham"]
    with pytest.raises(InputError, match="is not allowed"):
        read_assets(p, columns={"lon": "x_coord", "lat": "y_coord"}, status="closed")
    with pytest.raises(InputError, match="no column 'nope'"):
        read_assets(p, columns={"name": "nope"})


def test_no_location_columns(tmp_path):
    with pytest.raises(InputError, match="no location columns"):
        read_assets(_csv(tmp_path, "name,address\nA,1 High St\n"))
