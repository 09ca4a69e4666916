"""The ward map component's geometry file and per-run state (sector_map.views.web_map)."""

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, Point, Polygon, box

from sector_map.pack import schema as s
from sector_map.views import classify as c
from sector_map.views import web_map as wm

EVIL = '<img src=x onerror="window.__xss=1">'
X0, Y0, D = -2.30, 53.40, 0.01


def _decode(flat: list[int]) -> list[tuple[float, float]]:
    pts, lat, lon = [], 0, 0
    for i in range(0, len(flat), 2):
        lat += flat[i]
        lon += flat[i + 1]
        pts.append((lat / wm.QUANTUM, lon / wm.QUANTUM))
    return pts


@pytest.fixture
def wards() -> gpd.GeoDataFrame:
    """Three square wards in a row; the middle one has a hole, the last is two squares and a hostile name."""
    sq = [box(X0 + i * D, Y0, X0 + (i + 1) * D, Y0 + D) for i in range(3)]
    holed = Polygon(
        sq[1].exterior.coords, [box(X0 + 1.4 * D, Y0 + 0.4 * D, X0 + 1.6 * D, Y0 + 0.6 * D).exterior.coords]
    )
    two = MultiPolygon([sq[2], box(X0 + 2 * D, Y0 + 2 * D, X0 + 3 * D, Y0 + 3 * D)])
    return gpd.GeoDataFrame(
        {s.WARD_CODE: ["E05000001", "E05000002", "E05000003"], s.WARD_NAME: ["West", "Middle", EVIL]},
        geometry=[sq[0], holed, two],
        crs=s.PACK_CRS,
    )


def test_geometry_file_round_trips_every_ring(wards):
    geo = wm.ward_geometry(wards)
    doc = json.loads(geo.body)
    assert doc["codes"] == list(wards[s.WARD_CODE]) == list(geo.codes)
    assert doc["names"][2] == EVIL  # plain text in the file; the component shows it with textContent
    assert [len(shape) for shape in doc["shapes"]] == [1, 1, 2]  # polygons per ward
    assert [len(rings) for rings in doc["shapes"][1]] == [2]  # the hole kept
    ring = _decode(doc["shapes"][0][0][0])
    expected = [(round(y, 5), round(x, 5)) for x, y in list(wards.geometry.iloc[0].exterior.coords)[:-1]]
    assert np.allclose(ring, expected, atol=1e-9, rtol=0)
    (south, west), (north, east) = doc["bounds"]
    assert (west, south, east, north) == pytest.approx(tuple(wards.total_bounds), abs=1e-5)
    for (lat, lon), g in zip(doc["centres"], wards.geometry, strict=True):
        assert g.contains(Point(lon, lat))


def test_geometry_file_is_named_by_its_content(wards):
    a, b = wm.ward_geometry(wards), wm.ward_geometry(wards.copy())
    assert a.name == b.name and a.body == b.body and a.name.startswith(wm.FILE_PREFIX)
    moved = wards.copy()
    moved.geometry = moved.geometry.translate(0.001, 0)
    assert wm.ward_geometry(moved).name != a.name
    renamed = wards.copy()
    renamed.loc[0, s.WARD_NAME] = "Westward"
    assert wm.ward_geometry(renamed).name != a.name


def test_geometry_file_is_ascii_json_even_with_hostile_names(wards):
    geo = wm.ward_geometry(wards)
    geo.body.decode("ascii")
    assert b"<img" in geo.body  # kept as text: it is JSON fetched by the component, never parsed as HTML


def test_write_geometry_writes_once_and_atomically(wards, tmp_path):
    geo = wm.ward_geometry(wards)
    path = wm.write_geometry(geo, tmp_path / "maps")
    assert path.name == geo.name and path.read_bytes() == geo.body
    mtime = path.stat().st_mtime_ns
    assert wm.write_geometry(geo, tmp_path / "maps") == path
    assert path.stat().st_mtime_ns == mtime
    assert [p.name for p in (tmp_path / "maps").iterdir()] == [geo.name]  # no temporary file left


def test_ward_state_keeps_no_data_apart_and_follows_the_file_order(wards):
    geo = wm.ward_geometry(wards)
    # Values given in another order, one ward missing: the state follows the file's order.
    values = pd.Series({"E05000003": 30.0, "E05000001": 10.0})
    classes = c.classify(values, scheme="equal_interval", k=3)
    colours = c.class_colours(classes.k_effective, higher_is="more_need")
    ranks = pd.Series({"E05000003": 1, "E05000001": 2})
    out = wm.ward_state(geo, values, classes, colours, label="Need", ranks=ranks, selected="E05000003")
    assert out["cls"][1] == -1 and out["text"][1] == "no data" and out["rank"][1] == 0
    assert out["cls"][0] != -1 and out["cls"][2] != -1 and out["cls"][2] > out["cls"][0]
    assert out["text"][0].startswith("10") and out["rank"] == [2, 0, 1] and out["nRanked"] == 2
    assert out["selected"] == 2 and out["colours"] == colours and out["noData"] == c.NO_DATA_COLOUR
    assert out["many"] is False


