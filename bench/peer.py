"""The naive peer: the same wards and organisations as an analyst would map them in a notebook.

``folium.Choropleth`` of the wards by the pack's IMD score, a ``folium.GeoJson`` layer on top
for tooltips (ward name and score), and a ``MarkerCluster`` of every located organisation; the
whole map is rebuilt and re-sent on every change, so its build time is its rerun time and its
rendered HTML is both its first load and its per-rerun payload. A plotly ``choropleth_map`` of
the same wards is the second peer (its JSON is what a Streamlit ``st.plotly_chart`` would send).
Built in the benchmark's own process, with the pack as ``load_pack`` gives it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import folium
import folium.plugins
import pandas as pd

from bench.timing import Stats
from sector_map.pack import schema as s
from sector_map.pack.io import Pack

FOLIUM_HTML = "naive-peer.html"


@dataclass
class PeerFigures:
    """Build times (seconds, one per repeat) and sizes (bytes) of the two peers."""

    indicator: str
    folium_build: Stats | None = None
    folium_bytes: int = 0
    markers: int = 0
    plotly_build: Stats | None = None
    plotly_bytes: int = 0
    html_path: Path | None = None
    errors: dict[str, str] = field(default_factory=dict)


def peer_indicator(pack: Pack) -> str:
    """The indicator both peers show: the IMD score when the pack has one, else the first."""
    for meta in pack.indicator_meta.values():
        if meta.domain == s.DOMAIN_IMD and meta.higher_is == s.HIGHER_IS_MORE_NEED:
            return meta.id
    return next(iter(pack.indicator_meta))


def _ward_values(pack: Pack, indicator: str) -> pd.DataFrame:
    rows = pack.indicators[pack.indicators[s.INDICATOR_ID] == indicator]
    return rows[[s.WARD_CODE, s.VALUE]]


def naive_folium(pack: Pack, indicator: str) -> folium.Map:
    """The notebook map: choropleth, tooltip layer and a marker cluster of the organisations."""
    wards = pack.wards.merge(_ward_values(pack, indicator), on=s.WARD_CODE, how="left")
    x0, y0, x1, y1 = wards.total_bounds
    m = folium.Map(location=[(y0 + y1) / 2, (x0 + x1) / 2], zoom_start=7)
    folium.Choropleth(
        geo_data=wards[[s.WARD_CODE, s.GEOMETRY]],
        data=wards,
        columns=[s.WARD_CODE, s.VALUE],
        key_on=f"feature.properties.{s.WARD_CODE}",
        fill_color="YlOrRd",
        nan_fill_color="lightgrey",
        legend_name=indicator,
    ).add_to(m)
    folium.GeoJson(
        wards[[s.WARD_NAME, s.VALUE, s.GEOMETRY]],
        style_function=lambda _: {"fillOpacity": 0, "weight": 0},
        tooltip=folium.GeoJsonTooltip([s.WARD_NAME, s.VALUE], aliases=["Ward", indicator]),
    ).add_to(m)
    orgs = pack.organisations[~pack.organisations.geometry.isna() & ~pack.organisations.geometry.is_empty]
    if len(orgs):
        cluster = folium.plugins.MarkerCluster().add_to(m)
        for name, point in zip(orgs[s.ORG_NAME], orgs.geometry, strict=True):
            folium.Marker([point.y, point.x], tooltip=name).add_to(cluster)
    m.fit_bounds([[y0, x0], [y1, x1]])
    return m


def naive_plotly(pack: Pack, indicator: str):
    """The plotly peer: ``px.choropleth_map`` of the same wards and values."""
    import plotly.express as px

    wards = pack.wards.merge(_ward_values(pack, indicator), on=s.WARD_CODE, how="left")
    x0, y0, x1, y1 = wards.total_bounds
    return px.choropleth_map(
        wards,
        geojson=wards[[s.WARD_CODE, s.GEOMETRY]].set_index(s.WARD_CODE).__geo_interface__,
        locations=s.WARD_CODE,
        color=s.VALUE,
        hover_name=s.WARD_NAME,
        center={"lat": (y0 + y1) / 2, "lon": (x0 + x1) / 2},
        zoom=5,
    )


def measure_peers(pack: Pack, out_dir: Path, *, repeats: int, budget: float = 90.0) -> PeerFigures:
    """Build each peer up to ``repeats`` times (fewer once ``budget`` seconds are spent on it),
    size the last build, and write the folium page to ``out_dir``."""
    indicator = peer_indicator(pack)
    fig = PeerFigures(indicator)
    fig.markers = int((~pack.organisations.geometry.isna() & ~pack.organisations.geometry.is_empty).sum())
    try:
        times, html = [], ""
        while len(times) < repeats and sum(times) < budget:
            start = time.perf_counter()
            html = naive_folium(pack, indicator).get_root().render()
            times.append(time.perf_counter() - start)
        fig.folium_build = Stats(tuple(times))
        fig.folium_bytes = len(html.encode())
        fig.html_path = out_dir / FOLIUM_HTML
        fig.html_path.write_text(html, encoding="utf-8")
    except (MemoryError, ValueError) as exc:
        fig.errors["folium"] = f"failed: {type(exc).__name__}: {exc}"
    try:
        times, payload = [], ""
        while len(times) < repeats and sum(times) < budget:
            start = time.perf_counter()
            payload = naive_plotly(pack, indicator).to_json()
            times.append(time.perf_counter() - start)
        fig.plotly_build = Stats(tuple(times))
        fig.plotly_bytes = len(payload.encode())
    except (MemoryError, ValueError, ImportError) as exc:
        fig.errors["plotly"] = f"failed: {type(exc).__name__}: {exc}"
    return fig
