"""The map layers that change while the base map stays put: wards by need, organisations, assets.

Each builder returns a ``folium.FeatureGroup`` for ``st_folium(feature_group_to_add=[...])``.
Build them afresh on every run: streamlit-folium renames and re-parents the groups it is given.
All text from data goes through :func:`sector_map.views.maps.safe_text`; points travel as compact
JSON arrays drawn by a few lines of JavaScript, which keeps hundreds of organisations light.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.elements import MacroElement
from folium.plugins import FastMarkerCluster
from folium.template import Template
from shapely.geometry import Point, mapping

from sector_map.pack import schema as s
from sector_map.pack.values import format_value, value_format_for
from sector_map.views.classify import NO_DATA_COLOUR, Classes
from sector_map.views.maps import (
    ASSET_ICON_CLASS,
    CLUSTER_CLASS,
    COORD_DECIMALS,
    TOOLTIP_CLASS,
    is_simplified,
    safe_text,
    simplify_wards,
)
from sector_map.views.web_assets import DEFAULT_BASE_URL, use_local_assets

NO_THEME_COLOUR = "#555555"
SELECTED_OUTLINE = "#000000"
# Above this many wards (a region or the country) the map opens so far out that many wards are
# under a pixel across, and 1 px white outlines would wash them out to near-white. Their outlines
# then take the ward's own fill colour at half the width, so every ward keeps its class colour;
# a borough (about 20 wards) or a city region (about 200) keeps the white outlines.
MANY_WARDS = 400

# Asset status -> (shape, colour): shape and colour both differ, so status reads without colour.
# Colours from the Okabe-Ito colour-blind-safe set.
ASSET_STYLES = {
    "in community use": ("square", "#009E73"),
    "available for community use": ("diamond", "#0072B2"),
    "vacant": ("triangle", "#D55E00"),
    "under review": ("hexagon", "#CC79A7"),
}
_UNKNOWN_ASSET_STYLE = ("square", "#777777")
_SHAPE_POINTS = {
    "square": "3,3 15,3 15,15 3,15",
    "diamond": "9,1 17,9 9,17 1,9",
    "triangle": "9,1 17,16 1,16",
    "hexagon": "5,2 13,2 17,9 13,16 5,16 1,9",
}
_ORG_RADIUS = {"micro": 4, "small": 5, "medium": 6, "large": 7, "major": 8}


def asset_icon_svg(shape: str, colour: str, *, size: int = 18) -> str:
    """The SVG drawn for an asset marker (also usable in a page legend)."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 18 18">'
        f'<polygon points="{_SHAPE_POINTS[shape]}" fill="{colour}" stroke="#fff" stroke-width="1.5"/></svg>'
    )


