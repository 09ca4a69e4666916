"""Fictional voluntary and community organisations for the demo borough.

The mix follows the shape of the real local sector: about half are micro groups (income
under £10k), a handful are large and at most one is major; unregistered groups sometimes
have no known income. Registered charities lean to the better-off wards and community
groups to the deprived ones, and borough-wide charities sit near the town centre.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from sector_map.demo.geo import random_points_in
from sector_map.demo.names import BOROUGH, FAITH_PATTERNS, LARGE_PATTERNS, ORG_PATTERNS, SAINTS, slug
from sector_map.pack import schema as s

REGISTERED = ("registered charity", "CIO", "charitable company")
# Organisations by kind and size band (400 in all): fixed so every seed has the same mix.
COMPOSITION: dict[str, dict[str, int]] = {
    "community group": {"unknown": 30, "micro": 92, "small": 16, "medium": 2},
    "faith group": {"unknown": 6, "micro": 18, "small": 13, "medium": 3},
    "registered charity": {"micro": 44, "small": 44, "medium": 22, "large": 2},
    "CIO": {"micro": 21, "small": 19, "medium": 7, "large": 1},
    "charitable company": {"micro": 3, "small": 10, "medium": 15, "large": 3, "major": 1},
    "CIC": {"unknown": 4, "micro": 8, "small": 11, "medium": 5},
}
# How much each kind leans towards deprived wards (log-weight per sd of deprivation).
DEPRIVATION_LEAN = {
    "community group": 0.35,
    "faith group": 0.2,
    "CIC": 0.15,
    "registered charity": -0.25,
    "CIO": -0.15,
    "charitable company": -0.1,
}
# Main-theme weights, roughly how common each purpose is in the real local sector.
THEME_WEIGHTS = {
    "community_cohesion": 16,
    "arts_culture_sport": 15,
    "children_young_people": 14,
    "health_wellbeing": 10,
    "education_learning": 9,
    "older_people": 7,
    "disability_carers": 6,
    "poverty_food": 6,
    "mental_health": 5,
    "environment": 5,
    "employment_skills": 3,
    "housing_homelessness": 2,
    "crime_safety": 1.5,
}
THEME_DEPRIVATION_LEAN = {
    "poverty_food": 0.5,
    "housing_homelessness": 0.4,
    "employment_skills": 0.4,
    "crime_safety": 0.3,
    "children_young_people": 0.15,
    "environment": -0.3,
    "arts_culture_sport": -0.15,
    "older_people": -0.2,
}
FAITH_THEMES = {
    "community_cohesion": 0.65,
    "poverty_food": 0.15,
    "children_young_people": 0.1,
    "older_people": 0.1,
}
AFFINITY = {
    "children_young_people": ("education_learning", "arts_culture_sport", "poverty_food", "mental_health"),
    "older_people": ("health_wellbeing", "community_cohesion", "disability_carers"),
    "health_wellbeing": ("mental_health", "older_people", "disability_carers", "arts_culture_sport"),
    "mental_health": ("health_wellbeing", "community_cohesion", "employment_skills"),
    "disability_carers": ("health_wellbeing", "older_people", "children_young_people"),
    "poverty_food": ("housing_homelessness", "community_cohesion", "employment_skills", "health_wellbeing"),
    "housing_homelessness": ("poverty_food", "mental_health", "employment_skills"),
    "employment_skills": ("education_learning", "poverty_food", "children_young_people"),
    "education_learning": ("children_young_people", "employment_skills", "arts_culture_sport"),
    "crime_safety": ("children_young_people", "community_cohesion", "housing_homelessness"),
    "community_cohesion": ("arts_culture_sport", "older_people", "poverty_food", "environment"),
    "environment": ("community_cohesion", "health_wellbeing", "education_learning"),
    "arts_culture_sport": ("children_young_people", "health_wellbeing", "community_cohesion"),
}
BIG = ("medium", "large", "major")
INCOME_RANGES = {
    "micro": (300, 10_000),
    "small": (10_000, 100_000),
    "medium": (100_000, 1_000_000),
    "large": (1_000_000, 10_000_000),
    "major": (10_000_000, 30_000_000),
}
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
SHARE_AREA_ONLY = 0.10
SHARE_CONTACT = 0.15


@dataclass(frozen=True)
class WardContext:
    """What the organisation and service generators need to know about the wards (metres).

    Attributes:
        codes: ward codes.
        names: ward names.
        stems: the place each ward is named after.
        polygons: ward polygons in EPSG:27700.
        outline: the borough outline in EPSG:27700.
        centroids: ward centroids (n x 2).
        population: ward populations.
        deprivation: standardised deprivation (high = more deprived).
        centrality: closeness to the town centre (0–1).
        districts: postcode district number of each ward.
    """

    codes: list[str]
    names: list[str]
    stems: list[str]
    polygons: list
    outline: BaseGeometry
    centroids: np.ndarray
    population: np.ndarray
    deprivation: np.ndarray
    centrality: np.ndarray
    districts: list[int]


def build_organisations(rng: np.random.Generator, wards: WardContext) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Simulate the borough's organisations.

    Args:
        rng: random generator for this stage.
        wards: ward context in metres.

    Returns:
        The organisations (``schema.ORGANISATION_COLUMNS``, geometry in EPSG:27700, ``None``
        for "area only") and, per organisation, the index of its home ward.
    """
    kinds, bands = _composition(rng)
    n = len(kinds)
    home = np.array([_home_ward(rng, wards, k, b) for k, b in zip(kinds, bands, strict=True)])
    income = np.array([_income(rng, b) for b in bands])
    themes = [_themes(rng, k, b, wards.deprivation[h]) for k, b, h in zip(kinds, bands, home, strict=True)]
    names = _names(rng, kinds, bands, themes, [wards.stems[h] for h in home])
    numbers = iter(f"9{num:06d}" for num in 100_000 + rng.choice(900_000, size=n, replace=False))
    charity_number = [next(numbers) if k in REGISTERED else None for k in kinds]
    quality = _location_quality(rng, kinds, bands)
    geometry: list[Point | None] = []
    for q, h in zip(quality, home, strict=True):
        if q == s.LOCATION_AREA_ONLY:
            geometry.append(None)
        elif q == s.LOCATION_CONTACT and rng.random() < 0.3:
            ring = wards.outline.buffer(2_500).difference(wards.outline.buffer(300))
            geometry.append(random_points_in(rng, ring, 1)[0])
        else:
            geometry.append(random_points_in(rng, wards.polygons[h], 1)[0])
    website_p = {"micro": 0.3, "unknown": 0.3, "small": 0.6, "medium": 0.9}
    websites = [
        f"https://www.{slug(nm)}.example" if rng.random() < website_p.get(b, 1.0) else None
        for nm, b in zip(names, bands, strict=True)
    ]
    frame = pd.DataFrame(
        {
            s.ORG_ID: [f"DEMO-ORG-{i + 1:04d}" for i in range(n)],
            s.ORG_NAME: names,
            s.ORG_KIND: kinds,
            s.CHARITY_NUMBER: charity_number,
            s.INCOME: income.astype("float64"),
            s.SIZE_BAND: [s.size_band_for(x) for x in income],
            s.POSTCODE: [_postcode(rng, wards.districts[h]) for h in home],
            s.WEBSITE: websites,
            s.THEMES: themes,
            s.LOCATION_QUALITY: quality,
            s.SOURCE: "demo",
        }
    )
    # types-geopandas takes no None items; here they are the organisations with no point
    points = gpd.GeoSeries(geometry, crs=s.METRE_CRS)  # type: ignore[arg-type]
    orgs = gpd.GeoDataFrame(frame, geometry=points, crs=s.METRE_CRS)
    return orgs[s.ORGANISATION_COLUMNS], home


