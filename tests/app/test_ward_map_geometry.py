"""Where the Need map's ward geometry comes from: a static file, or the run where none can be written."""

from __future__ import annotations

import json
import logging

from sector_map.pack import schema as s


def test_geometry_is_a_file_and_goes_with_the_run_where_the_folder_cannot_be_written(
    demo_pack_dir, tmp_path, monkeypatch, caplog
):
    from ui import cache, ward_map

    pack = cache.get_pack(demo_pack_dir)
    key = cache.pack_key(pack)
    monkeypatch.setattr(ward_map, "MAPS_DIR", tmp_path / "maps")
    served = ward_map.geometry_source(key)
    assert served["geometryUrl"] == f"{ward_map.MAPS_URL}/{served['geometryKey']}"
    assert "geometryText" not in served
    written = tmp_path / "maps" / served["geometryKey"]
    assert json.loads(written.read_bytes())["codes"] == list(pack.wards[s.WARD_CODE])

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(ward_map, "MAPS_DIR", blocker / "maps")
    monkeypatch.setattr(ward_map, "_INLINE_WARNED", set())
    with caplog.at_level(logging.WARNING, logger=ward_map.__name__):
        inline = ward_map.geometry_source(key)
        ward_map.geometry_source(key)
    assert "geometryUrl" not in inline and inline["geometryKey"] == served["geometryKey"]
    assert inline["geometryText"].encode() == written.read_bytes()
    warnings = [r.getMessage() for r in caplog.records if "cannot write the ward geometry" in r.getMessage()]
    assert len(warnings) == 1, warnings  # once per pack, not on every run
