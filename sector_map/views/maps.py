"""The base map, light ward geometry, click handling and safe text for folium maps.

The page draws one stable base map per pack (:func:`base_map`) and hands the layers that change
(:mod:`sector_map.views.map_layers`) to ``st_folium(feature_group_to_add=...)``, so switching an
indicator never remounts the map. Everything a data file can put on a map goes through
:func:`safe_text`, because folium does not escape tooltip or popup text.
"""

from __future__ import annotations

import copy
import html
import math
from collections.abc import Iterable, Mapping
from typing import cast

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Figure
from folium.elements import JSCSSMixin
from folium.plugins import MarkerCluster
from folium.template import Template
from shapely.geometry.base import BaseGeometry

from sector_map.pack import schema as s
from sector_map.views.web_assets import DEFAULT_BASE_URL, use_local_assets

MAP_BACKGROUND = "#e9ecef"
TOOLTIP_CLASS = "sm-tip"
CLUSTER_CLASS = "sm-cluster"
ASSET_ICON_CLASS = "sm-asset"
SIMPLIFIED_ATTR = "sector_map_simplified_m"
DEFAULT_TOLERANCE_M = 20.0
COORD_DECIMALS = 5
MIN_ZOOM, MAX_ZOOM = 6, 18

# Styles for everything the layers draw. They live in the base map's header because
# streamlit-folium only injects the header when the map first mounts.
MAP_CSS = f"""
.leaflet-container {{ background: {MAP_BACKGROUND}; font-family: system-ui, -apple-system, "Segoe UI",
  Roboto, Arial, sans-serif; }}
.leaflet-tooltip.{TOOLTIP_CLASS} {{ font-size: 13px; line-height: 1.35; width: max-content; max-width: 280px;
  white-space: normal; color: #212529; padding: 6px 8px; }}
.{TOOLTIP_CLASS} .sm-muted {{ color: #555; }}
.{CLUSTER_CLASS} {{ background: rgba(38, 50, 56, 0.25); border-radius: 50%; }}
.{CLUSTER_CLASS} div {{ position: absolute; inset: 4px; display: flex; align-items: center;
  justify-content: center; border-radius: 50%; border: 2px solid #fff; background: #263238;
  color: #fff; font: 600 12px/1 system-ui, sans-serif; }}
.{ASSET_ICON_CLASS} {{ background: none; border: none; }}
.{ASSET_ICON_CLASS} svg {{ display: block; filter: drop-shadow(0 0 1px rgba(0, 0, 0, 0.6)); }}
"""

_JS_SAFE = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"})