# --- wards ----------------------------------------------------------------------------------
def choropleth_layer(
    wards: gpd.GeoDataFrame,
    values: pd.Series,
    classes: Classes,
    colours: list[str],
    *,
    label: str,
    unit: str = "",
    value_format: str | Callable[[float], str] | None = None,
    ranks: pd.Series | None = None,
    selected: str | None = None,
    name: str = "Need",
    assets_base_url: str | None = DEFAULT_BASE_URL,
) -> folium.FeatureGroup:
    """Wards filled by class, with a tooltip per ward and the selected ward outlined.

    Args:
        wards: ward polygons with ``ward_code`` and ``ward_name``; pass the output of
            :func:`sector_map.views.maps.simplify_wards` (cached by the page). Unsimplified wards are
            simplified here with the default tolerance.
        values: the indicator value per ward, indexed by ward code.
        classes: :func:`sector_map.views.classify.classify` of ``values``.
        colours: one colour per class, from :func:`sector_map.views.classify.class_colours`.
        label: the indicator's name, shown in the tooltip.
        unit: the indicator's unit (see :func:`sector_map.pack.values.format_value`).
        value_format: optional number format for the tooltip.
        ranks: rank per ward within the area, 1 = most need
            (:func:`sector_map.analysis.need.ranks_within_area`); adds "rank N of M in the area".
        selected: ward code to outline, if any.
        name: the layer's name.
        assets_base_url: see :func:`sector_map.views.maps.base_map`.
    """
    if len(colours) != classes.k_effective:
        raise ValueError(f"need {classes.k_effective} colours, got {len(colours)}")
    w = wards if is_simplified(wards) else simplify_wards(wards)
    codes = w[s.WARD_CODE].astype(str).to_numpy()
    vals = pd.to_numeric(values, errors="coerce").reindex(codes).to_numpy(dtype="float64")
    cls = classes.class_of.reindex(codes).fillna(-1).astype(int).to_numpy()
    rank = ranks.reindex(codes).to_numpy(dtype="float64", na_value=np.nan) if ranks is not None else None
    n_ranked = int(np.isfinite(rank).sum()) if rank is not None else 0
    if value_format is None:
        value_format = value_format_for(values, unit=unit)

    features, styles = [], {}
    many = len(w) > MANY_WARDS
    names = w[s.WARD_NAME] if s.WARD_NAME in w else pd.Series(codes, index=w.index)
    for i, (name_, geom) in enumerate(zip(names, w.geometry, strict=True)):
        value_text = format_value(vals[i], unit=unit, value_format=value_format)
        lines = [f"<b>{safe_text(name_)}</b>", f"{safe_text(label)}: {safe_text(value_text)}"]
        if rank is not None and np.isfinite(rank[i]):
            tied = int((rank == rank[i]).sum()) - 1
            shared = f", tied with {tied:,} other ward{'s' if tied != 1 else ''}" if tied else ""
            lines.append(
                f'<span class="sm-muted">rank {int(rank[i]):,} of {n_ranked:,} in the area{shared} '
                "(1 = most need)</span>"
            )
        fid = str(i)
        styles[fid] = _ward_style(colours[cls[i]] if cls[i] >= 0 else None, many=many)
        features.append(
            {
                "type": "Feature",
                "id": fid,
                "properties": {"tip": "<br>".join(lines)},
                "geometry": mapping(geom),
            }
        )

    group = folium.FeatureGroup(name=name, control=False)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        style_function=lambda f: styles[f["id"]],
        highlight_function=lambda f: {"weight": 3, "color": "#212529", "dashArray": None},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True, class_name=TOOLTIP_CLASS),
        control=False,
    ).add_to(group)
    if selected is not None and selected in set(codes):
        geom = w.geometry.iloc[int(np.flatnonzero(codes == selected)[0])]
        folium.GeoJson(
            {"type": "Feature", "properties": {}, "geometry": mapping(geom)},
            name="Selected ward",
            style_function=lambda f: {"fill": False, "color": SELECTED_OUTLINE, "weight": 4, "opacity": 1},
            interactive=False,
            control=False,
        ).add_to(group)
    if assets_base_url is not None:
        use_local_assets(group, base_url=assets_base_url)
    return group


def _ward_style(fill: str | None, *, many: bool = False) -> dict:
    """Leaflet style of one ward; ``many``: more than :data:`MANY_WARDS` wards are drawn.

    The fill opacities (0.85, 0.9 for no data) also tell ward polygons from organisation circles
    in the browser tests and the first-page benchmark.
    """
    if fill is None:
        return {
            "fillColor": NO_DATA_COLOUR,
            "fillOpacity": 0.9,
            "color": "#6c757d",
            "weight": 0.5 if many else 1.2,
            "dashArray": "4 3",
        }
    if many:
        return {
            "fillColor": fill,
            "fillOpacity": 0.85,
            "color": fill,
            "weight": 0.5,
            "opacity": 0.85,
            "dashArray": None,
        }
    return {"fillColor": fill, "fillOpacity": 0.85, "color": "#ffffff", "weight": 1, "dashArray": None}


