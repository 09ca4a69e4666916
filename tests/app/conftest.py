"""Opening app.py under AppTest, always on packs the fixtures wrote to a temporary folder.

No app test reads ``data/packs/`` from the working tree, so any one of them runs alone on a fresh
clone (``pytest tests/app/test_fit_page.py::test_x``) without ``make demo`` first.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sector_map.pack.io import Pack, load_pack
from tests.conftest import ROOT

APP = str(ROOT / "app.py")

OpenApp = Callable[..., AppTest]


@pytest.fixture(scope="session")
def demo(demo_pack_dir) -> Pack:
    """The demo pack the app tests open (read-only: it is shared by every test of the run)."""
    return load_pack(demo_pack_dir)


@pytest.fixture
def app_packs(demo_pack_dir) -> Path:
    """The folder of packs ``open_app`` points the app at: the demo pack alone, written once per run.

    A test module overrides this fixture to give the app packs of its own (a writable copy, say).
    """
    return demo_pack_dir.parent


@pytest.fixture
def directory_url(tmp_path) -> str:
    """The directory database the app opens in this test: a fresh SQLite file of its own.

    Never the working tree's ``data/directory.sqlite``. A test module overrides this fixture to
    open another one (a PostgreSQL database, say).
    """
    return f"sqlite:///{tmp_path / 'directory.sqlite'}"


@pytest.fixture
def open_app(app_packs, directory_url, monkeypatch) -> OpenApp:
    """``open_app(page=None, *, packs=None, pack="demo", timeout=120, check=True, **query_params)``.

    Runs app.py on the packs in ``packs`` (default: ``app_packs``) with ``?pack=`` and the other query
    parameters, switches to ``page`` (e.g. ``"app_pages/fit.py"``) if given and, with ``check``,
    asserts that nothing raised. ``pack=None`` leaves ``?pack=`` out.
    """
    from ui import paths

    def point_app_at(root: Path) -> None:
        # ui.paths reads SECTOR_MAP_PACKS_DIR once, at import, and an earlier test (or this
        # conftest) has imported it by now: so the module's attributes are what must change.
        monkeypatch.setenv("SECTOR_MAP_PACKS_DIR", str(root))
        monkeypatch.setattr(paths, "PACKS_DIR", root)
        monkeypatch.setattr(paths, "DEMO_PACK", root / "demo")

    def open_(
        page: str | None = None,
        *,
        packs: Path | None = None,
        pack: str | None = "demo",
        timeout: int = 120,
        check: bool = True,
        **params: str,
    ) -> AppTest:
        point_app_at(packs or app_packs)
        monkeypatch.setenv("SECTOR_MAP_DATABASE_URL", directory_url)
        at = AppTest.from_file(APP, default_timeout=timeout)
        at.query_params.update({**({"pack": pack} if pack is not None else {}), **params})
        at.run()
        if page:
            at.switch_page(page).run()
        if check:
            assert not at.exception, [e.message for e in at.exception]
        return at

    return open_
