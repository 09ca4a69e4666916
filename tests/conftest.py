"""Shared fixtures: the tiny example pack (sector_map.demo.tiny), and the real open data in ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sector_map.demo import tiny
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from tests.postgres import postgres_server  # noqa: F401 - a fixture for every test folder

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
REQUIRE_SHARED_DATA = "SECTOR_MAP_REQUIRE_SHARED_DATA"  # set by CI (.ci/run)
SHARED_DATA_MISSING = (
    f"real open data not found at {SHARED_DATA}: the real-data tests need ../shared/data (CI has it)"
)


@pytest.fixture
def shared_data() -> Path:
    """The real data folder (see :func:`shared_data_or_skip`)."""
    return shared_data_or_skip()


def make_tiny_pack() -> Pack:
    """The package's tiny example pack (:func:`sector_map.demo.tiny.tiny_pack`): four square
    wards in a row, two indicators, three organisations, two services, one asset."""
    return tiny.tiny_pack()


@pytest.fixture
def tiny_pack() -> Pack:
    return make_tiny_pack()


def shared_data_or_skip() -> Path:
    """The one rule for every test that reads ../shared/data (fixture, session fixture or test body).

    Skips, always with :data:`SHARED_DATA_MISSING`, only when the folder is absent and this is not
    CI; when CI asks for the real data (``SECTOR_MAP_REQUIRE_SHARED_DATA`` set) its absence fails.
    """
    if not SHARED_DATA.is_dir():
        if os.environ.get(REQUIRE_SHARED_DATA):
            pytest.fail(
                f"{SHARED_DATA} is missing but {REQUIRE_SHARED_DATA} is set: CI must run the real-data tests"
            )
        pytest.skip(SHARED_DATA_MISSING)
    return SHARED_DATA


@pytest.fixture(scope="session")
def trafford_pack_dir(tmp_path_factory) -> Path:
    """Trafford on its 2004–2023 wards with IoD2019 (recipes/trafford-2019.toml), built once per test
    run from ../shared/data: the build the published 2019 ward figures and the hand-labelled
    charities are checked against."""
    shared_data_or_skip()
    from sector_map.build.builder import build_pack

    root = tmp_path_factory.mktemp("trafford-packs")
    build_pack(ROOT / "recipes" / "trafford-2019.toml", root / "trafford")
    return root / "trafford"


@pytest.fixture(scope="session")
def trafford_current_dir(tmp_path_factory) -> Path:
    """Trafford today: its 21 current wards with IoD2025 (recipes/trafford.toml), built once per test
    run from ../shared/data."""
    shared_data_or_skip()
    from sector_map.build.builder import build_pack

    root = tmp_path_factory.mktemp("trafford-current")
    build_pack(ROOT / "recipes" / "trafford.toml", root / "trafford")
    return root / "trafford"


@pytest.fixture(scope="session")
def demo_pack_dir(tmp_path_factory) -> Path:
    """The fictional demo pack written once per test run."""
    from sector_map.demo.make import write_demo_pack

    return write_demo_pack(tmp_path_factory.mktemp("demo") / "demo")


def open_expanders(at, *keys: str):
    """Open lazy expanders (``ui.widgets.lazy_expander``) by their keys, as clicks on them would,
    and run the page again; returns the AppTest."""
    for key in keys:
        at.session_state[key] = True
    return at.run()


# Every lazy expander's key (what the pages pass to ``ui.widgets.lazy_expander``).
LAZY_EXPANDERS = (
    "nm_table_open",
    "wp_whole_area_open",
    *(f"ex_open|{name}" for name in ("map", "gap map", "chart", "ward map")),
    *(f"w_open|{theme}" for theme in s.THEME_IDS),
)


def open_all_expanders(at):
    """Open every lazy expander the pages draw, so a test sees all their text; returns the AppTest."""
    return open_expanders(at, *LAZY_EXPANDERS)
