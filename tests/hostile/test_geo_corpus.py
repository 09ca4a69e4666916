"""Hostile boundary files and recipes, made in code, driven through the Data page's and build-pack's own calls.

Every case is refused (or accepted with a note saying what was done) with a plain message that
names the file and no server path, and leaves every pack on disk byte-for-byte as it was.
Bombs are built in a few milliseconds: a deflate piece repeated, not a gigabyte compressed.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from tests.hostile.harness import tree_hashes

MB = 1 << 20
GEOJSON_HEAD = b'{"type": "FeatureCollection", "features": ['


# --- bomb builders: a deflate stream of N identical pieces costs one compression, not N -----------
def deflate_pieces(
    prefix: bytes, chunk: bytes, repeat: int, suffix: bytes = b""
) -> tuple[list[bytes], int, int]:
    """Raw deflate pieces for prefix + chunk * repeat + suffix, its CRC-32 and unpacked size.

    Each piece ends with a full flush, which resets the compressor, so the piece for ``chunk`` is
    the same bytes every time and is compressed once.
    """
    parts = []
    for data in (prefix, chunk, suffix):
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        parts.append(c.compress(data) + c.flush(zlib.Z_FULL_FLUSH))
    crc = zlib.crc32(prefix)
    for _ in range(repeat):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(suffix, crc)
    return (
        [parts[0], *([parts[1]] * repeat), parts[2], b"\x03\x00"],
        crc,
        len(prefix) + len(chunk) * repeat + len(suffix),
    )


def write_gzip_bomb(path: Path, unpacked_mb: int) -> Path:
    """A .geojson.gz whose GeoJSON is a header followed by ``unpacked_mb`` MB of spaces."""
    pieces, crc, size = deflate_pieces(GEOJSON_HEAD, b" " * MB, unpacked_mb, b"]}")
    with open(path, "wb") as f:
        f.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff")
        for p in pieces:
            f.write(p)
        f.write(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return path


def write_zip(path: Path, members: list[tuple[str, list[bytes], int, int, int | None, int]]) -> Path:
    """A zip written by hand: (name, deflate pieces, crc, size, size the directory claims, unix mode)."""
    central, offset = [], 0
    with open(path, "wb") as f:
        for name, pieces, crc, size, claimed, mode in members:
            raw = name.encode()
            csize = sum(len(p) for p in pieces)
            usize = size if claimed is None else claimed
            head = struct.pack(
                "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, csize, usize, len(raw), 0
            )
            f.write(head + raw)
            for p in pieces:
                f.write(p)
            central.append(
                struct.pack(
                    "<4sHHHHHHIIIHHHHHII",
                    b"PK\x01\x02",
                    (3 << 8) | 20,
                    20,
                    0,
                    8,
                    0,
                    0x21,
                    crc,
                    csize,
                    usize,
                    len(raw),
                    0,
                    0,
                    0,
                    0,
                    (mode & 0xFFFF) << 16,
                    offset,
                )
                + raw
            )
            offset += len(head) + len(raw) + csize
        cd = b"".join(central)
        f.write(cd)
        f.write(
            struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(cd), offset, 0)
        )
    return path


def stored(data: bytes, name: str, mode: int = 0o100644, claimed: int | None = None):
    """One small member for :func:`write_zip`."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return (name, [c.compress(data) + c.flush()], zlib.crc32(data), len(data), claimed, mode)


def write_zip_bomb(path: Path, unpacked_mb: int, member: str = "wards.geojson", *, lie: bool = False) -> Path:
    """A zip whose one member unpacks to ``unpacked_mb`` MB (its directory says 1 kB when ``lie``)."""
    pieces, crc, size = deflate_pieces(GEOJSON_HEAD, b" " * MB, unpacked_mb, b"]}")
    return write_zip(path, [(member, pieces, crc, size, 1000 if lie else None, 0o100644)])


# --- small hostile files --------------------------------------------------------------------------
X0, Y0 = 376_000, 388_000  # British National Grid metres near Altrincham
LON, LAT = -2.35, 53.39


def feature(code: str, name: str, geom) -> dict:
    return {"type": "Feature", "properties": {"WD19CD": code, "WD19NM": name}, "geometry": geom}


