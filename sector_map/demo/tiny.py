"""A tiny hand-made pack for examples and tests, as mapclassify's ``load_example()``.

Four square wards in a row, west to east: Alpha, Beta, Gamma, Delta (about 0.7 km wide and
1.1 km tall each, with 8,000 to 11,000 residents), in the fictional *Testshire*. It holds just
enough to run the core loop by hand:

- two indicators, both tagged ``poverty_food``: ``imd_score`` (higher = more need; Delta has no
  value) and ``imd_rank`` (lower = more need);
- three organisations: *Alpha Food Share* at a site in Alpha, *Beta Carers* known by a contact
  address in Beta, and *Nowhere Group* with no location ("area only");
- two services: a food bank reaching 1.5 km around Alpha Food Share, and a carers' drop-in in the
  listed wards Beta and Gamma;
- one vacant building, the *Old Library*, in Gamma.

No postcodes, so demand points are a point inside each ward. The docstring examples of the core
loop (``sector_map.analysis``, ``sector_map.export.tables``) run on this pack.

Example:
    >>> pack = tiny_pack()
    >>> pack.summary()
    {'wards': 4, 'indicators': 2, 'organisations': 3, 'services': 2, 'assets': 1, 'sources': 1}
    >>> from sector_map.pack.validate import validate_pack
    >>> validate_pack(pack)  # it meets the pack contract: no errors, no warnings
    []
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, box

from sector_map.pack import schema as s
from sector_map.pack.io import Pack

__all__ = ["tiny_pack"]


def tiny_pack() -> Pack:
    """A fresh copy of the tiny pack (see the module docstring); nothing is read from disk."""
    x0, y0, d = -2.30, 53.40, 0.01
    codes = ["X05000001", "X05000002", "X05000003", "X05000004"]
    wards = gpd.GeoDataFrame(
        {
            s.WARD_CODE: codes,
            s.WARD_NAME: ["Alpha", "Beta", "Gamma", "Delta"],
            s.LA_CODE: ["X08000001"] * 4,
            s.LA_NAME: ["Testshire"] * 4,
            s.POPULATION: [8000, 9000, 10000, 11000],
        },
        geometry=[box(x0 + i * d, y0, x0 + (i + 1) * d, y0 + d) for i in range(4)],
        crs=s.PACK_CRS,
    )
    indicators = pd.DataFrame(
        {
            s.WARD_CODE: codes * 2,
            s.INDICATOR_ID: ["imd_score"] * 4 + ["imd_rank"] * 4,
            s.VALUE: [10.0, 40.0, 25.0, np.nan, 300.0, 10.0, 120.0, 500.0],
        }
    )
    meta = {
        "imd_score": s.IndicatorMeta(
            "imd_score",
            "IMD score",
            "score",
            s.HIGHER_IS_MORE_NEED,
            "test",
            "2019",
            ["poverty_food", "community_cohesion"],
            domain=s.DOMAIN_IMD,
        ),
        "imd_rank": s.IndicatorMeta(
            "imd_rank",
            "IMD rank",
            "rank (1 = most deprived)",
            s.HIGHER_IS_LESS_NEED,
            "test",
            "2019",
            ["poverty_food"],
            domain=s.DOMAIN_IMD,
        ),
    }
    orgs = gpd.GeoDataFrame(
        {
            s.ORG_ID: ["o1", "o2", "o3"],
            s.ORG_NAME: ["Alpha Food Share", "Beta Carers", "Nowhere Group"],
            s.ORG_KIND: ["registered charity", "community group", "community group"],
            s.CHARITY_NUMBER: ["1000001", None, None],
            s.INCOME: [50_000.0, 4_000.0, np.nan],
            s.SIZE_BAND: ["small", "micro", "unknown"],
            s.POSTCODE: ["DM1 1AA", "DM1 2AB", None],
            s.WEBSITE: [None, None, None],
            s.THEMES: [["poverty_food"], ["disability_carers", "older_people"], ["community_cohesion"]],
            s.LOCATION_QUALITY: [s.LOCATION_SITE, s.LOCATION_CONTACT, s.LOCATION_AREA_ONLY],
            s.SOURCE: ["test"] * 3,
        },
        # types-geopandas takes no None items; None is the organisation with no point
        geometry=[Point(x0 + 0.005, y0 + 0.005), Point(x0 + 0.015, y0 + 0.005), None],  # type: ignore[arg-type]
        crs=s.PACK_CRS,
    )
    services = pd.DataFrame(
        {
            s.SERVICE_ID: ["s1", "s2"],
            s.ORG_ID: ["o1", "o2"],
            s.SERVICE_NAME: ["Food bank", "Carers drop-in"],
            s.THEMES: [["poverty_food"], ["disability_carers"]],
            s.CLIENT_GROUPS: [["people on low incomes"], ["carers"]],
            s.CAPACITY: [40.0, np.nan],
            s.AREA_TYPE: [s.AREA_RADIUS, s.AREA_WARDS_LIST],
            s.AREA_WARDS: [[], ["X05000002", "X05000003"]],
            s.RADIUS_KM: [1.5, np.nan],
            s.SOURCE: ["test", "test"],
        }
    )
    assets = gpd.GeoDataFrame(
        {
            s.ASSET_ID: ["a1"],
            s.ASSET_NAME: ["Old Library"],
            s.ASSET_KIND: ["library"],
            s.ASSET_STATUS: ["vacant"],
        },
        geometry=[Point(x0 + 0.025, y0 + 0.005)],
        crs=s.PACK_CRS,
    )
    manifest = {
        "name": "Testshire",
        "demo": True,
        "sources": [{"title": "Test", "publisher": "Tests", "vintage": "2026", "licence": "none"}],
    }
    return Pack(manifest, wards, indicators, meta, orgs, services, assets)
