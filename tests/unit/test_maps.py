"""Map builders, tested on the HTML/JavaScript they produce (never on pixels)."""

import copy
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPoint, Point, box

from sector_map.analysis import need
from sector_map.pack import schema as s
from sector_map.pack import values as pv
from sector_map.views import classify as c
from sector_map.views import map_layers as ml
from sector_map.views import maps as mp
from sector_map.views import web_assets as a

EVIL_IMG = '<img src=x onerror="window.__xss=1">'
EVIL_TPL = "${window.__xss=1}"
EVIL_TICK = "Back`tick\\slash {brace}"
X0, Y0, D = -2.30, 53.40, 0.01


@pytest.fixture
def wards() -> gpd.GeoDataFrame:
    """A 2×2 block of square wards plus one to the east; one has a hostile name."""
    cells = [(0, 0), (1, 0), (0, 1), (1, 1), (2, 0)]
    return gpd.GeoDataFrame(
        {
            s.WARD_CODE: [f"E0500000{i}" for i in range(1, 6)],
            s.WARD_NAME: ["Southwest", "Southeast", EVIL_IMG, "Northeast", "Far East"],
            s.LA_CODE: ["E08000009"] * 5,
            s.LA_NAME: ["Testshire"] * 5,
            s.POPULATION: [8000, 9000, 10000, 11000, 7000],
        },
        geometry=[box(X0 + i * D, Y0 + j * D, X0 + (i + 1) * D, Y0 + (j + 1) * D) for i, j in cells],
        crs=s.PACK_CRS,
    )


@pytest.fixture
def values(wards) -> pd.Series:
    return pd.Series([10.0, 40.5, 25.25, np.nan, 33.0], index=wards[s.WARD_CODE])


@pytest.fixture
def orgs() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            s.ORG_ID: ["o1", "o2", "o3", "o4", "o5"],
            s.ORG_NAME: [EVIL_IMG, EVIL_TPL, EVIL_TICK, "Nowhere Group", "Empty Point Trust"],
            s.ORG_KIND: ["CIO", "community group", "CIC", "community group", "registered charity"],
            s.SIZE_BAND: ["small", "major", "unknown", "micro", "medium"],
            s.THEMES: [
                ["poverty_food", "older_people"],
                [],
                np.array(["mental_health"]),
                ["environment"],
                [],
            ],
            s.LOCATION_QUALITY: [
                s.LOCATION_SITE,
                s.LOCATION_CONTACT,
                s.LOCATION_SITE,
                s.LOCATION_AREA_ONLY,
                s.LOCATION_SITE,
            ],
        },
        geometry=[
            Point(X0 + 0.005, Y0 + 0.005),
            Point(X0 + 0.015, Y0 + 0.005),
            Point(X0 + 0.012, Y0 + 0.015),
            None,
            Point(),
        ],
        crs=s.PACK_CRS,
    )


@pytest.fixture
def assets_gdf() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            s.ASSET_ID: ["a1", "a2", "a3"],
            s.ASSET_NAME: ["Old Library", EVIL_TPL, "Park Lodge"],
            s.ASSET_KIND: ["library", EVIL_IMG, "building"],
            s.ASSET_STATUS: ["vacant", "in community use", "demolished?"],
        },
        geometry=[
            Point(X0 + 0.025, Y0 + 0.005),
            Point(X0 + 0.005, Y0 + 0.015),
            Point(X0 + 0.015, Y0 + 0.015),
        ],
        crs=s.PACK_CRS,
    )


def _geojson(layer: folium.FeatureGroup) -> list[folium.GeoJson]:
    return [ch for ch in layer._children.values() if isinstance(ch, folium.GeoJson)]


