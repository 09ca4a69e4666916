"""The Our reach page under AppTest on the demo pack: the example, the summary, the map, the tables,
the choices of domain and catchment, and a pack without LSOAs."""

from __future__ import annotations

import dataclasses

import pytest

from sector_map.pack.io import save_pack

PAGE = "app_pages/reach.py"


def _text(at) -> str:
    parts = [
        str(e.value)
        for kind in ("title", "subheader", "markdown", "caption", "info", "error")
        for e in getattr(at, kind)
    ]
    return "\n".join(parts)


@pytest.fixture
def example(open_app):
    at = open_app(PAGE)
    assert "Try an example" in [b.label for b in at.button]
    at.button(key="reach_try").click().run()
    assert not at.exception
    return at


def test_the_example_gives_a_summary_map_charts_and_protected_tables(example):
    text = _text(example)
    assert "fictional example" in text
    assert "People living in the most deprived fifth of Marrowby" in text
    assert "Where need is high and reach is low" in text
    assert 'Counts of 1 to 9 beneficiaries are shown as "fewer than 10"' in text
    frames = [d.value for d in example.dataframe]
    assert any(list(f.columns)[:3] == ["decile", "beneficiaries", "residents"] for f in frames)
    assert len(example.get("plotly_chart")) == 2


def test_a_catchment_of_listed_wards_compares_with_their_residents_only(example, demo):
    example.selectbox(key="reach_catchment").set_value("wards").run()
    assert "Pick the wards you work in." in _text(example)
    first_two = list(demo.wards["ward_code"][:2])
    example.multiselect(key="reach_wards").set_value(first_two).run()
    assert not example.exception
    assert "Residents of 2 wards" in _text(example)


def test_the_domain_can_be_health(example):
    example.selectbox(key="reach_domain").set_value("health").run()
    assert not example.exception
    assert "by Health deprivation and disability" in _text(example)


def test_a_pack_without_lsoas_says_why_there_is_nothing_to_compare(open_app, demo, tmp_path):
    save_pack(dataclasses.replace(demo, lsoas=None, path=None), tmp_path / "demo")
    at = open_app(PAGE, packs=tmp_path)
    assert "no neighbourhood (LSOA) deprivation table" in _text(at)
    assert not [b for b in at.button if b.label == "Try an example"]
