"""Saving uploads: Add to the current pack merges into the pack as it is now; new packs never overwrite."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from sector_map import upload
from sector_map.pack import schema as s
from sector_map.pack.corrections import Correction, read_corrections, remove_correction, save_correction
from sector_map.pack.errors import InputError
from sector_map.pack.io import load_pack, pack_revision, save_pack
from tests.unit.test_pack_store import snapshot
from tests.unit.test_upload import POSTCODES

A = "name,postcode,themes\nAlder Food Pantry,DM1 1AA,poverty_food\nAsh Youth Club,DM1 3CD,children_young_people\n"
B = "name,postcode,themes\nBirch Carers Cafe,DM1 3CD,disability_carers\n"


@pytest.fixture
def current(tiny_pack, tmp_path) -> Path:
    """The tiny pack saved as a real (non-demo) pack with a postcode table."""
    tiny_pack.manifest = {**tiny_pack.manifest, "demo": False}
    tiny_pack.postcodes = POSTCODES.copy()
    return save_pack(tiny_pack, tmp_path / "packs" / "testshire")


def put(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "uploads" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def names(folder: Path) -> set[str]:
    return set(load_pack(folder).organisations["name"])


def test_a_checked_upload_records_the_pack_revision_and_how_to_redo_it(current, tmp_path):
    pack = load_pack(current)
    res = upload.import_upload("organisations", put(tmp_path, "a.csv", A), pack=pack, themes=["older_people"])
    assert res.base_revision == pack.revision == pack_revision(current)
    assert res.request == {
        "kind": "organisations",
        "path": put(tmp_path, "a.csv", A),
        "themes": ["older_people"],
    }


def test_two_sessions_that_both_check_then_both_add_keep_both_files(current, tmp_path):
    first, second = load_pack(current), load_pack(current)  # two browser sessions, same pack
    res_a = upload.import_upload("organisations", put(tmp_path, "a.csv", A), pack=first)
    res_b = upload.import_upload("organisations", put(tmp_path, "b.csv", B), pack=second)

    added_a = upload.add_to_current(first, res_a)
    assert not added_a.redone and added_a.message("Testshire") == "Added a.csv to Testshire."
    added_b = upload.add_to_current(second, res_b)
    assert added_b.redone and added_b.folder == current
    assert added_b.message("Testshire").startswith(
        "The pack had changed since you checked; your file was added to the pack as it is now. b.csv: 1 of 1 rows"
    )
    got = load_pack(current)
    assert {"Alder Food Pantry", "Ash Youth Club", "Birch Carers Cafe"} <= set(got.organisations["name"])
    assert len(got.organisations) == 6
    themes = dict(zip(got.organisations["name"], got.organisations["themes"], strict=True))
    assert themes["Alpha Food Share"] == ["poverty_food"] and themes["Birch Carers Cafe"] == [
        "disability_carers"
    ]
    assert [src["title"] for src in got.sources][-2:] == ["a.csv", "b.csv"]


def test_if_the_upload_cannot_be_redone_it_refuses_and_writes_nothing(current, tmp_path):
    first, second = load_pack(current), load_pack(current)
    res_a = upload.import_upload("organisations", put(tmp_path, "a.csv", A), pack=first)
    b = put(tmp_path, "b.csv", B)
    res_b = upload.import_upload("organisations", b, pack=second)
    upload.add_to_current(first, res_a)
    before = snapshot(current)
    b.unlink()  # the upload's temporary file is gone
    with pytest.raises(InputError) as err:
        upload.add_to_current(second, res_b)
    assert str(err.value) == "testshire: this pack changed since you checked it; check again"
    with pytest.raises(InputError, match="this pack changed since you checked it; check again"):
        upload.add_to_current(second, replace(res_b, request={}))
    assert snapshot(current) == before


def test_an_unchanged_pack_takes_the_checked_result_even_if_the_file_is_gone(current, tmp_path):
    pack = load_pack(current)
    a = put(tmp_path, "a.csv", A)
    res = upload.import_upload("organisations", a, pack=pack)
    a.unlink()
    added = upload.add_to_current(pack, res)
    assert not added.redone and "Ash Youth Club" in names(current)


def test_a_pack_whose_folder_was_removed_is_not_recreated(current, tmp_path):
    pack = load_pack(current)
    res = upload.import_upload("organisations", put(tmp_path, "a.csv", A), pack=pack)
    current.rename(current.with_name("moved"))
    with pytest.raises(InputError, match="no longer there"):
        upload.add_to_current(pack, res)
    assert not current.exists()


def test_save_as_new_pack_refuses_a_name_taken_meanwhile(current, tmp_path):
    pack = load_pack(current)
    res = upload.import_upload("organisations", put(tmp_path, "a.csv", A), pack=pack)
    folder = upload.save_as_new_pack(res.pack, current.parent, "Testshire plus")
    before = snapshot(folder)
    other = upload.import_upload("organisations", put(tmp_path, "b.csv", B), pack=pack)
    with pytest.raises(InputError, match="a pack called 'testshire-plus' already exists in packs"):
        upload.save_as_new_pack(other.pack, current.parent, "Testshire  Plus!")
    assert snapshot(folder) == before
    assert names(folder) >= {"Alder Food Pantry", "Ash Youth Club"}


def _built(folder: Path, file: str) -> dict[str, list]:
    """Themes by id as the pack's files hold them (before corrections are applied)."""
    table = pd.read_parquet(folder / file)
    key = s.ORG_ID if file == s.ORGANISATIONS_FILE else s.SERVICE_ID
    return {k: list(v) for k, v in zip(table[key], table[s.THEMES], strict=True)}


