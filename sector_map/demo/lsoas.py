"""Fictional LSOAs for the demo borough: 4–8 a ward, their people and national deprivation ranks.

Each ward's population is split among its LSOAs (shares drawn near equal, as real LSOAs hold
1,000–3,000 people). Each LSOA gets, for every IoD domain, a national rank among England's
32,844 LSOAs (IoD2019's count, as the demo is shaped like IoD2019) drawn around its ward's own
national position: the ward's England rank where the demo gives one (IMD, income, employment,
IDACI, IDAOPI), else its standing in the borough on the domain's score. So a deprived ward's
LSOAs sit mostly in the low deciles, with a realistic spread inside the ward. Codes look like ONS
LSOA codes but start with ``X`` (``X01000001``), as every demo code does, and names follow the
ONS pattern ("Marrowby 004B").

LSOAs have no boundaries in a pack; each demo postcode inside a ward is given the LSOA of that
ward whose seed is nearest, and the seeds are postcodes of the ward, so that an LSOA has a
postcode whenever its ward has enough of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri
from scipy.stats import rankdata

from sector_map.pack import schema as s

LSOA_CODE_PREFIX = "X01"
LSOAS_PER_WARD = (4, 8)
N_NATIONAL = 32_844  # England's LSOAs in IoD2019
ENGLAND_WARDS = 7_180  # the wards the demo's ward ranks are among (demo.indicators.ENGLAND_WARDS)
# Spread of an LSOA around its ward's national position, on the probit scale: about a third of a
# ward's LSOAs fall outside the ward's own decile, as in real wards.
WITHIN_SD = 0.45
# Where the borough sits nationally on a domain it gives no ward rank for (probit of the middle
# ward's share of England more deprived than it), and how widely its wards spread.
OFFSET, SPREAD = -0.15, 0.85
# The demo's score indicator for each domain (higher = more deprived) and its ward rank, if any.
SCORE_IDS = {
    s.DOMAIN_IMD: "imd_score",
    s.DOMAIN_INCOME: "income_score",
    s.DOMAIN_EMPLOYMENT: "employment_score",
    s.DOMAIN_EDUCATION: "education_score",
    s.DOMAIN_HEALTH: "health_score",
    s.DOMAIN_CRIME: "crime_score",
    s.DOMAIN_HOUSING: "housing_score",
    s.DOMAIN_LIVING_ENV: "living_env_score",
    s.DOMAIN_IDACI: "idaci_score",
    s.DOMAIN_IDAOPI: "idaopi_score",
}
RANK_IDS = {
    d: f"{d}_rank"
    for d in (s.DOMAIN_IMD, s.DOMAIN_INCOME, s.DOMAIN_EMPLOYMENT, s.DOMAIN_IDACI, s.DOMAIN_IDAOPI)
}


def build_lsoas(
    rng: np.random.Generator,
    codes: list[str],
    population: np.ndarray,
    wide: pd.DataFrame,
    postcode_ward: np.ndarray,
    postcode_xy: np.ndarray,
    *,
    borough: str,
) -> tuple[pd.DataFrame, pd.Series]:
    """The demo's LSOA table and each postcode's LSOA.

    Args:
        rng: the random generator for this stage.
        codes: ward codes, in ward order; ``population`` their populations.
        wide: ward indicators, one row per ward code and one column per indicator id.
        postcode_ward: index of the ward each postcode lies in (-1 for none).
        postcode_xy: the postcodes' points in metres (n x 2).
        borough: the borough's name, for the LSOA names.

    Returns:
        ``(lsoas, postcode LSOA codes)``: the table of ``schema.LSOAS_FILE`` and a string
        Series in postcode order, NA for postcodes in no ward.
    """
    rows: list[dict] = []
    postcode_lsoa = np.full(len(postcode_ward), None, dtype=object)
    for w, code in enumerate(codes):
        k = int(rng.integers(LSOAS_PER_WARD[0], LSOAS_PER_WARD[1] + 1))
        people = _split(rng, int(population[w]), k)
        first = len(rows)
        for j in range(k):
            rows.append(
                {
                    s.LSOA_CODE: f"{LSOA_CODE_PREFIX}{first + j + 1:06d}",
                    s.LSOA_NAME: f"{borough} {w + 1:03d}{chr(ord('A') + j)}",
                    s.WARD_CODE: code,
                    s.POPULATION: float(people[j]),
                }
            )
        mine = np.flatnonzero(postcode_ward == w)
        if len(mine):
            seeds = rng.choice(mine, size=min(k, len(mine)), replace=False)
            d = np.hypot(*(postcode_xy[mine, None, :] - postcode_xy[None, seeds, :]).transpose(2, 0, 1))
            postcode_lsoa[mine] = [rows[first + int(i)][s.LSOA_CODE] for i in np.argmin(d, axis=1)]
    lsoas = pd.DataFrame(rows)
    ward_of = lsoas[s.WARD_CODE].map({c: i for i, c in enumerate(codes)}).to_numpy()
    for domain, score_id in SCORE_IDS.items():
        if score_id not in wide.columns:
            continue
        share = _ward_share(wide, domain, score_id, codes)
        lsoa_share = ndtr(ndtri(share[ward_of]) + WITHIN_SD * rng.normal(size=len(lsoas)))
        rank = _unique(np.clip(1 + np.floor(lsoa_share * N_NATIONAL), 1, N_NATIONAL))
        lsoas[s.lsoa_measure(domain, "rank")] = rank
        lsoas[s.lsoa_measure(domain, "decile")] = np.ceil(rank * 10 / N_NATIONAL)
    lsoas = lsoas.astype({s.LSOA_CODE: "string", s.LSOA_NAME: "string", s.WARD_CODE: "string"})
    return lsoas, pd.Series(postcode_lsoa, dtype="string")


def manifest_entry() -> dict[str, object]:
    """The demo pack's ``lsoas`` manifest entry."""
    return {
        "edition": "2019",
        "lsoa_vintage": "2011",
        "n_national": N_NATIONAL,
        "population": "fictional: each ward's population split among its LSOAs",
        "postcode_lsoa": (
            "fictional: each postcode inside a ward is given the LSOA of that ward whose seed postcode "
            "is nearest; postcodes outside every ward have none"
        ),
    }


