"""The server-side work of the Need map page, step by step, as ``app_pages/need_map.py`` does it.

Each scenario calls :mod:`sector_map` exactly as the page and ``ui/need_map_panel.py`` do (without
Streamlit), so the figures are those of a real rerun minus Streamlit's own overhead. The
page's defaults are mirrored: theme need index, quantiles, 5 classes, organisations and
assets shown with no filters, no ward selected.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd

from bench import payload
from bench.timing import Laps, Stats, repeat
from sector_map.analysis import need, subject
from sector_map.pack import values
from sector_map.pack.io import Pack, load_pack
from sector_map.views import classify, map_layers, maps, summaries

# Step names, shared with the report.
PACK_LOAD = "pack_load"
SIMPLIFY = "simplify_wards"
NEED_TABLE = "need_score_table"
THEME_SUBJECT = "theme_subject"
INDICATOR_SUBJECT = "indicator_subject"
CLASSIFY = "classify"
COLOURS = "class_colours"
BASE_MAP = "base_map"
CHOROPLETH = "choropleth_layer"
ORGANISATIONS = "organisation_layer"
ASSETS = "asset_layer"
ST_FOLIUM = "st_folium_serialise"

PAGE_THEME = "poverty_food"  # ui/need_map_panel.py DEFAULT_THEME
WEIGHT_CHOICES = (0.5, 1.5, 2.0, 2.5, 3.0)  # slider positions (0–3 in steps of 0.5)


@dataclass(frozen=True)
class Choice:
    """What the user has picked on the page."""

    theme: str
    scheme: str = classify.DEFAULT_SCHEME
    k: int = classify.DEFAULT_K
    palette: str = classify.DEFAULT_PALETTE


def default_choice(pack: Pack, theme: str | None = None) -> Choice:
    """The page's first view: its default theme if the pack has it, else the first theme with data."""
    themes = subject.themes_with_indicators(pack)
    if not themes:
        raise ValueError(f"{pack.name}: no theme has indicators, so there is no need index to time")
    wanted = theme or PAGE_THEME
    if theme is not None and theme not in themes:
        raise ValueError(f"{pack.name} has no indicators for theme {theme!r}; try one of {', '.join(themes)}")
    return Choice(theme=wanted if wanted in themes else themes[0])


def changed_weights(pack: Pack, theme: str, i: int) -> dict[str, float]:
    """The theme's default weights with one slider moved; which one and where depends on ``i``."""
    weights = need.default_weights(pack.indicator_meta, theme)
    if i < 0:
        return weights
    ids = list(weights)
    weights[ids[i % len(ids)]] = WEIGHT_CHOICES[i % len(WEIGHT_CHOICES)]
    return weights


# --- one-off steps --------------------------------------------------------------------------
def time_pack_load(path: str | os.PathLike, *, repeats: int) -> Stats:
    """``load_pack`` afresh each repeat (files, parsing and validation; the OS file cache stays warm)."""
    return repeat(lambda laps, _: laps.run(PACK_LOAD, load_pack, path), repeats=repeats)[PACK_LOAD]


def time_simplify(pack: Pack, *, repeats: int) -> Stats:
    """``simplify_wards``, which the app runs once per pack and caches."""
    return repeat(lambda laps, _: laps.run(SIMPLIFY, maps.simplify_wards, pack.wards), repeats=repeats)[
        SIMPLIFY
    ]


# --- the page's layers, as ui/need_map_panel.py layers() builds them ---------------------------
def choropleth(
    wards: gpd.GeoDataFrame, subj: subject.MapSubject, classes: classify.Classes, colours: list[str]
) -> folium.FeatureGroup:
    """Wards by class, with the value format and ranks the page computes on each rerun."""
    meta = subj.meta
    return map_layers.choropleth_layer(
        wards,
        subj.values,
        classes,
        colours,
        label=meta.label,
        unit=meta.unit,
        value_format=values.value_format_for(subj.values, unit=meta.unit),
        ranks=subj.ranks,
        selected=None,
    )


