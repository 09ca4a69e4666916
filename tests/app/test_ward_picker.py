"""The ward picker: one box on a borough's pack; an authority box, then its wards, on a large one."""

from __future__ import annotations

import shutil

import geopandas as gpd
import pytest

from sector_map.pack import schema as s
from sector_map.pack.io import load_pack
from sector_map.views.summaries import wards_by_authority

NEED_MAP = None  # the default page
WARD_PAGE = "app_pages/ward.py"


@pytest.fixture
def two_authorities(demo_pack_dir, tmp_path):
    """A copy of the demo pack whose wards are split between two authorities (the last eight in a
    second one), in a packs folder of its own."""
    root = tmp_path / "packs"
    shutil.copytree(demo_pack_dir, root / "split")
    path = root / "split" / "wards.parquet"
    wards = gpd.read_parquet(path)
    second = wards.index[-8:]
    wards[s.LA_CODE] = wards[s.LA_CODE].astype(object)
    wards[s.LA_NAME] = wards[s.LA_NAME].astype(object)
    wards.loc[second, s.LA_CODE] = "X08000002"
    wards.loc[second, s.LA_NAME] = "Aardale"  # sorts before Marrowby
    wards.to_parquet(path)
    return root, load_pack(root / "split")


@pytest.fixture
def by_authority(monkeypatch):
    """Any pack over 10 wards gets the two-box picker (the real threshold is national-sized)."""
    from ui import widgets

    monkeypatch.setattr(widgets, "PICK_BY_AUTHORITY_ABOVE", 10)


def test_wards_by_authority_groups_and_sorts(two_authorities):
    _, pack = two_authorities
    groups = wards_by_authority(pack.wards)
    assert list(groups) == ["X08000002", "X08000001"]  # by authority name: Aardale, Marrowby
    names = {la: name for la, (name, _) in groups.items()}
    assert names == {"X08000002": "Aardale", "X08000001": "Marrowby"}
    assert sum(len(labels) for _, labels in groups.values()) == len(pack.wards)
    for _, labels in groups.values():
        assert list(labels.values()) == sorted(labels.values())
    aardale = set(pack.wards.loc[pack.wards[s.LA_CODE] == "X08000002", s.WARD_CODE])
    assert set(groups["X08000002"][1]) == aardale


def test_wards_without_an_authority_are_still_listed(two_authorities):
    _, pack = two_authorities
    wards = pack.wards.copy()
    wards[s.LA_CODE] = wards[s.LA_CODE].astype(object)
    wards.loc[wards.index[0], s.LA_CODE] = None
    wards.loc[wards.index[0], s.LA_NAME] = None
    groups = wards_by_authority(wards)
    assert groups[""][0] == "Authority not given"
    assert sum(len(labels) for _, labels in groups.values()) == len(wards)


def test_a_borough_pack_keeps_one_box(open_app):
    at = open_app()
    assert [b.label for b in at.selectbox if b.key in ("nm_ward_pick", "nm_ward_pick_la")] == [
        "Selected ward"
    ]


def test_two_boxes_pick_a_ward(open_app, two_authorities, by_authority):
    root, pack = two_authorities
    at = open_app(packs=root, pack="split")
    la, box = at.selectbox(key="nm_ward_pick_la"), at.selectbox(key="nm_ward_pick")
    assert la.label == "Local authority" and la.value is None
    assert la.options == ["Aardale", "Marrowby"]
    assert box.disabled and not box.options
    at.selectbox(key="nm_ward_pick_la").set_value("X08000002").run()
    box = at.selectbox(key="nm_ward_pick")
    aardale = pack.wards[pack.wards[s.LA_CODE] == "X08000002"]
    assert not box.disabled and len(box.options) == len(aardale) == 8
    code = aardale[s.WARD_CODE].iloc[3]
    box.set_value(code).run()
    assert not at.exception
    assert at.session_state["selected_ward"] == code
    assert at.query_params["ward"] in ([code], code)
    name = aardale[s.WARD_NAME].iloc[3]
    assert any(h.value == name for h in at.subheader)  # the Need map's ward panel
    rank = next(m for m in at.metric if m.label.startswith("Rank in area"))
    # "of N" in the label, so a national rank ("346 of 6,784") is not cut short in the value.
    assert rank.label == f"Rank in area, of {len(pack.wards):,}" and rank.value.isdigit()


def test_the_authority_follows_a_ward_selected_elsewhere(open_app, two_authorities, by_authority):
    root, pack = two_authorities
    code = pack.wards[s.WARD_CODE].iloc[-1]  # in Aardale
    at = open_app(WARD_PAGE, packs=root, pack="split", ward=code)
    assert at.selectbox(key="nm_ward_pick_la").value == "X08000002"
    assert at.selectbox(key="nm_ward_pick").value == code
    # Another authority chosen: the ward stays selected (its profile stays), the box offers the
    # new authority's wards, and the next run does not snap the authority back.
    at.selectbox(key="nm_ward_pick_la").set_value("X08000001").run()
    assert at.session_state["selected_ward"] == code
    box = at.selectbox(key="nm_ward_pick")
    assert box.value is None and len(box.options) == len(pack.wards) - 8
    at.run()
    assert at.selectbox(key="nm_ward_pick_la").value == "X08000001"
    assert at.header[0].value == pack.wards[s.WARD_NAME].iloc[-1]
    # A ward of the first authority selected elsewhere (as a map click does) moves it back.
    other = pack.wards[s.WARD_CODE].iloc[-2]
    at.session_state["selected_ward"] = other
    at.run()
    assert at.selectbox(key="nm_ward_pick_la").value == "X08000002"
    assert at.selectbox(key="nm_ward_pick").value == other
