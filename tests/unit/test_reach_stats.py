"""Our reach statistics against published values and examples worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sector_map.reach.stats import (
    concentration_curve,
    concentration_index,
    garwood,
    local_quintiles,
    rate_per_1000,
    share_ratio,
    sii_rii,
    wilson,
)

# --- Wilson score interval: Newcombe (1998), Statistics in Medicine 17:857, Table I, method 3 -----


@pytest.mark.parametrize(
    ("count", "total", "low", "high"),
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_matches_newcombes_published_intervals(count, total, low, high):
    got_low, got_high = wilson(count, total)
    assert float(got_low) == pytest.approx(low, abs=5e-5)
    assert float(got_high) == pytest.approx(high, abs=5e-5)


def test_wilson_by_hand_for_half():
    # p = 0.5, n = 10: the centre stays 0.5; half-width = z/(1 + z²/n) * sqrt(p(1-p)/n + z²/(4n²))
    # = 1.95996/1.38415 * sqrt(0.025 + 0.0096036) = 1.415994 * 0.186020 = 0.263404.
    low, high = wilson(5, 10)
    assert float(low) == pytest.approx(0.5 - 0.263404, abs=1e-5)
    assert float(high) == pytest.approx(0.5 + 0.263404, abs=1e-5)


def test_wilson_has_no_value_without_a_total():
    low, high = wilson(0, 0)
    assert math.isnan(float(low)) and math.isnan(float(high))


# --- Garwood exact Poisson interval: the standard table values (e.g. Ulm 1990) --------------------


@pytest.mark.parametrize(
    ("count", "low", "high"), [(0, 0.0, 3.6889), (1, 0.0253, 5.5716), (10, 4.7954, 18.3904)]
)
def test_garwood_matches_the_exact_poisson_table(count, low, high):
    got_low, got_high = garwood(count)
    assert float(got_low) == pytest.approx(low, abs=5e-5)
    assert float(got_high) == pytest.approx(high, abs=5e-5)


def test_garwood_takes_fractional_counts_between_their_neighbours():
    low, high = garwood([2, 2.5, 3])
    assert low[0] < low[1] < low[2] and high[0] < high[1] < high[2]


def test_rate_per_1000_scales_the_count_interval():
    # 10 beneficiaries among 2,000 residents: 5 per 1,000, interval 4.7954/2 to 18.3904/2.
    rate, low, high = rate_per_1000([10, 3], [2000, 0])
    assert rate[0] == 5.0
    assert low[0] == pytest.approx(2.3977, abs=1e-4) and high[0] == pytest.approx(9.1952, abs=1e-4)
    assert np.isnan([rate[1], low[1], high[1]]).all()  # no residents: no rate, not infinity


def test_share_ratio_is_the_wilson_interval_over_the_residents_share():
    # 10 of 100 beneficiaries where 20% of residents live: ratio 0.1 / 0.2 = 0.5, and the interval
    # is Wilson(10/100) = 0.0552–0.1744 divided by 0.2.
    ratio, low, high = share_ratio([10, 5], 100, [200, 0], 1000)
    assert ratio[0] == pytest.approx(0.5)
    assert low[0] == pytest.approx(0.0552 / 0.2, abs=1e-3) and high[0] == pytest.approx(
        0.1744 / 0.2, abs=1e-3
    )
    assert np.isnan([ratio[1], low[1], high[1]]).all()


# --- local fifths -----------------------------------------------------------------------------------


def test_local_quintiles_follow_each_areas_population_midpoint():
    # Populations 500, 100, 100, 100, 200 (1,000 in all), most deprived first. Midpoints on the
    # cumulative scale: 250, 550, 650, 750, 900 → 0.25, 0.55, 0.65, 0.75, 0.90 → fifths 2, 3, 4, 4, 5.
    # (The big most deprived area's midpoint is past the first 20%: the first fifth is empty.)
    assert local_quintiles([500, 100, 100, 100, 200], [1, 2, 3, 4, 5]).tolist() == [2, 3, 4, 4, 5]


def test_local_quintiles_sort_by_rank_and_keep_the_input_order():
    assert local_quintiles([100, 100, 100, 100, 100], [900, 3, 70, 12, 400]).tolist() == [5, 1, 3, 2, 4]


def test_local_quintiles_need_residents():
    with pytest.raises(ValueError, match="populations add up to 0"):
        local_quintiles([0, 0], [1, 2])


# --- SII and RII ------------------------------------------------------------------------------------


def test_sii_and_rii_are_exact_when_rates_are_linear_in_x():
    # Residents 100, 300, 200, 300, 100: shares .1 .3 .2 .3 .1, so x (midpoints) = .05 .25 .5 .75 .95.
    # Rates per 1,000 = 40 − 30x = 38.5, 32.5, 25, 17.5, 11.5; counts = rate × residents / 1,000.
    # Fitted at x=0: 40; at x=1: 10. SII = 30, RII = 4.
    residents = np.array([100, 300, 200, 300, 100])
    x = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
    counts = (40 - 30 * x) * residents / 1000
    sii, rii = sii_rii(counts, residents, seed=1, n_sim=500)
    assert sii.value == pytest.approx(30.0)
    assert rii.value == pytest.approx(4.0)
    assert sii.low < 30 < sii.high and rii.low < 4 < rii.high


def test_sii_by_hand_and_rii_missing_when_the_least_deprived_end_fits_zero():
    # Equal residents; rates 20, 10, 10, 10, 0 per 1,000 at x = .1 .3 .5 .7 .9. Weighted least squares:
    # mean rate 10, Σ(x−.5)(y−10) = (−.4)(10) + (.4)(−10) = −8, Σ(x−.5)² = .4, slope −20;
    # fitted(0) = 10 + 20·.5 = 20, fitted(1) = 0: SII = 20 (more reach in more deprived areas), RII none.
    sii, rii = sii_rii([20, 10, 10, 10, 0], [1000] * 5, seed=1, n_sim=500)
    assert sii.value == pytest.approx(20.0)
    assert math.isnan(rii.value) and "least deprived end" in rii.note


def test_sii_intervals_are_deterministic_for_a_seed():
    a = sii_rii([30, 25, 20, 18, 12], [1000] * 5, seed=7, n_sim=2000)
    b = sii_rii([30, 25, 20, 18, 12], [1000] * 5, seed=7, n_sim=2000)
    c = sii_rii([30, 25, 20, 18, 12], [1000] * 5, seed=8, n_sim=2000)
    assert a == b
    assert a != c


def test_sii_leaves_out_fifths_without_residents():
    # Three groups with residents; rates 30, 20, 10 at x = 1/6, 1/2, 5/6: slope −30, fitted(0) = 35,
    # fitted(1) = 5: SII 30, RII 7.
    sii, rii = sii_rii([30, 0, 20, 10, 0], [1000, 0, 1000, 1000, 0], seed=1, n_sim=200)
    assert sii.value == pytest.approx(30.0) and rii.value == pytest.approx(7.0)


# --- concentration index ----------------------------------------------------------------------------


def test_concentration_index_by_hand_and_by_the_covariance_formula():
    # Four areas of 1 resident each, most deprived first, with 4, 3, 2, 1 beneficiaries.
    # Curve: p = 0 .25 .5 .75 1; L = 0 .4 .7 .9 1. Trapezoids: .125 × (.4 + 1.1 + 1.6 + 1.9) = .625,
    # C = 1 − 2 × .625 = −.25. Covariance: h = 4 3 2 1 (mean 2.5), r = .125 .375 .625 .875,
    # cov = (−.5625 − .0625 − .0625 − .5625)/4 = −.3125, 2 cov / mean = −.25.
    assert concentration_index([4, 3, 2, 1], [1, 1, 1, 1], n_sim=100).value == pytest.approx(-0.25)


def test_concentration_index_with_unequal_residents_equals_the_weighted_covariance():
    # Residents 1 and 3, beneficiaries 3 and 1: p = 0 .25 1, L = 0 .75 1; area = .09375 + .65625 = .75,
    # C = −.5. Weighted: f = .25 .75, h = 3, 1/3, mean 1, r = .125 .625 (mean .5),
    # cov = .25·2·(−.375) + .75·(−2/3)·.125 = −.25, 2 cov / mean = −.5.
    assert concentration_index([3, 1], [1, 3], n_sim=100).value == pytest.approx(-0.5)
    rng = np.random.default_rng(3)
    counts, residents = rng.poisson(20, 30).astype(float), rng.integers(500, 2000, 30).astype(float)
    f = residents / residents.sum()
    h = counts / residents
    mean = (f * h).sum()
    r = np.cumsum(f) - f / 2
    covariance_form = 2 * (f * (h - mean) * (r - (f * r).sum())).sum() / mean
    assert concentration_index(counts, residents, n_sim=100).value == pytest.approx(covariance_form)


def test_concentration_index_sign_follows_where_beneficiaries_are():
    assert concentration_index([4, 3, 2, 1], [1, 1, 1, 1], n_sim=100).value < 0  # more deprived first
    assert concentration_index([1, 2, 3, 4], [1, 1, 1, 1], n_sim=100).value == pytest.approx(0.25)
    assert concentration_index([5, 10, 5], [100, 200, 100], n_sim=100).value == pytest.approx(0.0)


def test_concentration_index_interval_is_seeded_and_holds_the_value():
    a = concentration_index([40, 30, 20, 10], [1, 1, 1, 1], seed=5, n_sim=1000)
    assert a == concentration_index([40, 30, 20, 10], [1, 1, 1, 1], seed=5, n_sim=1000)
    assert a.low < a.value < a.high < 0


def test_concentration_index_without_beneficiaries_says_why():
    c = concentration_index([0, 0, 0], [1, 1, 1])
    assert math.isnan(c.value) and "no beneficiaries" in c.note


def test_concentration_curve_runs_from_zero_to_one():
    curve = concentration_curve([4, 3, 2, 1], [1, 1, 1, 1])
    assert curve["cum_residents"].tolist() == pytest.approx([0, 0.25, 0.5, 0.75, 1])
    assert curve["cum_beneficiaries"].tolist() == pytest.approx([0, 0.4, 0.7, 0.9, 1])


def test_concentration_index_normal_shortcut_agrees_with_the_poisson_simulation(monkeypatch):
    # Large inputs draw the index's two sums from their normal approximation; on a mid-sized
    # input both ways give the same interval to within simulation noise.
    rng = np.random.default_rng(11)
    counts, residents = rng.poisson(4, 400).astype(float), rng.integers(800, 2500, 400).astype(float)
    exact = concentration_index(counts, residents, seed=2, n_sim=4000)
    monkeypatch.setattr("sector_map.reach.stats._EXACT_CELLS", 0)
    normal = concentration_index(counts, residents, seed=2, n_sim=4000)
    assert normal.value == exact.value
    width = exact.high - exact.low
    assert normal.low == pytest.approx(exact.low, abs=0.05 * width)
    assert normal.high == pytest.approx(exact.high, abs=0.05 * width)
    assert normal != exact  # the shortcut was taken


def test_concentration_index_is_one_minus_twice_the_area_under_its_curve():
    rng = np.random.default_rng(12)
    counts, residents = rng.poisson(6, 50).astype(float), rng.integers(800, 2500, 50).astype(float)
    curve = concentration_curve(counts, residents)
    x, y = curve["cum_residents"].to_numpy(), curve["cum_beneficiaries"].to_numpy()
    area = float(((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2).sum())
    assert concentration_index(counts, residents, n_sim=50).value == pytest.approx(1 - 2 * area)