def _choropleth(wards, values, *, selected=None, higher_is=s.HIGHER_IS_MORE_NEED):
    classes = c.classify(values, k=3)
    colours = c.class_colours(classes.k_effective, higher_is=higher_is)
    ranks = need.ranks_within_area(values, higher_is=higher_is)
    layer = ml.choropleth_layer(
        mp.simplify_wards(wards),
        values,
        classes,
        colours,
        label="IMD score",
        unit="score",
        ranks=ranks,
        selected=selected,
    )
    return layer, classes, colours


def _sent_to_browser(m: folium.Map, layers: list) -> str:
    """Everything streamlit-folium sends to its iframe, built with its own helpers."""
    import streamlit_folium as sf

    m, layers = copy.deepcopy(m), [copy.deepcopy(x) for x in layers]
    m.get_root().render()
    parts = [sf._get_html(m), sf._get_header(m), sf._get_map_string(m)]
    parts += [sf._get_feature_group_string(x, map=m, idx=i) for i, x in enumerate(layers)]
    return "\n".join(parts)


def _links(m: folium.Map) -> list[str]:
    """Script and stylesheet URLs collected the way st_folium's ``walk`` does."""
    out = []

    def walk(el):
        out.extend(u for _, u in getattr(el, "default_js", []))
        out.extend(u for _, u in getattr(el, "default_css", []))
        for ch in getattr(el, "_children", {}).values():
            walk(ch)

    walk(m)
    return out


# --- text -----------------------------------------------------------------------------------
def test_safe_text_escapes_html_and_template_literal_syntax():
    assert mp.safe_text(EVIL_IMG) == "&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;"
    assert mp.safe_text(EVIL_TPL) == "&#36;&#123;window.__xss=1&#125;"
    assert mp.safe_text(EVIL_TICK) == "Back&#96;tick&#92;slash &#123;brace&#125;"
    assert mp.safe_text("Tom's & Jerry's\n  club") == "Tom&#x27;s &amp; Jerry&#x27;s club"
    assert mp.safe_text(None) == "" and mp.safe_text(float("nan")) == "" and mp.safe_text(pd.NA) == ""


def test_format_value_reads_like_a_person_writes_numbers():
    assert pv.format_value(12345.678) == "12,346"
    assert pv.format_value(23.456, unit="%") == "23.5%"
    assert pv.format_value(1200, unit="£") == "£1,200"
    assert pv.format_value(78.46, unit="years") == "78.5 years"
    assert pv.format_value(0.1234, unit="per person") == "0.12 per person"
    assert pv.format_value(32.5, unit="score") == "32.5"
    assert pv.format_value(0.1234, unit="proportion of population") == "12.3%"
    assert pv.format_value(0.1, unit="proportion of children aged 0–15", value_format="{:,.2f}") == "10.0%"
    assert pv.format_value(1234.0, unit="rank (1 = most deprived)") == "1,234"
    assert pv.format_value(3.14159, value_format="{:.3f}") == "3.142"
    assert pv.format_value(np.nan) == "no data" and pv.format_value(None) == "no data"


def test_value_format_for_keeps_one_precision_per_indicator():
    assert pv.value_format_for(pd.Series([10.0, 20.0, 30.0])) == "{:,.0f}"
    assert pv.value_format_for(pd.Series([4.86, 42.5, 20.1])) == "{:,.1f}"
    assert pv.value_format_for(pd.Series([0.12, 0.5])) == "{:,.2f}"
    assert pv.value_format_for(pd.Series([1.5, 2.5]), unit="rank") == "{:,.0f}"


# --- geometry and clicks --------------------------------------------------------------------
def test_ward_at_finds_the_ward_under_a_click(wards):
    assert mp.ward_at(wards, Y0 + 0.005, X0 + 0.005) == "E05000001"
    assert mp.ward_at(wards, Y0 + 0.015, X0 + 0.015) == "E05000004"
    assert mp.ward_at(wards, Y0 + 0.005, X0 + 0.025) == "E05000005"
    assert mp.ward_at(wards, Y0 + 0.015, X0 + 0.025) is None  # the empty corner of the block
    assert mp.ward_at(wards, 51.5, -0.12) is None  # London
    assert mp.ward_at(wards, None, None) is None


