"""Service offers and community buildings for the fictional demo borough.

Each organisation runs one to three services in its own themes. Small groups mostly serve a
short radius or a couple of wards; large charities mostly serve the whole borough; groups
known only by the area they cover never get a radius (they have no point to draw it from).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sector_map.demo.geo import random_points_in
from sector_map.demo.names import ASSET_PATTERNS, CLIENT_GROUPS_BY_THEME, DAYS, SAINTS, SERVICE_NAMES
from sector_map.demo.orgs import WardContext, located_xy, nearest_wards
from sector_map.pack import schema as s

N_SERVICES_P = {
    "micro": (0.75, 0.25, 0.0),
    "unknown": (0.75, 0.25, 0.0),
    "small": (0.45, 0.4, 0.15),
    "medium": (0.2, 0.45, 0.35),
    "large": (0.1, 0.3, 0.6),
    "major": (0.1, 0.3, 0.6),
}
CAPACITY_RANGE = {
    "micro": (8, 40),
    "unknown": (8, 40),
    "small": (15, 80),
    "medium": (30, 200),
    "large": (80, 500),
    "major": (150, 800),
}
RADIUS_RANGE = {
    "micro": (0.5, 1.5),
    "unknown": (0.5, 1.5),
    "small": (0.8, 2.5),
    "medium": (1.5, 4.0),
    "large": (2.5, 5.0),
    "major": (2.5, 5.0),
}
WARD_COUNT_RANGE = {
    "micro": (1, 2),
    "unknown": (1, 2),
    "small": (1, 3),
    "medium": (2, 5),
    "large": (3, 5),
    "major": (3, 5),
}
# P(radius), P(wards), P(whole area) by size band.
AREA_TYPE_P = {"medium": (0.35, 0.35, 0.3), "large": (0.2, 0.2, 0.6), "major": (0.2, 0.2, 0.6)}
SMALL_AREA_TYPE_P = (0.56, 0.42, 0.02)
AREA_ONLY_TYPE_P = (0.0, 0.85, 0.15)
SHARE_WITH_CAPACITY = 0.6

# (kind, status, how many): 30 buildings and pieces of land.
ASSET_MIX = (
    ("community centre", "in community use", 5),
    ("community centre", "available for community use", 1),
    ("community centre", "under review", 1),
    ("library", "in community use", 4),
    ("former library", "vacant", 1),
    ("former library", "available for community use", 1),
    ("youth centre", "in community use", 2),
    ("youth centre", "vacant", 1),
    ("sports hall", "in community use", 3),
    ("church hall", "in community use", 2),
    ("church hall", "available for community use", 2),
    ("park pavilion", "under review", 1),
    ("park pavilion", "available for community use", 1),
    ("former police station", "vacant", 1),
    ("former school", "under review", 1),
    ("council office", "vacant", 1),
    ("community garden", "in community use", 2),
)
DISUSED = ("vacant", "under review")


def build_services(
    rng: np.random.Generator, orgs: gpd.GeoDataFrame, home: np.ndarray, wards: WardContext
) -> pd.DataFrame:
    """Simulate one to three services per organisation.

    Args:
        rng: random generator for this stage.
        orgs: organisations (geometry in EPSG:27700).
        home: index of each organisation's home ward.
        wards: ward context in metres.

    Returns:
        Services with ``schema.SERVICE_COLUMNS``.
    """
    rows = []
    org: Any  # a row of ``orgs``, whose fields pandas-stubs cannot see
    for org, h in zip(orgs.itertuples(index=False), home, strict=True):
        band = getattr(org, s.SIZE_BAND)
        themes = list(getattr(org, s.THEMES))
        area_only = getattr(org, s.LOCATION_QUALITY) == s.LOCATION_AREA_ONLY
        xy = located_xy(org.geometry, wards, int(h))
        used: set[str] = set()
        for k in range(int(rng.choice(3, p=N_SERVICES_P[band])) + 1):
            theme = themes[k % len(themes)]
            name = _service_name(rng, theme, used)
            service_themes = [theme]
            others = [t for t in themes if t != theme]
            if others and rng.random() < 0.3:
                service_themes.append(str(rng.choice(others)))
            p = AREA_ONLY_TYPE_P if area_only else AREA_TYPE_P.get(band, SMALL_AREA_TYPE_P)
            area_type = s.AREA_TYPES[int(rng.choice(3, p=p))]
            area_wards: list[str] = []
            radius = float("nan")
            if area_type == s.AREA_RADIUS:
                radius = round(float(rng.uniform(*RADIUS_RANGE[band])), 1)
            elif area_type == s.AREA_WARDS_LIST:
                low, high = WARD_COUNT_RANGE[band]
                area_wards = nearest_wards(wards, xy, int(h), int(rng.integers(low, high + 1)))
            capacity = float("nan")
            if rng.random() < SHARE_WITH_CAPACITY:
                capacity = float(rng.integers(*CAPACITY_RANGE[band]))
            rows.append(
                {
                    s.SERVICE_ID: f"{org.org_id}-S{k + 1}",
                    s.ORG_ID: org.org_id,
                    s.SERVICE_NAME: name,
                    s.THEMES: service_themes,
                    s.CLIENT_GROUPS: _client_groups(rng, theme),
                    s.CAPACITY: capacity,
                    s.AREA_TYPE: area_type,
                    s.AREA_WARDS: area_wards,
                    s.RADIUS_KM: radius,
                    s.SOURCE: "demo",
                }
            )
    services = pd.DataFrame(rows, columns=s.SERVICE_COLUMNS)
    return services.astype({s.CAPACITY: "float64", s.RADIUS_KM: "float64"})


def _service_name(rng: np.random.Generator, theme: str, used: set[str]) -> str:
    options = [n for n in SERVICE_NAMES[theme] if n not in used] or list(SERVICE_NAMES[theme])
    pattern = str(rng.choice(options))
    used.add(pattern)
    name = pattern.format(day=rng.choice(DAYS))
    return name[0].upper() + name[1:]


def _client_groups(rng: np.random.Generator, theme: str) -> list[str]:
    groups = CLIENT_GROUPS_BY_THEME[theme]
    k = 1 if len(groups) == 1 or rng.random() < 0.6 else 2
    picked = set(rng.choice(groups, size=k, replace=False))
    return [g for g in groups if g in picked]


def build_assets(rng: np.random.Generator, wards: WardContext) -> gpd.GeoDataFrame:
    """Simulate public buildings and land that could be used by the community.

    Disused buildings lean towards the deprived wards; no two assets share a name.

    Args:
        rng: random generator for this stage.
        wards: ward context in metres.

    Returns:
        Assets with ``schema.ASSET_COLUMNS``, points in EPSG:27700.
    """
    rows = []
    taken: set[str] = set()
    for kind, status, count in ASSET_MIX:
        for _ in range(count):
            weight = wards.population * np.exp((0.6 if status in DISUSED else 0.0) * wards.deprivation)
            for _attempt in range(50):
                w = int(rng.choice(len(weight), p=weight / weight.sum()))
                name = str(rng.choice(ASSET_PATTERNS[kind])).format(
                    place=wards.stems[w], saint=rng.choice(SAINTS)
                )
                if kind == "youth centre" and status == "vacant":
                    name += " (closed)"
                if name not in taken:
                    break
            taken.add(name)
            rows.append(
                {
                    s.ASSET_NAME: name,
                    s.ASSET_KIND: kind,
                    s.ASSET_STATUS: status,
                    s.GEOMETRY: random_points_in(rng, wards.polygons[w], 1)[0],
                }
            )
    order = rng.permutation(len(rows))
    rows = [rows[i] for i in order]
    frame = pd.DataFrame(rows)
    frame.insert(0, s.ASSET_ID, [f"DEMO-ASSET-{i + 1:03d}" for i in range(len(rows))])
    assets = gpd.GeoDataFrame(frame, geometry=s.GEOMETRY, crs=s.METRE_CRS)
    return assets[s.ASSET_COLUMNS]