def organisations(pack: Pack) -> folium.FeatureGroup | None:
    """All organisations (the page's default: no theme or size filter), or None when there are none."""
    orgs = summaries.filter_organisations(pack.organisations, themes=None, size_bands=None)
    return map_layers.organisation_layer(orgs) if len(orgs) else None


def assets(pack: Pack) -> folium.FeatureGroup | None:
    """Community buildings and land, or None when the pack has none."""
    return map_layers.asset_layer(pack.assets) if len(pack.assets) else None


# --- reruns ---------------------------------------------------------------------------------
def time_theme_rerun(pack: Pack, choice: Choice, *, repeats: int) -> dict[str, Stats]:
    """A weight slider moved: need table, index, classes, colours, base map, layers, st_folium.

    The app caches the need table (``ui.cache.need_table``), so it is timed but not part of a
    rerun's total; everything after it runs on every rerun.
    """
    wards = maps.simplify_wards(pack.wards)
    key = f"need_map_{pack.path.name if pack.path else 'pack'}"

    def scenario(laps: Laps, i: int) -> None:
        scores = laps.run(NEED_TABLE, need_table, pack)
        weights = changed_weights(pack, choice.theme, i)
        subj = laps.run(
            THEME_SUBJECT, subject.theme_subject, pack, choice.theme, scores=scores, weights=weights
        )
        classes = laps.run(CLASSIFY, classify.classify, subj.values, scheme=choice.scheme, k=choice.k)
        colours = laps.run(
            COLOURS,
            classify.class_colours,
            classes.k_effective,
            higher_is=subj.meta.higher_is,
            palette_name=choice.palette,
        )
        base = laps.run(BASE_MAP, maps.base_map, wards, basemap=not pack.is_demo)
        layers = [laps.run(CHOROPLETH, choropleth, wards, subj, classes, colours)]
        layers.append(laps.run(ORGANISATIONS, organisations, pack))
        layers.append(laps.run(ASSETS, assets, pack))
        laps.run(ST_FOLIUM, payload.st_folium_args, base, [g for g in layers if g is not None], key=key)

    return repeat(scenario, repeats=repeats)


def time_indicator_switch(pack: Pack, choice: Choice, *, repeats: int) -> dict[str, Stats]:
    """The indicator picker changed: raw values (table cached by the app), classes, colours."""
    wide = pack.indicator_wide()
    ids = list(pack.indicator_meta)

    def scenario(laps: Laps, i: int) -> None:
        ind = ids[max(i, 0) % len(ids)]
        subj = laps.run(INDICATOR_SUBJECT, subject.indicator_subject, pack, ind, wide=wide)
        classes = laps.run(CLASSIFY, classify.classify, subj.values, scheme=choice.scheme, k=choice.k)
        laps.run(
            COLOURS,
            classify.class_colours,
            classes.k_effective,
            higher_is=subj.meta.higher_is,
            palette_name=choice.palette,
        )

    return repeat(scenario, repeats=repeats)


def need_table(pack: Pack) -> pd.DataFrame:
    """0–100 need scores, wards × indicators, as ``ui.cache.need_table`` computes them."""
    return need.need_score_table(pack.indicator_wide(), pack.indicator_meta, method="rank")


# --- payload --------------------------------------------------------------------------------
def payload_sizes(pack: Pack, choice: Choice) -> tuple[int, payload.Payload]:
    """(``maps.payload_bytes`` of the first view, what st_folium sends for the same view)."""
    wards = maps.simplify_wards(pack.wards)
    subj = subject.theme_subject(pack, choice.theme, scores=need_table(pack))
    classes = classify.classify(subj.values, scheme=choice.scheme, k=choice.k)
    colours = classify.class_colours(
        classes.k_effective, higher_is=subj.meta.higher_is, palette_name=choice.palette
    )

    def build() -> tuple[folium.Map, list[folium.FeatureGroup]]:
        layers = [choropleth(wards, subj, classes, colours), organisations(pack), assets(pack)]
        return maps.base_map(wards, basemap=not pack.is_demo), [g for g in layers if g is not None]

    page_bytes = maps.payload_bytes(*build())
    key = f"need_map_{pack.path.name if pack.path else 'pack'}"
    return page_bytes, payload.measure(payload.st_folium_args(*build(), key=key))