def test_ward_at_works_in_a_metre_crs(wards):
    assert mp.ward_at(wards.to_crs(s.METRE_CRS), Y0 + 0.015, X0 + 0.005) == "E05000003"


def test_ward_from_click_reads_st_folium_state(wards):
    state = {"last_clicked": {"lat": Y0 + 0.005, "lng": X0 + 0.015}}
    assert mp.ward_from_click(wards, state) == "E05000002"
    assert mp.ward_from_click(wards, {"last_clicked": None}) is None
    assert mp.ward_from_click(wards, None) is None


def wiggly_wards(n: int = 25, seed: int = 0) -> gpd.GeoDataFrame:
    """n Voronoi wards with densely wiggled (but shared) borders, like real boundaries."""
    rng = np.random.default_rng(seed)
    region = box(-2.45, 53.35, -2.25, 53.48)
    pts = MultiPoint(np.column_stack([rng.uniform(-2.45, -2.25, n), rng.uniform(53.35, 53.48, n)]))
    cells = [g.intersection(region) for g in shapely.voronoi_polygons(pts, extend_to=region).geoms]
    cells = shapely.segmentize(np.array(cells, dtype=object), 0.0001)

    def wiggle(xy):
        x, y = xy[:, 0], xy[:, 1]
        dx = 0.0004 * np.sin(x * 2100) * np.cos(y * 1700)
        dy = 0.0003 * np.cos(x * 1900) * np.sin(y * 2300)
        return np.round(np.column_stack([x + dx, y + dy]), 7)

    cells = shapely.make_valid(shapely.transform(cells, wiggle))
    return gpd.GeoDataFrame(
        {s.WARD_CODE: [f"E05{i:06d}" for i in range(n)], s.WARD_NAME: [f"Ward {i}" for i in range(n)]},
        geometry=list(cells),
        crs=s.PACK_CRS,
    )


def test_simplify_wards_keeps_shared_borders_and_rounds_coordinates():
    raw = wiggly_wards()
    simple = mp.simplify_wards(raw, tolerance_m=20)
    assert mp.is_simplified(simple) and not mp.is_simplified(raw)
    assert simple[s.WARD_CODE].tolist() == raw[s.WARD_CODE].tolist()
    before = shapely.get_num_coordinates(raw.geometry.to_numpy()).sum()
    after = shapely.get_num_coordinates(simple.geometry.to_numpy()).sum()
    assert after < before / 3
    coords = shapely.get_coordinates(simple.geometry.to_numpy())
    assert np.allclose(coords, np.round(coords, 5), atol=1e-12)
    # No gaps or overlaps opened: the wards' areas still add up to the area they cover.
    metric = simple.to_crs(s.METRE_CRS)
    assert metric.area.sum() == pytest.approx(metric.union_all().area, rel=1e-3)
    assert metric.union_all().area == pytest.approx(raw.to_crs(s.METRE_CRS).union_all().area, rel=5e-3)


def test_simplify_wards_still_simplifies_overlapping_boundaries():
    raw = wiggly_wards()
    raw.loc[0, "geometry"] = raw.geometry.iloc[0].buffer(0.002)  # overlaps its neighbours
    assert not shapely.coverage_is_valid(raw.to_crs(s.METRE_CRS).geometry.to_numpy())
    simple = mp.simplify_wards(raw, tolerance_m=20)
    before = shapely.get_num_coordinates(raw.geometry.to_numpy()).sum()
    assert shapely.get_num_coordinates(simple.geometry.to_numpy()).sum() < before / 3
    assert simple.geometry.is_valid.all()


def test_unmapped_count_counts_missing_and_empty_points(orgs):
    assert mp.unmapped_count(orgs) == 2


