"""Widgets and panels of the Need map page. Layout only: every number comes from sector_map."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from sector_map.analysis import need, subject
from sector_map.pack import schema as s
from sector_map.pack import values
from sector_map.pack.io import Pack
from sector_map.views import classify, map_layers, maps, missing, summaries, web_map
from ui import cache, state, url_state, ward_map, widgets
from ui.text import html_text, md

MODE_THEME = "Theme need index"
MODE_INDICATOR = "Indicator"
DEFAULT_THEME = "poverty_food"


@dataclass
class View:
    """Everything the user chose on the page."""

    mode: str
    indicator_id: str | None
    theme: str | None
    weights: dict[str, float] | None
    scheme: str
    k: int
    palette: str
    show_orgs: bool
    show_assets: bool
    org_themes: list[str] = field(default_factory=list)
    org_sizes: list[str] = field(default_factory=list)


_MODES_IN_URL = {MODE_THEME: "theme", MODE_INDICATOR: "indicator"}


def _parse_mode(text: str) -> str:
    for mode, name in _MODES_IN_URL.items():
        if text == name:
            return mode
    raise ValueError("use theme or indicator")


def url_params(pack: Pack) -> list[url_state.Param]:
    """The Need map's choices as query parameters (see ui/url_state.py)."""
    themes = subject.themes_with_indicators(pack)
    return [
        url_state.Param(
            "view",
            "nm_mode",
            MODE_THEME if themes else MODE_INDICATOR,
            parse=_parse_mode,
            fmt=_MODES_IN_URL.get,
            what="view",
        ),
        url_state.Param(
            "theme",
            "nm_theme",
            DEFAULT_THEME if DEFAULT_THEME in themes else (themes[0] if themes else None),
            allowed=themes,
            what="theme",
        ),
        url_state.choice_param("indicator", "nm_indicator", pack.indicator_meta, what="indicator"),
        url_state.choice_param("classes", "nm_scheme", classify.SCHEMES, what="classification"),
        url_state.Param(
            "k", "nm_k", classify.DEFAULT_K, parse=int, allowed=range(3, 8), what="number of classes"
        ),
        url_state.choice_param("palette", "nm_palette", classify.PALETTES, what="palette"),
        url_state.bool_param("orgs", "nm_orgs"),
        url_state.list_param("org_themes", "nm_org_themes", allowed=s.THEME_IDS, what="theme"),
        url_state.list_param("sizes", "nm_org_sizes", allowed=s.SIZE_BAND_IDS, what="size band"),
        url_state.bool_param("assets", "nm_assets"),
    ]


def restore_from_url(pack: Pack) -> list[url_state.Param]:
    """Restore the Need map from a shared link (once per session); returns the parameters."""
    params = url_params(pack)
    url_state.restore("need_map", params)
    theme = st.session_state.get("nm_theme") or DEFAULT_THEME
    if theme in s.THEMES_BY_ID:
        url_state.restore_weights(
            "need_map",
            st.query_params.get("w"),
            widgets.default_weights(pack, theme),
            lambda ind: widgets.kept_weight_key(pack, theme, ind),
        )
    return params


def publish_to_url(pack: Pack, params: list[url_state.Param], view: View) -> None:
    url_state.publish(params)
    if view.mode == MODE_THEME and view.theme:
        url_state.publish_weights(view.weights, widgets.default_weights(pack, view.theme))
    elif "w" in st.query_params:
        del st.query_params["w"]


def need_controls(pack: Pack) -> View:
    """The controls above the map."""
    themes = subject.themes_with_indicators(pack)
    c1, c2, c3 = st.columns([1.2, 2.4, 2.4])
    modes = [MODE_THEME, MODE_INDICATOR] if themes else [MODE_INDICATOR]
    mode = c1.radio(
        "Show", modes, key="nm_mode", help="A theme's need index averages its indicators' need scores."
    )
    indicator_id = theme = weights = None
    if mode == MODE_THEME:
        theme = c2.selectbox(
            "Theme",
            themes,
            format_func=lambda t: s.THEMES_BY_ID[t].label,
            key="nm_theme",
        )
    else:
        ids = list(pack.indicator_meta)
        indicator_id = c2.selectbox(
            "Indicator", ids, format_func=lambda i: pack.indicator_meta[i].label, key="nm_indicator"
        )
    with c3:
        sc1, sc2 = st.columns([1.6, 1])
        scheme = sc1.selectbox(
            "Classes by", list(classify.SCHEMES), format_func=classify.SCHEMES.get, key="nm_scheme"
        )
        k = sc2.number_input("Classes", min_value=3, max_value=7, key="nm_k")
    with st.sidebar.expander("Map layers", expanded=True):
        palette = st.selectbox(
            "Colours",
            list(classify.PALETTES),
            format_func=classify.PALETTES.get,
            key="nm_palette",
            help="All palettes stay readable with common colour-blindness.",
        )
        show_orgs = st.toggle("Organisations", key="nm_orgs")
        org_themes = st.multiselect(
            "Organisation themes",
            list(s.THEME_IDS),
            format_func=lambda t: s.THEMES_BY_ID[t].label,
            placeholder="All themes",
            key="nm_org_themes",
            disabled=not show_orgs or not len(pack.organisations),
        )
        no_income = missing.no_income(pack)
        if no_income:
            # A filter on a field no organisation has would only ever hide everything.
            st.caption(md(no_income))
            org_sizes = []
        else:
            org_sizes = st.multiselect(
                "Size bands",
                list(s.SIZE_BAND_IDS),
                format_func=s.SIZE_BAND_LABELS.get,
                placeholder="All sizes",
                key="nm_org_sizes",
                disabled=not show_orgs or not len(pack.organisations),
            )
        show_assets = st.toggle("Community buildings and land", key="nm_assets")
    return View(
        mode,
        indicator_id,
        theme,
        weights,
        scheme,
        int(k),
        palette,
        show_orgs,
        show_assets,
        org_themes,
        org_sizes,
    )


