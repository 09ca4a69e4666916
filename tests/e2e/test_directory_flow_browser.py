"""Issue 13's first "Done when", in Chromium on the real Trafford pack (current wards, IoD2025).

An editor signs in on Our listing and claims a real Trafford charity (Trafford Christian Life
Centre, Partington); an officer signs in on Review and approves the claim; the editor adds an
older people's service delivered at two sites, one in Partington (in Bucklow-St Martins) and one in
Old Trafford; the officer sees the diff and approves it; the Gaps page for older people then
classes Bucklow-St Martins (it was "provision not known": every published older people's service
serves the whole area) and its reason names the new service with its provenance; with the live
directory switched off the reason is as it was.

Why two sites: a class needs at least two located services of the theme (decision 0004); one site
would change only the reason. Only the two accounts are made through the store; everything else
is done in the browser. Screenshots: tests/e2e/screenshots/dir-flow-*.png.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from devtools.appserver import app_process, block_internet
from sector_map.analysis import gaps
from sector_map.pack import schema as s
from tests.conftest import ROOT, shared_data_or_skip
from tests.e2e.conftest import CHROMIUM, screenshot, settled

EDITOR, OFFICER, PASSWORD = "editor@tclc.example", "officer@trafford.example", "a long test password"
CHARITY, CHARITY_NUMBER = "TRAFFORD CHRISTIAN LIFE CENTRE", "1058810"
BUCKLOW, OLD_TRAFFORD = "E05015244", "Old Trafford"
THEME, THEME_LABEL = "older_people", "Older people"
SERVICE = "Partington lunch club for older people (test)"
PARTINGTON, ELSEWHERE, REACH_KM = "M31 4PT", "M15 4AD", 1.5
WAIT_MS = 120_000

pytestmark = [pytest.mark.e2e, pytest.mark.data]


@dataclass(frozen=True)
class FlowApp:
    url: str
    pack: Path


@pytest.fixture(scope="module")
def flow_app(tmp_path_factory) -> Iterator[FlowApp]:
    shared_data_or_skip()
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's `chromium` (CI does)")
    from sector_map.build.builder import build_pack
    from sector_map.directory import db
    from sector_map.directory.store import Store

    root = tmp_path_factory.mktemp("dir-flow")
    build_pack(ROOT / "recipes" / "trafford.toml", root / "packs" / "trafford")
    database_url = f"sqlite:///{root / 'directory.sqlite'}"
    store = Store.open(database_url)
    db.init(store.engine)
    store.create_user(EDITOR, "editor", password=PASSWORD)
    store.create_user(OFFICER, "officer", password=PASSWORD)
    store.engine.dispose()
    with app_process(root / "packs", root / "streamlit.log", database_url=database_url) as app:
        yield FlowApp(app.url, root / "packs" / "trafford")


def _ward_of(pack_dir: Path, postcode: str) -> str:
    """The code and name ("CODE Name") of the pack's ward that holds a postcode's centroid (from the pack's own tables)."""
    from sector_map.pack.io import load_pack

    pack = load_pack(pack_dir)
    row = pack.postcodes[pack.postcodes[s.POSTCODE] == postcode]
    assert len(row) == 1, f"{postcode} is not in the pack's postcode table"
    point = gpd.points_from_xy(row[s.LON], row[s.LAT], crs=s.PACK_CRS)[0]
    inside = pack.wards[pack.wards.contains(point)]
    assert len(inside) == 1, f"{postcode} lies in {len(inside)} wards"
    return f"{inside[s.WARD_CODE].iloc[0]} {inside[s.WARD_NAME].iloc[0]}"


def _new_page(browser, height: int = 1400):
    """A page of its own browser context (its own session), every non-localhost request blocked.
    The app's main pane scrolls inside the page: a tall window shows a long page whole."""
    context = browser.new_context(viewport={"width": 1400, "height": height})
    page = context.new_page()
    page.blocked = []
    block_internet(context, page.blocked)
    return context, page


def _sign_in(page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="E-mail").fill(email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_text(f"Signed in as {email}").first.wait_for(timeout=WAIT_MS)
    settled(page, WAIT_MS)


def _type(page, label: str, text: str, nth: int = 0) -> None:
    """Fill a text input and press Enter, so the app has the value before the next click."""
    box = page.get_by_role("textbox", name=label).nth(nth)
    box.fill(text)
    box.press("Enter")
    settled(page, WAIT_MS)


def _open_page(page, name: str) -> None:
    """Go to another page of the app through the sidebar (the same session: still signed in)."""
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=name).click()
    settled(page, WAIT_MS)


def _bucklow(page, url: str | None, shot: str) -> dict[str, str]:
    """Bucklow-St Martins' row of the Gaps page's priority list (its Download CSV: tables are canvases),
    after opening ``url`` (None: the page as it is)."""
    if url is not None:
        page.goto(url)
    page.get_by_role("button", name="Download CSV").wait_for(timeout=WAIT_MS)
    settled(page, WAIT_MS)
    main = page.locator("[data-testid='stMain']")
    main.get_by_role("heading", name="Bucklow-St Martins").wait_for(timeout=WAIT_MS)  # ?ward= shown
    screenshot(page, shot)
    with page.expect_download(timeout=WAIT_MS) as info:
        page.get_by_role("button", name="Download CSV").click()
    table = pd.read_csv(io.BytesIO(info.value.path().read_bytes()), encoding="utf-8-sig", dtype=str)
    row = table.set_index(s.WARD_CODE).loc[BUCKLOW]
    main.get_by_text(row[s.GAP_CLASS].capitalize()).first.wait_for()  # the class beside the ward's name
    return {"class": row[s.GAP_CLASS], "reason": row[s.REASON]}


def test_an_approved_listing_in_partington_changes_the_gaps_of_bucklow_st_martins(flow_app, browser):
    assert _ward_of(flow_app.pack, PARTINGTON) == f"{BUCKLOW} Bucklow-St Martins"
    assert _ward_of(flow_app.pack, ELSEWHERE).endswith(OLD_TRAFFORD)
    gaps_url = f"{flow_app.url}/gaps?pack=trafford&themes={THEME}&ward={BUCKLOW}"
    public_context, public = _new_page(browser, height=2600)
    editor_context, editor = _new_page(browser, height=2200)
    officer_context, officer = _new_page(browser)
    try:
        # 1. Before: no listing yet, so every published older people's service serves the whole area.
        before = _bucklow(public, gaps_url, "dir-flow-01-gaps-before")
        assert before["class"] == gaps.PROVISION_UNKNOWN
        assert SERVICE not in before["reason"]

        # 2. The editor claims the charity, found by its charity number, saying how they are connected.
        _sign_in(editor, f"{flow_app.url}/listing?pack=trafford", EDITOR)
        _type(editor, "Organisation name, charity number or postcode", CHARITY_NUMBER)
        editor.get_by_text(f"{CHARITY} · charity {CHARITY_NUMBER} · {PARTINGTON}").wait_for(timeout=WAIT_MS)
        _type(editor, "Your relationship to it (e.g. trustee, manager, volunteer coordinator)", "trustee")
        screenshot(editor, "dir-flow-02-claim-form")
        editor.get_by_role("button", name="Claim this organisation").click()
        editor.get_by_text("waits for an officer to review it").wait_for(timeout=WAIT_MS)
        settled(editor, WAIT_MS)
        screenshot(editor, "dir-flow-03-claim-sent")

        # 3. The officer approves the claim.
        _sign_in(officer, f"{flow_app.url}/review?pack=trafford", OFFICER)
        officer.get_by_role("tab", name="Claims (1)").click()
        claims = officer.get_by_role("tabpanel", name="Claims (1)")
        claims.get_by_role("gridcell", name=EDITOR, include_hidden=True).wait_for(
            state="attached", timeout=WAIT_MS
        )
        screenshot(officer, "dir-flow-04-claim-to-review")
        claims.get_by_role("button", name="Approve").click()
        officer.get_by_text("Claim 1 approved.").wait_for(timeout=WAIT_MS)
        settled(officer, WAIT_MS)
        screenshot(officer, "dir-flow-05-claim-approved")

        # 4. The editor, now linked to the charity, adds a service at two sites.
        _open_page(editor, "Our listing")
        editor.get_by_text(f"Your organisation: {CHARITY}").wait_for(timeout=WAIT_MS)
        editor.get_by_role("button", name="Add a service").click()
        editor.get_by_role("heading", name="Add a service").wait_for(timeout=WAIT_MS)
        settled(editor, WAIT_MS)
        _type(editor, "Name of the service", SERVICE)
        themes = editor.locator("[data-testid='stMultiSelect']").filter(has_text="Themes")
        themes.locator("input").click()
        editor.get_by_role("option", name=THEME_LABEL, exact=True).click()
        themes.locator("input").press("Escape")  # close the list of themes
        settled(editor, WAIT_MS)
        chosen = themes.inner_text()  # one theme only (the list also offers "Select all")
        assert [t.label for t in s.THEMES_LIST if t.label in chosen] == [THEME_LABEL], chosen
        for _ in range(2):
            editor.get_by_role("button", name="Add a site").click()
            settled(editor, WAIT_MS)
        for i, place in enumerate((PARTINGTON, ELSEWHERE)):
            _type(editor, "Postcode or map point", place, nth=i)
            reach = editor.get_by_role("spinbutton", name="Reach (km)").nth(i)
            reach.fill(str(REACH_KM))
            reach.press("Enter")
            settled(editor, WAIT_MS)
        sites = (
            f"At 2 sites: {PARTINGTON} (reaching {REACH_KM:g} km) and {ELSEWHERE} (reaching {REACH_KM:g} km)"
        )
        editor.get_by_text(sites).wait_for(timeout=WAIT_MS)  # the form's own reading of the sites
        screenshot(editor, "dir-flow-06-service-form")
        editor.get_by_role("button", name="Send for review").click()
        editor.get_by_text("Sent for review as revision").wait_for(timeout=WAIT_MS)
        settled(editor, WAIT_MS)
        editor.get_by_text(SERVICE).first.wait_for()  # under "Your changes", waiting for review
        screenshot(editor, "dir-flow-07-service-sent")

        # 5. The officer sees what the change proposes and approves it.
        _open_page(officer, "Review")
        changes = officer.get_by_role("tabpanel", name="Changes (1)")
        changes.get_by_role("heading", name=f": {SERVICE}").wait_for(timeout=WAIT_MS)
        settled(officer, WAIT_MS)
        proposed = changes.locator("[role='gridcell'][aria-colindex='3']")  # the table's After column
        proposed.filter(has_text=SERVICE).wait_for(state="attached", timeout=WAIT_MS)
        after_values = proposed.all_inner_texts()
        assert SERVICE in after_values  # the name it proposes
        delivery = " ".join(after_values)
        assert PARTINGTON in delivery and ELSEWHERE in delivery, after_values  # its two sites
        screenshot(officer, "dir-flow-08-diff")
        changes.get_by_role("button", name="Approve").click()
        officer.get_by_text("Approved revision").first.wait_for(timeout=WAIT_MS)
        settled(officer, WAIT_MS)
        screenshot(officer, "dir-flow-09-change-approved")

        # 6. After: Bucklow-St Martins is classed, and its reason names the new service.
        after = _bucklow(public, gaps_url, "dir-flow-10-gaps-after")
        assert after["class"] != before["class"] and after["class"] in gaps.CLASS_ORDER
        assert SERVICE in after["reason"]
        assert "described by the organisation, reviewed" in after["reason"]
        shown = public.locator("[data-testid='stMain']").get_by_text(SERVICE, exact=False)
        shown.first.wait_for()  # the reason beside the ward's name, on screen

        # 7. The live directory switched off in the sidebar: the published records alone, as before.
        sidebar = public.locator("[data-testid='stSidebar']")
        sidebar.get_by_text("Include the live directory").click()
        sidebar.get_by_text("Live directory off").wait_for(timeout=WAIT_MS)
        off = _bucklow(public, None, "dir-flow-11-gaps-directory-off")
        assert "directory=0" in public.url  # the switch is in the link too
        assert off == before
        for pg in (public, editor, officer):
            assert pg.locator("[data-testid='stException']").count() == 0
            # the basemap's tiles may be missing offline; the app's own scripts and styles never are
            assert not [u for u in pg.blocked if u.endswith((".js", ".css"))]
    except Exception:
        for name, pg in (("public", public), ("editor", editor), ("officer", officer)):
            screenshot(pg, f"dir-flow-failed-{name}")  # where each page was when the test failed
        raise
    finally:
        for context in (public_context, editor_context, officer_context):
            context.close()
