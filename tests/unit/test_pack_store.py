"""The one pack-writing path: lock, fresh temporary folder, atomic swap, leftovers, --out safety."""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from sector_map.cli.main import main
from sector_map.pack import schema as s
from sector_map.pack import store as pack_store
from sector_map.pack.errors import InputError
from sector_map.pack.io import PackError, find_packs, load_pack, pack_revision, save_pack
from sector_map.pack.store import clean_leftovers, is_leftover, lock_path, pack_lock, write_folder
from sector_map.views.pack_report import pack_catalogue

OLD = 3 * 3600.0  # seconds: older than STALE_AFTER_S


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path -> bytes), so 'unchanged' means byte-for-byte."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def age(path: Path, seconds: float) -> None:
    t = path.stat().st_mtime - seconds
    os.utime(path, (t, t))


def test_save_takes_a_lock_beside_the_pack_never_inside_and_never_listed(tiny_pack, tmp_path):
    folder = save_pack(tiny_pack, tmp_path / "p")
    assert lock_path(folder) == tmp_path / ".p.lock"
    assert lock_path(folder).is_file()
    assert not any(x.name.endswith(".lock") for x in folder.iterdir())
    assert sorted(x.name for x in tmp_path.iterdir()) == [".p.lock", "p"]
    assert [p.name for p in find_packs(tmp_path)] == ["p"]
    assert list(pack_catalogue(tmp_path)["Folder"]) == ["p"]


def test_a_held_lock_blocks_another_write_of_the_same_pack_and_says_so(tiny_pack, tmp_path):
    save_pack(tiny_pack, tmp_path / "p")
    before = snapshot(tmp_path / "p")
    with pack_lock(tmp_path / "p"):
        busy = pytest.raises(InputError, match="another save of this pack has not finished")
        with busy, pack_lock(tmp_path / "p", timeout=0.2):
            pass
        with pack_lock(tmp_path / "other", timeout=0.2):  # other packs are not blocked
            pass
    assert snapshot(tmp_path / "p") == before


def test_each_save_swaps_in_a_whole_new_folder_with_a_new_revision(tiny_pack, tmp_path):
    folder = save_pack(tiny_pack, tmp_path / "p")
    first = pack_revision(folder)
    tiny_pack.manifest = {**tiny_pack.manifest, "name": "Renamed"}
    save_pack(tiny_pack, folder)
    assert pack_revision(folder) != first and len(first) == 20
    assert load_pack(folder).name == "Renamed"
    assert load_pack(folder).revision == pack_revision(folder)
    assert sorted(x.name for x in tmp_path.iterdir()) == [".p.lock", "p"]  # nothing left aside


def test_a_failure_while_writing_leaves_the_old_pack_byte_for_byte(tiny_pack, tmp_path):
    save_pack(tiny_pack, tmp_path / "p")
    before, listing = snapshot(tmp_path / "p"), sorted(x.name for x in tmp_path.iterdir())

    def half_then_fail(tmp: Path) -> None:
        (tmp / s.MANIFEST_FILE).write_text("{}")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_folder(tmp_path / "p", half_then_fail)
    assert snapshot(tmp_path / "p") == before
    assert sorted(x.name for x in tmp_path.iterdir()) == listing  # the temporary folder is gone


def test_an_unwritable_column_fails_the_save_and_keeps_the_old_pack(tiny_pack, tmp_path):
    save_pack(tiny_pack, tmp_path / "p")
    before = snapshot(tmp_path / "p")
    bad = tiny_pack.organisations.copy()
    bad["extra"] = [object(), object(), object()]  # pyarrow cannot write this
    tiny_pack.organisations = bad
    with pytest.raises(Exception):  # noqa: B017 - pyarrow's own error type
        save_pack(tiny_pack, tmp_path / "p")
    assert snapshot(tmp_path / "p") == before
    assert load_pack(tmp_path / "p").summary()["organisations"] == 3


def test_a_failed_swap_puts_the_old_folder_back(tiny_pack, tmp_path, monkeypatch):
    save_pack(tiny_pack, tmp_path / "p")
    before = snapshot(tmp_path / "p")
    real_rename = os.rename

    def rename(src, dst):
        if Path(src).name.startswith(".p.tmp-"):
            raise OSError("rename failed")
        real_rename(src, dst)

    monkeypatch.setattr(pack_store.os, "rename", rename)
    with pytest.raises(OSError, match="rename failed"):
        save_pack(tiny_pack, tmp_path / "p")
    monkeypatch.undo()
    assert snapshot(tmp_path / "p") == before
    assert sorted(x.name for x in tmp_path.iterdir()) == [".p.lock", "p"]


def test_a_new_pack_never_overwrites_one_that_appeared_meanwhile(tiny_pack, tmp_path):
    folder = tmp_path / "p"
    outcome: list[BaseException | None] = []

    def second_writer() -> None:
        try:
            save_pack(tiny_pack, folder, new=True)
            outcome.append(None)
        except InputError as exc:
            outcome.append(exc)

    with pack_lock(folder):
        other = threading.Thread(target=second_writer)
        other.start()
        other.join(0.5)
        assert other.is_alive(), "the second save did not wait for the lock"
        save_pack(
            replace(tiny_pack, manifest={**tiny_pack.manifest, "name": "First writer"}), folder, locked=True
        )
    other.join(30)
    assert len(outcome) == 1 and isinstance(outcome[0], InputError)
    assert "a pack called 'p' already exists" in str(outcome[0])
    assert load_pack(folder).name == "First writer"