def theme_weights(pack: Pack, view: View) -> None:
    """The weight sliders of the chosen theme (fills ``view.weights``)."""
    if view.theme is not None:
        view.weights = widgets.theme_weight_sliders(pack, view.theme)


def build_subject(pack: Pack, key: tuple[str, str], view: View) -> subject.MapSubject:
    if view.mode == MODE_THEME:
        scores = cache.need_table(key, need.BY_RANK)
        return subject.theme_subject(pack, view.theme, scores=scores, weights=view.weights)
    return subject.indicator_subject(pack, view.indicator_id, wide=cache.indicator_table(key))


@dataclass
class Styled:
    classes: classify.Classes
    colours: list[str]


def style(subj: subject.MapSubject, view: View) -> Styled:
    classes = classify.classify(subj.values, scheme=view.scheme, k=view.k)
    colours = classify.class_colours(
        classes.k_effective, higher_is=subj.meta.higher_is, palette_name=view.palette
    )
    return Styled(classes, colours)


def organisations_to_show(pack: Pack, view: View):
    """(organisations to draw, how many of them have no location)."""
    if not view.show_orgs:
        return pack.organisations.iloc[0:0], 0
    orgs = summaries.filter_organisations(
        pack.organisations, themes=view.org_themes or None, size_bands=view.org_sizes or None
    )
    return orgs, maps.unmapped_count(orgs)


def map_wards(key, subj, styled: Styled, ward: str | None) -> dict:
    """What the map is told about the wards on this run (classes, value texts, ranks, selection)."""
    return web_map.ward_state(
        cache.ward_geometry(key),
        subj.values,
        styled.classes,
        styled.colours,
        label=subj.meta.label,
        unit=subj.meta.unit,
        value_format=values.value_format_for(subj.values, unit=subj.meta.unit),
        ranks=subj.ranks,
        selected=ward,
    )


def boundaries_map(pack: Pack, key: tuple[str, str]) -> None:
    """The wards outlined, with organisations and assets, for a pack with no figures to map yet."""
    ward = state.selected_ward(pack)
    nothing = pd.Series(float("nan"), index=pack.wards[s.WARD_CODE].astype(str))
    wards = web_map.ward_state(
        cache.ward_geometry(key), nothing, classify.classify(nothing), [], label="Ward figures", selected=ward
    )
    ward_map.ward_map(
        pack,
        key,
        wards,
        orgs=pack.organisations if len(pack.organisations) else None,
        show_assets=True,
        map_key=f"need_map_{pack.path.name}",
    )
    widgets.ward_picker(pack, ward)


def layer_notes(view: View, orgs, n_unlocated: int, pack: Pack) -> None:
    bits = []
    if view.show_orgs and not len(pack.organisations):
        bits.append("no organisations in this pack yet (add a list on the Data page)")
    elif view.show_orgs:
        drawn = len(orgs) - n_unlocated
        bits.append(
            f"{drawn:,} organisations drawn (coloured by their main theme; clusters show counts)"
            if drawn <= web_map.POINT_CAP
            else f"{drawn:,} organisations: circles show how many are in each ward; zoom in to see them one by one"
        )
        if n_unlocated:
            bits.append(
                f"{n_unlocated:,} more match the filters but have no location ('area only'), so are not drawn"
            )
    if view.show_assets:
        n = len(pack.assets)
        bits.append(
            f"{n:,} community buildings and land" if n else "no community buildings or land in this pack"
        )
    if pack.is_demo:
        bits.append("no street map under the fictional borough")
    text = " · ".join(bits)
    st.caption(text[:1].upper() + text[1:])


