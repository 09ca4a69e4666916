"""The real app in headless Chromium, with every non-localhost request blocked."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from devtools.appserver import app_server
from sector_map.pack import schema as s
from sector_map.pack.io import load_pack
from sector_map.views import maps
from tests.e2e.conftest import screenshot
from tests.e2e.hostile import HOSTILE_NAMES

pytestmark = pytest.mark.e2e

WARD_PATHS = "path.leaflet-interactive[fill-opacity='0.85'], path.leaflet-interactive[fill-opacity='0.9']"

# A point well inside some ward polygon, found the way a person would: where the mouse lands on
# the same ward path at the point and a few pixels around it (the demo's wards are SVG paths).
FIND_WARD_POINT = """((selector) => {
  const r = window.sectorMap.getContainer().getBoundingClientRect();
  const isWard = e => e && e.tagName === 'path' && e.matches(selector || "[fill-opacity='0.85'], [fill-opacity='0.9']");
  for (let y = r.top + r.height * 0.3; y < r.bottom - 40; y += 9)
    for (let x = r.left + r.width * 0.3; x < r.right - 40; x += 9) {
      const here = document.elementFromPoint(x, y);
      if (!isWard(here)) continue;
      const same = [[0, 0], [14, 0], [-14, 0], [0, 14], [0, -14]].every(([dx, dy]) =>
        document.elementFromPoint(x + dx, y + dy) === here);
      if (same) {
        const ll = window.sectorMap.containerPointToLatLng([x - r.left, y - r.top]);
        return [x, y, ll.lat, ll.lng];
      }
    }
  return null; })"""

# The same on a map drawn on a canvas (more than 400 wards): the first point, scanning from the
# map's middle, where Leaflet's own hit test finds one ward at it and 3 pixels around; returns
# (x, y, ward code).
FIND_WARD_POINT_CANVAS = """(() => {
  const m = window.sectorMap, r = m.getContainer().getBoundingClientRect();
  const wards = []; m.eachLayer(l => { if (l.wardCode !== undefined) wards.push(l); });
  const at = (x, y) => {
    const ll = m.containerPointToLatLng([x - r.left, y - r.top]);
    const p = m.latLngToLayerPoint(ll);
    return wards.find(l => l.getBounds().contains(ll) && l._containsPoint(p));
  };
  for (let y = r.top + r.height * 0.4; y < r.bottom - 40; y += 4)
    for (let x = r.left + r.width * 0.4; x < r.right - 40; x += 4) {
      const here = at(x, y);
      if (here && [[3, 0], [-3, 0], [0, 3], [0, -3]].every(([dx, dy]) => at(x + dx, y + dy) === here))
        return [x, y, here.wardCode];
    }
  return null; })()"""

# The text of every tooltip on the map, built as Leaflet builds it when one opens (ward tooltips
# are made on hover; organisation markers may be hidden inside clusters). The component gives
# Leaflet elements filled with textContent, so any markup in a name must come back as text.
RENDER_ALL_TOOLTIPS = """(() => {
  const out = [];
  const host = document.createElement('div'); host.id = 'tooltip-probe'; document.body.appendChild(host);
  const visit = l => {
    const tip = l.getTooltip && l.getTooltip();
    if (!tip) return;
    // A tooltip bound to a group of layers (the wards) is made for the layer under the mouse.
    if (l instanceof window.L.FeatureGroup) { l.getLayers().forEach(c => show(tip, c)); return; }
    show(tip, l);
  };
  const show = (tip, l) => {
    let content = tip.getContent();
    if (typeof content === 'function') content = content(l);
    const d = document.createElement('div');
    if (typeof content === 'string') d.innerHTML = content; else d.appendChild(content.cloneNode(true));
    host.appendChild(d);
    out.push(d.innerText);
  };
  window.sectorMap.eachLayer(l => {
    if (window.L.MarkerClusterGroup && l instanceof window.L.MarkerClusterGroup) l.getLayers().forEach(visit);
    else visit(l);
  });
  return out; })()"""

WARD_MAP = ".sm-ward-map[data-wards-drawn]"
MAP_WARD_PATHS = ", ".join(f".sm-ward-map {p}" for p in WARD_PATHS.split(", "))


def ward_map(page, *, timeout: int = 60_000):
    """The ward map component once every ward polygon is drawn; returns its container."""
    page.wait_for_selector(WARD_MAP, state="attached", timeout=timeout)
    return page.locator(WARD_MAP)


def selected_outlines(page) -> int:
    return page.evaluate(
        "Array.from(document.querySelectorAll('.sm-ward-map path')).filter("
        "p => p.getAttribute('stroke-width') === '4').length"
    )


@pytest.fixture(scope="module")
def demo(packs_dir):
    return load_pack(packs_dir / "demo")


def test_need_map_draws_offline_and_click_selects_ward(page, app_url, demo):
    page.goto(f"{app_url}/?pack=demo")
    container = ward_map(page)
    assert container.get_attribute("data-wards-drawn") == str(len(demo.wards))
    assert page.locator(
        f".sm-ward-map {WARD_PATHS.split(', ')[0]}, .sm-ward-map {WARD_PATHS.split(', ')[1]}"
    ).count() == len(demo.wards)
    page.wait_for_selector(".sm-ward-map .sm-cluster", timeout=30_000)
    scripts = page.evaluate("Array.from(document.scripts).map(s => s.src).filter(Boolean)")
    assert any(src.endswith("/app/static/vendor/leaflet/leaflet.js") for src in scripts), scripts
    assert page.evaluate("window.L.version") == "1.9.4"
    page.get_by_text("Fictional demo data").first.wait_for()
    screenshot(page, "need_map")

    container.scroll_into_view_if_needed()
    x, y, lat, lng = page.evaluate(FIND_WARD_POINT, None)
    code = maps.ward_at(demo.wards, lat, lng)
    ward_name = demo.wards.set_index(s.WARD_CODE).loc[code, s.WARD_NAME]
    page.mouse.move(x, y)
    page.locator(".sm-ward-map .leaflet-tooltip", has_text=ward_name).wait_for(timeout=10_000)
    page.mouse.click(x, y)
    page.get_by_role("heading", name=ward_name).wait_for(timeout=30_000)
    assert f"ward={code}" in page.url
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.sm-ward-map path')).some(p => p.getAttribute('stroke-width') === '4')",
        timeout=10_000,
    )
    assert selected_outlines(page) == 1
    screenshot(page, "need_map_ward_selected")
    leaked = [u for u in page.blocked if u.endswith((".js", ".css"))]
    assert leaked == [], f"the map asked the internet for {leaked}"


def test_need_map_fetches_the_geometry_once_and_reruns_without_it(page, app_url, demo):
    """The ward geometry comes from a static file named by its content; a rerun sends no coordinates."""
    files, frames = [], []
    page.on("response", lambda r: files.append(r.url) if "/app/static/maps/" in r.url else None)
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(f)))
    page.goto(f"{app_url}/?pack=demo")
    ward_map(page)
    assert len(files) == 1 and "/app/static/maps/wards-" in files[0]
    frames.clear()
    page.get_by_test_id("stNumberInputStepDown").first.click()  # one class fewer
    page.get_by_text("Quantiles (equal counts), 4 classes.").wait_for(timeout=30_000)
    sent = b"".join(f if isinstance(f, bytes) else f.encode() for f in frames)
    assert b"wards-" in sent and b"cls" in sent  # the map was told the new classes
    x0 = f"{demo.wards.geometry.iloc[0].exterior.coords[0][0]:.5f}".encode()
    assert x0 not in sent  # but not the wards' outlines
    assert len(files) == 1


def test_need_map_shows_no_data_wards_hatched_grey_with_no_data_tooltip(page, app_url, demo):
    """The demo's 'children in poverty' indicator has a ward with no figure."""
    from sector_map.analysis.subject import indicator_subject

    missing = [
        i
        for i in demo.indicator_meta
        if indicator_subject(demo, i, wide=demo.indicator_wide()).values.isna().any()
    ]
    assert missing, "the demo pack should have an indicator with a missing ward"
    page.goto(f"{app_url}/?pack=demo&view=indicator&indicator={missing[0]}")
    ward_map(page)
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.sm-ward-map path')).some("
        "p => p.getAttribute('fill-opacity') === '0.9' && p.getAttribute('stroke-dasharray') === '4 3')",
        timeout=30_000,
    )
    ward_map(page).scroll_into_view_if_needed()
    x, y, _, _ = page.evaluate(FIND_WARD_POINT, "[fill-opacity='0.9'][stroke-dasharray='4 3']")
    page.mouse.move(x, y)
    page.locator(".sm-ward-map .leaflet-tooltip", has_text="no data").wait_for(timeout=10_000)
    page.get_by_text("No data").first.wait_for()
    screenshot(page, "need_map_no_data")