def square(x: float, y: float, d: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def geojson(features: list[dict], crs: str | None = None) -> bytes:
    doc: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc, ensure_ascii=False).encode()


def two_wards(d: float = 0.01) -> list[dict]:
    return [
        feature("E05000001", "Alpha", square(LON, LAT, d)),
        feature("E05000002", "Beta", square(LON + d, LAT, d)),
    ]


def shapefile_parts(folder: Path) -> dict[str, bytes]:
    """The files of a small, good Shapefile of two wards (BNG)."""
    gdf = gpd.GeoDataFrame(
        {"WD19CD": ["E05000001", "E05000002"], "WD19NM": ["Alpha", "Beta"]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)],
        crs=27700,
    )
    gdf.to_file(folder / "w.shp")
    return {p.name: p.read_bytes() for p in sorted(folder.glob("w.*"))}


def zip_of(path: Path, members: dict[str, bytes], *, modes: dict[str, int] | None = None) -> Path:
    write_zip(path, [stored(data, name, (modes or {}).get(name, 0o100644)) for name, data in members.items()])
    return path


def gpkg_two_layers(path: Path) -> Path:
    wards = gpd.GeoDataFrame(
        {"WD19CD": ["E05000001"], "WD19NM": ["Alpha"]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)],
        crs=27700,
    )
    wards.to_file(path, layer="wards_2019")
    wards.assign(WD19NM=["Alpha (2023)"]).to_file(path, layer="wards_2023", mode="a")
    return path


# --- the checks every case gets -----------------------------------------------------------------
@pytest.fixture(scope="module")
def packs_dir(tmp_path_factory) -> Path:
    """A packs folder holding the demo pack and a copy of it, as the app's data/packs does."""
    from sector_map.demo.make import write_demo_pack

    root = tmp_path_factory.mktemp("packs")
    write_demo_pack(root / "demo")
    shutil.copytree(root / "demo", root / "my-area")
    return root


@pytest.fixture(scope="module")
def pack(packs_dir):
    from sector_map.pack.io import load_pack

    return load_pack(packs_dir / "my-area")


@pytest.fixture
def unchanged(packs_dir):
    """Every file of every pack is byte-for-byte the same after the test."""
    before = tree_hashes(packs_dir)
    yield packs_dir
    assert tree_hashes(packs_dir) == before


def plain(message: str, file: str, tmp: Path) -> None:
    """The message names the file, shows no server path, and is not a traceback or GDAL's text."""
    assert file in message
    for leak in (str(tmp), "/tmp/", "/vsi", "sector-map-geo", "Traceback", "GDAL", "pyogrio"):
        assert leak not in message, (leak, message)


def refused_on_page(path: Path, pack, tmp: Path, *, layer: str | None = None) -> str:
    """The Data page's calls: preview (which may show a file whose shapes are wrong) and import,
    which must refuse with a plain InputError."""
    from sector_map import upload
    from sector_map.pack.errors import InputError

    try:
        shown = upload.preview(path, "boundaries").table
    except InputError as e:
        plain(str(e), path.name, tmp)
    else:
        assert len(shown) > 0 and "shape" in shown.columns
    with pytest.raises(InputError) as e:
        upload.import_upload("boundaries", path, pack=pack)
    message = str(e.value)
    plain(message, path.name, tmp)
    return message


