"""Figures about a pack, checked against the tiny hand-built pack (numbers worked out by hand)."""

from __future__ import annotations

import json

import pytest

from sector_map.pack.io import save_pack
from sector_map.pack.validate import Problem
from sector_map.views import pack_report as pr
from tests.conftest import make_tiny_pack


def test_counts_and_placed_share(tiny_pack):
    c = pr.counts(tiny_pack)
    assert (c["wards"], c["indicators"], c["organisations"], c["services"], c["assets"]) == (4, 2, 3, 2, 1)
    # o1 (site) and o2 (contact address) have points; o3 is area only
    assert c["organisations_placed"] == 2
    assert c["placed_share"] == pytest.approx(2 / 3)


def test_counts_with_no_organisations(tiny_pack):
    tiny_pack.organisations = tiny_pack.organisations.iloc[0:0]
    c = pr.counts(tiny_pack)
    assert c["organisations"] == 0 and c["organisations_placed"] == 0 and c["placed_share"] is None


def test_indicator_coverage_counts_wards_with_a_value(tiny_pack):
    cov = pr.indicator_coverage(tiny_pack).set_index("Id")
    assert cov.loc["imd_score", "Wards with a value"] == 3  # Delta is NaN
    assert cov.loc["imd_rank", "Wards with a value"] == 4
    assert cov.loc["imd_score", "Coverage"] == pytest.approx(0.75)
    assert cov.loc["imd_rank", "Which way is worse"] == "lower = more need"
    assert cov.loc["imd_score", "Year"] == "2019"


def test_indicator_coverage_ignores_values_for_other_wards(tiny_pack):
    import pandas as pd

    extra = pd.DataFrame({"ward_code": ["E05999999"], "indicator_id": ["imd_score"], "value": [5.0]})
    tiny_pack.indicators = pd.concat([tiny_pack.indicators, extra], ignore_index=True)
    cov = pr.indicator_coverage(tiny_pack).set_index("Id")
    assert cov.loc["imd_score", "Wards with a value"] == 3


def test_location_quality_and_size_band_tables(tiny_pack):
    loc = pr.location_quality_table(tiny_pack)
    assert list(loc["Organisations"]) == [1, 1, 1]
    assert loc["Location"].iloc[2] == "Area only (not on the map)"
    assert loc["Share"].sum() == pytest.approx(1.0)
    size = pr.size_band_table(tiny_pack).set_index("Size band")["Organisations"]
    assert size["Micro (under £10k)"] == 1 and size["Small (£10k–£100k)"] == 1
    assert size["Income not known"] == 1 and size["Major (over £10m)"] == 0
    assert list(size.index)[-1] == "Income not known"


def test_theme_table_counts_each_theme_of_an_organisation(tiny_pack):
    t = pr.theme_table(tiny_pack).set_index("Theme")
    assert t.loc["Older people", "Organisations"] == 1
    assert t.loc["Disability and carers", "Organisations"] == 1
    assert t.loc["Disability and carers", "Services"] == 1
    assert t.loc["Poverty, food and money advice", "Services"] == 1
    assert t.loc["Mental health", "Organisations"] == 0
    assert t["Organisations"].sum() == 4  # o2 has two themes
    assert t.loc["No theme", "Organisations"] == 0


def test_sources_and_warnings(tiny_pack):
    src = pr.sources_table(tiny_pack)
    assert list(src["Publisher"]) == ["Tests"]
    tiny_pack.warnings = [Problem("wards.parquet", "1 ward has no population", "population", (4,))]
    tiny_pack.manifest["build_notes"] = [
        "x.csv: 2 rows had no name",
        "wards.parquet, column `population`: 1 ward has no population; row 4",
    ]
    assert pr.warnings(tiny_pack) == [
        "wards.parquet, column `population`: 1 ward has no population; row 4",
        "x.csv: 2 rows had no name",
    ]


def test_pack_catalogue_lists_packs_demo_first(tmp_path):
    demo = make_tiny_pack()
    save_pack(demo, tmp_path / "demo")
    other = make_tiny_pack()
    other.manifest = {
        **other.manifest,
        "name": "Othershire",
        "demo": False,
        "built_at": "2026-01-02T03:04:05+00:00",
    }
    other.wards = other.wards.iloc[:3]
    other.indicators = other.indicators[other.indicators["ward_code"].isin(other.wards["ward_code"])]
    other.services = other.services.iloc[:1]
    save_pack(other, tmp_path / "aa_other")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "manifest.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "not_a_pack").mkdir()
    cat = pr.pack_catalogue(tmp_path)
    assert list(cat["Folder"]) == ["demo", "aa_other", "broken"]
    row = cat.set_index("Folder").loc["aa_other"]
    assert row["Area"] == "Othershire" and row["Wards"] == 3 and row["Organisations"] == 3
    assert row["Built"] == "2026-01-02 03:04" and not row["Demo"]
    assert bool(cat.set_index("Folder").loc["demo", "Demo"])
    assert "cannot read manifest.json" in cat.set_index("Folder").loc["broken", "Problem"]
    assert json.loads((tmp_path / "demo" / "manifest.json").read_text())["name"] == "Testshire"
