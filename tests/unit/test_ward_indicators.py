"""Ward indicator tables: long and wide formats, latest periods, directions, domains and themes."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from sector_map.importers.tables import InputError, Notes
from sector_map.importers.ward_indicators import (
    direction_for,
    domain_for,
    period_key,
    read_ward_indicators,
    themes_for,
)
from sector_map.pack import schema as s

LONG_HEADER = "theme,source_file,area_code,area_name,indicator,period,measure,unit,value\n"


def _write(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    p = tmp_path / name
    if name.endswith(".gz"):
        with gzip.open(p, "wt", encoding="utf-8", newline="") as f:
            f.write(text)
    else:
        p.write_text(text, encoding="utf-8", newline="")
    return p


def _rows(indicator, period, measure, unit, values, codes=("E05000001", "E05000002")) -> str:
    return "".join(
        f'x,x/data/a.csv,{c},Ward {c[-1]},"{indicator}",{period},{measure},{unit},"{v}"\n'
        for c, v in zip(codes, values, strict=True)
    )


@pytest.fixture
def long_file(tmp_path) -> Path:
    text = (
        "\ufeff"
        + LONG_HEADER
        + _rows("Index of Multiple Deprivation", "2015", "Score", "Persons", ["10.0", "20.0"])
        + _rows("Index of Multiple Deprivation", "2019", "Score", "Persons", ["12.5", "30.25"])
        + _rows(
            "Children in low income families (0-15 years)", "2019/20", "Count", "Persons", ["1,234", ".."]
        )
        + _rows(
            "Children in low income families (0-15 years)", "2020/21", "Count", "Persons", ["1,300", "900"]
        )
        + _rows(
            "Children in low income families (0-15 years)", "2020/21", "Percent", "Persons", ["15.5", "c"]
        )
        + _rows("Male life expectancy at birth", "2013 - 17", "Years", "Males", ["79", "80"])
        + _rows("Male life expectancy at birth", "2015 - 19", "Years", "Males", ["78.1", "81.4"])
        + _rows("Indices of Deprivation: Income", "2019", "Percentage", "Persons", ["8", "oops"])
    )
    return _write(tmp_path, text)


def test_long_keeps_latest_period_per_indicator_and_measure(long_file):
    notes = Notes()
    values, meta = read_ward_indicators(long_file, notes=notes)
    assert list(values.columns) == s.INDICATOR_COLUMNS
    wide = values.pivot(index=s.WARD_CODE, columns=s.INDICATOR_ID, values=s.VALUE)
    assert set(meta) == {
        "index_of_multiple_deprivation",
        "children_in_low_income_families_0_15_years_count",
        "children_in_low_income_families_0_15_years_percent",
        "male_life_expectancy_at_birth",
        "indices_of_deprivation_income",
    }
    assert wide.loc["E05000002", "index_of_multiple_deprivation"] == 30.25
    assert wide.loc["E05000001", "children_in_low_income_families_0_15_years_count"] == 1300.0
    assert np.isnan(wide.loc["E05000002", "children_in_low_income_families_0_15_years_percent"])
    assert wide.loc["E05000002", "male_life_expectancy_at_birth"] == 81.4
    assert meta["male_life_expectancy_at_birth"].year == "2015 - 19"
    assert meta["index_of_multiple_deprivation"].year == "2019"
    # "oops" is the 16th record, so file row 17 (header is row 1).
    bad = [p for p in notes if "not numbers" in p.text]
    assert len(bad) == 1 and bad[0].rows == (17,)


def test_long_metadata(long_file):
    _, meta = read_ward_indicators(long_file, source="Trafford Data Lab")
    imd = meta["index_of_multiple_deprivation"]
    assert (imd.domain, imd.higher_is, imd.source) == (
        s.DOMAIN_IMD,
        s.HIGHER_IS_MORE_NEED,
        "Trafford Data Lab",
    )
    assert imd.themes == s.themes_for_domain(s.DOMAIN_IMD)
    assert imd.unit == "score (persons)"
    assert meta["indices_of_deprivation_income"].domain == s.DOMAIN_INCOME
    le = meta["male_life_expectancy_at_birth"]
    assert le.higher_is == s.HIGHER_IS_LESS_NEED and le.themes == ["health_wellbeing"]
    assert "guessed" not in le.description
    cli = meta["children_in_low_income_families_0_15_years_percent"]
    assert cli.label == "Children in low income families (0-15 years) (percent)"
    assert cli.themes == ["children_young_people", "poverty_food"] and cli.domain == ""


@pytest.mark.parametrize(
    ("label", "higher_is", "guessed"),
    [
        ("IMD rank", s.HIGHER_IS_LESS_NEED, False),
        ("Income Deprivation Affecting Children", s.HIGHER_IS_MORE_NEED, False),
        ("Female healthy life expectancy", s.HIGHER_IS_LESS_NEED, False),
        ("Employment rate 16-64", s.HIGHER_IS_LESS_NEED, False),
        ("Residents with no qualifications", s.HIGHER_IS_MORE_NEED, False),
        ("Households with no adults in employment with dependent children", s.HIGHER_IS_MORE_NEED, False),
        ("Hospital admissions for self-harm", s.HIGHER_IS_MORE_NEED, False),
        ("Fuel poverty", s.HIGHER_IS_MORE_NEED, False),
        ("Median age", s.HIGHER_IS_MORE_NEED, True),
    ],
)
def test_direction_rules(label, higher_is, guessed):
    got, _, was_guessed = direction_for(label)
    assert (got, was_guessed) == (higher_is, guessed)


def test_domains_and_themes():
    assert domain_for("Income Deprivation Affecting Older People") == s.DOMAIN_IDAOPI
    assert domain_for("Indices of Deprivation: Barriers to Housing and Services") == s.DOMAIN_HOUSING
    assert domain_for("Indices of Deprivation: Living Environment") == s.DOMAIN_LIVING_ENV
    assert domain_for("Fuel poverty") == ""
    assert themes_for("Hospital admissions for self-harm", "") == ["mental_health", "health_wellbeing"]
    assert themes_for("Burglary", "") == ["crime_safety"]
    assert themes_for("Private transport to work", "") == []
    assert themes_for("Claimant rate", "") == ["employment_skills"]


def test_period_ends():
    assert period_key("2017/18 to 2019/20") == (2020, 0, 0)
    assert period_key("2022-06-01") == (2022, 6, 1)
    assert period_key("2006 to 2008") == (2008, 0, 0)
    assert period_key("2015/16 - 19/20") > period_key("2015 - 19")


def test_wide_table(tmp_path):
    p = _write(
        tmp_path,
        "WD19CD,WD19NM,IMD rank,Life expectancy,Obesity %,Notes\n"
        'E05000001,A,100,80.1,20%,fine\nE05000002,B,"2,500",unknown,25%,good\n',
    )
    notes = Notes()
    values, meta = read_ward_indicators(p, year="2019", notes=notes)
    assert set(meta) == {"imd_rank", "life_expectancy", "obesity"}
    wide = values.pivot(index=s.WARD_CODE, columns=s.INDICATOR_ID, values=s.VALUE)
    assert wide.loc["E05000002", "imd_rank"] == 2500.0
    assert wide.loc["E05000001", "obesity"] == 20.0
    assert meta["imd_rank"].higher_is == s.HIGHER_IS_LESS_NEED and meta["imd_rank"].domain == s.DOMAIN_IMD
    assert meta["obesity"].unit == "%" and meta["obesity"].year == "2019"
    assert [p.rows for p in notes if p.column == "Life expectancy"] == [(3,)]
    assert any("Notes" in p.text for p in notes)


def test_ward_codes_filter_and_counts(long_file):
    notes = Notes()
    values, _ = read_ward_indicators(long_file, ward_codes={"E05000001", "E05000009"}, notes=notes)
    assert set(values[s.WARD_CODE]) == {"E05000001"}
    texts = [p.text for p in notes]
    assert any(
        t.startswith("1 ward codes are not among the pack's wards") and "E05000002" in t for t in texts
    )
    assert any(t == "1 of the pack's 2 wards have no value in this file" for t in texts)


def test_no_matching_codes_suggests_another_vintage(long_file):
    with pytest.raises(InputError, match=r"another ward vintage") as e:
        read_ward_indicators(long_file, ward_codes={"E05015239"})
    assert "E05000001" in str(e.value) and "E05015239" in str(e.value)


def test_indicator_selection(long_file):
    values, meta = read_ward_indicators(
        long_file, indicators=["Index of Multiple Deprivation", "male_life_expectancy_at_birth"]
    )
    assert set(meta) == {"index_of_multiple_deprivation", "male_life_expectancy_at_birth"}
    assert len(values) == 4
    with pytest.raises(InputError, match="has no indicator crime"):
        read_ward_indicators(long_file, indicators=["crime"])


def test_census_counts_become_shares(tmp_path):
    head = "area_code,area_name,geography,period,indicator,general_health,measure,unit,value\n"
    rows = "".join(
        f"E0500000{w},W,Electoral ward,2021-03-21,Self-assessed health,{cat},Count,Persons,{n}\n"
        for w, counts in ((1, (60, 30, 10)), (2, (50, 25, 25)))
        for cat, n in zip(("Good health", "Fair health", "Bad health"), counts, strict=True)
    )
    notes = Notes()
    values, meta = read_ward_indicators(_write(tmp_path, head + rows, "c.csv.gz"), notes=notes)
    wide = values.pivot(index=s.WARD_CODE, columns=s.INDICATOR_ID, values=s.VALUE)
    assert wide.loc["E05000002", "general_health_bad_health"] == pytest.approx(25.0)
    assert wide.loc["E05000001", "general_health_good_health"] == pytest.approx(60.0)
    assert meta["general_health_good_health"].higher_is == s.HIGHER_IS_LESS_NEED
    assert meta["general_health_bad_health"].unit == "% of persons"
    assert meta["general_health_bad_health"].label == "Bad health (% of persons)"
    assert any("percentages" in p.text for p in notes)


def test_census_total_category_is_the_denominator(tmp_path):
    head = "area_code,indicator,tenure,measure,unit,value\n"
    rows = (
        "E05000001,Tenure,Total: All households,Count,Households,200\n"
        "E05000001,Tenure,Owned,Count,Households,150\n"
        "E05000001,Tenure,Social rented,Count,Households,30\n"
    )
    values, _ = read_ward_indicators(_write(tmp_path, head + rows))
    got = dict(zip(values[s.INDICATOR_ID], values[s.VALUE], strict=True))
    assert got == {"tenure_owned": pytest.approx(75.0), "tenure_social_rented": pytest.approx(15.0)}


def test_conflicting_duplicates_are_an_error(tmp_path):
    text = "ward_code,indicator,value\nE05000001,Crime,5\nE05000001,Crime,6\n"
    with pytest.raises(InputError, match="more than once with different values"):
        read_ward_indicators(_write(tmp_path, text))


def test_no_code_column(tmp_path):
    with pytest.raises(InputError, match="no ward code column"):
        read_ward_indicators(_write(tmp_path, "place,score\nSale,3\n"))


def test_two_category_columns_use_the_all_rows_of_one(tmp_path):
    head = "area_code,indicator,measure,unit,age,sex,value\n"
    rows = "".join(
        f"E05000001,Population,Count,Persons,{age},{sex},{n}\n"
        for age, counts in (("Aged 0-15", (30, 14, 16)), ("Aged 16+", (70, 36, 34)))
        for sex, n in zip(("All persons", "Female", "Male"), counts, strict=True)
    )
    notes = Notes()
    values, meta = read_ward_indicators(_write(tmp_path, head + rows), notes=notes)
    got = dict(zip(values[s.INDICATOR_ID], values[s.VALUE], strict=True))
    assert got == {"age_aged_0_15": pytest.approx(30.0), "age_aged_16": pytest.approx(70.0)}
    assert "only the 'All persons' rows of column `sex`" in notes[0].text