def refused_by_build(recipe: Path, packs: Path, capsys) -> str:
    """``build-pack`` through the CLI's own entry point: exit 1, a plain message, nothing written."""
    from sector_map.cli.main import main

    out = packs / f"built-{recipe.parent.name}"  # one per test: a failure does not spill into the next
    assert main(["build-pack", str(recipe), "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "Could not build the pack" in err
    assert not out.exists()
    return err


def recipe_for(folder: Path, wards: str, extra: str = "") -> Path:
    path = folder / "recipe.toml"
    path.write_text(f'name = "Hostile"\n{extra}\n[wards]\npath = "{wards}"\n', encoding="utf-8")
    return path


# --- the corpus: boundary files the Data page and build-pack must refuse -------------------------
def _zip_bomb(tmp: Path) -> Path:
    return write_zip_bomb(tmp / "wards.zip", 600)


def _zip_bomb_lying(tmp: Path) -> Path:
    return write_zip_bomb(tmp / "lying.zip", 600, lie=True)


def _zip_ratio_bomb(tmp: Path) -> Path:
    return write_zip_bomb(tmp / "dense.zip", 200)


def _shapefile_bomb(tmp: Path) -> Path:
    zeros, crc, size = deflate_pieces(b"", b"\0" * MB, 600)
    members = [
        ("w.shp", zeros, crc, size, None, 0o100644),
        stored(b"\0" * 100, "w.shx"),
        stored(b"\0" * 33, "w.dbf"),
    ]
    return write_zip(tmp / "shapes.zip", members)


def _gpkg_bomb(tmp: Path) -> Path:
    zeros, crc, size = deflate_pieces(b"SQLite format 3\x00", b"\0" * MB, 600)
    return write_zip(tmp / "package.zip", [("w.gpkg", zeros, crc, size, None, 0o100644)])


def _gzip_bomb(tmp: Path) -> Path:
    return write_gzip_bomb(tmp / "wards.geojson.gz", 600)


def _slip(tmp: Path) -> Path:
    parts = shapefile_parts(_sub(tmp))
    return zip_of(tmp / "slip.zip", {("../" + k if k.endswith(".shp") else k): v for k, v in parts.items()})


def _absolute(tmp: Path) -> Path:
    parts = shapefile_parts(_sub(tmp))
    return zip_of(tmp / "absolute.zip", {"/tmp/evil/" + k: v for k, v in parts.items()})


def _symlink(tmp: Path) -> Path:
    parts = shapefile_parts(_sub(tmp))
    parts["w.prj"] = b"/etc/passwd"
    return zip_of(tmp / "link.zip", parts, modes={"w.prj": 0o120777})


def _device(tmp: Path) -> Path:
    parts = shapefile_parts(_sub(tmp))
    parts["w.cpg"] = b""
    return zip_of(tmp / "device.zip", parts, modes={"w.cpg": 0o010644})


def _no_shp(tmp: Path) -> Path:
    return zip_of(tmp / "readme.zip", {"README.txt": b"boundaries to follow", "notes.pdf": b"%PDF-1.4"})


def _shp_alone(tmp: Path) -> Path:
    parts = shapefile_parts(_sub(tmp))
    return zip_of(tmp / "lonely.zip", {"w.shp": parts["w.shp"], "w.prj": parts["w.prj"]})


def _two_layers(tmp: Path) -> Path:
    return gpkg_two_layers(tmp / "wards.gpkg")


def _two_shapefiles(tmp: Path) -> Path:
    parts = shapefile_parts(_sub(tmp))
    both = {
        f"{year}/{k.replace('w.', f'wards_{year}.')}": v for year in (2019, 2023) for k, v in parts.items()
    }
    return zip_of(tmp / "years.zip", both)


def _empty(tmp: Path) -> Path:
    (tmp / "empty.geojson").write_bytes(geojson([]))
    return tmp / "empty.geojson"


def _null_geometries(tmp: Path) -> Path:
    (tmp / "nulls.geojson").write_bytes(geojson([feature("E05000001", "Alpha", None), *two_wards()[1:]]))
    return tmp / "nulls.geojson"


def _points(tmp: Path) -> Path:
    pts = [
        feature(f"E0500000{i}", n, {"type": "Point", "coordinates": [LON + i / 100, LAT]})
        for i, n in [(1, "A"), (2, "B")]
    ]
    (tmp / "centroids.geojson").write_bytes(geojson(pts))
    return tmp / "centroids.geojson"


def _duplicates(tmp: Path) -> Path:
    feats = [
        feature("E05000001", "Alpha", square(LON, LAT, 0.01)),
        feature("E05000001", "Beta", square(LON + 0.01, LAT, 0.01)),
    ]
    (tmp / "dupes.geojson").write_bytes(geojson(feats))
    return tmp / "dupes.geojson"


def _truncated_geojson(tmp: Path) -> Path:
    data = geojson(two_wards())
    (tmp / "cut.geojson").write_bytes(data[: len(data) // 2])
    return tmp / "cut.geojson"


def _truncated_zip(tmp: Path) -> Path:
    data = zip_of(tmp / "whole.zip", shapefile_parts(_sub(tmp))).read_bytes()
    (tmp / "cut.zip").write_bytes(data[: len(data) * 2 // 3])
    return tmp / "cut.zip"


def _truncated_gpkg(tmp: Path) -> Path:
    data = gpkg_two_layers(tmp / "whole.gpkg").read_bytes()
    (tmp / "cut.gpkg").write_bytes(data[:2048])
    return tmp / "cut.gpkg"


def _outside_uk(tmp: Path) -> Path:
    feats = [*two_wards(), feature("E05000003", "Null Island", square(0.0, 0.0, 0.01))]
    (tmp / "stray.geojson").write_bytes(geojson(feats))
    return tmp / "stray.geojson"


def _web_mercator_as_wgs84(tmp: Path) -> Path:
    feats = [feature("E05000001", "Alpha", square(-261_600, 7_058_000, 1000))]
    (tmp / "mercator.geojson").write_bytes(geojson(feats, "urn:ogc:def:crs:EPSG::4326"))
    return tmp / "mercator.geojson"


def _sub(tmp: Path) -> Path:
    folder = tmp / "parts"
    folder.mkdir(exist_ok=True)
    return folder


REFUSED = [
    ("zip bomb", _zip_bomb, "unpacks to more than 500 MB"),
    ("zip bomb whose directory lies", _zip_bomb_lying, "cut short or damaged"),
    ("zip bomb under the size limit", _zip_ratio_bomb, "looks like a zip bomb"),
    ("zipped Shapefile bomb", _shapefile_bomb, "unpacks to more than 500 MB"),
    ("zipped GeoPackage bomb", _gpkg_bomb, "unpacks to more than 500 MB"),
    ("gzipped GeoJSON bomb", _gzip_bomb, "looks like a zip bomb"),
    ("zip slip ../", _slip, "points outside the archive ('../w.shp')"),
    ("absolute member", _absolute, "a member with an absolute path (ending 'w.cpg')"),
    ("symlink member", _symlink, "a link (symlink) called 'w.prj'"),
    ("device member", _device, "device or named pipe entry called 'w.cpg'"),
    ("zip with no .shp", _no_shp, "holds no .shp, .gpkg or .geojson file"),
    (".shp without .dbf and .shx", _shp_alone, "lacks its .dbf and .shx part"),
    (
        "GeoPackage with two layers",
        _two_layers,
        "this GeoPackage has 2 layers (wards_2019, wards_2023); choose one",
    ),
    (
        "zip with two Shapefiles",
        _two_shapefiles,
        "this zip has 2 layers (wards_2019, wards_2023); choose one",
    ),
    ("empty GeoJSON", _empty, "holds no features"),
    ("null geometries", _null_geometries, "1 wards have no boundary"),
    ("points instead of polygons", _points, "expected ward polygons, found points"),
    (
        "duplicate codes, different names",
        _duplicates,
        "ward codes appear more than once with different names",
    ),
    ("truncated GeoJSON", _truncated_geojson, "cut short or is not valid GeoJSON"),
    ("truncated zip", _truncated_zip, "damaged"),
    ("truncated GeoPackage", _truncated_gpkg, "damaged GeoPackage"),
    ("one shape outside the UK", _outside_uk, "1 of 3 shapes lie outside the UK"),
    (
        "Web Mercator metres labelled WGS84",
        _web_mercator_as_wgs84,
        "neither degrees nor British National Grid",
    ),
]


@pytest.mark.parametrize(("make", "expected"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_on_the_data_page(make, expected, tmp_path, pack, unchanged):
    path = make(tmp_path)
    message = refused_on_page(path, pack, tmp_path)
    assert expected in message


@pytest.mark.parametrize(("make", "expected"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_by_build_pack(make, expected, tmp_path, unchanged, capsys):
    path = make(tmp_path)
    err = refused_by_build(recipe_for(tmp_path, path.name), unchanged, capsys)
    assert path.name in err and expected in err
    assert str(tmp_path) not in err.replace(str(unchanged), "")


# --- files accepted, with a note saying what was done ----------------------------------------------
def _imported(path: Path, pack, **kw):
    from sector_map import upload

    result = upload.import_upload("boundaries", path, pack=pack, **kw)
    return result, " ".join(n.message() for n in result.notes)


def _centre(result) -> tuple[float, float]:
    c = result.pack.wards.geometry.union_all().centroid
    return round(c.x, 3), round(c.y, 3)


def test_swapped_latitude_and_longitude_are_swapped_back_with_a_note(tmp_path, pack, unchanged):
    swapped = [
        feature(
            f["properties"]["WD19CD"],
            f["properties"]["WD19NM"],
            {"type": "Polygon", "coordinates": [[[y, x] for x, y in f["geometry"]["coordinates"][0]]]},
        )
        for f in two_wards()
    ]
    path = tmp_path / "swapped.geojson"
    path.write_bytes(geojson(swapped))
    result, notes = _imported(path, pack)
    assert "latitude and longitude look swapped" in notes and "swapped back" in notes
    assert _centre(result) == (-2.34, 53.395)


def test_grid_metres_in_a_geojson_claiming_wgs84_are_read_as_british_national_grid(tmp_path, pack, unchanged):
    feats = [feature("E05000001", "Alpha", square(X0, Y0, 1000))]
    path = tmp_path / "metres.geojson"
    path.write_bytes(geojson(feats, "urn:ogc:def:crs:EPSG::4326"))
    result, notes = _imported(path, pack)
    assert "look like British National Grid metres, so EPSG:27700 was assumed" in notes
    # 376,500 / 388,500 on the grid is 2.3548 W, 53.3928 N (OS grid converter).
    assert _centre(result) == (-2.355, 53.393)


def test_degrees_in_a_file_labelled_british_national_grid_are_read_as_degrees(tmp_path, pack, unchanged):
    gdf = gpd.GeoDataFrame(
        {"WD19CD": ["E05000001"], "WD19NM": ["A"]}, geometry=[box(LON, LAT, LON + 0.01, LAT + 0.01)]
    )
    gdf.set_crs(27700).to_file(tmp_path / "labelled.gpkg")
    result, notes = _imported(tmp_path / "labelled.gpkg", pack)
    assert "look like longitude and latitude in degrees" in notes
    assert _centre(result) == (-2.345, 53.395)


def test_invalid_polygons_are_repaired_and_welsh_codes_and_names_kept(tmp_path, pack, unchanged):
    bow = {
        "type": "Polygon",
        "coordinates": [
            [[LON, LAT], [LON + 0.02, LAT + 0.02], [LON + 0.02, LAT], [LON, LAT + 0.02], [LON, LAT]]
        ],
    }
    feats = [
        feature("W05000981", "Llanfair Pwllgwyngyll", bow),
        feature("W05000982", "Tŷ-croes â’r Fenni", square(LON + 0.03, LAT, 0.01)),
        feature("S13002516", "Eilean a’ Chèo", square(LON + 0.05, LAT, 0.01)),
    ]
    path = tmp_path / "cymru.geojson"
    path.write_bytes(geojson(feats))
    result, notes = _imported(path, pack)
    wards = result.pack.wards
    assert "repaired 1 invalid ward polygon: W05000981" in notes
    assert wards.geometry.is_valid.all()
    assert wards["ward_name"].tolist() == ["Llanfair Pwllgwyngyll", "Tŷ-croes â’r Fenni", "Eilean a’ Chèo"]
    assert wards["ward_code"].tolist() == ["W05000981", "W05000982", "S13002516"]


# --- layers: listed for the page's chooser, and read when chosen -----------------------------------
def test_layers_are_listed_and_the_chosen_one_is_read(tmp_path, pack, unchanged):
    from sector_map.importers.geo import list_layers
    from sector_map.importers.tables import Notes
    from sector_map.upload.merge import import_boundaries

    gpkg, shapes = _two_layers(tmp_path), _two_shapefiles(tmp_path)
    assert list_layers(gpkg) == ["wards_2019", "wards_2023"]
    assert list_layers(shapes) == ["wards_2019", "wards_2023"]
    result = import_boundaries(gpkg, pack=pack, name=None, notes=Notes(), layer="wards_2023")
    assert result.pack.wards["ward_name"].tolist() == ["Alpha (2023)"]
    result = import_boundaries(shapes, pack=pack, name=None, notes=Notes(), layer="wards_2019")
    assert result.pack.wards["ward_code"].tolist() == ["E05000001", "E05000002"]
    one = tmp_path / "one.geojson"
    one.write_bytes(geojson(two_wards()))
    assert list_layers(one) == ["one"]
    message = refused_on_page(gpkg, pack, tmp_path)
    assert message.startswith("wards.gpkg: this GeoPackage has 2 layers")


# --- recipes ------------------------------------------------------------------------------------------
def _good_wards(folder: Path) -> Path:
    path = folder / "wards.geojson"
    path.write_bytes(geojson(two_wards()))
    return path


def test_a_recipe_reading_out_of_its_folder_is_refused(tmp_path, unchanged, capsys):
    (tmp_path / "recipes").mkdir()
    _good_wards(tmp_path / "recipes")
    recipe = tmp_path / "recipes" / "recipe.toml"
    recipe.write_text(
        'name = "x"\n[wards]\npath = "wards.geojson"\n[[organisations]]\nkind = "csv"\npath = "../../../../../../../../etc/os-release"\n'
    )
    err = refused_by_build(recipe, unchanged, capsys)
    assert (
        "recipe.toml" in err
        and "../../../../../../../../etc/os-release is outside the recipe's folder" in err
    )
    assert "allow_outside = true" in err


def test_allow_outside_and_absolute_paths_are_read_and_listed_in_the_summary(tmp_path):
    from sector_map.build.builder import build_pack, summary_text

    (tmp_path / "recipes").mkdir()
    wards = _good_wards(tmp_path)
    recipe = tmp_path / "recipes" / "recipe.toml"
    recipe.write_text(
        'name = "x"\nallow_outside = false\n[wards]\npath = "../wards.geojson"\nallow_outside = true\n'
    )
    text = summary_text(build_pack(recipe))
    assert "read from outside the recipe's folder: 1\n    - [wards] `path`: ../wards.geojson" in text
    recipe.write_text(f'name = "x"\n[wards]\npath = "{wards}"\n')
    assert f"[wards] `path`: {wards} (absolute path)" in summary_text(build_pack(recipe))


@pytest.mark.parametrize("target", ["folder", "/dev/zero", "/dev/null"])
def test_a_recipe_naming_a_folder_or_device_is_refused_by_kind(target, tmp_path, unchanged, capsys):
    (tmp_path / "folder").mkdir()
    err = refused_by_build(recipe_for(tmp_path, target), unchanged, capsys)
    kind = "a folder" if target == "folder" else "a device"
    assert f"{target} is {kind}, not a file" in err


@pytest.mark.data
def test_the_recipes_in_the_repository_say_they_read_outside_their_folder(shared_data):
    from sector_map.build.recipe import load_recipe

    root = Path(__file__).resolve().parent.parent.parent / "recipes"
    names = ("trafford", "greater_manchester", "england")
    for name in (*names, *(f"{n}-2019" for n in names)):
        recipe = load_recipe(root / f"{name}.toml")
        assert recipe.outside and all("../../shared/data/" in o for o in recipe.outside)


# --- named pipes: build-pack as a subprocess, so a hang is a failed test, not a stuck run -------
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
@pytest.mark.parametrize("pipe", ["wards.shp", "wards.dbf"])
def test_a_named_pipe_is_refused_without_being_opened(pipe, tmp_path, unchanged):
    parts = shapefile_parts(_sub(tmp_path))
    for name, data in parts.items():
        (tmp_path / name.replace("w.", "wards.")).write_bytes(data)
    (tmp_path / pipe).unlink()
    os.mkfifo(tmp_path / pipe)
    recipe = recipe_for(tmp_path, "wards.shp")
    out = unchanged / "built"
    run = subprocess.run(
        [sys.executable, "-m", "sector_map", "build-pack", str(recipe), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent.parent,
    )
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert (
        f"{pipe} is a named pipe, not a file" in run.stderr
        or f"{pipe}: is a named pipe, not a file" in run.stderr
    )
    assert not out.exists()
