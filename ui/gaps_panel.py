"""Widgets and panels of the Gaps page. Layout only: every number comes from sector_map."""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from sector_map.analysis import gaps, need, subject
from sector_map.export import tables as table_export
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.views import charts, gap_colours, web_map
from ui import cache, export_panel, url_state, widgets
from ui.text import md

DEFAULT_THEMES = ["poverty_food"]
PRIORITY_COLUMNS = {
    "Priority": st.column_config.NumberColumn(format="%d", width="small"),
    "Need (0–100)": st.column_config.NumberColumn(format="%.0f", width="small"),
    "Provision": st.column_config.NumberColumn(
        format="%.2f", width="small", help="From located services only: a site of their own, or listed wards"
    ),
    "Located": st.column_config.NumberColumn(
        format="%d", width="small", help="Services of the theme at a site of their own, or in listed wards"
    ),
    "Area-wide": st.column_config.NumberColumn(
        format="%d", width="small", help="Serving the whole area, or known only by a contact address"
    ),
    "Gap (0–100)": st.column_config.NumberColumn(format="%.0f", width="small"),
    "Why": st.column_config.TextColumn(width="large"),
}
RADIUS_STEPS = (0.5, 5.0, 0.5)


@dataclass
class GapView:
    themes: list[str]
    radius_km: float
    decay: str
    measure: str
    weights: dict[str, dict[str, float]]
    own_radius: bool = True


def url_params(pack: Pack) -> list[url_state.Param]:
    """The Gaps page's choices as query parameters (see ui/url_state.py)."""
    from sector_map.analysis.provision import DECAYS, DEFAULT_RADIUS_KM

    themes = subject.themes_with_indicators(pack)
    default_themes = [t for t in DEFAULT_THEMES if t in themes] or themes[:1]
    radii = [
        RADIUS_STEPS[0] + i * RADIUS_STEPS[2]
        for i in range(int((RADIUS_STEPS[1] - RADIUS_STEPS[0]) / RADIUS_STEPS[2]) + 1)
    ]
    return [
        url_state.list_param("themes", "gp_themes", allowed=themes, what="theme", default=default_themes),
        url_state.Param(
            "radius",
            "gp_radius",
            float(DEFAULT_RADIUS_KM),
            parse=float,
            fmt=lambda v: f"{v:g}",
            allowed=radii,
            what="catchment in km (0.5 to 5, in steps of 0.5)",
        ),
        url_state.Param("decay", "gp_decay", DECAYS[0], allowed=DECAYS, what="distance decay"),
        url_state.choice_param("measure", "gp_measure", gaps.MEASURES, what="provision measure"),
        url_state.bool_param("own_reach", "gp_own_radius"),
    ]


def controls(pack: Pack) -> GapView:
    from sector_map.analysis.provision import DECAYS

    params = url_params(pack)
    url_state.restore("gaps", params)
    themes = subject.themes_with_indicators(pack)
    c1, c2, c3, c4 = st.columns([2.6, 1.3, 1.2, 1.6])
    chosen = c1.multiselect(
        "Themes",
        themes,
        format_func=lambda t: s.THEMES_BY_ID[t].label,
        key="gp_themes",
        help="Need is the mean of the themes' need indices; a service counts if it offers any of them.",
    )
    radius = c2.slider(
        "Catchment (km)",
        *RADIUS_STEPS[:2],
        step=RADIUS_STEPS[2],
        key="gp_radius",
        help="How far people are expected to travel to a service; services further away do not count.",
    )
    decay = c3.selectbox(
        "Distance decay",
        list(DECAYS),
        key="gp_decay",
        help="'none': everything within the catchment counts fully; 'linear'/'gaussian': nearer counts more.",
    )
    measure = c4.selectbox(
        "Provision measure", list(gaps.MEASURES), format_func=gaps.MEASURES.get, key="gp_measure"
    )
    own_radius = st.toggle(
        "Use each service's own stated reach where it has one",
        key="gp_own_radius",
        help="Off: every service with a point reaches exactly the catchment above.",
    )
    weights = {}
    if chosen:
        with st.sidebar:
            st.caption("Need weights (shared with the Need map)")
            for theme in chosen:
                weights[theme] = widgets.theme_weight_sliders(
                    pack, theme, title=f"Weights: {s.THEMES_BY_ID[theme].label}"
                )
    url_state.publish(params)
    return GapView(chosen, float(radius), str(decay), str(measure), weights, bool(own_radius))


def gap_table(pack: Pack, key, view: GapView) -> gaps.GapResult:
    from sector_map.analysis.provision import ProvisionOptions
    from sector_map.analysis.tables import gap_table_for

    return gap_table_for(
        pack,
        view.themes,
        scores=cache.need_table(key, need.BY_RANK),
        provision=cache.provision(key, tuple(view.themes), view.radius_km, view.decay, view.own_radius),
        weights=view.weights,
        options=ProvisionOptions(radius_km=view.radius_km, decay=view.decay, own_radius=view.own_radius),
        measure=view.measure,
    )


def map_wards(key, table: pd.DataFrame, ward: str | None) -> dict:
    """What the ward map is told on this run: each ward's 3×3 class, its gap and rank, the selection."""
    classes, colours = gap_colours.map_classes(table)
    return web_map.ward_state(
        cache.ward_geometry(key),
        table[s.GAP],
        classes,
        colours,
        label="Gap (need against provision, 0–100)",
        value_format=lambda v: f"{v:.0f}/100",
        ranks=table[s.RANK].astype("float64"),
        selected=ward,
    )