def legend(subj: subject.MapSubject, styled: Styled) -> None:
    """The legend in plain English: which way is worse, units, classes and 'no data'."""
    meta = subj.meta
    entries = classify.legend_entries(styled.classes, styled.colours, higher_is=meta.higher_is)
    rows = "".join(
        f'<div style="display:flex;align-items:center;gap:8px;margin:2px 0">'
        f'<span style="width:22px;height:14px;background:{e.colour};border:1px solid #999;display:inline-block;'
        f"{'background-image:repeating-linear-gradient(45deg,#999 0 2px,transparent 2px 6px);' if e.label == classify.NO_DATA_LABEL else ''}"
        f'"></span><span>{html_text(e.label)}</span><span style="color:#666;margin-left:auto">'
        f"{e.count} ward{'s' if e.count != 1 else ''}</span></div>"
        for e in entries
    )
    direction = classify.legend_text(meta)
    unit = (
        f" · unit: {html_text(meta.unit)}" if meta.unit and meta.unit.lower() not in direction.lower() else ""
    )
    st.markdown(
        f"<div style='font-size:0.9rem'><b>{html_text(meta.label)}</b><br>"
        f"<span style='color:#444'>{html_text(direction)}{unit}</span>"
        f"<div style='margin-top:6px'>{rows}</div></div>",
        unsafe_allow_html=True,
    )
    if styled.classes.note:
        st.caption(md(styled.classes.note))
    st.caption(f"{classify.SCHEMES[styled.classes.scheme]}, {styled.classes.k_effective} classes.")


def symbols_legend(pack: Pack, key, view: View, orgs, n_assets: int) -> None:
    """What the points and shapes on the map mean."""
    parts = []
    if view.show_orgs and len(orgs):
        positions = pack.organisations.index.get_indexer(orgs.index)
        present = set(cache.organisation_main_themes(key)[positions[positions >= 0]]) - {None}
        for t in [t for t in s.THEME_IDS if t in present]:
            theme = s.THEMES_BY_ID[t]
            parts.append(
                f'<span style="white-space:nowrap;margin-right:10px"><span style="display:inline-block;width:10px;'
                f'height:10px;border-radius:50%;background:{theme.colour};margin-right:4px"></span>'
                f"{html.escape(theme.label)}</span>"
            )
    if view.show_assets and n_assets:
        for status, (shape, colour) in map_layers.ASSET_STYLES.items():
            parts.append(
                f'<span style="white-space:nowrap;margin-right:10px">'
                f"{map_layers.asset_icon_svg(shape, colour, size=12)} {html.escape(status.capitalize())}</span>"
            )
    if parts:
        st.markdown(
            "<div style='font-size:0.8rem;line-height:1.7'><b>On the map</b> — "
            + (
                "dark circles: how many organisations are in each ward; zoomed in, each one "
                if view.show_orgs and len(orgs) > web_map.POINT_CAP
                else "organisations "
            )
            + "by main theme; community buildings and land by status:<br>"
            + " ".join(parts)
            + "</div>",
            unsafe_allow_html=True,
        )


def ward_panel(pack: Pack, key, ward: str, subj: subject.MapSubject) -> None:
    """Key figures for the selected ward."""
    name = pack.wards.loc[pack.wards[s.WARD_CODE] == ward, s.WARD_NAME].iloc[0]
    row = pack.wards.loc[pack.wards[s.WARD_CODE] == ward].iloc[0]
    value = subj.values.get(ward)
    rank = subj.ranks.get(ward)
    st.subheader(md(name))
    pop = row[s.POPULATION]
    st.caption(
        f"{md(ward)} · population {int(pop):,}" if pd.notna(pop) else f"{md(ward)} · population not known"
    )
    c1, c2 = st.columns(2)
    c1.metric(
        md(subj.meta.label) if len(subj.meta.label) < 28 else "Shown on map",
        md(values.format_value(value, unit=subj.meta.unit)),
    )
    n = int(subj.values.notna().sum())
    # "of N" goes in the label: "346 of 6,784" in the value is cut to "346 of…" in this column.
    c2.metric(
        f"Rank in area, of {n:,}",
        "no data" if rank is None or pd.isna(rank) else f"{int(rank):,}",
        help="1 = most need in this area",
    )
    in_ward = summaries.organisations_in_ward(pack, ward, ward_of_each=cache.organisation_wards(key))
    st.markdown(f"**{len(in_ward):,}** organisations based in this ward")
    if len(in_ward):
        top = summaries.common_themes(in_ward)
        st.caption(
            "Most common themes: " + ", ".join(f"{s.THEMES_BY_ID[t].label} ({n})" for t, n in top.items())
        )
    figures = summaries.ward_key_figures(pack, ward, wide=cache.indicator_table(key))
    st.dataframe(
        figures[[s.HEADER_INDICATOR, s.HEADER_VALUE, s.HEADER_RANK_IN_AREA]],
        hide_index=True,
        width="stretch",
        height=300,
    )


def theme_explainer(subj: subject.MapSubject) -> None:
    st.caption(
        f"**How this index is made.** {md(subj.meta.description)} 100 = the ward in most need in this area."
    )


def ward_table(pack: Pack, subj: subject.MapSubject) -> pd.DataFrame:
    return summaries.subject_table(pack, subj.values, subj.ranks, unit=subj.meta.unit)
