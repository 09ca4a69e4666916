"""The degenerate packs of tests/degenerate.py are valid, and survive a save and a load unchanged."""

from __future__ import annotations

from sector_map.pack import schema as s
from tests import degenerate

EXPECTED = {
    "no-organisations": {"organisations": 0, "services": 0, "wards": 4},
    "no-services": {"organisations": 3, "services": 0},
    "no-assets": {"assets": 0, "services": 2},
    "no-indicators": {"indicators": 0, "organisations": 3},
    "one-ward": {"wards": 1, "indicators": 2},
    "boundaries-only": {"wards": 4, "indicators": 0, "organisations": 0, "services": 0, "assets": 0},
    "orgs-without-themes": {"organisations": 3, "services": 2},
}


def test_write_all_saves_every_pack_and_each_loads_back_the_same(tmp_path):
    from sector_map.pack.io import load_pack

    paths = degenerate.write_all(tmp_path)
    assert set(paths) == set(EXPECTED) == set(degenerate.FACTORIES)
    for name, path in paths.items():
        made, loaded = degenerate.FACTORIES[name](), load_pack(path)
        assert loaded.summary() == made.summary(), name
        for key, n in EXPECTED[name].items():
            assert loaded.summary()[key] == n, (name, key)
        assert list(loaded.wards[s.WARD_CODE]) == list(made.wards[s.WARD_CODE])


def test_organisations_without_themes_keep_empty_lists_not_missing(tmp_path):
    from sector_map.pack.io import load_pack, save_pack

    pack = load_pack(save_pack(degenerate.organisations_without_themes(), tmp_path / "p"))
    assert [len(t) for t in pack.organisations[s.THEMES]] == [0, 0, 0]
    assert [len(t) for t in pack.services[s.THEMES]] == [0, 0]
    assert [list(c) for c in pack.services[s.CLIENT_GROUPS]] == [["people on low incomes"], ["carers"]]


def test_boundaries_only_is_what_the_data_page_makes():
    pack = degenerate.boundaries_only()
    assert pack.manifest["description"] == "Ward boundaries uploaded from my_wards.geojson."
    assert pack.wards[s.POPULATION].isna().all() and pack.indicator_meta == {}