# --- base map -------------------------------------------------------------------------------
def test_base_map_is_fitted_to_the_wards_without_tiles_for_the_demo(wards):
    js = _sent_to_browser(mp.base_map(wards, basemap=False), [])
    assert "fitBounds" in js and "[[53.4, -2.3], [53.42, -2.27]]" in js
    assert "tileLayer" not in js and "openstreetmap" not in js.lower()
    # Leaflet.markercluster throws "Map has no maxZoom specified" without this, and no tiles set it.
    assert re.search(r'"maxZoom": 18\b', js)
    assert f"background: {mp.MAP_BACKGROUND}" in js and ".sm-cluster" in js


def test_base_map_with_basemap_has_osm_tiles_and_attribution(wards):
    html = mp.base_map(wards, basemap=True).get_root().render()
    assert "tile.openstreetmap.org" in html and "OpenStreetMap" in html and "contributors" in html


def test_base_map_script_is_stable_for_a_pack(wards):
    import streamlit_folium as sf

    one = sf._get_map_string(mp.base_map(wards, basemap=False))
    two = sf._get_map_string(mp.base_map(wards, basemap=False))
    assert sf.generate_js_hash(one, "map") == sf.generate_js_hash(two, "map")


def test_base_map_preloads_the_cluster_plugin_from_local_files(wards):
    links = _links(mp.base_map(wards, basemap=False))
    assert links == [
        *a.local_urls()["js"][:1],
        *a.local_urls()["css"][:1],
        *a.local_urls()["js"][1:],
        *a.local_urls()["css"][1:],
    ]


# --- choropleth -----------------------------------------------------------------------------
def test_choropleth_fills_by_class_and_greys_out_no_data(wards, values):
    layer, classes, colours = _choropleth(wards, values)
    (gj,) = _geojson(layer)
    styles = [gj.style_function(f) for f in gj.data["features"]]
    assert classes.class_of.tolist() == [0, 2, 0, -1, 1]
    assert [st["fillColor"] for st in styles] == [
        colours[0],
        colours[2],
        colours[0],
        c.NO_DATA_COLOUR,
        colours[1],
    ]
    assert styles[3]["dashArray"] == "4 3" and styles[0]["dashArray"] is None
    assert c.luminance(styles[1]["fillColor"]) < c.luminance(styles[0]["fillColor"])  # 40.5 darker than 10


def test_choropleth_for_less_need_makes_low_values_dark(wards, values):
    layer, _, _ = _choropleth(wards, values, higher_is=s.HIGHER_IS_LESS_NEED)
    (gj,) = _geojson(layer)
    fills = [gj.style_function(f)["fillColor"] for f in gj.data["features"]]
    assert c.luminance(fills[0]) < c.luminance(fills[1])  # value 10 darker than 40.5


def test_choropleth_tooltips_give_value_and_rank(wards, values):
    layer, _, _ = _choropleth(wards, values)
    (gj,) = _geojson(layer)
    tips = [f["properties"]["tip"] for f in gj.data["features"]]
    assert "<b>Southeast</b>" in tips[1] and "IMD score: 40.5" in tips[1]
    assert "rank 1 of 4 in the area" in tips[1] and "rank 4 of 4 in the area" in tips[0]
    assert "IMD score: no data" in tips[3] and "rank" not in tips[3]
    assert "IMD score: 25.2" in tips[2] or "IMD score: 25.3" in tips[2]
    assert tips[2].startswith("<b>&lt;img src=x")


def test_selected_ward_gets_a_thick_outline_layer(wards, values):
    layer, _, _ = _choropleth(wards, values, selected="E05000004")
    fill, outline = _geojson(layer)
    assert outline.options.get("interactive") is False
    (feature,) = outline.data["features"]
    assert shapely.geometry.shape(feature["geometry"]).bounds == pytest.approx((-2.29, 53.41, -2.28, 53.42))
    assert outline.style_function(feature)["weight"] >= 4 and outline.style_function(feature)["fill"] is False
    assert len(_geojson(_choropleth(wards, values)[0])) == 1
    assert len(_geojson(_choropleth(wards, values, selected="E05999999")[0])) == 1