def test_adding_a_file_leaves_theme_corrections_beside_the_pack_not_in_its_files(current, tmp_path):
    save_correction(current, Correction(themes=("housing_homelessness",), note="a hostel", org_id="o2"))
    pack = load_pack(current)
    assert pack.organisations.set_index(s.ORG_ID).at["o2", s.THEMES] == ["housing_homelessness"]
    upload.add_to_current(pack, upload.import_upload("organisations", put(tmp_path, "a.csv", A), pack=pack))

    assert _built(current, s.ORGANISATIONS_FILE)["o2"] == ["disability_carers", "older_people"]
    assert _built(current, s.SERVICES_FILE)["s2"] == ["disability_carers"]
    got = load_pack(current)
    assert got.organisations.set_index(s.ORG_ID).at["o2", s.THEMES] == ["housing_homelessness"]
    assert {"Alder Food Pantry", "Ash Youth Club"} <= set(got.organisations["name"])
    # undoing the correction afterwards gives the built themes back
    remove_correction(current, "org o2")
    back = load_pack(current)
    assert back.organisations.set_index(s.ORG_ID).at["o2", s.THEMES] == ["disability_carers", "older_people"]
    assert back.services.set_index(s.SERVICE_ID).at["s2", s.THEMES] == ["disability_carers"]


def test_a_pack_saved_as_new_takes_the_corrections_with_it(current, tmp_path):
    save_correction(current, Correction(themes=("poverty_food", "older_people"), charity_number="1000001"))
    pack = load_pack(current)
    res = upload.import_upload("organisations", put(tmp_path, "b.csv", B), pack=pack)
    folder = upload.save_as_new_pack(res.pack, tmp_path / "packs", "Testshire copy")

    assert _built(folder, s.ORGANISATIONS_FILE)["o1"] == ["poverty_food"]
    assert [c.charity_number for c in read_corrections(folder)] == ["1000001"]
    assert sorted(load_pack(folder).organisations.set_index(s.ORG_ID).at["o1", s.THEMES]) == [
        "older_people",
        "poverty_food",
    ]
    assert read_corrections(current)  # the original pack keeps its own
