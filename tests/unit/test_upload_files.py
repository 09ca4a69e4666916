"""Uploaded files on disk: each in its own temporary folder, removed when replaced, cleared or stale."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from sector_map import upload


def test_a_new_upload_removes_the_folder_of_the_one_it_replaces():
    first = upload.save_upload(b"name\nA\n", "first.csv")
    second = upload.save_upload(b"name\nB\n", "second.csv", replaces=first)
    try:
        assert not first.parent.exists()
        assert second.read_bytes() == b"name\nB\n"
        assert second.parent.name.startswith(upload.UPLOAD_PREFIX)
    finally:
        upload.discard_upload(second)
    assert not second.parent.exists()


def test_discard_touches_only_upload_folders(tmp_path):
    mine = tmp_path / "keep.csv"
    mine.write_text("name\n")
    upload.discard_upload(mine)  # not a folder save_upload made: left alone
    upload.discard_upload(None)
    assert mine.exists()


def test_stale_upload_folders_are_swept_and_fresh_ones_kept():
    old = Path(tempfile.mkdtemp(prefix=upload.UPLOAD_PREFIX))
    (old / "list.csv").write_text("name\n")
    day_ago = time.time() - upload.STALE_AFTER_S - 60
    os.utime(old, (day_ago, day_ago))
    other = Path(tempfile.mkdtemp(prefix="someone-else-"))
    os.utime(other, (day_ago, day_ago))
    fresh = upload.save_upload(b"name\nA\n", "fresh.csv")  # saving sweeps
    try:
        assert not old.exists()
        assert other.exists()  # not our prefix
        assert fresh.exists()
    finally:
        upload.discard_upload(fresh)
        other.rmdir()


def test_a_discarded_upload_leaves_nothing_parsed_behind():
    from sector_map.importers import tables

    path = upload.save_upload(b"name\nA\n", "gone.csv")
    upload.preview(path, "organisations")
    assert any(k[0] == str(path.resolve()) for k in tables._CACHE)
    upload.discard_upload(path)
    assert not any(k[0] == str(path.resolve()) for k in tables._CACHE)