def test_trafford_pack_draws_its_21_wards_with_real_sources(page, app_url, packs_dir):
    from tests.conftest import shared_data_or_skip

    shared_data_or_skip()
    trafford = load_pack(packs_dir / "trafford")
    page.goto(f"{app_url}/?pack=trafford")
    assert ward_map(page).get_attribute("data-wards-drawn") == "21"
    page.wait_for_selector(".sm-ward-map .sm-cluster, .sm-ward-map .leaflet-marker-icon", timeout=30_000)
    page.get_by_role("heading", name="Need map — Trafford").wait_for()
    assert page.get_by_text("Fictional demo data").count() == 0
    screenshot(page, "trafford_need_map")
    code = trafford.wards.loc[trafford.wards[s.WARD_NAME] == "Bucklow-St Martins", s.WARD_CODE].iloc[0]
    page.goto(f"{app_url}/?pack=trafford&ward={code}")
    page.get_by_role("heading", name="Bucklow-St Martins").wait_for(timeout=60_000)
    ward_map(page)
    assert selected_outlines(page) == 1
    screenshot(page, "trafford_ward_selected")
    page.goto(f"{app_url}/about?pack=trafford")
    page.get_by_text("Charity Commission for England and Wales").first.wait_for(timeout=60_000)
    screenshot(page, "trafford_about")
    leaked = [u for u in page.blocked if u.endswith((".js", ".css"))]
    assert leaked == [], f"the map asked the internet for {leaked}"


