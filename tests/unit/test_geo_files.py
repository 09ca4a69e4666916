"""Opening boundary files safely: kinds of file, zip members, the zip end record, limits."""

from __future__ import annotations

import gzip
import os
import zipfile

import pytest

from sector_map.importers import geo_files as gf
from sector_map.pack.errors import InputError


def test_things_that_are_not_files_are_named_by_kind(tmp_path):
    (tmp_path / "folder.shp").mkdir()
    with pytest.raises(InputError, match=r"^folder\.shp: is a folder, not a file"):
        gf.check_file(tmp_path / "folder.shp")
    os.mkfifo(tmp_path / "pipe.geojson")
    with pytest.raises(InputError, match=r"^pipe\.geojson: is a named pipe, not a file"):
        gf.check_file(tmp_path / "pipe.geojson")
    with pytest.raises(InputError, match=r"^null: is a device, not a file"):
        gf.check_file(gf.Path("/dev/null"))
    with pytest.raises(InputError, match="file not found") as e:
        gf.check_file(tmp_path / "gone.gpkg")
    assert str(tmp_path) not in str(e.value)


@pytest.mark.parametrize(
    ("name", "mode", "expected"),
    [
        ("..\\..\\w.shp", 0o100644, "points outside the archive"),
        ("a/../../w.shp", 0o100644, "points outside the archive"),
        ("C:\\data\\w.shp", 0o100644, "absolute path (ending 'w.shp')"),
        ("/etc/w.shp", 0o100644, "absolute path (ending 'w.shp')"),
        ("w.shp", 0o120777, "a link (symlink) called 'w.shp'"),
        ("w.shp", 0o060644, "device or named pipe entry"),
        ("w.shp", 0o010644, "device or named pipe entry"),
        ("data/w.shp", 0o100644, None),
        ("data/w.shp", 0, None),
    ],
)
def test_unsafe_members(name, mode, expected):
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    why = gf._unsafe(info)
    assert (why is None) if expected is None else (expected in why)


def test_a_zip_with_too_many_entries_is_refused_before_its_directory_is_read(tmp_path, monkeypatch):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(12):
            z.writestr(f"{i}.txt", "")
    assert gf._entry_count(path, path.name) == 12
    monkeypatch.setattr(gf, "MAX_MEMBERS", 10)
    with pytest.raises(InputError, match="more than 10 files, the limit"):
        gf.zip_layers(path)


def test_gzip_is_unpacked_to_a_private_folder_that_is_removed(tmp_path):
    path = tmp_path / "w.geojson.gz"
    path.write_bytes(gzip.compress(b'{"type": "FeatureCollection", "features": []}'))
    with gf.unpacked(path) as src:
        assert src.kind == "json" and src.path.name == "w.geojson" and src.path.parent != tmp_path
        inner = src.path
    assert not inner.exists() and not inner.parent.exists()


def test_a_cut_gzip_is_named(tmp_path):
    data = gzip.compress(b'{"type": "FeatureCollection", "features": []}' * 100)
    path = tmp_path / "w.geojson.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"^w\.geojson\.gz: is cut short"), gf.unpacked(path):
        pass


def test_a_plain_file_over_the_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(gf, "MAX_UNPACKED_MB", 1)
    path = tmp_path / "big.geojson"
    path.write_bytes(b" " * 2_000_000)
    with pytest.raises(InputError, match="the file is 2 MB, over the 1 MB limit"), gf.unpacked(path):
        pass


def test_sniff():
    assert gf.sniff(b"SQLite format 3\x00rest") == "gpkg"
    assert gf.sniff(b"\xef\xbb\xbf  {") == "json"
    assert gf.sniff(b" \n") == "empty"
    assert gf.sniff(b" " * 8192) == "text"
