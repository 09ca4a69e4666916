"""The pack's optional LSOA table and the postcodes' LSOA column: saved and loaded as they were,
copied with the pack, and checked on load with problems that name the file, column and rows."""

from __future__ import annotations

import pandas as pd
import pytest

from sector_map import upload
from sector_map.pack import schema as s
from sector_map.pack.io import load_pack, save_pack
from sector_map.pack.validate import PackError, validate_pack
from tests.conftest import make_tiny_pack

WARDS = ["X05000001", "X05000002", "X05000003", "X05000004"]


def _lsoas() -> pd.DataFrame:
    return pd.DataFrame(
        {
            s.LSOA_CODE: pd.array(["X01000001", "X01000002", "X01000003"], dtype="string"),
            s.LSOA_NAME: pd.array(["Testshire 001A", None, "Testshire 002A"], dtype="string"),
            s.WARD_CODE: pd.array([WARDS[0], WARDS[0], WARDS[1]], dtype="string"),
            s.POPULATION: [4000.0, 4000.0, 9000.0],
            "imd_rank": [120.0, 30_000.0, 15_000.0],
            "imd_decile": [1.0, 10.0, 5.0],
            "imd_score": [55.2, 3.1, 20.0],
            "health_decile": [2.0, 9.0, 5.0],
        }
    )


def _postcodes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            s.POSTCODE: pd.array(["DM1 1AA", "DM1 3CD", "DM2 1AB"], dtype="string"),
            s.LON: [-2.295, -2.285, -2.275],
            s.LAT: [53.405, 53.405, 53.405],
            s.LSOA_CODE: pd.array(["X01000001", "X01000003", None], dtype="string"),
        }
    )


@pytest.fixture
def pack():
    p = make_tiny_pack()
    p.lsoas, p.postcodes = _lsoas(), _postcodes()
    return p


def _problems(pack) -> list[str]:
    with pytest.raises(PackError) as err:
        validate_pack(pack)
    return [p.message() for p in err.value.problems]


def test_the_lsoa_table_and_the_postcodes_lsoas_come_back_as_saved(pack, tmp_path):
    save_pack(pack, tmp_path / "p")
    assert (tmp_path / "p" / s.LSOAS_FILE).is_file()
    again = load_pack(tmp_path / "p")
    assert again.lsoas is not None and again.postcodes is not None
    pd.testing.assert_frame_equal(again.lsoas, _lsoas())
    pd.testing.assert_frame_equal(again.postcodes, _postcodes())
    assert again.warnings == []


def test_a_pack_without_lsoas_writes_no_file_and_loads_none(tmp_path):
    save_pack(make_tiny_pack(), tmp_path / "p")
    assert not (tmp_path / "p" / s.LSOAS_FILE).exists()
    assert load_pack(tmp_path / "p").lsoas is None


def test_copies_of_the_pack_carry_its_lsoas(pack, tmp_path):
    """An upload's new pack (upload.merge copies the pack with dataclasses.replace) and the folder it is
    added to keep the LSOA table."""
    pack.manifest["demo"] = False
    save_pack(pack, tmp_path / "p")
    current = load_pack(tmp_path / "p")
    csv = tmp_path / "orgs.csv"
    csv.write_text("Name,Postcode\nGamma Lunch Club,DM1 3CD\n", encoding="utf-8")
    result = upload.import_upload("organisations", csv, pack=current)
    assert result.pack.lsoas is not None
    pd.testing.assert_frame_equal(result.pack.lsoas, _lsoas())
    upload.add_to_current(current, result)
    pd.testing.assert_frame_equal(load_pack(tmp_path / "p").lsoas, _lsoas())


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda t: t.assign(**{s.LSOA_CODE: t[s.LSOA_CODE].replace("X01000002", "X01000001")}),
            "lsoas.parquet, column `lsoa_code`: LSOA codes appear more than once (X01000001); rows 1, 2",
        ),
        (
            lambda t: t.assign(**{s.LSOA_CODE: pd.array(["X01000001", None, "X01000003"], dtype="string")}),
            "lsoas.parquet, column `lsoa_code`: has empty codes; row 2",
        ),
        (
            lambda t: t.assign(**{s.WARD_CODE: pd.array([WARDS[0], "E05999999", WARDS[1]], dtype="string")}),
            "lsoas.parquet, column `ward_code`: LSOAs in wards not in wards.parquet (e.g. E05999999); row 2",
        ),
        (
            lambda t: t.assign(**{s.POPULATION: [4000.0, -1.0, 9000.0]}),
            "lsoas.parquet, column `population`: population cannot be negative; row 2",
        ),
        (
            lambda t: t.assign(imd_decile=[0.0, 11.0, 5.0]),
            "lsoas.parquet, column `imd_decile`: deciles must be whole numbers from 1 to 10; rows 1, 2",
        ),
        (
            lambda t: t.assign(health_decile=[2.5, 9.0, 5.0]),
            "lsoas.parquet, column `health_decile`: deciles must be whole numbers from 1 to 10; row 1",
        ),
        (
            lambda t: t.assign(imd_rank=[0.0, 30_000.0, 15_000.0]),
            "lsoas.parquet, column `imd_rank`: ranks must be whole numbers from 1; row 1",
        ),
        (
            lambda t: t.assign(imd_rank=["1", "2", "3"]),
            "lsoas.parquet, column `imd_rank`: must hold numbers",
        ),
        (
            lambda t: t.drop(columns=[s.WARD_CODE]),
            "lsoas.parquet: is missing the column(s) `ward_code`",
        ),
    ],
)
def test_a_faulty_lsoa_table_names_the_column_and_rows(pack, change, expected):
    pack.lsoas = change(pack.lsoas)
    assert _problems(pack) == [expected]


def test_missing_populations_and_ranks_are_allowed(pack):
    pack.lsoas = pack.lsoas.assign(**{s.POPULATION: [4000.0, float("nan"), 9000.0], "imd_rank": float("nan")})
    assert validate_pack(pack) == []


def test_a_postcode_lsoa_not_in_the_table_is_an_error(pack):
    pack.postcodes[s.LSOA_CODE] = pd.array(["X01000001", "X01000009", None], dtype="string")
    assert _problems(pack) == [
        "postcodes.parquet, column `lsoa_code`: LSOA codes not in lsoas.parquet (leave the cell empty "
        "for none); row 2"
    ]


def test_postcodes_naming_lsoas_in_a_pack_without_the_table_is_a_warning(pack):
    pack.lsoas = None
    warnings = [w.message() for w in validate_pack(pack)]
    assert warnings == [
        "postcodes.parquet, column `lsoa_code`: names LSOAs but the pack has no lsoas.parquet"
    ]


def test_lsoa_measure_names_the_columns():
    assert s.lsoa_measure(s.DOMAIN_LIVING_ENV, "rank") == "living_environment_rank"
    with pytest.raises(ValueError, match="unknown LSOA measure"):
        s.lsoa_measure(s.DOMAIN_IMD, "centile")


def test_describe_counts_the_lsoas_only_when_the_pack_has_them(pack):
    from sector_map.pack.io import describe

    assert "  LSOAs:         3" in describe(pack).splitlines()
    assert "LSOAs" not in describe(make_tiny_pack())
