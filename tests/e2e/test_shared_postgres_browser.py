"""A shared deployment: two app servers on different ports, one real PostgreSQL directory.

An officer approves a change through one server; the other server's Directory lists it on its next
run, and the same the other way round. (README: "A shared deployment".)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from devtools.appserver import app_process
from tests.e2e.conftest import CHROMIUM, screenshot
from tests.postgres import drop_database, fresh_database, require_postgres

OFFICER, EDITOR, PASSWORD = "officer@council.example", "editor@group.example", "a long test password"
FIRST, SECOND = "Shared-server lunch club (fictional)", "Shared-server advice line (fictional)"
WAIT_MS = 90_000


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory, postgres_server) -> Iterator[tuple[str, str]]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's `chromium` (CI does)")
    from sector_map.demo.make import build_demo_pack
    from sector_map.directory import db
    from sector_map.directory.store import Store
    from sector_map.pack.io import save_pack

    url = fresh_database(require_postgres(postgres_server))
    root = tmp_path_factory.mktemp("shared")
    save_pack(build_demo_pack(), root / "packs" / "demo")
    store = Store.open(url)
    db.init(store.engine)
    store.create_user(OFFICER, "officer", password=PASSWORD)
    store.create_user(EDITOR, "editor")
    for name in (FIRST, SECOND):
        store.submit(
            {"name": name, "themes": ["older_people"], "delivery": {"mode": "whole_area"}},
            by=OFFICER,
            organisation={"name": f"{name} group"},
        )
    store.engine.dispose()
    try:
        with ExitStack() as servers:
            a, b = (
                servers.enter_context(app_process(root / "packs", root / f"{n}.log", database_url=url))
                for n in ("a", "b")
            )
            assert a.url != b.url
            yield a.url, b.url
    finally:
        drop_database(url)


def _approve_oldest(page, base: str, name: str) -> None:
    page.goto(f"{base}/review?pack=demo")
    page.get_by_role("textbox", name="E-mail").fill(OFFICER)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("heading", name=f": {name}").wait_for(timeout=WAIT_MS)  # the oldest, picked first
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Approved revision").first.wait_for(timeout=WAIT_MS)


def _listed(page, base: str, name: str) -> bool:
    page.goto(f"{base}/directory?pack=demo")
    page.get_by_role("heading", name="Directory").first.wait_for(timeout=WAIT_MS)
    done = page.get_by_text("The directory has no listings yet").or_(page.get_by_text("listings; showing"))
    done.first.wait_for(timeout=WAIT_MS)  # the list has been drawn, whatever it holds
    if page.get_by_text("The directory has no listings yet").count():
        return False
    try:
        page.get_by_text(name).first.wait_for(timeout=15_000)  # its entries follow the count
    except PlaywrightTimeout:
        return False
    return True


def test_two_servers_on_one_postgresql_see_each_others_approvals(two_servers, browser) -> None:
    a, b = two_servers
    with ExitStack() as pages:
        contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(2)]
        for context in contexts:
            pages.callback(context.close)
        on_a, on_b = (context.new_page() for context in contexts)

        assert not _listed(on_b, b, FIRST)  # nothing approved yet
        _approve_oldest(on_a, a, FIRST)
        screenshot(on_a, "shared-approved-on-a")
        listed = _listed(on_b, b, FIRST)
        screenshot(on_b, "shared-listed-on-b")
        assert listed, "server B does not list what was approved through server A"
        screenshot(on_b, "shared-listed-on-b")

        _approve_oldest(on_b, b, SECOND)
        assert _listed(on_a, a, SECOND), "server A does not list what was approved through server B"
        assert _listed(on_a, a, FIRST)