def test_data_page_checks_an_upload_and_saves_a_new_pack(page, app_url, packs_dir, tmp_path):
    from sector_map.upload import template_path

    page.goto(f"{app_url}/data?pack=demo")
    page.get_by_role("heading", name="Data — Marrowby").wait_for(timeout=60_000)
    # The tables are drawn on canvases; wait until the first tab's four have been drawn.
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=\"stDataFrame\"] canvas').length >= 4", timeout=60_000
    )
    screenshot(page, "data_page")
    page.get_by_role("tab", name="Add your own data").click()
    wrong = tmp_path / "wards.geojson"
    wrong.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(wrong))
    page.get_by_text("goes in as Ward boundaries").first.wait_for(timeout=30_000)
    page.locator("input[type=file]").set_input_files(str(template_path("organisations")))
    page.get_by_text("First rows of organisations.csv").wait_for(timeout=30_000)
    page.get_by_role("button", name="Check this file").click()
    page.get_by_text("rows accepted").first.wait_for(timeout=60_000)
    screenshot(page, "data_page_upload_checked")
    page.get_by_label("Name of the new pack").fill("Marrowby with uploads")
    page.get_by_role("button", name="Save as a new pack").click()
    page.get_by_role("button", name="Switch to the new pack").wait_for(timeout=60_000)
    saved = load_pack(packs_dir / "marrowby-with-uploads")
    template = pd.read_csv(template_path("organisations"))
    assert "Example Befriending Trust (fictional)" in set(saved.organisations[s.ORG_NAME])
    assert len(saved.organisations) == len(load_pack(packs_dir / "demo").organisations) + len(template)
    new = saved.organisations[saved.organisations[s.ORG_NAME].isin(template["name"])]
    assert len(new) == len(template) and (new[s.LOCATION_QUALITY] == s.LOCATION_CONTACT).all()


