"""Ward indicators for the fictional demo borough, shaped like the English Indices of Deprivation 2019.

One spatially smooth latent deprivation field (worst on the borough's old industrial side and
in an estate there) drives every domain with a loading close to the correlation that the real
IoD2019 ward scores have with the overall IMD score (income 0.96, employment 0.94, health and
education 0.84, crime 0.71; living environment and barriers to housing much weaker). Values
are put on the real units and ranges; ranks are placed against a log-normal fitted to the
real 7,180 ward scores, so rank 1 is the most deprived ward in England.

Two values are deliberately missing, so that "no data" handling is exercised:

* ``life_expectancy`` has no row at all for the least populous ward (suppressed: too few deaths);
* ``pop_65plus_pct`` has a row whose value is NaN for the most populous ward.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import ndtr

from sector_map.demo.geo import BoroughGeometry, smooth_field, ward_means
from sector_map.pack import schema as s

ENGLAND_WARDS = 7_180
IOD_SOURCE = "Fictional demo data shaped like the English Indices of Deprivation 2019"
POP_SOURCE = "Fictional demo data shaped like ONS population and life expectancy estimates"
YEAR = "2019 (simulated)"
RANK_UNIT = "rank (1 = most deprived)"
MISSING_ROW = "life_expectancy"
MISSING_VALUE = "pop_65plus_pct"

# IMD 2019 domain weights.
IMD_WEIGHTS = {
    s.DOMAIN_INCOME: 0.225,
    s.DOMAIN_EMPLOYMENT: 0.225,
    s.DOMAIN_EDUCATION: 0.135,
    s.DOMAIN_HEALTH: 0.135,
    s.DOMAIN_CRIME: 0.093,
    s.DOMAIN_HOUSING: 0.093,
    s.DOMAIN_LIVING_ENV: 0.093,
}


# id: (label, unit, IMD domain).
SCORES: dict[str, tuple[str, str, str]] = {
    "imd_score": ("Index of Multiple Deprivation score", "score", s.DOMAIN_IMD),
    "income_score": ("Income deprivation", "proportion of population", s.DOMAIN_INCOME),
    "employment_score": ("Employment deprivation", "proportion of working-age population", s.DOMAIN_EMPLOYMENT),
    "education_score": ("Education, skills and training deprivation", "score", s.DOMAIN_EDUCATION),
    "health_score": ("Health deprivation and disability", "score", s.DOMAIN_HEALTH),
    "crime_score": ("Crime", "score", s.DOMAIN_CRIME),
    "housing_score": ("Barriers to housing and services", "score", s.DOMAIN_HOUSING),
    "living_env_score": ("Living environment deprivation", "score", s.DOMAIN_LIVING_ENV),
    "idaci_score": (
        "Income deprivation affecting children (IDACI)", "proportion of children aged 0–15", s.DOMAIN_IDACI
    ),
    "idaopi_score": (
        "Income deprivation affecting older people (IDAOPI)", "proportion of people aged 60 and over", s.DOMAIN_IDAOPI
    ),
}  # fmt: skip
# id: (log scale, a, b, low, high, decimals): value = a + b*z (exp of it on a log scale), clipped.
SCALES: dict[str, tuple[bool, float, float, float, float, int]] = {
    "imd_score": (True, 2.94, 0.48, 3, 58, 2),
    "income_score": (True, -2.163, 0.48, 0.02, 0.38, 3),
    "employment_score": (True, -2.408, 0.45, 0.02, 0.27, 3),
    "education_score": (True, 2.89, 0.5, 2, 62, 2),
    "health_score": (False, 0.05, 0.75, -2.2, 2.6, 3),
    "crime_score": (False, 0.0, 0.6, -1.6, 1.6, 3),
    "housing_score": (False, 24.0, 6.0, 8, 42, 2),
    "living_env_score": (True, 3.09, 0.36, 5, 52, 2),
    "idaci_score": (True, -1.897, 0.48, 0.02, 0.48, 3),
    "idaopi_score": (True, -1.897, 0.45, 0.03, 0.46, 3),
}
DESCRIPTIONS = {
    "imd_score": "Overall relative deprivation, combining income, employment, education, health, crime, "
    "barriers to housing and services and living environment; the population-weighted average of the "
    "ward's neighbourhood scores. Higher means more deprived",
    "income_score": "Proportion of the population experiencing deprivation relating to low income, "
    "including people out of work and people in work on low earnings",
    "employment_score": "Proportion of the working-age population involuntarily excluded from work through "
    "unemployment, sickness or disability, or caring responsibilities",
    "education_score": "Lack of attainment and skills in the local population, among children and young "
    "people and among adults. Higher means more deprived",
    "health_score": "Risk of premature death and of a life limited by poor physical or mental health; 0 is "
    "about the national average and higher is worse",
    "crime_score": "Risk of personal and material victimisation (violence, burglary, theft, criminal "
    "damage); 0 is about the national average and higher is worse",
    "housing_score": "How hard it is to reach a home and local services: road distance to a GP, school, "
    "shop and post office, overcrowding, homelessness and housing affordability. Higher means more deprived",
    "living_env_score": "Quality of the local environment: housing in poor condition or without central "
    "heating, air quality and road traffic accidents. Higher means more deprived",
    "idaci_score": "Proportion of children aged 0 to 15 living in income-deprived families",
    "idaopi_score": "Proportion of people aged 60 and over who experience income deprivation",
}
# Log-normal (mean, sd of log) fitted to real IoD2019 ward scores, used to place simulated ranks.
RANKED = {
    "imd_score": ("imd_rank", "Index of Multiple Deprivation rank", "IMD score", 2.78, 0.606),
    "income_score": ("income_rank", "Income deprivation rank", "income deprivation score", -2.364, 0.596),
    "employment_score": (
        "employment_rank",
        "Employment deprivation rank",
        "employment deprivation score",
        -2.555,
        0.544,
    ),
    "idaci_score": (
        "idaci_rank",
        "Income deprivation affecting children (IDACI) rank",
        "IDACI score",
        -1.97,
        0.6,
    ),
    "idaopi_score": (
        "idaopi_rank",
        "Income deprivation affecting older people (IDAOPI) rank",
        "IDAOPI score",
        -1.99,
        0.55,
    ),
}
# Loading of each domain on the latent deprivation field, and of the town-centre effect.
LOADINGS = {
    s.DOMAIN_INCOME: (0.98, 0.0),
    s.DOMAIN_EMPLOYMENT: (0.96, -0.05),
    s.DOMAIN_EDUCATION: (0.87, -0.1),
    s.DOMAIN_HEALTH: (0.88, 0.0),
    s.DOMAIN_CRIME: (0.72, 0.45),
    s.DOMAIN_HOUSING: (0.15, 0.1),
    s.DOMAIN_LIVING_ENV: (0.35, 0.6),
}


@dataclass(frozen=True)
class WardFields:
    """Latent, standardised ward-level fields that indicators and organisations share.

    Attributes:
        deprivation: deprivation (mean 0, sd 1; high = more deprived).
        centrality: closeness to the town centre (0–1).
        industrial: position along the axis towards the old industrial side (metres).
    """

    deprivation: np.ndarray
    centrality: np.ndarray
    industrial: np.ndarray


def ward_fields(rng: np.random.Generator, geo: BoroughGeometry) -> WardFields:
    """Average smooth latent fields over each ward."""
    xy = geo.grid_xy
    ux, uy = geo.industrial
    along = (xy[:, 0] - geo.town[0]) * ux + (xy[:, 1] - geo.town[1]) * uy
    estate = (geo.town[0] + 3_000 * ux + rng.normal(0, 800), geo.town[1] + 3_000 * uy + rng.normal(0, 800))
    sq = (xy[:, 0] - estate[0]) ** 2 + (xy[:, 1] - estate[1]) ** 2
    town_sq = (xy[:, 0] - geo.town[0]) ** 2 + (xy[:, 1] - geo.town[1]) ** 2
    field = (
        along / 4_000
        + 1.3 * np.exp(-sq / (2 * 1_500.0**2))
        + 0.6 * np.exp(-town_sq / (2 * 1_200.0**2))
        + 0.45 * smooth_field(rng, xy)
    )
    centrality = ward_means(np.exp(-town_sq / (2 * 2_500.0**2)), geo)
    deprivation = _std(ward_means(field, geo) + 0.3 * rng.normal(size=len(geo.wards)))
    return WardFields(deprivation, centrality, ward_means(along, geo))


def build_indicators(
    rng: np.random.Generator,
    geo: BoroughGeometry,
    fields: WardFields,
    codes: list[str],
    population: np.ndarray,
) -> tuple[pd.DataFrame, dict[str, s.IndicatorMeta]]:
    """Simulate every indicator for the wards.

    Args:
        rng: random generator for this stage.
        geo: borough geometry (for spatially smooth noise).
        fields: latent ward fields.
        codes: ward codes, in ward order.
        population: ward populations, in ward order.

    Returns:
        The long indicator table (``schema.INDICATOR_COLUMNS``) and the metadata by id.
    """
    z = fields.deprivation
    centre = _std(fields.centrality)
    latent = {}
    for domain, (load, central) in LOADINGS.items():
        noise = _std(0.6 * ward_means(smooth_field(rng, geo.grid_xy), geo) + 0.8 * rng.normal(size=len(z)))
        latent[domain] = _std(load * z + np.sqrt(1 - load**2) * noise + central * centre)
    latent[s.DOMAIN_IMD] = _std(sum(w * latent[d] for d, w in IMD_WEIGHTS.items()))
    latent[s.DOMAIN_IDACI] = _std(0.93 * latent[s.DOMAIN_INCOME] + 0.37 * rng.normal(size=len(z)))
    latent[s.DOMAIN_IDAOPI] = _std(0.85 * latent[s.DOMAIN_INCOME] + 0.53 * rng.normal(size=len(z)))

    values: dict[str, np.ndarray] = {}
    meta: dict[str, s.IndicatorMeta] = {}
    for ind_id, (label, unit, domain) in SCORES.items():
        log, a, b, low, high, digits = SCALES[ind_id]
        raw = a + b * latent[domain]
        v = np.round(np.clip(np.exp(raw) if log else raw, low, high), digits)
        values[ind_id] = v
        meta[ind_id] = _meta(ind_id, label, unit, s.HIGHER_IS_MORE_NEED, domain, DESCRIPTIONS[ind_id])
        if ind_id in RANKED:
            rank_id, label, what, mu, sd = RANKED[ind_id]
            values[rank_id] = england_rank(v, mu, sd)
            meta[rank_id] = _meta(
                rank_id,
                label,
                RANK_UNIT,
                s.HIGHER_IS_LESS_NEED,
                domain,
                f"Where the ward's {what} would rank among England's {ENGLAND_WARDS:,} wards; 1 is the most "
                "deprived",
            )

    older = 18.5 - 1.4 * z - 1.4 * centre + 1.8 * rng.normal(size=len(z))
    values[MISSING_VALUE] = np.round(np.clip(older, 7.0, 31.0), 1)
    meta[MISSING_VALUE] = _meta(
        MISSING_VALUE,
        "People aged 65 and over",
        "%",
        s.HIGHER_IS_MORE_NEED,
        "",
        "Share of residents aged 65 or over; a sign of likely demand for older people's services rather "
        "than of deprivation",
        themes=["older_people"],
        source=POP_SOURCE,
    )
    life = 81.2 - 2.3 * latent["health"] + 0.5 * rng.normal(size=len(z))
    values[MISSING_ROW] = np.round(np.clip(life, 72.0, 88.0), 1)
    meta[MISSING_ROW] = _meta(
        MISSING_ROW,
        "Life expectancy at birth",
        "years",
        s.HIGHER_IS_LESS_NEED,
        "",
        "Average number of years a baby born in the ward could expect to live at current death rates",
        themes=["health_wellbeing"],
        source=POP_SOURCE,
    )
    values[MISSING_VALUE] = values[MISSING_VALUE].astype(float)
    values[MISSING_VALUE][int(np.argmax(population))] = np.nan

    least = int(np.argmin(population))
    frames = []
    for ind_id in meta:
        keep = np.ones(len(codes), dtype=bool)
        if ind_id == MISSING_ROW:
            keep[least] = False
        frames.append(
            pd.DataFrame(
                {
                    s.WARD_CODE: np.asarray(codes)[keep],
                    s.INDICATOR_ID: ind_id,
                    s.VALUE: values[ind_id][keep].astype("float64"),
                }
            )
        )
    long = pd.concat(frames, ignore_index=True)[s.INDICATOR_COLUMNS]
    return long.astype({s.WARD_CODE: "str", s.INDICATOR_ID: "str"}), meta


def england_rank(values: np.ndarray, mu: float, sd: float) -> np.ndarray:
    """Rank (1 = most deprived) of scores among England's wards, from a log-normal of ward scores."""
    share_worse = 1.0 - ndtr((np.log(np.asarray(values, dtype=float)) - mu) / sd)
    return np.clip(1 + np.floor(share_worse * ENGLAND_WARDS), 1, ENGLAND_WARDS)


def _meta(
    ind_id: str,
    label: str,
    unit: str,
    higher_is: str,
    domain: str,
    description: str,
    *,
    themes: list[str] | None = None,
    source: str = IOD_SOURCE,
) -> s.IndicatorMeta:
    return s.IndicatorMeta(
        id=ind_id,
        label=label,
        unit=unit,
        higher_is=higher_is,
        source=source,
        year=YEAR,
        themes=list(themes) if themes is not None else s.themes_for_domain(domain),
        description=f"{description} (simulated for a fictional place).",
        domain=domain,
    )


def _std(x: npt.ArrayLike) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    return (a - a.mean()) / a.std()
