"""The statistics of Our reach, as small pure functions over aggregate counts.

Every function takes counts (beneficiaries, possibly fractional where they were apportioned from
postcode sectors: they are used as given) and residents, and returns numbers with 95% intervals.

- :func:`wilson`: Wilson (1927) score interval for a share ``count / total``. A representation
  ratio's interval is the Wilson interval of the beneficiaries' share divided by the residents'
  share (residents are treated as fixed: they are counted, not sampled).
- :func:`garwood`: exact Poisson interval for a count (Garwood 1936), from chi-squared quantiles:
  ``low = chi2.ppf(0.025, 2k) / 2`` (0 when k is 0), ``high = chi2.ppf(0.975, 2k + 2) / 2``.
  Divided by residents and times 1,000 it is the interval of a rate per 1,000.
- :func:`local_quintiles`: population-weighted local fifths. Areas are sorted by national rank,
  most deprived first; each goes to the fifth that holds the midpoint of its population on the
  cumulative scale, so each fifth holds about a fifth of the residents.
- :func:`sii_rii`: slope and relative indices of inequality, the method of Public Health England /
  OHID (technical guide; ``phe_sii`` in PHEindicatormethods). Each fifth's rate per 1,000 is
  regressed, weighted by its residents, on ``x``: the midpoint of the fifth's cumulative share of
  residents, ranked from most deprived (x near 0) to least deprived (x near 1). SII is the fitted
  rate at the most deprived end (x = 0) minus the fitted rate at the least deprived end (x = 1):
  **positive means more reach per resident in the more deprived areas.** RII is the ratio of the
  two fitted rates (more than 1: more reach in the more deprived areas). ``phe_sii`` itself reports
  the regression slope (least minus most deprived); ours is its value with ``multiplier = -1``,
  which also turns its RII the other way up. Their 95% intervals come
  from a seeded simulation: each fifth's count is drawn from a Poisson distribution with the
  observed count as its mean, the indices are worked out for every draw, and the 2.5th and 97.5th
  percentiles are taken (PHE simulate from each value's interval; for a count that is the same idea).
- :func:`concentration_index`: over areas ranked most deprived first, ``C = 1 - 2 * AUC`` where AUC
  is the area (trapezoid rule) under the concentration curve: the cumulative share of beneficiaries
  against the cumulative share of residents. This equals ``2 * cov(h, r) / mean(h)`` with ``h`` the
  rate per resident and ``r`` the fractional rank (0 = most deprived), weighted by residents
  (Wagstaff, Paci & van Doorslaer 1991; O'Donnell et al. 2008). **Negative: beneficiaries are
  concentrated in more deprived areas** (the curve lies above the diagonal); 0: reach follows
  population; positive: concentrated in less deprived areas. Its interval uses the same seeded
  Poisson simulation of each area's count (for very large inputs, beyond 2.5 million area-draws,
  the two sums the index is made of are drawn from their normal approximation instead).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

Z95 = float(sps.norm.ppf(0.975))
DEFAULT_SEED = 14
DEFAULT_N_SIM = 5000
FIFTHS = 5
_SIM_CELLS = 2_000_000  # draws x areas simulated at once (memory bound, not a result)
# Beyond this many draws x areas, the concentration index's two sums are drawn as normal.
_EXACT_CELLS = 2_500_000


@dataclass(frozen=True)
class Estimate:
    """A value with its 95% interval; ``note`` says why a value is missing (NaN)."""

    value: float
    low: float
    high: float
    note: str = ""

    @classmethod
    def missing(cls, note: str) -> Estimate:
        return cls(math.nan, math.nan, math.nan, note)

    @property
    def known(self) -> bool:
        return not math.isnan(self.value)


def wilson(count: object, total: object, *, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for the share ``count / total`` (arrays broadcast; NaN where total is 0).

    >>> low, high = wilson(5, 10)
    >>> round(float(low), 4), round(float(high), 4)
    (0.2366, 0.7634)
    """
    k = np.asarray(count, dtype=float)
    n = np.asarray(total, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        z2n = z * z / n
        centre = (p + z2n / 2) / (1 + z2n)
        half = z / (1 + z2n) * np.sqrt(np.clip(p * (1 - p), 0, None) / n + z2n / (4 * n))
    low = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    return low, high


def garwood(count: object) -> tuple[np.ndarray, np.ndarray]:
    """Exact 95% Poisson interval for a count (Garwood 1936); the lower limit of 0 is 0.

    >>> low, high = garwood(0)
    >>> float(low), round(float(high), 4)
    (0.0, 3.6889)
    """
    k = np.asarray(count, dtype=float)
    with np.errstate(invalid="ignore"):
        low = np.where(k > 0, sps.chi2.ppf(0.025, 2 * np.maximum(k, 1e-300)) / 2, 0.0)
        high = sps.chi2.ppf(0.975, 2 * k + 2) / 2
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def rate_per_1000(count: object, residents: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rate per 1,000 residents with its Garwood interval (NaN where there are no residents)."""
    k = np.asarray(count, dtype=float)
    r = np.asarray(residents, dtype=float)
    low, high = garwood(k)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(r > 0, 1000.0 / r, np.nan)
    return k * scale, low * scale, high * scale


def share_ratio(
    count: object, total: float, residents: object, total_residents: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Representation ratio (share of beneficiaries ÷ share of residents) with its interval.

    NaN where the group has no residents (never infinite) or there are no beneficiaries at all.

    >>> ratio, low, high = share_ratio(5, 10, 20, 100)
    >>> float(ratio), round(float(low), 3), round(float(high), 3)
    (2.5, 1.183, 3.817)
    """
    k = np.asarray(count, dtype=float)
    r = np.asarray(residents, dtype=float)
    low, high = wilson(k, total)
    with np.errstate(divide="ignore", invalid="ignore"):
        res_share = np.where(r > 0, r / total_residents, np.nan) if total_residents > 0 else r * np.nan
        ben_share = k / total if total > 0 else k * np.nan
        return ben_share / res_share, low / res_share, high / res_share


def local_quintiles(population: object, rank: object) -> np.ndarray:
    """Local population-weighted fifth (1 = most deprived) of each area, in the input's order.

    Areas are sorted by national rank (1 = most deprived; ties keep the input order) and each goes
    to the fifth holding the midpoint of its population on the cumulative scale.

    >>> local_quintiles([100, 100, 100, 100, 100], [50, 10, 40, 20, 30]).tolist()
    [5, 1, 4, 2, 3]
    """
    pop = np.asarray(population, dtype=float)
    order = np.argsort(np.asarray(rank, dtype=float), kind="stable")
    sorted_pop = pop[order]
    total = sorted_pop.sum()
    if total <= 0:
        raise ValueError("local fifths need residents: the areas' populations add up to 0")
    mid = (np.cumsum(sorted_pop) - sorted_pop / 2) / total
    fifth_sorted = 1 + np.searchsorted(np.arange(1, FIFTHS) / FIFTHS, mid, side="right")
    out = np.empty(len(pop), dtype=int)
    out[order] = fifth_sorted
    return out


def _fitted_ends(rates: np.ndarray, x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares of rates (draws x groups) on x: fitted values at x = 0 and x = 1."""
    w = w / w.sum()
    xbar = float((w * x).sum())
    sxx = float((w * (x - xbar) ** 2).sum())
    ybar = rates @ w
    slope = ((rates - ybar[..., None]) * (w * (x - xbar))).sum(axis=-1) / sxx
    at0 = ybar - slope * xbar
    return at0, at0 + slope


def _interval(draws: np.ndarray) -> tuple[float, float]:
    """2.5th and 97.5th percentiles (linear interpolation) of the draws that have a value.

    Draws may be +inf (a ratio over a fitted 0): a percentile that falls next to one is inf.
    """
    values = np.sort(draws[~np.isnan(draws)])
    if values.size == 0:
        return math.nan, math.nan
    out = []
    for q in (0.025, 0.975):
        pos = q * (values.size - 1)
        below, above = values[math.floor(pos)], values[math.ceil(pos)]
        out.append(
            float(above) if math.isinf(above) else float(below + (above - below) * (pos - math.floor(pos)))
        )
    return out[0], out[1]


def sii_rii(
    counts: object,
    residents: object,
    *,
    seed: int = DEFAULT_SEED,
    n_sim: int = DEFAULT_N_SIM,
) -> tuple[Estimate, Estimate]:
    """Slope and relative index of inequality over groups ordered most deprived first.

    ``counts`` and ``residents`` are per group (the local fifths), most deprived first; groups
    without residents are left out. Rates are per 1,000 residents. See the module docstring for
    the method and the sign: a positive SII means more reach per resident in more deprived areas.

    >>> sii, rii = sii_rii([50, 40, 30, 20, 10], [1000] * 5, n_sim=200)
    >>> round(sii.value, 6), round(rii.value, 6)
    (50.0, 11.0)
    """
    k = np.asarray(counts, dtype=float)
    r = np.asarray(residents, dtype=float)
    keep = r > 0
    if keep.sum() < 2:
        note = "fewer than two local fifths have residents, so there is no slope to fit"
        return Estimate.missing(note), Estimate.missing(note)
    k, r = k[keep], r[keep]
    share = r / r.sum()
    x = np.cumsum(share) - share / 2
    at0, at1 = _fitted_ends(1000 * k / r, x, r)
    rng = np.random.default_rng(seed)
    sim = rng.poisson(np.broadcast_to(k, (n_sim, k.size))).astype(float)
    s0, s1 = _fitted_ends(1000 * sim / r, x, r)
    sii_draws = s0 - s1
    sii = Estimate(float(at0 - at1), *_interval(sii_draws))
    tiny = 1e-9 * max(float(np.abs(1000 * k / r).max()), 1.0)  # rounding error of the fit, not a rate
    if not at1 > tiny:
        return sii, Estimate.missing(
            "the fitted rate at the least deprived end is not above 0, so the relative index has no value"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        rii_draws = np.where(s1 > tiny, s0 / s1, np.where(s0 > tiny, np.inf, np.nan))
    return sii, Estimate(float(at0 / at1), *_interval(rii_draws))


def _index_from_counts(counts: np.ndarray, res_share: np.ndarray) -> np.ndarray:
    """Concentration index of each row of counts (areas ordered most deprived first)."""
    total = counts.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        cum = np.cumsum(counts, axis=-1) / total
    prev = np.concatenate([np.zeros(cum.shape[:-1] + (1,)), cum[..., :-1]], axis=-1)
    return 1 - ((cum + prev) * res_share).sum(axis=-1)


def concentration_curve(counts: object, residents: object) -> pd.DataFrame:
    """Points of the concentration curve, areas ordered most deprived first, from (0, 0) to (1, 1).

    >>> concentration_curve([3, 1], [1, 1]).to_dict("list")
    {'cum_residents': [0.0, 0.5, 1.0], 'cum_beneficiaries': [0.0, 0.75, 1.0]}
    """
    k = np.asarray(counts, dtype=float)
    r = np.asarray(residents, dtype=float)
    return pd.DataFrame(
        {
            "cum_residents": np.concatenate([[0.0], np.cumsum(r) / r.sum()]),
            "cum_beneficiaries": np.concatenate([[0.0], np.cumsum(k) / k.sum()]),
        }
    )


def concentration_index(
    counts: object,
    residents: object,
    *,
    seed: int = DEFAULT_SEED,
    n_sim: int = DEFAULT_N_SIM,
) -> Estimate:
    """Concentration index of beneficiaries over areas ordered most deprived first, with its interval.

    Negative: beneficiaries concentrated in more deprived areas; positive: in less deprived ones.

    >>> round(concentration_index([3, 1], [1, 1], n_sim=200).value, 6)
    -0.25
    """
    k = np.asarray(counts, dtype=float)
    r = np.asarray(residents, dtype=float)
    if r.sum() <= 0:
        return Estimate.missing("the areas have no residents")
    if k.sum() <= 0:
        return Estimate.missing("there are no beneficiaries in these areas")
    res_share = r / r.sum()
    value = float(_index_from_counts(k, res_share))
    # C is linear in the counts given their total: C = 2 * sum(k * rank) / sum(k) - 1, with rank the
    # midpoint of each area's cumulative share of residents. So each draw needs only two sums, and
    # areas with no beneficiaries (a Poisson draw of 0 is always 0) need no draws at all.
    rank = np.cumsum(res_share) - res_share / 2
    some = k > 0
    k_some, rank_some = k[some], rank[some]
    rng = np.random.default_rng(seed)
    if k_some.size * n_sim > _EXACT_CELLS:
        # Very large inputs: the two sums drawn from their normal approximation, with the exact
        # Poisson means, variances and covariance (at these sizes the difference is far smaller
        # than the interval's own resolution, and it keeps a national catchment to a second).
        mean = np.array([k_some @ rank_some, k_some.sum()])
        cov = np.array([[k_some @ rank_some**2, mean[0]], [mean[0], mean[1]]])
        a, t = rng.multivariate_normal(mean, cov, size=n_sim).T
        return Estimate(value, *_interval(np.where(t > 0, 2 * a / t - 1, np.nan)))
    chunk = max(1, _SIM_CELLS // k_some.size)
    draws = []
    for start in range(0, n_sim, chunk):
        sim = rng.poisson(np.broadcast_to(k_some, (min(chunk, n_sim - start), k_some.size))).astype(float)
        total = sim.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            draws.append(np.where(total > 0, 2 * (sim @ rank_some) / total - 1, np.nan))
    return Estimate(value, *_interval(np.concatenate(draws)))