def test_gaps_page_draws_the_bivariate_map_and_the_scatter(page, app_url, demo):
    code = demo.wards[s.WARD_CODE].iloc[4]
    page.goto(f"{app_url}/gaps?pack=demo&ward={code}")
    assert ward_map(page).get_attribute("data-wards-drawn") == str(len(demo.wards))
    assert page.locator(MAP_WARD_PATHS).count() == len(demo.wards)
    assert selected_outlines(page) == 1
    page.get_by_text("Need against provision").first.wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    name = demo.wards.set_index(s.WARD_CODE).loc[code, s.WARD_NAME]
    page.get_by_role("heading", name=name).wait_for(timeout=30_000)
    page.get_by_role("heading", name="Priority list").scroll_into_view_if_needed()
    screenshot(page, "gaps")
    leaked = [u for u in page.blocked if u.endswith((".js", ".css"))]
    assert leaked == [], f"the page asked the internet for {leaked}"


def test_where_we_fit_ranks_wards_for_a_described_offer(page, app_url, demo):
    page.goto(f"{app_url}/fit?pack=demo")
    page.get_by_role("heading", name="Where we fit — Marrowby").wait_for(timeout=60_000)
    page.get_by_text("Describe an offer").click()
    page.get_by_label("What you offer (themes)").click()
    page.get_by_role("option", name="Poverty, food and money advice").click()
    page.keyboard.press("Escape")
    page.get_by_role("heading", name="Wards where your offer fits").wait_for(timeout=60_000)
    page.get_by_role("heading", name="Possible partners").wait_for(timeout=60_000)
    # The tables are drawn on canvases, so the ranking is read from the page's CSV of them.
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download CSV").click()
    wards = pd.read_csv(
        io.BytesIO(info.value.path().read_bytes()), encoding="utf-8-sig", dtype={"ward_code": str}
    )
    # Every ward once; an offer with no base or reach reaches them all, ranked 1, 2, … by unmet need.
    assert sorted(wards["ward_code"]) == sorted(demo.wards[s.WARD_CODE])
    assert wards["in_reach"].all()
    assert wards["rank"].tolist() == list(range(1, len(demo.wards) + 1))
    assert wards["score"].is_monotonic_decreasing
    assert wards["reason"].str.contains("unmet need for poverty, food and money advice").all()
    # The page's consortium is for the ward the CSV ranks first.
    page.get_by_text(f"Showing {wards['ward_name'].iloc[0]}, the first ward in your list").wait_for(
        timeout=30_000
    )
    screenshot(page, "where_we_fit")


def test_ward_profile_shows_the_shared_ward(page, app_url, demo):
    code = demo.wards[s.WARD_CODE].iloc[6]
    name = demo.wards.set_index(s.WARD_CODE).loc[code, s.WARD_NAME]
    page.goto(f"{app_url}/ward?pack=demo&ward={code}")
    page.get_by_role("heading", name=name).first.wait_for(timeout=60_000)
    page.get_by_text("Gaps by theme").first.wait_for(timeout=60_000)
    page.locator("[data-testid='stImage'] img, [data-testid='stPyplot'] img, img").first.wait_for(
        timeout=60_000
    )
    screenshot(page, "ward_profile")
    page.emulate_media(media="print")
    screenshot(page, "ward_profile_print")


