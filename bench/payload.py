"""What ``st_folium`` sends to the browser for a base map and its layers, measured in bytes.

:func:`st_folium_args` repeats, step by step, what ``streamlit_folium.st_folium`` does before
it calls the component (same private helpers, same order, same arguments as
``app_pages/need_map.py`` passes), so the sizes are those of the real rerun. Like ``st_folium``
it renames and re-parents the map and layers: give it freshly built ones.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import folium
from branca.colormap import ColorMap
from branca.element import Element
from folium.elements import JSCSSMixin

# The keyword arguments app_pages/need_map.py gave st_folium before the ward map component
# (docs/decisions/0006-national-map.md): the folium page the bench still measures for comparison.
PAGE_KWARGS: dict[str, Any] = {
    "returned_objects": ["last_clicked"],
    "height": 580,
    "use_container_width": True,
}
# st_folium prepends these for a branca colormap (none of our layers has one).
D3_V4 = "https://d3js.org/d3.v4.min.js"
D3_V3 = "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js"


@dataclass(frozen=True)
class Payload:
    """Sizes in bytes (UTF-8) of what st_folium hands to its component."""

    script: int
    header: int
    html: int
    feature_group: int
    json_args: int
    json_args_gzip: int

    @property
    def strings(self) -> int:
        """The four strings: map script, header, html and the layers' script."""
        return self.script + self.header + self.html + self.feature_group

    def as_dict(self) -> dict[str, int]:
        return {
            "script": self.script,
            "header": self.header,
            "html": self.html,
            "feature_group": self.feature_group,
            "strings": self.strings,
            "json_args": self.json_args,
            "json_args_gzip": self.json_args_gzip,
        }


def _no_bare_mode_warning(record: logging.LogRecord) -> bool:
    return "missing ScriptRunContext" not in record.getMessage()


def load_streamlit_folium() -> ModuleType:
    """Import streamlit_folium without Streamlit's 'missing ScriptRunContext' warning.

    A filter rather than a log level, because Streamlit resets its loggers' levels when it
    reads its config.
    """
    from streamlit.runtime.scriptrunner_utils import script_run_context

    log = script_run_context._LOGGER
    if _no_bare_mode_warning not in log.filters:
        log.addFilter(_no_bare_mode_warning)
    import streamlit_folium

    return streamlit_folium


def st_folium_args(m: folium.Map, layers: Sequence[folium.FeatureGroup], *, key: str) -> dict[str, Any]:
    """The JSON arguments ``st_folium(m, key=key, feature_group_to_add=layers, ...)`` sends.

    Mirrors ``st_folium`` called with :data:`PAGE_KWARGS`, as on the Need map page.
    """
    sf = load_streamlit_folium()
    m.get_root().render()
    m.render()
    html = sf._get_html(m)
    header = sf._get_header(m)
    leaflet = sf._get_map_string(m)
    m_id = sf.get_full_id(m)
    feature_group = "".join(sf._get_feature_group_string(fg, map=m, idx=i) for i, fg in enumerate(layers))
    css_links: list[str] = []
    js_links: list[str] = []
    for el in _walk(m):
        if isinstance(el, ColorMap):
            js_links[:0] = [D3_V4, D3_V3]
        css_links.extend(href for _, href in getattr(el, "default_css", []))
        js_links.extend(src for _, src in getattr(el, "default_js", []))
    default = {k: None for k in PAGE_KWARGS["returned_objects"]}
    return {
        "script": leaflet,
        "header": header,
        "html": html,
        "id": m_id,
        "height": PAGE_KWARGS["height"],
        "width": None if PAGE_KWARGS["use_container_width"] else 500,
        "returned_objects": PAGE_KWARGS["returned_objects"],
        "zoom": None,
        "center": None,
        "feature_group": feature_group,
        "return_on_hover": False,
        "layer_control": None,
        "pixelated": False,
        "css_links": list(dict.fromkeys(css_links)),
        "js_links": list(dict.fromkeys(js_links)),
        "wrap_longitude": False,
        "default": default,
        "key": sf.generate_js_hash(leaflet, key, False),
    }


def measure(args: dict[str, Any]) -> Payload:
    """Byte sizes of the arguments from :func:`st_folium_args`."""
    serialised = json.dumps(args).encode("utf-8")
    return Payload(
        script=_n(args["script"]),
        header=_n(args["header"]),
        html=_n(args["html"]),
        feature_group=_n(args["feature_group"] or ""),
        json_args=len(serialised),
        json_args_gzip=len(zlib.compress(serialised, 6)),
    )


def _n(text: str) -> int:
    return len(text.encode("utf-8"))


def _walk(fig: Element) -> Iterator[Element]:
    """The elements whose scripts and stylesheets st_folium loads (its own ``walk``, minus DualMap)."""
    if isinstance(fig, ColorMap | JSCSSMixin):
        yield fig
    for child in getattr(fig, "_children", {}).values():
        yield from _walk(child)