def _composition(rng: np.random.Generator) -> tuple[list[str], list[str]]:
    pairs = [(k, b) for k, bands in COMPOSITION.items() for b, count in bands.items() for _ in range(count)]
    order = rng.permutation(len(pairs))
    return [pairs[i][0] for i in order], [pairs[i][1] for i in order]


def _home_ward(rng: np.random.Generator, wards: WardContext, kind: str, band: str) -> int:
    weight = wards.population * np.exp(DEPRIVATION_LEAN[kind] * wards.deprivation)
    if band in BIG:
        weight = weight * (1 + 3 * wards.centrality)
    return int(rng.choice(len(weight), p=weight / weight.sum()))


def _income(rng: np.random.Generator, band: str) -> float:
    if band == s.SIZE_BAND_UNKNOWN:
        return float("nan")
    low, high = INCOME_RANGES[band]
    u = rng.random() ** (1.5 if band in ("large", "major") else 1.0)
    return float(min(round(low * (high / low) ** u), high - 1))


def _themes(rng: np.random.Generator, kind: str, band: str, deprivation: float) -> list[str]:
    if kind == "faith group":
        main = str(rng.choice(list(FAITH_THEMES), p=list(FAITH_THEMES.values())))
    else:
        ids = list(THEME_WEIGHTS)
        w = np.array([THEME_WEIGHTS[t] * np.exp(THEME_DEPRIVATION_LEAN.get(t, 0) * deprivation) for t in ids])
        main = str(rng.choice(ids, p=w / w.sum()))
    p_extra = {"small": (0.4, 0.45, 0.15)}.get(band, (0.2, 0.45, 0.35) if band in BIG else (0.6, 0.35, 0.05))
    extra = int(rng.choice(3, p=p_extra))
    others = list(rng.choice(AFFINITY[main], size=extra, replace=False)) if extra else []
    return [main] + [str(t) for t in others]


