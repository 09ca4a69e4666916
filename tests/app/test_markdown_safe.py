"""Every string from a data file is shown as text: no page turns a name into Markdown.

A pack whose pack, ward, local-authority, organisation, asset, indicator and source names, source
link, description and build notes are Markdown images, HTML, links and LaTeX is opened on every
page. Every Markdown-reading element (markdown, captions, headings, alerts, metric and widget
labels, expander and tab labels, ``st.table`` cells) must hold none of them as live syntax, and the
escaped form of each name must be there (so the test fails if a name is simply not shown).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import Point
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import element_tree as et

from sector_map.pack import schema as s
from sector_map.pack.io import Pack, save_pack
from tests.conftest import open_all_expanders
from ui.text import md

FOLDER = "mdhostile"


def image(tag: str) -> str:
    """A Markdown image that would fetch ``https://example.invalid/<tag>.png`` if rendered."""
    return f"![{tag}](https://example.invalid/{tag}.png)"


PACK_NAME = image("pack") + " $x^$"
WARD = image("ward")
WARD_HTML = "<img src=x onerror=alert(1)>"
WARD_LINK = "[click](javascript:alert(1))"
LA = image("la")
ORG = image("org")
ASSET = image("asset")
ASSET_KIND = "<img src=https://example.invalid/kind.png>"
SOURCE = image("source")
INDICATOR = image("indicator")
NOTE = image("note")
DESCRIPTION = image("description") + "\n\n# not a heading"


def make_markdown_pack(base: Pack) -> tuple[Pack, str, str]:
    """``base`` with Markdown/HTML/LaTeX in every name a page shows.

    Returns ``(pack, ward code of the hostile ward, org_id of the hostile organisation)``: the ward
    holds the first asset, and the organisation is placed in it.
    """
    wards = base.wards.copy()
    assets = base.assets.copy()
    point = assets.geometry.iloc[0]
    target = wards.index[wards.geometry.contains(point)][0]
    names = wards[s.WARD_NAME].astype(object).copy()
    names[target] = WARD
    others = [i for i in wards.index if i != target]
    names[others[0]] = WARD_HTML
    names[others[1]] = WARD_LINK
    wards[s.WARD_NAME] = names
    wards[s.LA_NAME] = LA
    ward_code = str(wards.at[target, s.WARD_CODE])

    orgs = base.organisations.copy()
    org_names = orgs[s.ORG_NAME].astype(object).copy()
    first = orgs.index[0]
    org_names[first] = ORG
    orgs[s.ORG_NAME] = org_names
    geoms = orgs.geometry.copy()
    geoms[first] = Point(point.x + 1e-5, point.y + 1e-5)
    orgs = orgs.set_geometry(geoms)
    org_id = str(orgs.at[first, s.ORG_ID])

    asset_names = assets[s.ASSET_NAME].astype(object).copy()
    asset_names.iloc[0] = ASSET
    assets[s.ASSET_NAME] = asset_names
    kinds = assets[s.ASSET_KIND].astype(object).copy()
    kinds.iloc[0] = ASSET_KIND
    assets[s.ASSET_KIND] = kinds

    meta = dict(base.indicator_meta)
    first_id = next(iter(meta))
    m = meta[first_id]
    meta[first_id] = type(m)(
        m.id, INDICATOR, m.unit, m.higher_is, m.source, m.year, m.themes, domain=m.domain
    )

    sources = [dict(x) for x in base.sources]
    sources[0] = dict(sources[0], title=SOURCE, url="javascript:alert(1)", attribution=WARD_LINK)
    manifest = dict(
        base.manifest,
        name=PACK_NAME,
        description=DESCRIPTION,
        sources=sources,
        build_notes=[NOTE],
    )
    pack = Pack(manifest, wards, base.indicators, meta, orgs, base.services, assets)
    return pack, ward_code, org_id


