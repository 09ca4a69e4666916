"""The plain-English summary: its sentences on a five-LSOA area worked by hand, and small numbers."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest

from sector_map.reach.stats import Estimate
from sector_map.reach.summary import percent, ratio_words, summary
from sector_map.reach.tables import analyse


@pytest.fixture
def lsoas() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "lsoa_code": ["L1", "L2", "L3", "L4", "L5"],
            "ward_code": ["W1", "W1", "W2", "W2", "W2"],
            "population": [100.0] * 5,
            "rank": [100.0, 5000.0, 9000.0, 20000.0, 30000.0],
            "decile": [1.0, 2.0, 3.0, 7.0, 9.0],
        }
    )


def counts(first: float, outside: float = 0.0) -> pd.Series:
    return pd.Series({"L1": first, "L2": 20.0, "L3": 30.0, "L4": 20.0, "L5": 20.0, "E01999999": outside})


def test_the_first_sentence_compares_the_most_deprived_fifth(lsoas):
    # Fifth 1 = L1: 20% of residents, 10 of 100 beneficiaries = 10%; ratio 0.5; Wilson(10/100) =
    # 0.0552–0.1744, over 0.2: 0.28–0.87.
    text = summary(analyse(lsoas, counts(10), n_sim=200), "Testshire", "income deprivation")
    assert text[0] == (
        "People living in the most deprived fifth of Testshire (by income deprivation) make up 20% of "
        "residents but 10% of your beneficiaries: about half the reach you would expect "
        "(ratio 0.50, 95% interval 0.28–0.87)."
    )


def test_an_interval_that_includes_1_says_the_difference_could_be_chance(lsoas):
    # 20 of 110 = 18.2% against 20%: ratio 0.91, interval well either side of 1.
    text = summary(analyse(lsoas, counts(20), n_sim=200), "Testshire", "")
    assert text[0].startswith(
        "People living in the most deprived fifth of Testshire make up 20% of residents but 18%"
    )
    assert "a little less than the reach you would expect (ratio 0.91" in text[0]
    assert text[0].endswith("The interval includes 1, so the difference could be chance.")


def test_about_the_same_reads_and_not_but(lsoas):
    text = summary(analyse(lsoas, counts(22.5), n_sim=200), "Testshire", "")
    assert "make up 20% of residents and 20% of your beneficiaries: about the same as the reach" in text[0]


def test_a_small_first_fifth_is_not_quoted(lsoas):
    r = analyse(lsoas, counts(4, outside=3), n_sim=200)
    text = summary(r, "Testshire", "health deprivation")
    assert text[0] == (
        "Fewer than 10 of your beneficiaries live in the most deprived fifth of Testshire "
        "(by health deprivation), too few to compare with its 20% of residents."
    )
    assert "not shown because some of their counts are too small" in text[1]
    assert text[-1] == (
        "Fewer than 10 of your beneficiaries live outside the catchment and are left out of these comparisons."
    )
    assert not re.search(r"\b[34]\b", " ".join(text))  # neither 4 nor 3 is quoted


@pytest.mark.parametrize(
    ("sii", "expected"),
    [
        (
            Estimate(12.34, 5.0, 19.6),
            "Reach per resident rises with deprivation: the most deprived end of Testshire has about 12.3 "
            "more beneficiaries per 1,000 residents than the least deprived end (slope index of inequality "
            "12.3 per 1,000, 95% interval 5.0 to 19.6).",
        ),
        (
            Estimate(-100.0, -150.0, -52.5),
            "Reach per resident falls as deprivation rises: the most deprived end of Testshire has about "
            "100.0 fewer beneficiaries per 1,000 residents than the least deprived end (slope index of "
            "inequality -100.0 per 1,000, 95% interval -150.0 to -52.5).",
        ),
        (
            Estimate(-3.0, -9.0, 2.5),
            "There is no clear rise or fall in reach per resident from the least to the most deprived parts "
            "of Testshire (slope index of inequality -3.0 per 1,000, 95% interval -9.0 to 2.5, which includes 0).",
        ),
    ],
)
def test_the_slope_sentence_says_which_way_reach_runs(lsoas, sii, expected):
    r = dataclasses.replace(analyse(lsoas, counts(10), n_sim=200), sii=sii)
    assert summary(r, "Testshire", "")[1] == expected


def test_the_outside_sentence_quotes_10_and_over(lsoas):
    assert summary(analyse(lsoas, counts(10, outside=12), n_sim=200), "T", "")[-1] == (
        "12 of your beneficiaries live outside the catchment and are left out of these comparisons."
    )
    assert summary(analyse(lsoas, counts(10), n_sim=200), "T", "")[-1] == (
        "All of your beneficiaries live within the catchment."
    )


def test_nothing_to_compare(lsoas):
    assert summary(analyse(lsoas, pd.Series(dtype=float), n_sim=50), "T", "") == [
        "No beneficiaries were counted, so there is nothing to compare yet."
    ]
    outside_only = analyse(lsoas, counts(10), catchment=[], n_sim=50)
    assert summary(outside_only, "T", "") == [
        "None of your beneficiaries live within the catchment, so there is nothing to compare.",
        "100 of your beneficiaries live outside the catchment and are left out of these comparisons.",
    ]


def test_too_few_lsoas_for_fifths(lsoas):
    text = summary(analyse(lsoas, counts(10), catchment=["L1", "L2"], n_sim=50), "Testshire", "")
    assert "too few neighbourhoods (LSOAs)" in text[0]


@pytest.mark.parametrize(
    ("ratio", "words"),
    [
        (0.1, "well under a fifth of"),
        (0.25, "about a quarter of"),
        (0.33, "about a third of"),
        (0.57, "about half"),
        (0.66, "about two-thirds of"),
        (0.75, "about three-quarters of"),
        (0.9, "a little less than"),
        (1.05, "about the same as"),
        (1.2, "a little more than"),
        (1.5, "about one and a half times"),
        (2.0, "about twice"),
        (3.0, "about three times"),
        (4.0, "more than three times"),
    ],
)
def test_ratio_words(ratio, words):
    assert ratio_words(ratio) == words


def test_percent_never_rounds_a_real_share_to_nothing():
    assert [percent(0.004), percent(0.0), percent(0.125)] == ["less than 1%", "0%", "12%"]


def test_an_empty_first_fifth_is_not_compared():
    # The most deprived LSOA holds half the residents: its midpoint (25%) is in the second fifth.
    lsoas = pd.DataFrame(
        {
            "lsoa_code": ["L1", "L2", "L3", "L4", "L5"],
            "ward_code": ["W1"] * 5,
            "population": [500.0, 100.0, 100.0, 100.0, 200.0],
            "rank": [1.0, 2.0, 3.0, 4.0, 5.0],
            "decile": [1.0] * 5,
        }
    )
    r = analyse(lsoas, pd.Series({"L1": 50.0, "L2": 20.0, "L5": 30.0}), n_sim=50)
    assert r.quintiles["residents"].tolist() == [0, 500, 100, 200, 200]
    assert summary(r, "T", "")[0] == (
        "The most deprived fifth of T has no neighbourhood of its own (one large LSOA spans it), so it is not compared."
    )