def _names(
    rng: np.random.Generator, kinds: list[str], bands: list[str], themes: list[list[str]], stems: list[str]
) -> list[str]:
    """Unique, plausible names from theme patterns and the names of the fictional wards."""
    taken: set[str] = set()
    out: list[str] = []
    for kind, band, th, stem in zip(kinds, bands, themes, stems, strict=True):
        name = ""
        patterns: tuple[str, ...]
        for attempt in range(40):
            if kind == "faith group":
                patterns = FAITH_PATTERNS
            elif band in ("large", "major") and attempt < 3:
                patterns = LARGE_PATTERNS[th[0]]
            else:
                patterns = ORG_PATTERNS[th[0] if attempt < 20 else th[-1]]
            if band not in BIG and rng.random() < 0.75:
                patterns = tuple(p for p in patterns if "{borough}" not in p) or patterns
            place = BOROUGH if rng.random() < (0.4 if band in BIG else 0.05) else stem
            name = str(rng.choice(patterns)).format(place=place, borough=BOROUGH, saint=rng.choice(SAINTS))
            if kind == "CIC":
                name += " CIC"
            if name not in taken:
                break
        else:
            name = f"{name} ({len(out) + 1})"
        taken.add(name)
        out.append(name)
    return out


def _location_quality(rng: np.random.Generator, kinds: list[str], bands: list[str]) -> list[str]:
    """Exactly 10% 'area only' and 15% 'contact address', mostly small groups without premises."""
    n = len(kinds)
    area_w = np.array(
        [
            {"micro": 1.5, "unknown": 1.5, "small": 0.7, "medium": 0.1}.get(b, 0.0)
            * (3.0 if k == "community group" else 0.2 if k == "faith group" else 1.0)
            for k, b in zip(kinds, bands, strict=True)
        ]
    )
    quality = np.full(n, s.LOCATION_SITE, dtype=object)
    area = rng.choice(n, size=round(SHARE_AREA_ONLY * n), replace=False, p=area_w / area_w.sum())
    quality[area] = s.LOCATION_AREA_ONLY
    contact_w = np.array(
        [
            {"micro": 2.0, "unknown": 2.0, "small": 2.0, "medium": 0.8}.get(b, 0.0)
            * (0.2 if k == "faith group" else 1)
            for k, b in zip(kinds, bands, strict=True)
        ]
    )
    contact_w[area] = 0
    contact = rng.choice(n, size=round(SHARE_CONTACT * n), replace=False, p=contact_w / contact_w.sum())
    quality[contact] = s.LOCATION_CONTACT
    return [str(q) for q in quality]


def _postcode(rng: np.random.Generator, district: int) -> str:
    letters = rng.choice(list(POSTCODE_LETTERS), size=2)
    return f"DM{district} {rng.integers(1, 10)}{letters[0]}{letters[1]}"


def ward_districts(centroids: np.ndarray, town: tuple[float, float], centre: int) -> list[int]:
    """Postcode district numbers: 1 for the town centre, then pairs of wards clockwise from north."""
    angle = np.mod(np.arctan2(centroids[:, 0] - town[0], centroids[:, 1] - town[1]), 2 * np.pi)
    order = [int(i) for i in np.argsort(angle) if i != centre]
    districts = [1] * len(centroids)
    for k, i in enumerate(order):
        districts[i] = 2 + k // 2
    return districts


def nearest_wards(wards: WardContext, point: tuple[float, float], home: int, k: int) -> list[str]:
    """Codes of ``k`` wards near a point, starting with the home ward."""
    d = np.hypot(wards.centroids[:, 0] - point[0], wards.centroids[:, 1] - point[1])
    order = [home] + [int(i) for i in np.argsort(d) if i != home]
    return [wards.codes[i] for i in order[:k]]


def located_xy(geom: Point | None, wards: WardContext, home: int) -> tuple[float, float]:
    """The organisation's point, or its home ward's centroid when it has none."""
    if geom is None or shapely.is_empty(geom):
        return float(wards.centroids[home, 0]), float(wards.centroids[home, 1])
    return float(geom.x), float(geom.y)
