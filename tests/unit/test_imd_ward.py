"""IoD scores already aggregated to wards (kind = "imd2019_ward" / "imd2025_ward"): the release and
the weights they are labelled with, in the indicators, the manifest and the About page."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from sector_map.build.builder import build_pack
from sector_map.build.recipe import load_recipe
from sector_map.importers.imd_ward import PUBLISHERS_WEIGHTS, read_imd_ward_scores
from sector_map.pack import schema as s
from sector_map.pack.errors import InputError
from sector_map.views import about

WARDS = ["E05015239", "E05015240", "E05015241"]


def _ward_table(folder: Path) -> Path:
    path = folder / "wards_iod.csv"
    path.write_text(
        "WD24CD,Score,Income_Proportion,Income_Score,Health_Score\n"
        f"{WARDS[0]},12.5,0.1,0.11,-0.4\n{WARDS[1]},30.0,0.5,0.25,1.2\nE05099999,5.0,0,0.02,-1.0\n",
        encoding="utf-8",
    )
    return path


def test_a_2025_ward_table_is_labelled_with_its_release_and_the_weights_given(tmp_path):
    values, meta = read_imd_ward_scores(
        _ward_table(tmp_path), edition="2025", weights="the mid-2022 denominators", ward_codes=set(WARDS)
    )
    got = values.set_index([s.WARD_CODE, s.INDICATOR_ID])[s.VALUE].to_dict()
    assert got == {
        (WARDS[0], "imd_score"): 12.5,
        (WARDS[0], "income_score"): 0.11,
        (WARDS[0], "health_score"): -0.4,
        (WARDS[1], "imd_score"): 30.0,
        (WARDS[1], "income_score"): 0.25,
        (WARDS[1], "health_score"): 1.2,
    }  # the proportion column is not a score, and the ward outside the pack is left out
    income = meta["income_score"]
    assert income.year == "2025" and "Indices of Deprivation 2025" in income.source
    assert "LSOAs (2021)" in income.description and "the mid-2022 denominators" in income.description


def test_without_weights_the_description_says_the_publisher_chose_them(tmp_path):
    _, meta = read_imd_ward_scores(_ward_table(tmp_path), edition="2019")
    assert meta["imd_score"].year == "2019" and "LSOAs (2011)" in meta["imd_score"].description
    assert PUBLISHERS_WEIGHTS in meta["imd_score"].description
    assert "mid-2015" not in meta["imd_score"].description
    with pytest.raises(ValueError, match="2022"):
        read_imd_ward_scores(_ward_table(tmp_path), edition="2022")


def test_wards_missing_from_the_table_are_noted_with_the_release(tmp_path):
    from sector_map.importers.tables import Notes

    notes = Notes()
    read_imd_ward_scores(_ward_table(tmp_path), edition="2025", ward_codes=set(WARDS), notes=notes)
    assert any("have no IoD2025 ward score" in n.message() and WARDS[2] in n.message() for n in notes)


def _recipe(folder: Path, indicators: str) -> Path:
    gpd.GeoDataFrame(
        {"area_code": WARDS, "area_name": ["A", "B", "C"], "la_code": ["E08000009"] * 3},
        geometry=[box(380_000 + i * 1000, 390_000, 381_000 + i * 1000, 391_000) for i in range(3)],
        crs="EPSG:27700",
    ).to_file(folder / "wards.geojson", driver="GeoJSON")
    _ward_table(folder)
    path = folder / "recipe.toml"
    path.write_text(
        f'name = "x"\n[wards]\npath = "wards.geojson"\n[[indicators]]\n{indicators}', encoding="utf-8"
    )
    return path


def test_a_built_pack_names_the_release_and_weights_in_the_manifest_and_on_the_about_page(tmp_path):
    recipe = _recipe(
        tmp_path,
        'kind = "imd2025_ward"\npath = "wards_iod.csv"\nweights = "the IoD2025 mid-2022 denominators"\n',
    )
    pack = build_pack(recipe).pack
    (entry,) = [e for e in pack.manifest["sources"] if "Deprivation" in e["title"]]
    assert entry["title"] == "English Indices of Deprivation 2025"
    assert entry["weights"] == "the IoD2025 mid-2022 denominators" and "mid-2022" in entry["vintage"]
    assert about.deprivation_weights(pack) == [
        "English Indices of Deprivation 2025: ward averages weighted by the IoD2025 mid-2022 denominators."
    ]
    assert pack.indicator_meta["imd_score"].year == "2025"


def test_a_ward_table_without_weights_is_said_to_use_its_publishers(tmp_path):
    pack = build_pack(_recipe(tmp_path, 'kind = "imd2019_ward"\npath = "wards_iod.csv"\n')).pack
    assert about.deprivation_weights(pack) == [
        f"English Indices of Deprivation 2019: ward averages weighted by {PUBLISHERS_WEIGHTS}."
    ]


def test_unknown_indicator_kinds_and_misplaced_weights_are_refused(tmp_path):
    with pytest.raises(InputError, match="kind 'imd2023_ward' is not one of"):
        load_recipe(_recipe(tmp_path, 'kind = "imd2023_ward"\npath = "wards_iod.csv"\n'))
    with pytest.raises(InputError, match="`weights` is for ward IoD scores"):
        load_recipe(_recipe(tmp_path, 'path = "wards_iod.csv"\nweights = "x"\n'))


def test_a_pack_without_deprivation_weights_says_nothing(tiny_pack):
    tiny_pack.manifest["sources"] = [{"title": "Ward boundaries", "weights": ""}]
    assert about.deprivation_weights(tiny_pack) == []