def test_a_file_or_a_folder_that_is_not_a_pack_is_refused_and_kept(tiny_pack, tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "thesis.docx").write_bytes(b"chapter one")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match=r"not a data pack \(it holds thesis.docx\); nothing was written"):
        save_pack(tiny_pack, tmp_path / "notes")
    with pytest.raises(InputError, match="is a file or a link"):
        save_pack(tiny_pack, tmp_path / "file")
    assert (tmp_path / "notes" / "thesis.docx").read_bytes() == b"chapter one"
    assert (tmp_path / "file").read_text() == "x"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert load_pack(save_pack(tiny_pack, empty)).summary()["wards"] == 4


def test_files_a_user_put_in_a_pack_folder_survive_a_save(tiny_pack, tmp_path):
    folder = save_pack(tiny_pack, tmp_path / "p")
    (folder / "my notes.txt").write_text("keep me")
    (folder / "maps").mkdir()
    (folder / "maps" / "a.png").write_bytes(b"png")
    save_pack(tiny_pack, folder)
    assert (folder / "my notes.txt").read_text() == "keep me"
    assert (folder / "maps" / "a.png").read_bytes() == b"png"


def test_leftover_folders_are_never_packs_and_stale_ones_are_cleaned(tiny_pack, tmp_path):
    save_pack(tiny_pack, tmp_path / "p")
    leftovers = [".p.tmp-ab12_x", ".p.old-0f3a9c", "p.tmp-old", "p.tmp-writing", ".q.tmp-zz9"]
    for name in leftovers:
        save_pack(tiny_pack, tmp_path / "src")
        os.rename(tmp_path / "src", tmp_path / name)  # each looks like a whole pack
        assert is_leftover(name)
    (tmp_path / ".git").mkdir()  # dot folders not of our making are hidden but never removed
    (tmp_path / "p.tmp-keep").mkdir()  # not one of our patterns: kept
    assert [p.name for p in find_packs(tmp_path)] == ["p"]

    for name in leftovers[:-1]:
        age(tmp_path / name, OLD)
    catalogue = pack_catalogue(tmp_path)  # listing removes stale leftovers; .q.tmp-zz9 is fresh
    assert list(catalogue["Folder"]) == ["p"]
    assert sorted(x.name for x in tmp_path.iterdir() if x.is_dir()) == [
        ".git",
        ".q.tmp-zz9",
        "p",
        "p.tmp-keep",
    ]
    assert load_pack(tmp_path / "p").summary()["wards"] == 4


def test_a_leftover_is_not_touched_while_its_pack_is_being_written(tiny_pack, tmp_path):
    (tmp_path / ".p.tmp-busy01").mkdir()
    age(tmp_path / ".p.tmp-busy01", OLD)
    with pack_lock(tmp_path / "p"):
        assert clean_leftovers(tmp_path) == []
    assert clean_leftovers(tmp_path) == [tmp_path / ".p.tmp-busy01"]


def test_the_next_write_removes_its_own_leftovers_at_once_and_others_once_stale(tiny_pack, tmp_path):
    for name in (".p.tmp-killed1", ".q.tmp-stale1", ".r.tmp-fresh1"):
        (tmp_path / name).mkdir()
    age(tmp_path / ".q.tmp-stale1", OLD)
    save_pack(tiny_pack, tmp_path / "p")
    assert sorted(x.name for x in tmp_path.iterdir() if x.is_dir()) == [".r.tmp-fresh1", "p"]


def test_a_pack_left_aside_by_a_killed_swap_is_put_back_not_deleted(tiny_pack, tmp_path):
    save_pack(tiny_pack, tmp_path / "p")
    before = snapshot(tmp_path / "p")
    os.rename(tmp_path / "p", tmp_path / ".p.old-deadbeef")  # killed between the two renames
    age(tmp_path / ".p.old-deadbeef", OLD)
    assert list(pack_catalogue(tmp_path)["Folder"]) == ["p"]
    assert snapshot(tmp_path / "p") == before


def test_build_pack_out_refuses_a_folder_holding_a_thesis_and_leaves_it(tmp_path, capsys):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"four years of work")
    recipe = tmp_path / "recipe.toml"
    recipe.write_text("name = 'Nowhere'\n")
    code = main(["build-pack", str(recipe), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code != 0
    assert "not a data pack (it holds thesis.docx)" in err and "Nothing was written" in err
    assert sorted(x.name for x in out.iterdir()) == ["thesis.docx"]
    assert (out / "thesis.docx").read_bytes() == b"four years of work"
    assert main(["demo", "--out", str(out)]) == 1
    assert sorted(x.name for x in out.iterdir()) == ["thesis.docx"]


def test_build_pack_out_replaces_a_pack_folder_through_the_same_path(tiny_pack, tmp_path):
    from tests.unit.test_build import _write_inputs

    _write_inputs(tmp_path)
    out = save_pack(tiny_pack, tmp_path / "packs" / "area")
    (out / "readme.txt").write_text("mine")
    old = pack_revision(out)
    assert main(["build-pack", str(tmp_path / "recipe.toml"), "--out", str(out), "--quiet"]) == 0
    assert pack_revision(out) != old and load_pack(out).name == "Smallshire"
    assert (out / "readme.txt").read_text() == "mine"
    assert sorted(x.name for x in out.parent.iterdir()) == [".area.lock", "area"]


def test_a_pack_that_fails_validation_is_not_written(tiny_pack, tmp_path):
    tiny_pack.wards.loc[0, s.WARD_CODE] = None
    with pytest.raises(PackError):
        save_pack(tiny_pack, tmp_path / "p")
    assert [x.name for x in tmp_path.iterdir() if x.is_dir()] == []
