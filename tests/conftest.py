"""Shared fixtures: a tiny hand-built pack, and the real open data in ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from sector_map.pack import schema as s
from sector_map.pack.io import Pack

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The real data folder; skipped on a user's clone without it, never in CI."""
    return shared_data_or_skip()


def make_tiny_pack() -> Pack:
    """Four square wards in a row, two indicators, three organisations, two services, one asset."""
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
        geometry=[Point(x0 + 0.005, y0 + 0.005), Point(x0 + 0.015, y0 + 0.005), None],
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


@pytest.fixture
def tiny_pack() -> Pack:
    return make_tiny_pack()


def shared_data_or_skip() -> Path:
    """Like the ``shared_data`` fixture, for session-scoped fixtures."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("SECTOR_MAP_REQUIRE_SHARED_DATA"):
            pytest.fail(f"{SHARED_DATA} is missing but CI requires the real-data tests to run")
        pytest.skip(f"real open data not found at {SHARED_DATA} (only present beside the repo in CI)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def trafford_pack_dir(tmp_path_factory) -> Path:
    """The Trafford pack built once per test run from recipes/trafford.toml and ../shared/data."""
    shared_data_or_skip()
    from sector_map.build.builder import build_pack

    root = tmp_path_factory.mktemp("trafford-packs")
    build_pack(ROOT / "recipes" / "trafford.toml", root / "trafford")
    return root / "trafford"


@pytest.fixture(scope="session")
def demo_pack_dir(tmp_path_factory) -> Path:
    """The fictional demo pack written once per test run."""
    from sector_map.demo.make import write_demo_pack

    return write_demo_pack(tmp_path_factory.mktemp("demo") / "demo")