def safe_text(value: object) -> str:
    """Make untrusted text safe to show in any folium tooltip, popup or label.

    HTML-escapes ``& < > " '`` and also turns `````, ``$``, ``\\`` and ``{ }`` into HTML
    entities, so the text can neither start markup when Leaflet sets it as ``innerHTML`` nor
    break out of (or interpolate ``${...}`` inside) the JavaScript template literals that
    folium's ``Tooltip`` and ``Popup`` templates wrap it in. Whitespace runs (including
    newlines) become one space. Missing values give ``""``.
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = " ".join(str(value).split())
    return html.escape(text, quote=True).translate(_JS_SAFE)


# --- geometry -------------------------------------------------------------------------------
def simplify_wards(wards: gpd.GeoDataFrame, *, tolerance_m: float = DEFAULT_TOLERANCE_M) -> gpd.GeoDataFrame:
    """Lighter ward boundaries for drawing, with neighbouring wards still sharing their borders.

    Simplifies in metres (EPSG:27700) with ``simplify_coverage``, so shared edges are simplified
    once and no slivers or gaps open between wards, then returns to EPSG:4326 with coordinates
    rounded to 5 decimals (about 1 m). Boundaries that overlap (not a clean coverage) are
    simplified ward by ward instead. Use the original boundaries for analysis; this is for
    the map only.

    Args:
        wards: ward polygons (any CRS; the pack's is EPSG:4326).
        tolerance_m: largest distance in metres a simplified edge may move. 20 m suits a
            borough; use ~100 m for a whole region or England.
    """
    out = wards.copy()
    if out.empty:
        out.attrs[SIMPLIFIED_ATTR] = tolerance_m
        return out
    metric = out.geometry.to_crs(s.METRE_CRS)
    if tolerance_m > 0:
        simplified: gpd.GeoSeries | None
        try:
            clean = bool(shapely.coverage_is_valid(metric.to_numpy()))
            simplified = metric.simplify_coverage(tolerance_m) if clean else None
        except shapely.errors.GEOSException:
            simplified = None
        if simplified is not None:
            metric = simplified
        else:
            # Overlapping or invalid boundaries: simplify_coverage would quietly leave most
            # edges as they are, so simplify each ward on its own (hairline slivers may show).
            metric = out.geometry.to_crs(s.METRE_CRS).simplify(tolerance_m, preserve_topology=True)
    geoms = metric.to_crs(s.PACK_CRS).to_numpy()
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, COORD_DECIMALS))
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=s.PACK_CRS), crs=s.PACK_CRS)
    out.attrs[SIMPLIFIED_ATTR] = tolerance_m
    return out


def is_simplified(wards: gpd.GeoDataFrame) -> bool:
    """True when ``wards`` came from :func:`simplify_wards`."""
    return SIMPLIFIED_ATTR in wards.attrs


def ward_at(wards: gpd.GeoDataFrame, lat: float | None, lon: float | None) -> str | None:
    """The ward code at a clicked point, or None when the point is in no ward.

    A point on a shared border goes to the first ward in table order. Use the original
    (not simplified) boundaries.
    """
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)) or wards.empty:
        return None
    point: BaseGeometry = shapely.Point(lon, lat)
    if wards.crs is not None and not wards.crs.equals(s.PACK_CRS):
        point = gpd.GeoSeries([point], crs=s.PACK_CRS).to_crs(wards.crs).iloc[0]
    hits = wards.sindex.query(point, predicate="intersects")
    if len(hits) == 0:
        return None
    return str(wards[s.WARD_CODE].iloc[int(np.min(hits))])


# The keys of a click as Leaflet reports it (``st_folium``'s ``last_clicked``).
CLICK_LAT, CLICK_LNG = "lat", "lng"


def ward_from_click(wards: gpd.GeoDataFrame, map_state: Mapping | None) -> str | None:
    """The ward clicked, from what ``st_folium(returned_objects=["last_clicked"])`` returned."""
    clicked = (map_state or {}).get("last_clicked")
    if not isinstance(clicked, Mapping):
        return None
    try:
        return ward_at(wards, float(clicked[CLICK_LAT]), float(clicked[CLICK_LNG]))
    except (KeyError, TypeError, ValueError):
        return None


def unmapped_count(gdf: gpd.GeoDataFrame) -> int:
    """How many rows have no location (missing or empty geometry), so cannot be drawn."""
    if gdf.empty:
        return 0
    geom = gdf.geometry
    return int((geom.isna() | geom.is_empty).sum())


# --- base map -------------------------------------------------------------------------------
class _Plugins(JSCSSMixin):
    """Declares the plugin scripts every layer may need, on the base map itself.

    streamlit-folium loads scripts and the header only when the map first mounts, so a layer
    added later (the organisation clusters) must find its plugin already loaded.
    """

    _template = Template("{% macro script(this, kwargs) %}{% endmacro %}")
    default_js = list(MarkerCluster.default_js)
    default_css = list(MarkerCluster.default_css)

    def __init__(self) -> None:
        super().__init__()
        self._name = "SectorMapPlugins"


def ward_bounds(wards: gpd.GeoDataFrame) -> list[list[float]]:
    """``[[south, west], [north, east]]`` of the wards in EPSG:4326, rounded to 5 decimals."""
    minx, miny, maxx, maxy = wards.to_crs(s.PACK_CRS).total_bounds
    r = COORD_DECIMALS
    return [[round(float(miny), r), round(float(minx), r)], [round(float(maxy), r), round(float(maxx), r)]]


def base_map(
    wards: gpd.GeoDataFrame, *, basemap: bool, assets_base_url: str | None = DEFAULT_BASE_URL
) -> folium.Map:
    """The map every layer is drawn on, fitted to the wards; stable for a given pack.

    Args:
        wards: the pack's wards (only their extent is used).
        basemap: draw OpenStreetMap tiles (with attribution) under the wards; use False for
            the fictional demo area, which has no real streets under it.
        assets_base_url: where ``static/vendor`` is served (see :mod:`sector_map.views.web_assets`);
            None keeps folium's CDN links (only when the vendored files are missing).

    Returns:
        A ``folium.Map`` with no data layers; pass the layers from :mod:`sector_map.views.map_layers`
        to ``st_folium(feature_group_to_add=...)``.
    """
    bounds = ward_bounds(wards)
    center = [round((bounds[0][0] + bounds[1][0]) / 2, 5), round((bounds[0][1] + bounds[1][1]) / 2, 5)]
    m = folium.Map(
        location=center,
        zoom_start=12,
        tiles="OpenStreetMap" if basemap else None,
        control_scale=True,
        zoom_snap=0.25,
    )
    # On the map itself, not only its tiles: marker clustering needs it, and a demo map has no tiles.
    m.options.update(max_zoom=MAX_ZOOM, min_zoom=MIN_ZOOM)
    m.fit_bounds(bounds, padding=(8, 8))
    m.add_child(_Plugins(), name="sector_map_plugins")
    root = cast(Figure, m.get_root())  # a Map's root is always a Figure
    root.header.add_child(folium.Element(f"<style>{MAP_CSS}</style>"), name="sector_map_css")
    if assets_base_url is not None:
        use_local_assets(m, base_url=assets_base_url)
    return m


# --- payload --------------------------------------------------------------------------------
def payload_bytes(m: folium.Map, layers: Iterable[folium.FeatureGroup] = ()) -> int:
    """Bytes of HTML and JavaScript the browser receives for ``m`` with ``layers`` on it.

    Renders copies, so ``m`` and ``layers`` can still be given to ``st_folium`` afterwards.
    Measures the standalone HTML page folium renders, which is what streamlit-folium sends
    (map script, header, feature-group scripts) plus about 2 KB of page boilerplate; the
    Leaflet library files themselves are not counted.
    """
    m2 = copy.deepcopy(m)
    for layer in layers:
        copy.deepcopy(layer).add_to(m2)
    return len(m2.get_root().render().encode("utf-8"))