def test_ward_state_is_deterministic_and_small(wards):
    geo = wm.ward_geometry(wards)
    values = pd.Series({"E05000001": 1.0, "E05000002": 2.0, "E05000003": 3.0})
    classes = c.classify(values, k=3)
    colours = c.class_colours(classes.k_effective, higher_is="more_need")
    one = json.dumps(wm.ward_state(geo, values, classes, colours, label=EVIL))
    two = json.dumps(wm.ward_state(geo, values.sample(frac=1, random_state=1), classes, colours, label=EVIL))
    assert one == two
    assert "coordinates" not in one and str(X0) not in one  # no geometry travels per run
    assert json.loads(one)["selected"] == -1


def test_ward_state_refuses_too_few_colours(wards):
    geo = wm.ward_geometry(wards)
    values = pd.Series({"E05000001": 1.0, "E05000002": 2.0, "E05000003": 3.0})
    with pytest.raises(ValueError, match="colours"):
        wm.ward_state(geo, values, c.classify(values, k=3), ["#000000"], label="x")


def _orgs(points, names=None, themes=None, bands=None) -> gpd.GeoDataFrame:
    n = len(points)
    return gpd.GeoDataFrame(
        {
            s.ORG_NAME: names or [f"Org {i}" for i in range(n)],
            s.ORG_KIND: ["charity"] * n,
            s.SIZE_BAND: bands or ["small"] * n,
            s.THEMES: themes or [["older_people"]] * n,
            s.LOCATION_QUALITY: ["site"] * n,
        },
        geometry=points,
        crs=s.PACK_CRS,
    )


def test_ward_of_points_and_counts(wards):
    inside = [
        Point(X0 + 0.5 * D, Y0 + 0.5 * D),  # West
        Point(X0 + 0.5 * D, Y0 + 0.2 * D),  # West
        Point(X0 + 1.5 * D, Y0 + 0.5 * D),  # in Middle's hole: no ward
        Point(X0 + 2.5 * D, Y0 + 2.5 * D),  # the third ward's second square
        Point(5, 5),  # far away
        None,  # no location
    ]
    where = wm.ward_of_points(wards, _orgs(inside))
    assert where.tolist() == [0, 0, -1, 2, -1, -1]
    assert wm.ward_counts(where, 3) == [2, 0, 1]
    assert wm.ward_counts(where[[3]], 3) == [0, 0, 1]


def test_organisation_points_are_plain_text_capped_and_in_bounds():
    pts = [Point(X0 + i * 0.001, Y0) for i in range(10)]
    orgs = _orgs(pts, names=[EVIL] + [f"Org {i}" for i in range(1, 10)], bands=["major"] + [None] * 9)
    out = wm.organisation_points(orgs, cap=4)
    assert out["total"] == 10 and out["shown"] == 4 and len(out["rows"]) == 4
    first = out["rows"][0]
    assert first[:2] == [pytest.approx(Y0), pytest.approx(X0)]
    assert first[4] == EVIL  # shown with textContent: never escaped into "&lt;img"
    assert out["colours"][first[2]] == s.THEMES_BY_ID["older_people"].colour and first[3] == 8
    assert out["themes"][first[6]] == s.THEMES_BY_ID["older_people"].label
    assert out["rows"][1][3] == 5  # no size band: the middle size
    box_ = [[Y0 - 0.1, X0 + 0.0045], [Y0 + 0.1, X0 + 0.0075]]
    inside = wm.organisation_points(orgs, bounds=box_)
    assert inside["total"] == 3 and [r[4] for r in inside["rows"]] == ["Org 5", "Org 6", "Org 7"]


def test_asset_points_keep_unknown_status_apart():
    from sector_map.views.map_layers import ASSET_STYLES

    assets = gpd.GeoDataFrame(
        {
            s.ASSET_NAME: [EVIL, "Hall"],
            s.ASSET_KIND: ["library", None],
            s.ASSET_STATUS: [next(iter(ASSET_STYLES)), np.nan],
        },
        geometry=[Point(X0, Y0), Point(X0 + D, Y0)],
        crs=s.PACK_CRS,
    )
    out = wm.asset_points(assets)
    assert out["rows"][0][2] == 0 and out["rows"][0][3] == EVIL
    assert out["rows"][1][2] == len(out["styles"]) - 1 and out["rows"][1][4:] == ["", "not known"]
