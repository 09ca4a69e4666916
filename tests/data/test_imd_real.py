"""IoD2019 ward aggregation on the real MHCLG files, checked against published ward figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sector_map.importers.imd import aggregate_to_wards, read_imd_lsoa, read_lookup, ward_table
from sector_map.pack import schema as s

pytestmark = pytest.mark.data

TRAFFORD = "E08000009"
COMBINED = "imd2019/imd2019_lsoa11_england_combined.csv.gz"
WARD_STATS = "ward_stats/trafford_ward_indicators_oldwards_2004-2023_snapshot2022-07-21.csv"


def _published_trafford(shared: Path) -> pd.DataFrame:
    ws = pd.read_csv(shared / WARD_STATS, dtype={"area_code": "string", "period": "string"})
    imd = ws[(ws["indicator"] == "Index of Multiple Deprivation") & (ws["period"] == "2019")]
    return imd.set_index("area_code")[["area_name", "value"]]


@pytest.mark.parametrize("lookup_file", ["gm_lsoa11_to_wd17_bestfit.csv", "lsoa11_to_wd19_england_wales.csv"])
def test_trafford_matches_published_ward_scores(shared_data, lookup_file):
    lsoa = read_imd_lsoa(shared_data / COMBINED, la_codes=[TRAFFORD])
    assert len(lsoa) == 138
    lookup = read_lookup(shared_data / "lookups" / lookup_file)
    values, meta, warnings = aggregate_to_wards(lsoa, lookup, la_codes=[TRAFFORD])
    assert warnings == []
    score = ward_table(values)["imd_score"]
    published = _published_trafford(shared_data)
    assert len(score) == 21 and set(score.index) == set(published.index)
    assert (score - published["value"].reindex(score.index)).abs().max() < 0.05
    names = published["area_name"]
    assert names[score.idxmin()] == "Timperley" and score.min() == pytest.approx(4.86, abs=0.005)
    assert names[score.idxmax()] == "Bucklow-St Martins" and score.max() == pytest.approx(42.50, abs=0.005)
    assert set(names[score.nlargest(2).index]) == {"Bucklow-St Martins", "Clifford"}
    assert meta["imd_score"].higher_is == s.HIGHER_IS_MORE_NEED
    # Domains come from File 2 ranks/deciles only, so they are shares of residents, not averages.
    income10 = ward_table(values)["income_pct_most_deprived_10"]
    assert income10.between(0, 100).all() and income10.max() > 0
    assert income10.idxmax() in score.nlargest(2).index
    assert income10[score.idxmin()] == 0


def test_separate_published_files_give_the_same_wards(shared_data):
    d = shared_data / "imd2019"
    files = [
        d / "File_2_-_IoD2019_Domains_of_Deprivation.csv.gz",
        d / "File_6_-_IoD2019_Population_Denominators.csv.gz",
        d / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
        d / "imd2019_lsoa11_imd_score_decile_odc.csv",
    ]
    lookup = read_lookup(shared_data / "lookups" / "gm_lsoa11_to_wd17_bestfit.csv")
    separate, _, warns = aggregate_to_wards(read_imd_lsoa(files), lookup, la_codes=[TRAFFORD])
    combined, _, _ = aggregate_to_wards(
        read_imd_lsoa(shared_data / COMBINED, la_codes=[TRAFFORD]), lookup, la_codes=[TRAFFORD]
    )
    assert warns == []
    pd.testing.assert_frame_equal(ward_table(separate), ward_table(combined))


def test_greater_manchester_against_ward_aggregates(shared_data):
    lookup = read_lookup(shared_data / "lookups" / "gm_lsoa11_to_wd17_bestfit.csv")
    gm = sorted(lookup[s.LA_CODE].unique())
    assert len(gm) == 10
    lsoa = read_imd_lsoa(shared_data / COMBINED, la_codes=gm)
    assert len(lsoa) == 1673
    values, _, warnings = aggregate_to_wards(lsoa, lookup, la_codes=gm)
    assert warnings == []
    score = ward_table(values)["imd_score"]
    assert len(score) == 215

    # The WD19 aggregate (same method, ONS WD19 best-fit) is reproduced exactly for the 183 GM
    # WD17 codes that still exist in WD19.
    wd19 = pd.read_csv(
        shared_data / "imd2019/imd2019_england_wd19_aggregated.csv.gz",
        usecols=["ward_code", "Score"],
        dtype={"ward_code": "string"},
    ).set_index("ward_code")["Score"]
    both = score.index.intersection(wd19.index)
    assert len(both) == 183
    assert (score[both] - wd19[both]).abs().max() < 1e-6

    # The WD17 aggregate covers all 215 wards but was not built from mid-2015 populations: it
    # differs by up to ~1.5 points (median ~0.14), so only its ordering is checked.
    wd17 = pd.read_csv(
        shared_data / "imd2019/imd2019_england_wd17_aggregated.csv.gz",
        usecols=["WD17CD", "Score"],
        dtype={"WD17CD": "string"},
    ).set_index("WD17CD")["Score"]
    assert score.index.isin(wd17.index).all()
    diff = (score - wd17[score.index]).abs()
    assert diff.median() < 0.25 and diff.max() < 2
    assert score.rank().corr(wd17[score.index].rank()) > 0.995