# --- organisations --------------------------------------------------------------------------
# Organisation rows are [lat, lon, colour, radius, name, subtitle, themes, at_contact_address],
# with colour/subtitle/themes as indexes into small lookup tables (-1 = none), so hundreds of
# organisations cost about 100 bytes each. All strings are already safe_text-escaped.
_ORG_CALLBACK = """(function () {
    var T = %s;
    return function (row) {
        var m = L.circleMarker([row[0], row[1]], {radius: row[3], color: "#ffffff", weight: 1.5,
            fillColor: T.colours[row[2]], fillOpacity: 0.95});
        var tip = "<b>" + row[4] + "</b>";
        if (row[5] >= 0) { tip += "<br>" + T.subtitles[row[5]]; }
        if (row[6] >= 0) { tip += '<br><span class="sm-muted">' + T.themes[row[6]] + "</span>"; }
        if (row[7]) { tip += '<br><span class="sm-muted">Shown at its contact address</span>'; }
        m.bindTooltip(tip, {className: "%s", direction: "top"});
        return m;
    };
})()"""
_CLUSTER_ICON = f"""function (cluster) {{
    var n = cluster.getChildCount();
    var size = n < 10 ? 30 : n < 100 ? 36 : 42;
    return L.divIcon({{html: "<div><span>" + n + "</span></div>", className: "{CLUSTER_CLASS}",
        iconSize: L.point(size, size)}});
}}"""


def organisation_layer(
    orgs: gpd.GeoDataFrame,
    *,
    theme_colours: Mapping[str, str] | None = None,
    name: str = "Organisations",
    assets_base_url: str | None = DEFAULT_BASE_URL,
) -> folium.FeatureGroup:
    """Organisations as clustered circles coloured by their first theme.

    Organisations without a location are left out; count them with
    :func:`sector_map.views.maps.unmapped_count` and say so on the page.

    Args:
        orgs: the pack's organisations (points in EPSG:4326).
        theme_colours: theme id -> colour; defaults to the colours in :mod:`sector_map.pack.schema`.
        name: the layer's name.
        assets_base_url: see :func:`sector_map.views.maps.base_map`.
    """
    rows, tables = organisation_rows(orgs, theme_colours=theme_colours)
    callback = _ORG_CALLBACK % (_script_json(tables), TOOLTIP_CLASS)
    group = folium.FeatureGroup(name=name, control=False)
    FastMarkerCluster(
        rows,
        callback=callback,
        name=name,
        control=False,
        icon_create_function=_CLUSTER_ICON,
        show_coverage_on_hover=False,
        disable_clustering_at_zoom=16,
        spiderfy_on_max_zoom=True,
    ).add_to(group)
    if assets_base_url is not None:
        use_local_assets(group, base_url=assets_base_url)
    return group


def organisation_rows(
    orgs: gpd.GeoDataFrame, *, theme_colours: Mapping[str, str] | None = None
) -> tuple[list[list], dict[str, list[str]]]:
    """The compact rows and lookup tables the organisation layer sends to the browser.

    Returns:
        ``rows``: one ``[lat, lon, colour, radius, name, subtitle, themes, at_contact_address]``
        per located organisation, where colour, subtitle ("CIO · Small (£10k–£100k)") and
        themes ("Older people; Mental health") index into ``tables``; -1 means none.
    """
    colour_of = dict(theme_colours) if theme_colours is not None else {t.id: t.colour for t in s.THEMES_LIST}
    tables: dict[str, list[str]] = {"colours": [], "subtitles": [], "themes": []}
    index: dict[tuple[str, str], int] = {}

    def ref(table: str, text: str) -> int:
        if not text:
            return -1
        if (table, text) not in index:
            index[(table, text)] = len(tables[table])
            tables[table].append(text)
        return index[(table, text)]

    rows = []
    for _, org in _located(orgs).iterrows():
        themes = _as_list(org.get(s.THEMES))
        band: Any = org.get(s.SIZE_BAND)  # a cell: a band id, or missing
        parts = (safe_text(org.get(s.ORG_KIND)), safe_text(s.SIZE_BAND_LABELS.get(band, "")))
        labels = [s.THEMES_BY_ID[t].label if t in s.THEMES_BY_ID else t for t in themes]
        colour = colour_of.get(themes[0], NO_THEME_COLOUR) if themes else NO_THEME_COLOUR
        rows.append(
            [
                *_latlon(org.geometry),
                ref("colours", colour),
                _ORG_RADIUS.get(band, 5),
                safe_text(org.get(s.ORG_NAME)),
                ref("subtitles", " · ".join(p for p in parts if p)),
                ref("themes", safe_text("; ".join(labels))),
                int(s.LOCATION_KIND.get(str(org.get(s.LOCATION_QUALITY))) == s.LOCATION_CONTACT),
            ]
        )
    return rows, tables


