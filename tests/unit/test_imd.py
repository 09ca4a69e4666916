"""IoD2019 LSOA → ward aggregation, on tiny hand-built files and frames worked out by hand."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sector_map.importers.imd import (
    aggregate_to_wards,
    indicator_meta,
    read_imd_lsoa,
    read_lookup,
    ward_table,
)
from sector_map.pack import schema as s

CODE = "LSOA code (2011)"
LAD = "Local Authority District code (2019)"
SCORE = "Index of Multiple Deprivation (IMD) Score"
IMD_RANK = "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"
INCOME_DECILE = "Income Decile (where 1 is most deprived 10% of LSOAs)"
POP = "Total population: mid 2015 (excluding prisoners)"


def _write(path: Path, text: str, *, bom: bool = True, gz: bool = False) -> Path:
    data = ("\ufeff" if bom else "") + text
    if gz:
        with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
            f.write(data)
    else:
        path.write_text(data, encoding="utf-8", newline="")
    return path


@pytest.fixture
def lsoa() -> pd.DataFrame:
    """Five LSOAs in two wards, plus one LSOA the lookup does not know."""
    return pd.DataFrame(
        {
            "lsoa_code": pd.array(["L1", "L2", "L3", "L4", "L5", "L6"], dtype="string"),
            "la_code": pd.array(["A"] * 5 + ["B"], dtype="string"),
            "imd_score": [10.0, 30.0, 50.0, 20.0, np.nan, 5.0],
            "income_decile": [1.0, 3.0, 2.0, 10.0, 1.0, 1.0],
            "crime_rank": [1.0, 3285.0, 3284.0, 32844.0, 6569.0, 1.0],
            "population": [1000.0, 3000.0, 1000.0, 2000.0, 2000.0, 500.0],
        }
    )


@pytest.fixture
def lookup() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lsoa_code": pd.array(["L1", "L2", "L3", "L4", "L5"], dtype="string"),
            "ward_code": pd.array(["W1", "W1", "W1", "W2", "W2"], dtype="string"),
        }
    )


def test_weighted_mean_and_shares_worked_by_hand(lsoa, lookup):
    values, meta, warnings = aggregate_to_wards(lsoa, lookup)
    wide = ward_table(values)
    # W1: (10×1000 + 30×3000 + 50×1000) / 5000 = 30; W2: L5 has no score, so 20×2000 / 2000 = 20.
    assert wide.loc["W1", "imd_score"] == pytest.approx(30.0)
    assert wide.loc["W2", "imd_score"] == pytest.approx(20.0)
    # Income decile 1: W1 has L1 (1000 of 5000) = 20%; W2 has L5 (2000 of 4000) = 50%.
    assert wide.loc["W1", "income_pct_most_deprived_10"] == pytest.approx(20.0)
    assert wide.loc["W2", "income_pct_most_deprived_10"] == pytest.approx(50.0)
    # Deciles 1–2: W1 adds L3 → 2000 / 5000 = 40%; W2 stays 50%.
    assert wide.loc["W1", "income_pct_most_deprived_20"] == pytest.approx(40.0)
    assert wide.loc["W2", "income_pct_most_deprived_20"] == pytest.approx(50.0)
    # Crime from ranks only: 3284 is the last rank in decile 1, 3285 the first in decile 2.
    # W1: L1 (1000) + L3 (1000) in decile 1 → 40%; L2 (3000) in decile 2 → 100% in deciles 1–2.
    assert wide.loc["W1", "crime_pct_most_deprived_10"] == pytest.approx(40.0)
    assert wide.loc["W1", "crime_pct_most_deprived_20"] == pytest.approx(100.0)
    # W2: L4 rank 32844 (decile 10), L5 rank 6569 (decile 3) → 0% in both.
    assert wide.loc["W2", "crime_pct_most_deprived_20"] == pytest.approx(0.0)
    assert "imd_pct_most_deprived_10" not in wide.columns  # a score exists, so it is averaged instead
    assert set(meta) == set(wide.columns)
    assert any("1 of 6 LSOAs" in w and "L6" in w for w in warnings)
    assert values[s.WARD_CODE].dtype == "string"
    assert list(values.columns) == s.INDICATOR_COLUMNS


def test_wards_without_lsoas_stay_missing_and_are_reported(lsoa, lookup):
    values, _, warnings = aggregate_to_wards(lsoa, lookup, la_codes=["A"], wards=["W1", "W3"])
    assert set(values[s.WARD_CODE]) == {"W1"}  # W3 has no LSOA: no rows, never zero
    assert any("1 wards have no LSOA" in w and "W3" in w for w in warnings)
    assert any("outside the given ward list" in w and "W2" in w for w in warnings)
    assert not any("L6" in w for w in warnings)  # filtered out by la_codes, not a join failure


def test_la_filter_without_la_codes_anywhere_is_an_error(lsoa, lookup):
    with pytest.raises(ValueError, match="neither the IoD data nor the lookup"):
        aggregate_to_wards(lsoa.drop(columns="la_code"), lookup, la_codes=["A"])
    with pytest.raises(ValueError, match="no IoD2019 LSOAs found for local authority codes Z"):
        aggregate_to_wards(lsoa, lookup, la_codes=["Z"])


def test_lookup_with_an_lsoa_in_two_wards_is_refused(lsoa, lookup):
    bad = pd.concat([lookup, lookup.iloc[[0]].assign(ward_code="W2")], ignore_index=True)
    with pytest.raises(ValueError, match="1 LSOAs more than one ward: L1"):
        aggregate_to_wards(lsoa, bad)


def test_population_is_required(lsoa, lookup):
    with pytest.raises(ValueError, match="File 6"):
        aggregate_to_wards(lsoa.drop(columns="population"), lookup)


def test_metadata_says_what_it_is():
    m = indicator_meta("income_pct_most_deprived_10")
    assert m.label == "Income: % of residents in England's most deprived 10% of LSOAs"
    assert (m.unit, m.higher_is, m.domain, m.year) == (
        "% of residents",
        s.HIGHER_IS_MORE_NEED,
        "income",
        "2019",
    )
    assert m.source == "English Indices of Deprivation 2019 (MHCLG)"
    assert m.themes == s.themes_for_domain(s.DOMAIN_INCOME) and "poverty_food" in m.themes
    assert "mid-2015" in m.description and "best-fit" in m.description
    imd = indicator_meta("imd_score")
    assert imd.higher_is == s.HIGHER_IS_MORE_NEED and "population-weighted" in imd.description
    assert set(imd.themes) == {"poverty_food", "community_cohesion", "arts_culture_sport"}
    assert "IDACI" in indicator_meta("idaci_pct_most_deprived_20").label
    assert indicator_meta("idaci_pct_most_deprived_20").themes == ["children_young_people"]
    with pytest.raises(ValueError):
        indicator_meta("life_expectancy")


def test_reads_published_files_with_bom_thousands_and_gzip(tmp_path):
    f1 = _write(
        tmp_path / "file1.csv.gz",
        f"{CODE},LSOA name (2011),{LAD},{IMD_RANK},{INCOME_DECILE}\n"
        'E01000001,A 001A,E09000001,"29,199",9\nE01000002,A 001B,E09000002,"1,234",1\n',
        gz=True,
    )
    f6 = _write(
        tmp_path / "file6.csv", f'{CODE},{LAD},{POP}\nE01000001,E09000001,"1,296"\nE01000002,E09000002,956\n'
    )
    odc = _write(
        tmp_path / "odc.csv",
        '"LSOA11CD","IMD_2019_decile","IMD_2019_score"\n"E01000002",1,47.595\n',
        bom=False,
    )
    df = read_imd_lsoa([f1, f6, odc])
    df = df.set_index("lsoa_code")
    assert df.loc["E01000001", "imd_rank"] == 29199
    assert df.loc["E01000001", "population"] == 1296
    assert df.loc["E01000002", "imd_score"] == pytest.approx(47.595)
    assert np.isnan(df.loc["E01000001", "imd_score"])
    assert df.index.dtype == "string" and df["la_code"].dtype == "string"
    assert df.loc["E01000001", "income_decile"] == 9
    only = read_imd_lsoa([f1, f6], la_codes=["E09000002"])
    assert only["lsoa_code"].tolist() == ["E01000002"]


def test_wrong_kind_empty_and_duplicate_files(tmp_path):
    wards = _write(tmp_path / "ward_agg.csv", "WD17CD,Score\nE05000026,31.3\n")
    with pytest.raises(ValueError, match=r"ward_agg\.csv: not an IoD2019 LSOA file.*WD17CD"):
        read_imd_lsoa(wards)
    other = _write(tmp_path / "file8.csv", "lsoa11_code,road_distance_km\nE01000001,0.9\n")
    with pytest.raises(ValueError, match=r"file8\.csv: has LSOA codes but no IoD2019"):
        read_imd_lsoa(other)
    empty = _write(tmp_path / "empty.csv", "", bom=False)
    with pytest.raises(ValueError, match=r"empty\.csv: the file is empty"):
        read_imd_lsoa(empty)
    header = _write(tmp_path / "header.csv", f"{CODE},{SCORE}\n")
    with pytest.raises(ValueError, match=r"header\.csv: has a header but no rows"):
        read_imd_lsoa(header)
    dup = _write(tmp_path / "dup.csv.gz", f"{CODE},{SCORE}\nE01000001,1.5\nE01000001,2.5\n", gz=True)
    with pytest.raises(
        ValueError, match=r"dup\.csv\.gz: 1 LSOA codes appear more than once, e\.g\. E01000001"
    ):
        read_imd_lsoa(dup)
    text = _write(tmp_path / "text.csv", f"{CODE},{SCORE}\nE01000001,high\n")
    with pytest.raises(ValueError, match=r"text\.csv: column 'imd_score' has 1 values that are not numbers"):
        read_imd_lsoa(text)
    lsoa21 = _write(tmp_path / "l21.csv", f"LSOA code (2021),{SCORE}\nE01000001,1.5\n")
    with pytest.raises(ValueError, match="2021 LSOAs"):
        read_imd_lsoa(lsoa21)


def test_files_that_disagree_are_refused(tmp_path):
    a = _write(tmp_path / "a.csv", f"{CODE},{IMD_RANK}\nE01000001,10\n")
    b = _write(tmp_path / "b.csv", f"{CODE},{IMD_RANK}\nE01000001,11\n")
    with pytest.raises(ValueError, match=r"b\.csv: column 'imd_rank' disagrees"):
        read_imd_lsoa([a, b])


@pytest.mark.parametrize(
    ("header", "row", "vintage", "extra"),
    [
        (
            "LSOA11CD,LSOA11NM,WD19CD,WD19NM",
            "E01000001,A 001A,E05000001,Alpha",
            "WD19",
            {"ward_name": "Alpha"},
        ),
        (
            "lsoa11cd,wd17cd,wd17nm,lad17cd,lad17nm",
            "E01000001,E05000001,Alpha,E08000009,Trafford",
            "WD17",
            {"la_code": "E08000009", "la_name": "Trafford"},
        ),
        ("LSOA11CD,WD22CD", "E01000001,E05000001", "WD22", {}),
    ],
)
def test_lookup_columns_are_detected(tmp_path, header, row, vintage, extra):
    lk = read_lookup(_write(tmp_path / "lk.csv", f"{header}\n{row}\n{row}\n"))
    assert lk.attrs["ward_vintage"] == vintage
    assert len(lk) == 1  # exact duplicate rows collapse
    assert lk.loc[0, "lsoa_code"] == "E01000001" and lk.loc[0, "ward_code"] == "E05000001"
    assert lk["ward_code"].dtype == "string"
    for col, val in extra.items():
        assert lk.loc[0, col] == val


def test_lookup_errors(tmp_path):
    two = _write(tmp_path / "two.csv", "LSOA11CD,WD19CD\nE01000001,E05000001\nE01000001,E05000002\n")
    with pytest.raises(ValueError, match=r"two\.csv: 1 LSOAs are assigned to more than one ward"):
        read_lookup(two)
    with pytest.raises(ValueError, match=r"l21\.csv: maps 2021 LSOAs"):
        read_lookup(_write(tmp_path / "l21.csv", "LSOA21CD,WD22CD\nE01000001,E05000001\n"))
    with pytest.raises(ValueError, match=r"x\.csv: not an LSOA→ward lookup"):
        read_lookup(_write(tmp_path / "x.csv", "code,name\n1,2\n"))
    with pytest.raises(ValueError, match=r"e\.csv: the file is empty"):
        read_lookup(_write(tmp_path / "e.csv", "", bom=False))
