"""Reach tables on a five-LSOA area worked by hand, catchments, edge cases and bias recovery."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from sector_map.reach.stats import local_quintiles
from sector_map.reach.tables import DECILE_COLUMNS, QUINTILE_COLUMNS, WARD_COLUMNS, analyse


@pytest.fixture
def lsoas() -> pd.DataFrame:
    # Two wards: W1 = L1, L2; W2 = L3, L4, L5. 100 residents each, L1 most deprived nationally.
    return pd.DataFrame(
        {
            "lsoa_code": ["L1", "L2", "L3", "L4", "L5"],
            "ward_code": ["W1", "W1", "W2", "W2", "W2"],
            "population": [100.0, 100.0, 100.0, 100.0, 100.0],
            "rank": [100.0, 5000.0, 9000.0, 20000.0, 30000.0],
            "decile": [1.0, 2.0, 3.0, 7.0, 9.0],
        }
    )


@pytest.fixture
def counts() -> pd.Series:
    # 100 beneficiaries in the area, and 7 in an LSOA that is not in it.
    return pd.Series({"L1": 10.0, "L2": 20.0, "L3": 30.0, "L4": 20.0, "L5": 20.0, "E01999999": 7.0})


def test_totals_and_columns(lsoas, counts):
    r = analyse(lsoas, counts, n_sim=200)
    assert (r.total, r.in_catchment_total, r.outside_catchment) == (107.0, 100.0, 7.0)
    assert tuple(r.wards.columns) == WARD_COLUMNS
    assert tuple(r.deciles.columns) == DECILE_COLUMNS
    assert tuple(r.quintiles.columns) == QUINTILE_COLUMNS


def test_wards_by_hand(lsoas, counts):
    # W1: 30 beneficiaries, 200 residents → 150 per 1,000; expected 100 × 200/500 = 40, ratio 0.75;
    # both its LSOAs are in deciles 1–2, so deprived_share 1. W2: 70, 300 → 233.3 per 1,000;
    # expected 60, ratio 1.1667; deprived_share 0.
    w = analyse(lsoas, counts, n_sim=200).wards.set_index("ward_code")
    assert w.loc[
        "W1", ["beneficiaries", "residents", "per_1000", "expected", "ratio", "deprived_share"]
    ].tolist() == (pytest.approx([30, 200, 150, 40, 0.75, 1.0]))
    assert w.loc[
        "W2", ["beneficiaries", "residents", "per_1000", "expected", "ratio", "deprived_share"]
    ].tolist() == (pytest.approx([70, 300, 233.333, 60, 1.166667, 0.0], rel=1e-5))
    # Garwood for 30 (20.2408–42.8269) per 200 residents; Wilson for 30/100 (0.2189–0.3958) over 0.4.
    assert w.loc["W1", "per_1000_low"] == pytest.approx(101.204, abs=1e-3)
    assert w.loc["W1", "per_1000_high"] == pytest.approx(214.134, abs=1e-3)
    assert w.loc["W1", "ratio_low"] == pytest.approx(0.2189 / 0.4, abs=1e-3)
    assert w.loc["W1", "ratio_high"] == pytest.approx(0.3958 / 0.4, abs=1e-3)
    assert w["in_catchment"].tolist() == [True, True]


def test_deciles_by_hand(lsoas, counts):
    d = analyse(lsoas, counts, n_sim=200).deciles.set_index("decile")
    assert d.index.tolist() == list(range(1, 11))
    assert d["beneficiaries"].tolist() == [10, 20, 30, 0, 0, 0, 20, 0, 20, 0]
    assert d.loc[1, ["share_beneficiaries", "share_residents", "ratio"]].tolist() == pytest.approx(
        [0.1, 0.2, 0.5]
    )
    assert d.loc[3, "ratio"] == pytest.approx(1.5)
    # Wilson 10/100 = 0.0552–0.1744, over 0.2.
    assert d.loc[1, "ratio_low"] == pytest.approx(0.276, abs=1e-3)
    assert d.loc[1, "ratio_high"] == pytest.approx(0.872, abs=1e-3)
    assert d.loc[4, ["ratio", "ratio_low", "ratio_high"]].isna().all()  # no residents: NaN, not inf


def test_quintiles_sii_and_concentration_by_hand(lsoas, counts):
    r = analyse(lsoas, counts, n_sim=500)
    q = r.quintiles
    assert q["quintile"].tolist() == [1, 2, 3, 4, 5]
    assert q["lsoas"].tolist() == [1, 1, 1, 1, 1]
    assert q["beneficiaries"].tolist() == [10, 20, 30, 20, 20]
    assert q["share_residents"].tolist() == pytest.approx([0.2] * 5)
    # Rates 100, 200, 300, 200, 200 per 1,000 at x = .1 … .9: Σ(x−.5)(y−200) = 40, Σ(x−.5)² = .4,
    # slope 100, fitted(0) = 150, fitted(1) = 250: SII = −100 (less reach in more deprived areas),
    # RII = 0.6.
    assert r.sii.value == pytest.approx(-100.0)
    assert r.rii.value == pytest.approx(0.6)
    # Curve L = .1 .3 .6 .8 1 at p = .2 … 1: area = .1 × (.1 + .4 + .9 + 1.4 + 1.8) = .46, C = .08.
    assert r.concentration.value == pytest.approx(0.08)
    assert r.concentration_curve["cum_beneficiaries"].tolist() == pytest.approx([0, 0.1, 0.3, 0.6, 0.8, 1.0])


def test_analyse_is_deterministic_for_a_seed(lsoas, counts):
    a, b = analyse(lsoas, counts, seed=3, n_sim=300), analyse(lsoas, counts, seed=3, n_sim=300)
    assert (a.sii, a.rii, a.concentration) == (b.sii, b.rii, b.concentration)


def test_a_partial_catchment_counts_only_its_lsoas(lsoas, counts):
    # Catchment L1, L2, L3: 60 beneficiaries, 300 residents; L4, L5 and the stray 7 are outside (47).
    # W2 counts only L3: 30 beneficiaries, 100 residents, expected 60 × 100/300 = 20, ratio 1.5.
    r = analyse(lsoas, counts, catchment={"L1", "L2", "L3"}, n_sim=200)
    assert (r.in_catchment_total, r.outside_catchment) == (60.0, 47.0)
    w = r.wards.set_index("ward_code")
    assert w.loc["W2", ["beneficiaries", "residents", "expected", "ratio"]].tolist() == pytest.approx(
        [30, 100, 20, 1.5]
    )
    assert w.loc["W1", ["expected", "ratio"]].tolist() == pytest.approx([40, 0.75])
    # Three LSOAs are too few for fifths: no quintiles, no indices, and the notes say why.
    assert r.quintiles.empty and tuple(r.quintiles.columns) == QUINTILE_COLUMNS
    assert math.isnan(r.sii.value) and "at least 5" in r.sii.note
    assert any("at least 5" in n for n in r.notes)


def test_a_ward_with_no_catchment_lsoa_has_no_expected_or_ratio(lsoas, counts):
    r = analyse(lsoas, counts, catchment=["L1", "L2"], n_sim=200)
    w2 = r.wards.set_index("ward_code").loc["W2"]
    assert not w2["in_catchment"]
    assert (w2["beneficiaries"], w2["residents"]) == (70.0, 300.0)
    assert w2["per_1000"] == pytest.approx(233.333, abs=1e-3)
    assert w2[["expected", "ratio", "ratio_low", "ratio_high"]].isna().all()
    assert r.outside_catchment == 77.0


def test_no_beneficiaries_gives_a_result_that_says_so(lsoas):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = analyse(lsoas, pd.Series(dtype=float), n_sim=200)
    assert (r.total, r.in_catchment_total, r.outside_catchment) == (0.0, 0.0, 0.0)
    assert r.nothing_to_compare
    assert r.deciles["ratio"].isna().all() and r.wards["ratio"].isna().all()
    assert r.quintiles["beneficiaries"].tolist() == [0, 0, 0, 0, 0]
    assert math.isnan(r.sii.value) and math.isnan(r.concentration.value)
    assert any("nothing to compare" in n for n in r.notes)


def test_a_ward_without_residents_has_no_ratio(lsoas, counts):
    lsoas.loc[4, "population"] = 0.0
    lsoas.loc[4, "ward_code"] = "W3"
    w = analyse(lsoas, counts, n_sim=200).wards.set_index("ward_code")
    assert w.loc["W3", ["per_1000", "ratio", "ratio_high", "deprived_share"]].isna().all()
    assert w.loc["W3", "expected"] == 0.0


def test_fractional_counts_are_used_as_given(lsoas):
    r = analyse(lsoas, pd.Series({"L1": 2.5, "L2": 7.5, "L3": 0.25}), n_sim=200)
    assert r.in_catchment_total == 10.25
    assert r.deciles.set_index("decile").loc[1, "share_beneficiaries"] == pytest.approx(2.5 / 10.25)
    assert r.wards.set_index("ward_code").loc["W1", "per_1000"] == pytest.approx(50.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.drop(columns="rank"), "needs the columns rank"),
        (lambda t: t.assign(population=[100, -1, 100, 100, 100]), "LSOA L2: the population"),
        (lambda t: pd.concat([t, t.iloc[[0]]]), "lists L1 more than once"),
        (lambda t: t.assign(decile=[1, 2, 11, 7, 9]), "LSOA L3: the decile must be"),
    ],
)
def test_bad_lsoa_tables_are_refused_in_words(lsoas, counts, change, message):
    with pytest.raises(ValueError, match=message):
        analyse(change(lsoas), counts)


def test_negative_counts_are_refused(lsoas):
    with pytest.raises(ValueError, match="0 or more"):
        analyse(lsoas, pd.Series({"L1": -1.0}))


# --- recovering a known bias ---------------------------------------------------------------------


def _biased_area(seed: int, bias: float = 0.5, n_lsoas: int = 100, expected_total: float = 5000.0):
    """100 LSOAs; the most deprived local fifth reached at ``bias`` × the area's rate per resident."""
    rng = np.random.default_rng(seed)
    population = rng.integers(1200, 2200, n_lsoas).astype(float)
    rank = rng.permutation(33755)[:n_lsoas].astype(float) + 1
    lsoas = pd.DataFrame(
        {
            "lsoa_code": [f"E0{i:07d}" for i in range(n_lsoas)],
            "ward_code": [f"W{i // 5:02d}" for i in range(n_lsoas)],
            "population": population,
            "rank": rank,
            "decile": np.ceil(rank / 3375.5),
        }
    )
    first = local_quintiles(population, rank) == 1
    s1 = population[first].sum() / population.sum()
    # Others get the multiplier that keeps the area's overall rate: bias·s1 + m·(1 − s1) = 1,
    # so the first fifth's share of beneficiaries over its share of residents is exactly ``bias``.
    multiplier = np.where(first, bias, (1 - bias * s1) / (1 - s1))
    mean = expected_total * population / population.sum() * multiplier
    counts = pd.Series(rng.poisson(mean).astype(float), index=lsoas["lsoa_code"])
    return lsoas, counts


def test_a_known_bias_is_recovered_within_its_interval():
    # Any one seeded draw falls outside a 95% interval 1 time in 20 by design (seed 2024, tried
    # first, is a draw 3 standard errors low); the next test checks the rate over 200 draws.
    lsoas, counts = _biased_area(seed=0)
    r = analyse(lsoas, counts, seed=1)
    q1 = r.quintiles.iloc[0]
    assert q1["ratio_low"] <= 0.5 <= q1["ratio_high"]
    assert q1["ratio_high"] < 0.7  # and it is not a vague interval
    assert r.sii.high < 0  # less reach per resident in the more deprived areas
    assert r.concentration.low > 0


def test_the_first_fifths_ratio_interval_covers_the_true_bias_about_95_percent_of_the_time():
    hits = 0
    for seed in range(200):
        lsoas, counts = _biased_area(seed=seed)
        q1 = analyse(lsoas, counts, n_sim=10).quintiles.iloc[0]
        hits += q1["ratio_low"] <= 0.5 <= q1["ratio_high"]
    assert 0.9 <= hits / 200 <= 0.99
