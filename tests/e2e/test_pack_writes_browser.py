"""Pack writes in a real browser: the upload that used to wipe themes, and two sessions adding at once.

Runs its own app on a packs folder of its own (copies of the Trafford pack when ../shared/data is
there, else a non-demo copy of the demo), so the packs other browser tests read are never changed.
Everything is checked on the pack files on disk afterwards.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from devtools.appserver import app_server, block_internet
from sector_map.pack import schema as s
from sector_map.pack.io import load_pack, save_pack
from sector_map.upload import template_path
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e
WAIT = 120_000


@pytest.fixture(scope="module")
def writes_root(packs_dir, tmp_path_factory) -> Path:
    """Two writable, non-demo packs: ``one`` for the template upload, ``two`` for the two sessions."""
    root = tmp_path_factory.mktemp("write-packs")
    shutil.copytree(packs_dir / "demo", root / "demo")
    for name in ("one", "two"):
        if (packs_dir / "trafford").is_dir():
            shutil.copytree(packs_dir / "trafford", root / name)
        else:
            pack = load_pack(packs_dir / "demo")
            pack.manifest = {**pack.manifest, "demo": False, "name": "Marrowby copy"}
            save_pack(pack, root / name)
    return root


@pytest.fixture(scope="module")
def writes_url(writes_root, tmp_path_factory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("write-logs") / "streamlit.log"
    with app_server(writes_root, log) as (url, _):
        yield url


def open_upload(page, url: str, folder: str, file: Path, *, keep_outside: bool) -> None:
    """Open the Data page on a pack, choose a file, tick 'keep outside' if asked, and Check it."""
    page.goto(f"{url}/data?pack={folder}")
    page.get_by_role("heading", name="Data — ").first.wait_for(timeout=WAIT)
    page.get_by_role("tab", name="Add your own data").click()
    page.locator("input[type=file]").set_input_files(str(file))
    page.get_by_text(f"First rows of {file.name}").wait_for(timeout=WAIT)
    if keep_outside:
        page.get_by_text("Keep organisations outside the area").click()
    page.get_by_role("button", name="Check this file").click()
    page.get_by_text("rows accepted").first.wait_for(timeout=WAIT)


def with_themes(orgs) -> int:
    return int(orgs[s.THEMES].map(len).gt(0).sum())


def test_adding_the_template_in_the_browser_keeps_every_theme(page, writes_url, writes_root):
    before = load_pack(writes_root / "one")
    open_upload(page, writes_url, "one", template_path("organisations"), keep_outside=True)
    page.get_by_role("button", name="Add to the current pack").click()
    page.get_by_text(f"Added organisations.csv to {before.name}.").wait_for(timeout=WAIT)
    screenshot(page, "data_page_added_to_current_pack")

    after = load_pack(writes_root / "one")
    added = len(pd.read_csv(template_path("organisations")))  # each row of the template has themes
    assert len(after.organisations) == len(before.organisations) + added
    assert with_themes(after.organisations) == with_themes(before.organisations) + added
    old = after.organisations.set_index(s.ORG_ID).loc[before.organisations[s.ORG_ID]]
    assert old[s.THEMES].tolist() == before.organisations[s.THEMES].tolist()
    svc = after.services.set_index(s.SERVICE_ID).loc[before.services[s.SERVICE_ID]]
    assert svc[s.THEMES].tolist() == before.services[s.THEMES].tolist()
    assert svc[s.CLIENT_GROUPS].tolist() == before.services[s.CLIENT_GROUPS].tolist()


def test_two_sessions_that_check_then_add_both_keep_their_rows(browser, writes_url, writes_root, tmp_path):
    files = {
        "alder.csv": "name,themes\nAlder Street Pantry,poverty_food\nAlder Youth Hub,children_young_people\n",
        "birch.csv": "name,themes\nBirch Carers Circle,disability_carers\n",
    }
    pages = []
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        block_internet(context, [])
        pages.append(context.new_page())
    before = load_pack(writes_root / "two")
    first, second = pages
    open_upload(first, writes_url, "two", tmp_path / "alder.csv", keep_outside=True)
    open_upload(second, writes_url, "two", tmp_path / "birch.csv", keep_outside=True)

    first.get_by_role("button", name="Add to the current pack").click()
    first.get_by_text(f"Added alder.csv to {before.name}.").wait_for(timeout=WAIT)
    second.get_by_role("button", name="Add to the current pack").click()
    second.get_by_text(
        "The pack had changed since you checked; your file was added to the pack as it is now"
    ).wait_for(timeout=WAIT)
    screenshot(second, "data_page_added_after_another_session")
    for p in pages:
        p.context.close()

    after = load_pack(writes_root / "two")
    names = set(after.organisations[s.ORG_NAME])
    assert {"Alder Street Pantry", "Alder Youth Hub", "Birch Carers Circle"} <= names
    assert len(after.organisations) == len(before.organisations) + 3
    assert with_themes(after.organisations) == with_themes(before.organisations) + 3
    assert [src["title"] for src in after.sources][-2:] == ["alder.csv", "birch.csv"]