def test_a_shared_link_opens_the_same_view(page, app_url, demo):
    code = demo.wards[s.WARD_CODE].iloc[3]
    name = demo.wards.set_index(s.WARD_CODE).loc[code, s.WARD_NAME]
    page.goto(f"{app_url}/?pack=demo&view=indicator&indicator=imd_rank&classes=equal_interval&ward={code}")
    ward_map(page)
    page.get_by_role("heading", name=name).wait_for(timeout=60_000)
    page.get_by_text("lower rank; rank 1 = most deprived").first.wait_for(timeout=30_000)
    page.get_by_text("Share this view").click()
    link = page.locator("[data-testid='stPopoverBody'] code, [data-testid='stCode'] code").first
    link.wait_for(timeout=30_000)
    text = link.inner_text()
    for part in ("indicator=imd_rank", "classes=equal_interval", f"ward={code}", "pack=demo"):
        assert part in text, text
    screenshot(page, "shared_link")
    page.goto(f"{app_url}/?pack=demo&indicator=nope&ward=E05999999")
    page.get_by_text("Some parts of the link were ignored").wait_for(timeout=60_000)
    assert page.get_by_text("indicator=nope").count() >= 1


def test_export_panel_downloads_a_print_ready_png(page, app_url, tmp_path):
    page.goto(f"{app_url}/?pack=demo")
    ward_map(page)
    page.get_by_text("Export this map for a report").click()
    page.get_by_role("button", name="Make the file").click()
    page.get_by_text("Alt text").first.wait_for(timeout=120_000)
    screenshot(page, "export_panel")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download PNG").click()
    path = tmp_path / "map.png"
    info.value.save_as(path)
    from PIL import Image

    with Image.open(path) as img:
        assert img.format == "PNG"
        assert abs(img.size[0] - 3508) <= 2 and abs(img.size[1] - 2480) <= 2  # A4 landscape, 300 dpi
        assert "Marrowby" in img.info.get("Description", "")


def test_about_page(page, app_url, demo):
    page.goto(f"{app_url}/about?pack=demo")
    page.get_by_role("heading", name="Glossary").wait_for(timeout=60_000)
    page.get_by_text("Rank direction").first.wait_for()
    page.get_by_role("cell", name="Which way is worse").or_(
        page.get_by_text("Which way is worse")
    ).first.wait_for()
    assert page.get_by_text("Fictional demo data").count() >= 1
    screenshot(page, "about")


def test_hostile_names_run_nothing(page, app_url):
    page.goto(f"{app_url}/?pack=hostile")
    container = ward_map(page)
    page.wait_for_selector(".sm-ward-map .sm-cluster", timeout=30_000)
    container.scroll_into_view_if_needed()
    wards = page.locator(MAP_WARD_PATHS)
    seen = []
    for i in range(wards.count()):
        wards.nth(i).hover(force=True)
        tip = page.locator(".sm-ward-map .leaflet-tooltip")
        if tip.count():
            seen.append(tip.first.inner_text())
    assert any('<img src=y onerror="window.__xss=5">' in t for t in seen), seen[:3]
    texts = page.evaluate(RENDER_ALL_TOOLTIPS)
    joined = "\n".join(texts)
    for name in HOSTILE_NAMES:
        assert name in joined, f"{name!r} was not shown as plain text"
    box = container.bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None
    assert page.locator("#tooltip-probe img, .leaflet-tooltip img").count() == 0
    screenshot(page, "hostile_names")


def test_first_visit_straight_to_a_page_keeps_the_app_frame(packs_dir, tmp_path, browser):
    """A shared /about link opened first after a restart still gets the app's navigation and pack."""
    with app_server(packs_dir, tmp_path / "streamlit.log") as (url, _):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{url}/about")
        page.get_by_role("heading", name="Glossary").wait_for(timeout=60_000)
        nav = page.get_by_test_id("stSidebarNav")
        nav.get_by_text("Need map").wait_for(timeout=10_000)
        assert nav.get_by_text("About the data").count() == 1
        assert page.get_by_text("Data pack").count() >= 1
        context.close()