def legend(table: pd.DataFrame) -> None:
    """The 3×3 legend as a small HTML grid: need up, provision across, with ward counts."""
    counts = table[s.GAP_CLASS].value_counts()
    grid = gap_colours.bivariate_legend()
    rows = []
    for need_word, row in grid.iterrows():
        cells = "".join(
            f'<td style="background:{colour};width:54px;height:34px;text-align:center;'
            f'color:{gap_colours.text_colour_on(colour)}">'
            f"{int(counts.get(f'{need_word}, {prov}', 0))}</td>"
            for prov, colour in row.items()
        )
        rows.append(
            f'<tr><th style="text-align:right;font-weight:normal;padding-right:6px">{need_word}</th>{cells}</tr>'
        )
    head = "".join(
        f'<th style="font-weight:normal;font-size:0.75rem">{html.escape(p)}</th>' for p in grid.columns
    )
    no_data = int(counts.get(gaps.NO_DATA, 0))
    st.markdown(
        '<div style="font-size:0.85rem"><b>Need against provision</b> (ward counts)'
        f'<table style="border-collapse:separate;border-spacing:2px;margin-top:4px"><tr><th></th>{head}</tr>'
        + "".join(rows)
        + "</table>"
        + (f'<span style="color:#555">No data: {no_data} ward(s), grey and dashed</span>' if no_data else "")
        + "</div>",
        unsafe_allow_html=True,
    )
    st.caption("Top-left (red) is the gap: high need, little provision. Thirds are within this area.")


def scatter(table: pd.DataFrame, view: GapView, ward: str | None):
    title = themes_title(view)
    return charts.need_provision_scatter(
        table,
        title=f"Need against provision: {title}",
        provision_label=gaps.MEASURES[view.measure],
        selected=ward,
    )


def selected_from_chart(event) -> str | None:
    """Ward code of the point picked in the scatter, if any."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for p in points:
        data = p.get("customdata")
        if data:
            return str(data[0])
    return None


# The headers people read for the priority list's columns (schema.GAP_LIST_COLUMNS gives the order).
HEADERS = {
    s.WARD_CODE: "Ward code",
    s.WARD_NAME: "Ward",
    s.RANK: "Priority",
    s.NEED: "Need (0–100)",
    s.PROVISION: "Provision",
    s.SERVICES_LOCATED: "Located",
    s.SERVICES_AREA_WIDE: "Area-wide",
    s.GAP: "Gap (0–100)",
    s.GAP_CLASS: "Class",
    s.REASON: "Why",
}
# What provision that cannot tell wards apart does not have.
_NOT_KNOWN = (s.RANK, s.PROVISION, s.GAP)


def _columns(table: pd.DataFrame) -> list[str]:
    """The priority list's columns that have a header here and are in ``table`` (with its index)."""
    return [c for c in s.GAP_LIST_COLUMNS if c in HEADERS and (c in table.columns or c == s.WARD_CODE)]


def priority_table(table: pd.DataFrame, *, need_only: bool = False) -> pd.DataFrame:
    """The priority list for the screen; ``need_only`` leaves out priority, provision and gap,
    which provision that cannot tell wards apart does not have."""
    columns = [c for c in _columns(table) if not (need_only and c in _NOT_KNOWN)]
    return table.reset_index()[columns].rename(columns=HEADERS)


def export_table(table: pd.DataFrame) -> pd.DataFrame:
    """The priority list as the screen shows it, with the data's column names, rounded for reading."""
    return table.reset_index()[_columns(table)].round({s.NEED: 1, s.PROVISION: 3, s.GAP: 1})


def ward_reason(table: pd.DataFrame, ward: str | None) -> None:
    """The selected ward's name, class (with its priority when ranked) and reason; nothing when no
    ward of the table is selected."""
    if not ward or ward not in table.index:
        return
    row = table.loc[ward]
    st.subheader(md(row[s.WARD_NAME]))
    st.markdown(
        f"**{md(row[s.GAP_CLASS].capitalize())}**"
        + (f" · priority {int(row[s.RANK])}" if pd.notna(row[s.RANK]) else "")
    )
    st.write(md(row[s.REASON]))


def priority_list(pack: Pack, table: pd.DataFrame, view: GapView, *, need_only: bool = False) -> None:
    """The priority list (or, when provision is not known, the wards by need) and its downloads."""
    st.subheader("Wards by need (provision not known)" if need_only else "Priority list")
    st.dataframe(
        priority_table(table, need_only=need_only),
        hide_index=True,
        width="stretch",
        column_config=PRIORITY_COLUMNS,
    )
    scores = cache.need_table(cache.pack_key(pack), need.BY_RANK)
    export_panel.table_downloads(
        pack,
        {
            "Priority list": table_export.with_need_indicators(
                export_table(table), pack, view.themes, weights=view.weights, scores=scores
            )
        },
        title=f"Gaps: {themes_title(view)}",
        file_stem=f"gaps-{pack.path.name}-{'-'.join(view.themes)}",
        key="gp",
        about=table_export.need_about_rows(pack, view.themes, weights=view.weights, scores=scores),
    )


def themes_title(view: GapView) -> str:
    return " + ".join(s.THEMES_BY_ID[t].label for t in view.themes)
