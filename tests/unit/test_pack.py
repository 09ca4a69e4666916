import json

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon

from sector_map.pack import schema as s
from sector_map.pack.io import (
    PackError,
    describe,
    find_packs,
    load_pack,
    pack_version,
    save_pack,
    validate_pack,
)


def test_round_trip_keeps_everything(tiny_pack, tmp_path):
    save_pack(tiny_pack, tmp_path / "p")
    back = load_pack(tmp_path / "p")
    assert back.summary() == {
        "wards": 4,
        "indicators": 2,
        "organisations": 3,
        "services": 2,
        "assets": 1,
        "sources": 1,
    }
    assert list(back.wards[s.WARD_CODE]) == list(tiny_pack.wards[s.WARD_CODE])
    assert list(back.services[s.AREA_WARDS].iloc[1]) == ["X05000002", "X05000003"]
    assert list(back.organisations[s.THEMES].iloc[1]) == ["disability_carers", "older_people"]
    assert back.organisations.geometry.iloc[2] is None or back.organisations.geometry.iloc[2].is_empty
    assert back.indicator_meta["imd_rank"].higher_is == s.HIGHER_IS_LESS_NEED
    assert "built_at" in json.loads((tmp_path / "p" / s.MANIFEST_FILE).read_text())
    assert back.is_demo


def test_wide_table_keeps_missing_values(tiny_pack):
    wide = tiny_pack.indicator_wide()
    assert wide.shape == (4, 2)
    assert np.isnan(wide.loc["X05000004", "imd_score"])
    assert wide.loc["X05000002", "imd_rank"] == 10.0


def test_duplicate_ward_codes_named_with_rows(tiny_pack):
    tiny_pack.wards.loc[2, s.WARD_CODE] = "X05000001"
    with pytest.raises(PackError) as err:
        validate_pack(tiny_pack)
    msg = str(err.value)
    assert "wards.parquet, column `ward_code`" in msg
    assert "X05000001" in msg and "rows 1, 3" in msg


def test_numeric_codes_and_unknown_wards_rejected(tiny_pack):
    tiny_pack.indicators[s.WARD_CODE] = tiny_pack.indicators[s.WARD_CODE].astype(object)
    tiny_pack.indicators.loc[5, s.WARD_CODE] = "E05999999"
    with pytest.raises(PackError) as err:
        validate_pack(tiny_pack)
    assert "ward codes not in wards.parquet (e.g. E05999999)" in str(err.value)
    assert "row 6" in str(err.value)


def test_bad_enumerations_reported_together(tiny_pack):
    tiny_pack.organisations.loc[0, s.LOCATION_QUALITY] = "somewhere"
    tiny_pack.services.loc[0, s.RADIUS_KM] = 0.0
    tiny_pack.indicator_meta["imd_score"].higher_is = "up"
    with pytest.raises(PackError) as err:
        validate_pack(tiny_pack)
    problems = err.value.problems
    assert len(problems) == 3
    assert {p.column for p in problems} == {s.LOCATION_QUALITY, s.RADIUS_KM, "higher_is"}


def test_unknown_theme_and_orphan_service(tiny_pack):
    tiny_pack.services.loc[1, s.ORG_ID] = "nobody"
    tiny_pack.services.at[0, s.THEMES] = ["knitting"]
    with pytest.raises(PackError) as err:
        validate_pack(tiny_pack)
    msg = str(err.value)
    assert "services belong to organisations not in organisations.parquet; row 2" in msg
    assert "unknown values ['knitting']" in msg


def test_invalid_polygon_is_an_error(tiny_pack):
    bowtie = Polygon([(-2.3, 53.4), (-2.29, 53.41), (-2.29, 53.4), (-2.3, 53.41)])
    tiny_pack.wards.loc[1, "geometry"] = bowtie
    with pytest.raises(PackError, match="invalid polygons.*row 2"):
        validate_pack(tiny_pack)


def test_missing_population_is_a_warning(tiny_pack):
    tiny_pack.wards[s.POPULATION] = tiny_pack.wards[s.POPULATION].astype("float64")
    tiny_pack.wards.loc[0, s.POPULATION] = np.nan
    warnings = validate_pack(tiny_pack)
    assert [w.column for w in warnings] == [s.POPULATION]


def test_missing_files_and_bad_json(tmp_path):
    with pytest.raises(PackError, match="does not exist"):
        load_pack(tmp_path / "nope")
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / s.MANIFEST_FILE).write_text("{not json")
    with pytest.raises(PackError) as err:
        load_pack(tmp_path / "p")
    msg = str(err.value)
    assert "manifest.json: is not valid JSON" in msg
    assert "wards.parquet: file is missing" in msg