def _script_json(obj: object) -> str:
    """JSON that is also safe inside an HTML <script> (as folium's own ``tojson`` output is)."""
    text = json.dumps(obj, ensure_ascii=True, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")
    )


# --- assets ---------------------------------------------------------------------------------
class _AssetMarkers(MacroElement):
    """Asset markers from a compact data array: a small SVG shape per status, with a tooltip."""

    _template = Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
    var icons = {{ this.icons|tojson }};
    var data = {{ this.data|tojson }};
    var group = L.featureGroup();
    data.forEach(function (row) {
        var icon = L.divIcon({html: icons[row[2]], className: "{{ this.icon_class }}",
            iconSize: [18, 18], iconAnchor: [9, 9]});
        L.marker([row[0], row[1]], {icon: icon, riseOnHover: true})
            .bindTooltip(row[3], {className: "{{ this.tooltip_class }}", direction: "top", offset: [0, -8]})
            .addTo(group);
    });
    group.addTo({{ this._parent.get_name() }});
    return group;
})();
{% endmacro %}"""
    )

    def __init__(self, data: list[list], icons: list[str]) -> None:
        super().__init__()
        self._name = "AssetMarkers"
        self.data = data
        self.icons = icons
        self.icon_class = ASSET_ICON_CLASS
        self.tooltip_class = TOOLTIP_CLASS


def asset_layer(
    assets: gpd.GeoDataFrame,
    *,
    name: str = "Community buildings and land",
    assets_base_url: str | None = DEFAULT_BASE_URL,
) -> folium.FeatureGroup:
    """Public buildings and land, one marker shape and colour per status (:data:`ASSET_STYLES`)."""
    styles = [*ASSET_STYLES.values(), _UNKNOWN_ASSET_STYLE]
    status_index = {status: i for i, status in enumerate(ASSET_STYLES)}
    rows = []
    for _, asset in _located(assets).iterrows():
        status: Any = asset.get(s.ASSET_STATUS)  # a cell: a status, or missing
        i = status_index.get(status, len(styles) - 1)
        lines = [
            f"<b>{safe_text(asset.get(s.ASSET_NAME))}</b>",
            safe_text(asset.get(s.ASSET_KIND)),
            f'<span class="sm-muted">Status: {safe_text(status) or "not known"}</span>',
        ]
        rows.append([*_latlon(asset.geometry), i, "<br>".join(x for x in lines if x)])
    group = folium.FeatureGroup(name=name, control=False)
    group.add_child(_AssetMarkers(rows, [asset_icon_svg(shape, colour) for shape, colour in styles]))
    if assets_base_url is not None:
        use_local_assets(group, base_url=assets_base_url)
    return group


# --- helpers --------------------------------------------------------------------------------
def _located(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.empty:
        return gdf
    if gdf.crs is not None and not gdf.crs.equals(s.PACK_CRS):
        gdf = gdf.to_crs(s.PACK_CRS)
    geom = gdf.geometry
    keep = ~(geom.isna() | geom.is_empty) & (geom.geom_type == "Point")
    return gdf[keep]


def _latlon(point: Point) -> list[float]:
    return [round(float(point.y), COORD_DECIMALS), round(float(point.x), COORD_DECIMALS)]


def _as_list(v: Any) -> list[str]:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return []
    if isinstance(v, str):
        return [v]
    return [str(x) for x in v]
