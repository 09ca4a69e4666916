import re
from pathlib import Path

from sector_map.pack import schema as s

ROOT = Path(__file__).resolve().parents[2]


def test_sector_map_never_imports_streamlit():
    offenders = [
        p.name
        for p in (ROOT / "sector_map").rglob("*.py")
        if re.search(r"^\s*(import streamlit|from streamlit)", p.read_text(), re.M)
    ]
    assert offenders == []


def test_themes_match_design_taxonomy():
    assert len(s.THEME_IDS) == 13
    assert "poverty_food" in s.THEME_IDS and s.THEMES_BY_ID["older_people"].domains == ("idaopi", "health")
    assert len({t.colour for t in s.THEMES_LIST}) == 13


def test_size_bands():
    assert s.size_band_for(9_999) == "micro"
    assert s.size_band_for(10_000) == "small"
    assert s.size_band_for(2_500_000) == "large"
    assert s.size_band_for(50_000_000) == "major"
    assert s.size_band_for(None) == "unknown" and s.size_band_for(float("nan")) == "unknown"


def test_indicator_meta_round_trip_and_direction():
    m = s.IndicatorMeta("x", "X", "rank", s.HIGHER_IS_LESS_NEED, "src", "2019", ["health_wellbeing"])
    assert s.IndicatorMeta.from_dict(m.to_dict()) == m
    assert m.worse_phrase == "lower = more need"