def test_failed_save_leaves_old_pack(tiny_pack, tmp_path):
    save_pack(tiny_pack, tmp_path / "p")
    before = pack_version(tmp_path / "p")
    tiny_pack.wards.loc[0, s.WARD_CODE] = None
    with pytest.raises(PackError):
        save_pack(tiny_pack, tmp_path / "p")
    assert pack_version(tmp_path / "p") == before
    assert load_pack(tmp_path / "p").summary()["wards"] == 4


def test_find_packs_puts_demo_first(tiny_pack, tmp_path):
    for name in ["zeta", "demo", "alpha"]:
        save_pack(tiny_pack, tmp_path / name)
    (tmp_path / "not-a-pack").mkdir()
    assert [p.name for p in find_packs(tmp_path)] == ["demo", "alpha", "zeta"]


def test_describe_mentions_counts_and_demo(tiny_pack):
    tiny_pack.warnings = validate_pack(tiny_pack)
    text = describe(tiny_pack)
    assert "Testshire (fictional demo data)" in text
    assert "organisations: 3 (2 with a location)" in text


def test_indicator_values_must_be_numbers(tiny_pack):
    tiny_pack.indicators[s.VALUE] = tiny_pack.indicators[s.VALUE].astype(str)
    with pytest.raises(PackError, match="values must be numbers"):
        validate_pack(tiny_pack)
    assert pd.api.types.is_string_dtype(tiny_pack.indicators[s.VALUE])


def test_list_values_checked_cell_by_cell_meaning(tiny_pack):
    """Empty lists and missing cells are fine; a lone string is a list of one; a missing value
    inside a list is unknown; every bad row is named once, with its unknown values sorted."""
    orgs = tiny_pack.organisations
    orgs.at[0, s.THEMES] = []
    orgs.at[1, s.THEMES] = None
    orgs.at[2, s.THEMES] = "knitting"
    tiny_pack.services.at[0, s.THEMES] = ["poverty_food", None, "juggling"]
    tiny_pack.services.at[1, s.AREA_WARDS] = ("X05000002", "E05999999")
    with pytest.raises(PackError) as err:
        validate_pack(tiny_pack)
    assert [(p.file, p.column, p.rows, p.text) for p in err.value.problems] == [
        (s.ORGANISATIONS_FILE, s.THEMES, (3,), "unknown values ['knitting']"),
        (s.SERVICES_FILE, s.THEMES, (1,), "unknown values [None, 'juggling']"),
        (s.SERVICES_FILE, s.AREA_WARDS, (2,), "unknown values ['E05999999']"),
    ]


def test_list_values_rows_are_positions_not_index_labels(tiny_pack):
    tiny_pack.services.index = [7, 7]  # both rows share one label
    tiny_pack.services[s.THEMES] = [["poverty_food"], ["knitting"]]
    with pytest.raises(PackError) as err:
        validate_pack(tiny_pack)
    assert [p.rows for p in err.value.problems if p.column == s.THEMES] == [(2,)]


def test_codes_held_as_numbers_named_by_row(tiny_pack):
    codes = tiny_pack.organisations[s.ORG_ID].astype(object)
    codes.iloc[1] = 12
    codes.iloc[2] = None
    tiny_pack.organisations[s.ORG_ID] = codes
    tiny_pack.services = tiny_pack.services.iloc[:1]
    with pytest.raises(PackError) as err:
        validate_pack(tiny_pack)
    found = {p.text: p.rows for p in err.value.problems if p.column == s.ORG_ID}
    assert found == {"has empty codes": (3,), "codes must be text, not numbers": (2,)}


@pytest.mark.parametrize("dtype", ["string", "str", object])
def test_a_missing_code_is_reported_once_as_empty(tiny_pack, dtype):
    codes = tiny_pack.organisations[s.ORG_ID].astype(dtype)
    codes.iloc[2] = None  # pandas 3's "str" columns hold NaN here, "string" ones pd.NA
    tiny_pack.organisations[s.ORG_ID] = codes
    tiny_pack.services = tiny_pack.services.iloc[:1]
    with pytest.raises(PackError) as err:
        validate_pack(tiny_pack)
    found = {p.text: p.rows for p in err.value.problems if p.column == s.ORG_ID}
    assert found == {"has empty codes": (3,)}


def test_orphan_services_found_among_many_organisations(tiny_pack):
    tiny_pack.services.loc[0, s.ORG_ID] = "o4"
    tiny_pack.services.loc[1, s.ORG_ID] = "o3"
    with pytest.raises(PackError) as err:
        validate_pack(tiny_pack)
    assert [(p.column, p.rows) for p in err.value.problems] == [(s.ORG_ID, (1,))]