# --- reading what the app drew ----------------------------------------------------------------
def markdown_texts(at: AppTest) -> list[str]:
    """The source text of every element Streamlit renders as Markdown."""
    out: list[str] = []

    def cells(frame: pd.DataFrame) -> None:
        out.extend(
            str(v) for v in [*frame.columns, *frame.index, *frame.to_numpy().ravel()] if isinstance(v, str)
        )

    def walk(node) -> None:
        if isinstance(node, (et.Markdown, et.HeadingBase, et.AlertBase, et.Toast)):
            out.append(str(node.value))
        elif isinstance(node, et.Metric):
            out.extend([node.label, str(node.value)])
        elif isinstance(node, et.Table):
            cells(node.value)
        elif isinstance(node, et.Widget):
            out.append(node.label or "")
        label = getattr(getattr(node, "proto", None), "label", None)
        if isinstance(node, et.Block) and isinstance(label, str):
            out.append(label)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


CODE_SPAN = re.compile(r"(?<![`\\])(`+)(?!`)(.+?)(?<!`)\1(?!`)")
UNESCAPED_LINK = re.compile(r"(?<!\\)\[[^\]\n]*(?<!\\)\]\((?!<https?://)")
UNESCAPED_HTML = re.compile(r"(?<!\\)<\s*(img|a|script|iframe)\b", re.I)
UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")


def live_syntax(text: str) -> list[str]:
    """What in ``text`` Streamlit would render as an image, a non-web link, HTML, math or a URL."""
    found = []
    text = CODE_SPAN.sub("", text)  # code spans show their content as typed
    if "![" in text:
        found.append("image")
    if UNESCAPED_LINK.search(text):
        found.append("link")
    if UNESCAPED_HTML.search(text):
        found.append("html")
    if UNESCAPED_DOLLAR.search(text):
        found.append("math")
    if "https://example.invalid" in text:  # GFM would make a bare web address a link
        found.append("address")
    return found


def test_live_syntax_catches_what_it_should():
    for raw in (WARD, WARD_HTML, WARD_LINK, PACK_NAME, "see https://example.invalid/x"):
        assert live_syntax(raw), raw
    for raw in (WARD, WARD_HTML, WARD_LINK, PACK_NAME, ASSET_KIND, DESCRIPTION):
        assert live_syntax(md(raw)) == [], (raw, md(raw))
    assert live_syntax("[GOV.UK](<https://www.gov.uk>)") == []


# --- the pages --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from sector_map.demo.make import build_demo_pack

    root = tmp_path_factory.mktemp("packs")
    pack, ward, org = make_markdown_pack(build_demo_pack())
    save_pack(pack, root / FOLDER)
    return root, ward, org


@pytest.fixture
def open_page(hostile, open_app):
    root, ward, org = hostile

    def run(page: str | None, **params: str) -> list[str]:
        # The first run (a link's notices show once), then again with every lazy expander open,
        # so all the page's text is checked.
        at = open_app(page, packs=root, pack=FOLDER, **params)
        first = markdown_texts(at)
        return first + markdown_texts(open_all_expanders(at))

    return run, ward, org


def _check(texts: list[str], *expected: str) -> None:
    bad = {t: live_syntax(t) for t in texts if live_syntax(t)}
    assert bad == {}
    joined = "\n".join(texts)
    for raw in expected:
        assert md(raw) in joined, f"{raw!r} is not shown (escaped) on the page"


def test_need_map(open_page):
    run, ward, _ = open_page
    _check(run(None, ward=ward), PACK_NAME, WARD, INDICATOR)


def test_need_map_indicator_view(open_page):
    run, ward, _ = open_page
    from sector_map.demo.make import build_demo_pack

    first = next(iter(build_demo_pack().indicator_meta))
    _check(run(None, ward=ward, view="indicator", indicator=first), PACK_NAME, WARD, INDICATOR)


def test_gaps(open_page):
    run, ward, _ = open_page
    _check(run("app_pages/gaps.py", ward=ward), PACK_NAME, WARD)


def test_where_we_fit(open_page):
    run, ward, org = open_page
    _check(run("app_pages/fit.py", org=org, ward=ward), PACK_NAME, ORG)


def test_ward_profile(open_page):
    run, ward, _ = open_page
    _check(run("app_pages/ward.py", ward=ward), PACK_NAME, WARD, LA, ORG, ASSET, ASSET_KIND, SOURCE)


