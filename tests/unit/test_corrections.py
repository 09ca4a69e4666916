"""Officers' theme corrections: kept beside the pack, applied on load, surviving a rebuild."""

from __future__ import annotations

import json

import pytest

from sector_map.pack import schema as s
from sector_map.pack.corrections import (
    CORRECTED,
    Correction,
    corrections_path,
    read_corrections,
    remove_correction,
    save_correction,
)
from sector_map.pack.errors import InputError
from sector_map.pack.io import load_pack, pack_version, save_pack
from sector_map.pack.schema import THEMES_REASON
from tests.conftest import make_tiny_pack


@pytest.fixture
def folder(tmp_path):
    return save_pack(make_tiny_pack(), tmp_path / "tiny")


def _org(pack, org_id):
    return pack.organisations.set_index(s.ORG_ID).loc[org_id]


def test_a_correction_by_charity_number_changes_org_and_services_and_says_why(folder):
    before = pack_version(folder)
    save_correction(
        folder,
        Correction(
            themes=("older_people", "community_cohesion"), note="a lunch club", charity_number="1000001"
        ),
    )
    assert corrections_path(folder) == folder.parent / "tiny.corrections.json"
    assert not (folder / "tiny.corrections.json").exists()  # beside the pack, never inside it
    assert pack_version(folder) != before  # the app's cache sees the change
    pack = load_pack(folder)
    o1 = _org(pack, "o1")
    assert o1[s.THEMES] == ["older_people", "community_cohesion"]  # in schema order
    assert o1[THEMES_REASON] == f"{CORRECTED}: a lunch club; {CORRECTED}: a lunch club"
    svc = pack.services.set_index(s.ORG_ID).loc["o1"]
    assert svc[s.THEMES] == ["older_people", "community_cohesion"]
    assert _org(pack, "o2")[s.THEMES] == ["disability_carers", "older_people"]  # others untouched
    assert not any("correction" in w.message() for w in pack.warnings)


def test_corrections_survive_a_rebuild_and_can_be_removed(folder):
    save_correction(folder, Correction(themes=(), note="not a local service", org_id="o2"))
    save_pack(make_tiny_pack(), folder)  # a rebuild replaces the folder
    assert _org(load_pack(folder), "o2")[s.THEMES] == []
    [c] = read_corrections(folder)
    assert c.key == "org o2" and c.saved
    assert remove_correction(folder, "org o2") == []
    assert _org(load_pack(folder), "o2")[s.THEMES] == ["disability_carers", "older_people"]


def test_a_second_correction_of_the_same_org_replaces_the_first(folder):
    save_correction(folder, Correction(themes=("poverty_food",), charity_number="1000001"))
    got = save_correction(folder, Correction(themes=("housing_homelessness",), charity_number="1000001"))
    assert [c.themes for c in got] == [("housing_homelessness",)]
    assert json.loads(corrections_path(folder).read_text())["corrections"][0]["themes"] == [
        "housing_homelessness"
    ]


def test_bad_input_is_refused_with_the_file_named(folder):
    with pytest.raises(InputError, match=r"tiny.corrections.json.*unknown theme\(s\) food"):
        save_correction(folder, Correction(themes=("food",), org_id="o1"))
    with pytest.raises(InputError, match="charity number or org id"):
        save_correction(folder, Correction(themes=("poverty_food",)))


def test_a_broken_or_stale_corrections_file_warns_but_never_stops_the_pack(folder):
    corrections_path(folder).write_text("{not json")
    pack = load_pack(folder)
    assert _org(pack, "o1")[s.THEMES] == ["poverty_food"]
    assert any("tiny.corrections.json" in w.message() and "not a list" in w.message() for w in pack.warnings)

    corrections_path(folder).unlink()
    save_correction(folder, Correction(themes=("environment",), charity_number="999", name="Gone Trust"))
    pack = load_pack(folder)
    assert any("match no organisation" in w.message() and "Gone Trust" in w.message() for w in pack.warnings)
