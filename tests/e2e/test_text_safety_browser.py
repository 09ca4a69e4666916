"""Names from data files stay text in a real browser, and downloads hold no live formulas.

A pack whose ward, organisation, asset, source, indicator and pack names are Markdown images
pointing at ``example.invalid`` is opened on every page: no ``<img>`` for that host appears in any
frame, no request is made to it, no link runs ``javascript:``, no LaTeX is drawn, and each name is
shown as typed. A pack whose ward and pack names look like spreadsheet formulas is downloaded from
the Gaps page as XLSX and CSV: openpyxl finds no formula cell and each name reads back after a '.
"""

from __future__ import annotations

import csv
import io

import pytest

from sector_map.pack import schema as s
from tests.app.test_markdown_safe import ASSET, NOTE, ORG, PACK_NAME, SOURCE, WARD, make_markdown_pack
from tests.e2e.conftest import screenshot
from ui.text import shown as as_shown

pytestmark = pytest.mark.e2e

MD_FOLDER = "mdhostile"
FORMULA_FOLDER = "formulas"
FORMULA_PACK = '=HYPERLINK("https://example.invalid/pack","pack")'
FORMULA_WARDS = (
    '=HYPERLINK("https://example.invalid/ward","click")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+2",
    "-2+3+cmd|' /C calc'!A0",
)


@pytest.fixture(scope="module")
def hostile_packs(packs_dir):
    """The Markdown pack and the formula pack, saved beside the others the app serves."""
    from sector_map.demo.make import build_demo_pack
    from sector_map.pack.io import Pack, save_pack

    pack, ward, org = make_markdown_pack(build_demo_pack())
    if not (packs_dir / MD_FOLDER).exists():
        save_pack(pack, packs_dir / MD_FOLDER)
    base = build_demo_pack()
    wards = base.wards.copy()
    names = wards[s.WARD_NAME].astype(object).copy()
    for i, name in enumerate(FORMULA_WARDS):
        names.iloc[i] = name
    wards[s.WARD_NAME] = names
    formulas = Pack(
        dict(base.manifest, name=FORMULA_PACK),
        wards,
        base.indicators,
        base.indicator_meta,
        base.organisations,
        base.services,
        base.assets,
    )
    if not (packs_dir / FORMULA_FOLDER).exists():
        save_pack(formulas, packs_dir / FORMULA_FOLDER)
    return ward, org


def _no_remote_image(page, requests: list[str]) -> None:
    for frame in page.frames:
        assert frame.locator('img[src*="example.invalid"]').count() == 0, frame.url
        assert frame.locator('a[href^="javascript"]').count() == 0, frame.url
        assert frame.locator('a[href*="example.invalid"]').count() == 0, frame.url  # no bare address linked
    assert page.locator(".katex").count() == 0  # "$x^$" in the pack name is not LaTeX
    assert [u for u in requests if "example.invalid" in u] == []
    assert [u for u in page.blocked if "example.invalid" in u] == []


@pytest.mark.parametrize(
    ("path", "title", "anchor", "shown"),
    [
        ("/?ward={ward}", "Need map", "Ward values as a table", WARD),
        ("/gaps?ward={ward}", "Gaps", "Priority list", WARD),
        ("/fit?org={org}", "Where we fit", "Wards where your offer fits", ORG),
        ("/ward?ward={ward}", "Ward profile", "Community buildings and land", ASSET),
        ("/about", "About the data", "Glossary", SOURCE),
        ("/data", "Data", "Warnings and build notes", NOTE),
    ],
)
def test_markdown_image_names_load_nothing(page, app_url, hostile_packs, path, title, anchor, shown):
    ward, org = hostile_packs
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    url = path.format(ward=ward, org=org)
    page.goto(f"{app_url}{url}{'&' if '?' in url else '?'}pack={MD_FOLDER}")
    page.get_by_role("heading", name=f"{title} — ").first.wait_for(timeout=90_000)
    page.get_by_text(anchor).first.wait_for(timeout=90_000)
    if shown == NOTE:  # the Data page: the build note sits in an expander
        page.get_by_text(anchor).first.click()
    page.wait_for_timeout(1500)  # let late elements (tables, map frame) arrive
    _no_remote_image(page, requests)
    # Each name is shown as typed: the title with the pack's name, and the page's hostile name.
    # (ui.text.shown: as typed, with an invisible word joiner that keeps a web address from being a link)
    page.get_by_role("heading", name=f"{title} — {as_shown(PACK_NAME)}").first.wait_for(timeout=10_000)
    page.get_by_text(as_shown(shown)).first.wait_for(timeout=30_000)
    screenshot(page, f"text_safety_{url.strip('/').split('?')[0] or 'need_map'}")


def test_xlsx_and_csv_downloads_hold_no_formulas(page, app_url, hostile_packs, tmp_path):
    from openpyxl import load_workbook

    page.goto(f"{app_url}/gaps?pack={FORMULA_FOLDER}")
    button = page.get_by_role("button", name="Download Excel (XLSX)")
    button.wait_for(timeout=120_000)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    xlsx = tmp_path / "gaps.xlsx"
    info.value.save_as(xlsx)
    book = load_workbook(xlsx)
    cells = [c for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    values = {str(c.value) for c in cells}
    for name in (FORMULA_PACK, *FORMULA_WARDS):
        assert "'" + name in values, name
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(info.value.path().read_bytes().decode("utf-8-sig"), newline="")))
    names = {row[1] for row in rows[1:]}
    assert {"'" + name for name in FORMULA_WARDS} <= names
    assert rows[0][-1] == "need_indicators" and all("(weight " in row[-1] for row in rows[1:])
    assert not any(cell[:1] in "=+-@" and not _number(cell) for row in rows for cell in row)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