def test_data_page(open_page):
    run, _, _ = open_page
    _check(run("app_pages/data.py"), PACK_NAME, NOTE)


def test_about_page(open_page):
    run, _, _ = open_page
    texts = run("app_pages/about.py")
    _check(texts, PACK_NAME, DESCRIPTION.split("\n")[0], "# not a heading", SOURCE, INDICATOR, WARD_LINK)
    # The source's javascript: link is shown as text, never made a link.
    assert not any(re.search(r"(?<!\\)\]\(<?javascript", t) for t in texts)
    assert any(md(WARD_LINK) in t for t in texts)  # the attribution, as text


def test_links_from_a_shared_url_are_shown_as_text(open_page):
    run, _, _ = open_page
    texts = run(None, theme="![u](https://example.invalid/u.png)", k="`x`![v](https://example.invalid/v.png)")
    _check(texts)
    assert any("![u](https://example.invalid/u.png)" in t and t.count("`") >= 2 for t in texts)


# --- the convention, in the code ----------------------------------------------------------------
MARKDOWN_CALLS = {
    "markdown", "caption", "title", "header", "subheader", "success", "info", "warning", "error",
    "write", "toast", "metric", "expander", "spinner", "button", "download_button", "tabs",
}  # fmt: skip
SAFE_WRAPPERS = {"md", "md_code", "md_link", "html_text"}
SHOWN_KEYWORDS = {"label", "body", "help", "value", "text", "delta"}
# Names and attributes that, in these files, hold text from a pack or an uploaded file.
RISKY_NAMES = {"exc", "name", "note", "query", "raw", "alt", "message"}
RISKY_ATTRS = {"name", "label", "message", "summary", "title", "file", "description", "status"}


def _is_missing(node) -> bool:
    import ast

    return isinstance(node, ast.Name) and node.id == "missing"


def _names_from_missing(tree) -> set[str]:
    """Variables a file fills from sector_map.views.missing (its messages quote the pack's name)."""
    import ast

    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.NamedExpr)) and any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and _is_missing(n.func.value)
            for n in ast.walk(node.value)
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _risky(node, extra: frozenset[str] = frozenset()) -> bool:
    import ast

    if isinstance(node, ast.Call):
        func = node.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if called in SAFE_WRAPPERS:
            return False
        if called == "str" and node.args:
            return _risky(node.args[0], extra)
        # e.g. note.message(), result.summary(); sector_map.views.missing's messages quote the pack's name
        return called in RISKY_ATTRS or getattr(func, "value", None) is not None and _is_missing(func.value)
    if isinstance(node, ast.Name):
        return node.id in RISKY_NAMES or node.id in extra
    if isinstance(node, ast.Attribute):
        return node.attr in RISKY_ATTRS
    if isinstance(node, ast.Subscript):
        return _risky(node.value, extra) or (
            isinstance(node.slice, ast.Constant) and "name" in str(node.slice.value)
        )
    return False


def test_data_text_reaches_markdown_calls_only_through_the_helpers():
    """Every page and ui file: pack/ward/organisation names, notes and exception text passed to a
    Markdown-reading call are wrapped in ui.text's helpers, and st.table gets md_table(...)."""
    import ast

    root = Path(__file__).resolve().parents[2]
    problems = []
    for path in [
        root / "app.py",
        *sorted((root / "app_pages").glob("*.py")),
        *sorted((root / "ui").glob("*.py")),
    ]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        extra = frozenset(_names_from_missing(tree))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            where = f"{path.relative_to(root)}:{node.lineno}"
            if node.func.attr == "table":
                arg = node.args[0] if node.args else None
                if not (isinstance(arg, ast.Call) and getattr(arg.func, "id", "") == "md_table"):
                    problems.append(f"{where}: st.table without md_table")
                continue
            if node.func.attr not in MARKDOWN_CALLS:
                continue
            for arg in [*node.args, *(k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS)]:
                parts = (
                    [v.value for v in arg.values if isinstance(v, ast.FormattedValue)]
                    if isinstance(arg, ast.JoinedStr)
                    else [arg]
                )
                problems += [f"{where}: {ast.unparse(p)}" for p in parts if _risky(p, extra)]
    assert problems == [], "\n".join(problems)