def _split(rng: np.random.Generator, total: int, k: int) -> np.ndarray:
    """``total`` people in ``k`` whole parts, near equal, summing exactly to ``total``."""
    raw = rng.dirichlet(np.full(k, 12.0)) * total
    parts = np.floor(raw).astype("int64")
    short = total - int(parts.sum())
    parts[np.argsort(raw - parts)[::-1][:short]] += 1
    return parts


def _ward_share(wide: pd.DataFrame, domain: str, score_id: str, codes: list[str]) -> np.ndarray:
    """Each ward's share of England more deprived than it (small = deprived), by ward order."""
    rank_id = RANK_IDS.get(domain)
    if rank_id in wide.columns and wide[rank_id].notna().all():
        return ((wide[rank_id].reindex(codes).to_numpy(float) - 0.5) / ENGLAND_WARDS).clip(1e-4, 1 - 1e-4)
    score = wide[score_id].reindex(codes).to_numpy(float)
    z = ndtri((rankdata(score) - 0.5) / len(score))
    return ndtr(-(OFFSET + SPREAD * z))


def _unique(rank: np.ndarray) -> np.ndarray:
    """National ranks made distinct (real LSOA ranks are), nudging ties apart."""
    order = np.argsort(rank, kind="stable")
    r = rank[order].copy()
    for i in range(1, len(r)):
        r[i] = max(r[i], r[i - 1] + 1)
    r = np.minimum(r, N_NATIONAL - (len(r) - 1 - np.arange(len(r))))
    out = np.empty_like(r)
    out[order] = r
    return out.astype("float64")
