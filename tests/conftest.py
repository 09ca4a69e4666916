"""Shared fixtures: the tiny example pack (sector_map.demo.tiny), and the real open data in ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sector_map.demo import tiny
from sector_map.pack.io import Pack

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The real data folder; skipped on a user's clone without it, never in CI."""
    return shared_data_or_skip()


def make_tiny_pack() -> Pack:
    """The package's tiny example pack (:func:`sector_map.demo.tiny.tiny_pack`): four square
    wards in a row, two indicators, three organisations, two services, one asset."""
    return tiny.tiny_pack()


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
