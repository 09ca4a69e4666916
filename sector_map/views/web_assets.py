"""Serve Leaflet and its plugins from the app itself, so maps draw with no internet.

folium elements name the scripts and stylesheets they need (``default_js`` / ``default_css``)
as CDN URLs; streamlit-folium collects them from every element and loads them into its
iframe, and a single unreachable URL leaves the map blank. :func:`use_local_assets` points
each one at the copies that ``scripts/fetch_leaflet.sh`` puts in ``static/vendor/`` (served by
Streamlit at ``/app/static/vendor/`` when ``server.enableStaticServing`` is on) and drops the
ones our layers never use (jQuery, Bootstrap, Font Awesome, awesome-markers).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from branca.element import Element

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
DEFAULT_BASE_URL = "/app/static/vendor"

# folium resource name -> file under static/vendor/ (written by scripts/fetch_leaflet.sh).
LOCAL_JS = {
    "leaflet": "leaflet/leaflet.js",
    "markerclusterjs": "markercluster/leaflet.markercluster.js",
}
LOCAL_CSS = {
    "leaflet_css": "leaflet/leaflet.css",
    "markerclustercss": "markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "markercluster/MarkerCluster.Default.css",
}

# Resources folium adds by default that none of our layers use; dropped rather than vendored.
DROPPABLE = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)


class MissingLocalAsset(ValueError):
    """An element needs a script or stylesheet that has no vendored copy."""


def use_local_assets(element: Element, *, base_url: str = DEFAULT_BASE_URL) -> None:
    """Point every script and stylesheet of ``element`` and its children at local copies.

    Works on a ``folium.Map`` or on a layer (``folium.FeatureGroup``) before it is handed to
    ``st_folium``. Resources in :data:`DROPPABLE` are removed. The change is made on each
    element instance, never on folium's classes.

    Args:
        element: a folium map, layer or other element; its whole subtree is updated.
        base_url: URL prefix the ``static/vendor`` folder is served at.

    Raises:
        MissingLocalAsset: an element needs a resource with no local copy; add it to
            ``scripts/fetch_leaflet.sh`` and :data:`LOCAL_JS` / :data:`LOCAL_CSS`.
    """
    base = base_url.rstrip("/")
    for el in _walk(element):
        if hasattr(el, "default_js"):
            el.default_js = _localise(el.default_js, LOCAL_JS, base, el)
        if hasattr(el, "default_css"):
            el.default_css = _localise(el.default_css, LOCAL_CSS, base, el)


def local_urls(*, base_url: str = DEFAULT_BASE_URL) -> dict[str, list[str]]:
    """The local script and stylesheet URLs, in load order (for pages and tests)."""
    base = base_url.rstrip("/")
    return {
        "js": [f"{base}/{p}" for p in LOCAL_JS.values()],
        "css": [f"{base}/{p}" for p in LOCAL_CSS.values()],
    }


def missing_assets(static_dir: str | Path = STATIC_DIR) -> list[str]:
    """Vendored files that are not on disk, as paths relative to ``static_dir``.

    An empty list means the maps can draw offline. Otherwise the app should tell the user to
    run ``scripts/fetch_leaflet.sh`` (``make run`` does), or fall back to CDN links.
    """
    root = Path(static_dir) / "vendor"
    wanted = [*LOCAL_JS.values(), *LOCAL_CSS.values()]
    return [f"vendor/{p}" for p in wanted if not (root / p).is_file()]


def _walk(element: Element) -> Iterable[Element]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _localise(
    links: list[tuple[str, str]], local: dict[str, str], base: str, el: Element
) -> list[tuple[str, str]]:
    out = []
    for name, url in links:
        if name in local:
            out.append((name, f"{base}/{local[name]}"))
        elif url.startswith(base + "/"):
            out.append((name, url))
        elif name not in DROPPABLE:
            raise MissingLocalAsset(
                f"{type(el).__name__} needs {name!r} ({url}), which has no local copy; add it to "
                "scripts/fetch_leaflet.sh and sector_map/views/web_assets.py"
            )
    return out