def _grid_wards(n: int) -> gpd.GeoDataFrame:
    """``n`` small square wards in rows of 25, as a region or national pack would have."""
    return gpd.GeoDataFrame(
        {s.WARD_CODE: [f"E05{i:06d}" for i in range(n)], s.WARD_NAME: [f"Ward {i}" for i in range(n)]},
        geometry=[
            box(X0 + (i % 25) * D, Y0 + (i // 25) * D, X0 + (i % 25 + 1) * D, Y0 + (i // 25 + 1) * D)
            for i in range(n)
        ],
        crs=s.PACK_CRS,
    )


def test_a_borough_keeps_white_ward_outlines(wards, values):
    layer, _, colours = _choropleth(wards, values)
    (gj,) = _geojson(layer)
    styles = [gj.style_function(f) for f in gj.data["features"]]
    assert styles[0] == {
        "fillColor": colours[0],
        "fillOpacity": 0.85,
        "color": "#ffffff",
        "weight": 1,
        "dashArray": None,
    }
    assert styles[3] == {
        "fillColor": c.NO_DATA_COLOUR,
        "fillOpacity": 0.9,
        "color": "#6c757d",
        "weight": 1.2,
        "dashArray": "4 3",
    }


@pytest.mark.parametrize("n, national", [(ml.MANY_WARDS, False), (ml.MANY_WARDS + 1, True)])
def test_many_wards_are_outlined_in_their_own_colour_so_small_ones_keep_it(n, national):
    grid = _grid_wards(n)
    values = pd.Series(np.arange(n, dtype=float), index=grid[s.WARD_CODE])
    values.iloc[-1] = np.nan
    layer, _, _ = _choropleth(grid, values, selected=grid[s.WARD_CODE].iloc[0])
    fill, outline = _geojson(layer)
    styles = [fill.style_function(f) for f in fill.data["features"]]
    with_data, no_data = styles[:-1], styles[-1]
    if national:
        assert all(st["color"] == st["fillColor"] and st["weight"] == 0.5 for st in with_data)
        assert no_data["weight"] == 0.5 and no_data["dashArray"] == "4 3"
    else:
        assert all(st["color"] == "#ffffff" and st["weight"] == 1 for st in with_data)
        assert no_data["weight"] == 1.2
    assert {st["fillOpacity"] for st in with_data} == {0.85} and no_data["fillOpacity"] == 0.9
    (feature,) = outline.data["features"]
    selected = outline.style_function(feature)
    assert selected["color"] == ml.SELECTED_OUTLINE and selected["weight"] >= 4 and selected["opacity"] == 1
    assert selected["weight"] > max(st["weight"] for st in styles)


# --- organisations and assets ---------------------------------------------------------------
def test_organisation_layer_clusters_located_orgs_coloured_by_first_theme(orgs):
    layer = ml.organisation_layer(orgs)
    (cluster,) = layer._children.values()
    assert isinstance(cluster, folium.plugins.FastMarkerCluster)
    rows, tables = ml.organisation_rows(orgs)
    assert cluster.data == rows and len(rows) == 3  # no geometry / empty point: not drawn
    assert rows[0][:2] == [53.405, -2.295]
    colours = [tables["colours"][r[2]] for r in rows]
    assert colours == [
        s.THEMES_BY_ID["poverty_food"].colour,
        ml.NO_THEME_COLOUR,
        s.THEMES_BY_ID["mental_health"].colour,
    ]
    assert [r[3] for r in rows] == [5, 8, 5]  # radius grows with size band
    assert tables["subtitles"][rows[0][5]] == "CIO · Small (£10k–£100k)"
    assert tables["themes"][rows[0][6]] == "Poverty, food and money advice; Older people"
    assert rows[1][6] == -1 and [r[7] for r in rows] == [0, 1, 0]  # only o2 is at a contact address
    assert rows[2][4] == "Back&#96;tick&#92;slash &#123;brace&#125;"
    # a contact address outside the area is a contact address too; a site outside it is not
    outside = orgs.copy()
    outside[s.LOCATION_QUALITY] = outside[s.LOCATION_QUALITY].astype(object)
    located = ~(outside.geometry.isna() | outside.geometry.is_empty)
    outside.loc[located, s.LOCATION_QUALITY] = [
        s.LOCATION_CONTACT_OUTSIDE,
        s.LOCATION_SITE_OUTSIDE,
        s.LOCATION_CONTACT_OUTSIDE,
    ]
    assert [r[7] for r in ml.organisation_rows(outside)[0]] == [1, 0, 1]


def test_organisation_layer_is_about_100_bytes_per_organisation():
    orgs = many_orgs(400)
    empty = ml.organisation_layer(orgs.iloc[:0])
    full = ml.organisation_layer(orgs)
    m = folium.Map()
    per_org = (mp.payload_bytes(m, [full]) - mp.payload_bytes(m, [empty])) / 400
    assert per_org < 160


def test_asset_layer_marks_status_with_shape_and_colour(assets_gdf):
    layer = ml.asset_layer(assets_gdf)
    (markers,) = layer._children.values()
    statuses = list(ml.ASSET_STYLES)
    assert [r[2] for r in markers.data] == [statuses.index("vacant"), statuses.index("in community use"), 4]
    assert "#D55E00" in markers.icons[statuses.index("vacant")] and len(markers.icons) == 5
    assert "Status: vacant" in markers.data[0][3] and "Status: demolished?" in markers.data[2][3]


# --- security -------------------------------------------------------------------------------
def test_hostile_names_never_reach_the_browser_unescaped(wards, values, orgs, assets_gdf):
    layers = [_choropleth(wards, values)[0], ml.organisation_layer(orgs), ml.asset_layer(assets_gdf)]
    sent = _sent_to_browser(mp.base_map(wards, basemap=False), layers)
    assert "<img src=x" not in sent and '__xss=1">' not in sent
    assert "${window" not in sent and "window.__xss=1}" not in sent
    assert "Back`tick" not in sent and "tick\\\\slash" not in sent and "{brace}" not in sent
    # Data travels as JSON, where & is written \u0026: these are the escaped forms.
    assert "\\u0026lt;img src=x onerror=\\u0026quot;window.__xss=1\\u0026quot;\\u0026gt;" in sent
    assert "\\u0026#36;\\u0026#123;window.__xss=1\\u0026#125;" in sent
    assert "Back\\u0026#96;tick\\u0026#92;slash \\u0026#123;brace\\u0026#125;" in sent


def test_safe_text_is_safe_inside_folium_tooltip_template_literals():
    m = folium.Map()
    marker = folium.CircleMarker([53.4, -2.3]).add_to(m)
    folium.Tooltip(mp.safe_text(EVIL_TPL + EVIL_TICK + EVIL_IMG)).add_to(marker)
    html = m.get_root().render()
    literal = re.search(r"bindTooltip\(\s*`(.*?)`", html, re.S).group(1)
    assert "`" not in literal and "${" not in literal and "\\" not in literal and "<img" not in literal
    assert "&#36;&#123;window.__xss=1&#125;" in literal


# --- offline assets -------------------------------------------------------------------------
def test_every_script_and_stylesheet_is_local(wards, values, orgs, assets_gdf):
    m = mp.base_map(wards, basemap=False)
    layers = [_choropleth(wards, values)[0], ml.organisation_layer(orgs), ml.asset_layer(assets_gdf)]
    m2 = copy.deepcopy(m)
    for layer in layers:
        copy.deepcopy(layer).add_to(m2)
    links = _links(m2)
    assert links and all(u.startswith("/app/static/vendor/") for u in links)
    html = m2.get_root().render()
    assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)="https?://', html)
    assert "jquery" not in html.lower() and "bootstrap" not in html.lower()


def test_cdn_links_stay_when_asked(wards):
    links = _links(mp.base_map(wards, basemap=False, assets_base_url=None))
    assert any(u.startswith("https://") for u in links)


def test_an_unvendored_plugin_is_refused_loudly():
    m = folium.Map()
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(a.MissingLocalAsset, match="Fullscreen"):
        a.use_local_assets(m)


def test_missing_assets_lists_what_fetch_leaflet_must_provide(tmp_path):
    missing = a.missing_assets(tmp_path)
    assert "vendor/leaflet/leaflet.js" in missing and len(missing) == 5
    for rel in missing:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("/* */")
    assert a.missing_assets(tmp_path) == []


# --- payload --------------------------------------------------------------------------------
def many_orgs(n: int, seed: int = 1) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    themes = list(s.THEME_IDS)
    return gpd.GeoDataFrame(
        {
            s.ORG_ID: [f"o{i}" for i in range(n)],
            s.ORG_NAME: [f"Community Organisation Number {i} of the Borough" for i in range(n)],
            s.ORG_KIND: rng.choice(s.ORG_KINDS, n),
            s.SIZE_BAND: rng.choice(s.SIZE_BAND_IDS, n),
            s.THEMES: [list(rng.choice(themes, 2, replace=False)) for _ in range(n)],
            s.LOCATION_QUALITY: rng.choice([s.LOCATION_SITE, s.LOCATION_CONTACT], n),
        },
        geometry=gpd.points_from_xy(rng.uniform(-2.44, -2.26, n), rng.uniform(53.36, 53.47, n)),
        crs=s.PACK_CRS,
    )


def test_payload_for_a_borough_is_well_under_500_kb():
    raw = wiggly_wards(25)
    simple = mp.simplify_wards(raw)
    values = pd.Series(np.linspace(5, 45, 25), index=raw[s.WARD_CODE])
    classes = c.classify(values, k=5)
    colours = c.class_colours(5, higher_is=s.HIGHER_IS_MORE_NEED)
    orgs = many_orgs(400)
    assets = gpd.GeoDataFrame(
        {
            s.ASSET_ID: [f"a{i}" for i in range(30)],
            s.ASSET_NAME: [f"Community Hall {i}" for i in range(30)],
            s.ASSET_KIND: ["community centre"] * 30,
            s.ASSET_STATUS: list(s.ASSET_STATUSES) * 7 + ["vacant"] * 2,
        },
        geometry=orgs.geometry.iloc[:30].to_numpy(),
        crs=s.PACK_CRS,
    )

    def layers(wards):
        return [
            ml.choropleth_layer(
                wards,
                values,
                classes,
                colours,
                label="IMD score",
                unit="score",
                ranks=need.ranks_within_area(values, higher_is="more_need"),
                selected="E05000003",
            ),
            ml.organisation_layer(orgs),
            ml.asset_layer(assets),
        ]

    m = mp.base_map(simple, basemap=False)
    size = mp.payload_bytes(m, layers(simple))
    sent = len(_sent_to_browser(m, layers(simple)).encode())
    print(
        f"\npayload for 25 wards + 400 orgs + 30 assets: {size / 1024:.0f} KB (streamlit-folium: {sent / 1024:.0f} KB)"
    )
    assert size < 200_000
    assert abs(size - sent) < 0.1 * sent + 3_000
    raw.attrs[mp.SIMPLIFIED_ATTR] = 0  # pretend: draw the full-detail boundaries
    assert mp.payload_bytes(m, layers(raw)) > 2 * size


def test_payload_bytes_leaves_map_and_layers_untouched(wards, values):
    m = mp.base_map(wards, basemap=False)
    layer = _choropleth(wards, values)[0]
    before = (len(m._children), layer._id, layer._parent)
    mp.payload_bytes(m, [layer])
    assert (len(m._children), layer._id, layer._parent) == before
