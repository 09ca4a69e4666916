"""Gaps: where need is high and provision thin, per theme, with a reason for every ward."""

import streamlit as st

from sector_map.analysis import gaps
from sector_map.export import charts as export_charts
from sector_map.export import maps as export
from sector_map.views import missing
from ui import cache, empty, export_panel, gaps_panel, sidebar, state, url_state, ward_map, widgets
from ui.text import md

pack = sidebar.current_pack()
key = cache.pack_key(pack)
st.title(f"Gaps — {md(pack.name)}")
sidebar.demo_banner(pack)
notices = st.empty()
basis = st.empty()  # what set the classes, or that provision cannot tell wards apart: at the top
st.caption(
    "A ward's gap is how much higher it ranks on need than on provision among this area's wards: "
    "100 = the most need with the least provision. Only located services (a site of their own, or "
    "listed wards) set a ward's class; services serving the whole area or known only by a contact "
    "address are named in the reasons."
)

nothing = missing.no_theme_indicators(pack) or missing.no_provision(pack)
if nothing:
    empty.show(nothing, need_map=bool(pack.indicator_meta))
    st.stop()
view = gaps_panel.controls(pack)
if not view.themes:
    st.info("Choose at least one theme.")
    st.stop()
result = gaps_panel.gap_table(pack, key, view)
table = result.table
not_known = missing.provision_not_known(pack, view.themes, result)
unclassed = None if not_known else missing.unclassed_gaps(pack, view.themes, result)
if unclassed:
    empty.show(unclassed, need_map=True)
    with notices:
        url_state.show_notices()
    url_state.share_link()
    st.stop()
if not_known:
    with basis.container():
        st.warning(md(not_known), icon=":material/help:")
    ward = state.selected_ward(pack)
    pick_col, reason_col = st.columns([1, 2], gap="medium")
    with pick_col:
        widgets.ward_picker(pack, ward)
    with reason_col:
        gaps_panel.ward_reason(table, ward)
    gaps_panel.priority_list(pack, table, view, need_only=True)
    with notices:
        url_state.show_notices()
    url_state.share_link()
    st.stop()
said = gaps.provision_basis(result, gaps.services_word(view.themes))
if said:
    basis.caption(md(said))
ward = state.selected_ward(pack)

map_col, side_col = st.columns([3, 1.35], gap="medium")
with map_col:
    widgets.missing_assets_note()
    ward_map.ward_map(
        pack, key, gaps_panel.map_wards(key, table, ward), map_key=f"gap_map_{pack.path.name}", height=520
    )
with side_col:
    gaps_panel.legend(table)
    widgets.ward_picker(pack, ward)
    gaps_panel.ward_reason(table, ward)

event = st.plotly_chart(
    gaps_panel.scatter(table, view, ward),
    on_select="rerun",
    selection_mode="points",
    key="gp_scatter",
    width="stretch",
)
picked = gaps_panel.selected_from_chart(event)
if picked and picked != ward:
    state.select_ward(picked)
    st.rerun()

export_panel.panel(
    "gap map",
    lambda options: export.gap_map(
        pack, table, themes=view.themes, options=options, measure=view.measure, weights=view.weights
    ),
    file_stem=f"{pack.path.name}-gaps-{'-'.join(view.themes)}",
)

export_panel.panel(
    "chart",
    lambda options: export_charts.scatter_chart(
        pack, table, themes=view.themes, options=options, measure=view.measure
    ),
    file_stem=f"{pack.path.name}-need-vs-provision-{'-'.join(view.themes)}",
)

gaps_panel.priority_list(pack, table, view)

with notices:
    url_state.show_notices()
url_state.share_link()
