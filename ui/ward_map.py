"""The ward map component: Leaflet in the page, ward geometry sent once, clicks back in one rerun.

A ``st.components.v2`` component with a hand-written renderer (``ui/ward_map.js``, no build step).
The pack's ward geometry is written once to ``static/maps/wards-<hash>.json`` (served by
Streamlit's static file serving, so the browser fetches it once and keeps it; if that folder
cannot be written, the geometry goes with each run instead); every run sends
only :func:`sector_map.views.web_map.ward_state` and the organisations and assets shown. A click
on a ward selects it in a callback, before the page runs, so one rerun shows its panel.
See docs/decisions/0006-national-map.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import streamlit as st

from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.views import maps, web_map
from ui import cache, paths, state

_HERE = Path(__file__).resolve().parent
_LOG = logging.getLogger(__name__)
_INLINE_WARNED: set[str] = set()
MAPS_DIR = paths.STATIC_DIR / "maps"
MAPS_URL = "/app/static/maps"
HEIGHT = 580

_CSS = (
    maps.MAP_CSS
    + """
.sm-ward-map { position: relative; width: 100%; border-radius: 6px; overflow: hidden; }
.sm-ward-map .sm-leaflet { position: absolute; inset: 0; }
.sm-ward-map path.leaflet-interactive:focus { outline: none; }
.sm-ward-map .sm-status { position: absolute; right: 10px; top: 10px; z-index: 1000; color: #333;
  background: rgba(255, 255, 255, 0.92); padding: 4px 8px; border-radius: 4px;
  font: 13px system-ui, sans-serif; pointer-events: none; }
.sm-ward-map .sm-status:empty { display: none; }
"""
)

_COMPONENT = st.components.v2.component(
    "sector_map.ward_map",
    js=(_HERE / "ward_map.js").read_text(encoding="utf-8"),
    css=_CSS,
    isolate_styles=False,
)


def _view_key(map_key: str) -> str:
    return f"{map_key}|view"


def _on_ward(pack: Pack, map_key: str, then: Callable[[str | None], None] | None = None) -> None:
    value = st.session_state.get(map_key) or {}
    code = value.get("ward") if hasattr(value, "get") else None
    codes = set(pack.wards[s.WARD_CODE])
    (then or state.select_ward)(code if code in codes else None)


def _on_view(map_key: str) -> None:
    value = st.session_state.get(map_key) or {}
    st.session_state[_view_key(map_key)] = value.get("view") if hasattr(value, "get") else None


def geometry_source(key: tuple[str, str]) -> dict[str, str]:
    """Where the browser gets the pack's ward geometry: the URL of its file, written on first use.

    Where the app's folder cannot be written (a read-only deployment), the geometry travels in
    the run itself instead: the map still works, each run is larger, and the log says why.
    """
    geometry = cache.ward_geometry(key)
    try:
        web_map.write_geometry(geometry, MAPS_DIR)
    except OSError as why:  # to the log (plain text), not to the page
        if geometry.name not in _INLINE_WARNED:
            _INLINE_WARNED.add(geometry.name)
            _LOG.warning(
                "cannot write the ward geometry file %s (%s): sending it with each run instead; "
                "make that folder writable for faster maps",
                MAPS_DIR / geometry.name,
                why,
            )
        return {"geometryKey": geometry.name, "geometryText": geometry.body.decode("utf-8")}
    return {"geometryKey": geometry.name, "geometryUrl": f"{MAPS_URL}/{geometry.name}"}


def organisations(pack: Pack, key: tuple[str, str], orgs: gpd.GeoDataFrame, map_key: str) -> dict | None:
    """The organisations' part of a run: every point for a few thousand, else counts per ward and
    the points in view once the map is zoomed in."""
    if not len(orgs):
        return None
    where = cache.organisation_wards(key)
    positions = pack.organisations.index.get_indexer(orgs.index)
    ward_index = where[positions[positions >= 0]]
    if len(orgs) - maps.unmapped_count(orgs) <= web_map.POINT_CAP:
        return {"mode": "points", **web_map.organisation_points(orgs)}
    geometry = cache.ward_geometry(key)
    out: dict[str, Any] = {
        "mode": "counts",
        "counts": web_map.ward_counts(ward_index, len(geometry.codes)),
        "pointZoom": web_map.POINT_ZOOM,
    }
    view = st.session_state.get(_view_key(map_key))
    if isinstance(view, dict) and (view.get("zoom") or 0) >= web_map.POINT_ZOOM:
        out.update(web_map.organisation_points(orgs, bounds=view["bounds"]))
    return out


def ward_map(
    pack: Pack,
    key: tuple[str, str],
    wards: dict[str, Any],
    *,
    orgs: gpd.GeoDataFrame | None = None,
    show_assets: bool = False,
    map_key: str | None = None,
    height: int = HEIGHT,
    points: dict[str, Any] | None = None,
    on_ward: Callable[[str | None], None] | None = None,
) -> None:
    """Draw the ward map; a click on a ward selects it (outside the wards clears the selection).

    Args:
        pack, key: the pack and its cache key.
        wards: :func:`sector_map.views.web_map.ward_state` for this run.
        orgs: the organisations to show (None or empty: none).
        show_assets: draw the pack's community buildings and land.
        map_key: the component's key (one per page and pack).
        height: in pixels.
        points: drawn in place of ``orgs``: :func:`sector_map.views.web_map.organisation_points`
            of any located frame (a service's sites, say).
        on_ward: called with the clicked ward's code (None: outside the wards) instead of
            selecting it.
    """
    map_key = map_key or f"ward_map_{pack.path.name}"
    data = {
        **geometry_source(key),
        "basemap": not pack.is_demo,
        "height": height,
        "wards": wards,
        "orgs": {"mode": "points", **points}
        if points is not None
        else organisations(pack, key, orgs, map_key)
        if orgs is not None
        else None,
        "assets": web_map.asset_points(pack.assets) if show_assets and len(pack.assets) else None,
    }
    _COMPONENT(
        key=map_key,
        data=data,
        height=height,
        on_ward_change=lambda: _on_ward(pack, map_key, on_ward),
        on_view_change=lambda: _on_view(map_key),
    )
