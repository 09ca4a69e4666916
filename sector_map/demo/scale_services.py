"""Services for the national-scale test pack (:mod:`sector_map.demo.scale`): one to three per
organisation, in its themes, with a country's mix of reach.

Most services work from the organisation's site with a reach of a few kilometres; some list the
wards nearest its base; a few cover its whole local authority (listed as that council's wards);
and a handful of major charities cover the whole area. Organisations known only by the area they
work in never get a radius (they have no point to draw it from).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from sector_map.demo.names import CLIENT_GROUPS_BY_THEME, DAYS, SERVICE_NAMES
from sector_map.demo.services import (
    CAPACITY_RANGE,
    N_SERVICES_P,
    RADIUS_RANGE,
    SHARE_WITH_CAPACITY,
    WARD_COUNT_RANGE,
)
from sector_map.pack import schema as s

SOURCE = "sector-map scale fixture (fictional)"
# How services reach people, by size band: P(site + radius, wards near the base, the whole local
# authority, the whole area). Organisations known only by their area never get a radius.
REACH_P = {
    "micro": (0.80, 0.18, 0.02, 0.0),
    "unknown": (0.80, 0.18, 0.02, 0.0),
    "small": (0.72, 0.22, 0.06, 0.0),
    "medium": (0.55, 0.25, 0.20, 0.0),
    "large": (0.40, 0.25, 0.33, 0.02),
    "major": (0.30, 0.20, 0.40, 0.10),
}
AREA_ONLY_REACH_P = (0.0, 0.85, 0.15, 0.0)


def categorical(rng: np.random.Generator, p: np.ndarray) -> np.ndarray:
    """One draw per row of a (rows × choices) weight matrix."""
    cum = np.cumsum(p, axis=1)
    u = rng.random((len(p), 1)) * cum[:, -1:]
    return np.minimum((u >= cum).sum(axis=1), p.shape[1] - 1)


def national_services(
    rng: np.random.Generator, orgs: gpd.GeoDataFrame, home: np.ndarray, wards: gpd.GeoDataFrame
) -> pd.DataFrame:
    """One to three services per organisation in its themes, with a national mix of reach."""
    bands = orgs[s.SIZE_BAND].to_numpy()
    count = categorical(rng, np.array([N_SERVICES_P[b] for b in bands])) + 1
    owner = np.repeat(np.arange(len(orgs)), count)
    nth = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    m = len(owner)
    area_only = (orgs[s.LOCATION_QUALITY].to_numpy() == s.LOCATION_AREA_ONLY)[owner]
    sband = bands[owner]
    reach = categorical(
        rng, np.array([AREA_ONLY_REACH_P if a else REACH_P[b] for a, b in zip(area_only, sband, strict=True)])
    )
    org_themes = orgs[s.THEMES].tolist()
    theme = [org_themes[o][k % len(org_themes[o])] for o, k in zip(owner, nth, strict=True)]
    u = rng.random((m, 6))
    service_themes = []
    for i, (o, t) in enumerate(zip(owner, theme, strict=True)):
        others = [x for x in org_themes[o] if x != t]
        service_themes.append([t, others[int(u[i, 1] * len(others))]] if others and u[i, 0] < 0.3 else [t])

    radius = np.full(m, np.nan)
    is_radius = reach == 0
    r_low = np.array([RADIUS_RANGE[b][0] for b in sband])
    r_high = np.array([RADIUS_RANGE[b][1] for b in sband])
    radius[is_radius] = np.round(r_low + (r_high - r_low) * u[:, 2], 1)[is_radius]

    codes = wards[s.WARD_CODE].to_numpy()
    area_wards: list[list[str]] = [[] for _ in range(m)]
    near = np.flatnonzero(reach == 1)
    if len(near):
        centroids = np.column_stack([wards.geometry.centroid.x, wards.geometry.centroid.y])
        site = orgs.geometry.to_numpy()[owner[near]]
        has_point = ~shapely.is_missing(site)
        xy = centroids[home[owner[near]]].copy()
        xy[has_point] = shapely.get_coordinates(site[has_point])
        k_low = np.array([WARD_COUNT_RANGE[b][0] for b in sband[near]])
        k_high = np.array([WARD_COUNT_RANGE[b][1] for b in sband[near]])
        k = k_low + (u[near, 3] * (k_high - k_low + 1)).astype(int)
        _, nearest = cKDTree(centroids).query(xy, k=max(WARD_COUNT_RANGE["large"]) + 1)
        for j, i in enumerate(near.tolist()):
            h = home[owner[i]]
            area_wards[i] = [
                codes[w] for w in [h, *(x for x in nearest[j] if x != h and x < len(codes))][: k[j]]
            ]
    la_wards = wards.groupby(s.LA_CODE, sort=False)[s.WARD_CODE].agg(list).to_dict()
    la_of = wards[s.LA_CODE].to_numpy()
    for i in np.flatnonzero(reach == 2).tolist():
        area_wards[i] = list(la_wards[la_of[home[owner[i]]]])

    cap_low = np.array([CAPACITY_RANGE[b][0] for b in sband])
    cap_high = np.array([CAPACITY_RANGE[b][1] for b in sband])
    capacity = np.where(
        u[:, 4] < SHARE_WITH_CAPACITY, np.floor(cap_low + (cap_high - cap_low) * u[:, 5]), np.nan
    )
    pattern_u, day_u, group_u = rng.random((3, m))
    names = []
    for t, pu, du in zip(theme, pattern_u, day_u, strict=True):
        options = SERVICE_NAMES[t]
        name = options[int(pu * len(options))].format(day=DAYS[int(du * len(DAYS))])
        names.append(name[0].upper() + name[1:])
    org_ids = orgs[s.ORG_ID].to_numpy()
    area_types = np.array([s.AREA_RADIUS, s.AREA_WARDS_LIST, s.AREA_WARDS_LIST, s.AREA_WHOLE], dtype=object)
    services = pd.DataFrame(
        {
            s.SERVICE_ID: [f"{org_ids[o]}-S{k + 1}" for o, k in zip(owner, nth, strict=True)],
            s.ORG_ID: org_ids[owner],
            s.SERVICE_NAME: names,
            s.THEMES: service_themes,
            s.CLIENT_GROUPS: [_client_groups(t, g) for t, g in zip(theme, group_u, strict=True)],
            s.CAPACITY: capacity,
            s.AREA_TYPE: area_types[reach].astype(str),
            s.AREA_WARDS: area_wards,
            s.RADIUS_KM: radius,
            s.SOURCE: SOURCE,
        },
        columns=s.SERVICE_COLUMNS,
    )
    return services.astype({s.CAPACITY: "float64", s.RADIUS_KM: "float64"})


def _client_groups(theme: str, u: float) -> list[str]:
    """One of the theme's client groups (60%), or two of them, in the theme's order."""
    groups = CLIENT_GROUPS_BY_THEME[theme]
    if len(groups) == 1 or u < 0.6:
        return [groups[int(u / 0.6 * len(groups)) if u < 0.6 else 0]]
    drop = int((u - 0.6) / 0.4 * len(groups))
    return [g for j, g in enumerate(groups) if j != drop][:2]
