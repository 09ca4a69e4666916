"""Ward profile: one ward's figures, organisations, services, gaps and assets, laid out to print."""

import streamlit as st

from sector_map.analysis import subject
from sector_map.analysis import ward_profile as wp
from sector_map.export import charts as export_charts
from ui import cache, export_panel, sidebar, state, url_state, ward_panel, widgets
from ui.text import md

pack = sidebar.current_pack()
key = cache.pack_key(pack)
ward_panel.print_css()
st.title(f"Ward profile — {md(pack.name)}")
sidebar.demo_banner(pack)
ward = state.selected_ward(pack)
widgets.ward_picker(pack, ward)
if not ward:
    st.info(
        "Choose a ward in the box above, or click one on the Need map or Gaps page: the profile follows "
        "the ward selected there. To print, use your browser's Print command once a ward is shown."
    )
    st.stop()

ward_panel.heading(pack, ward)
ward_panel.indicators(pack, key, ward)
ward_panel.map_and_organisations(pack, key, ward)
ward_panel.gaps(pack, key, ward)
ward_panel.assets(pack, ward)
ward_panel.sources(pack)
export_panel.table_downloads(
    pack,
    ward_panel.tables(pack, key, ward),
    title=f"Ward profile: {wp.heading(pack, ward).name}",
    file_stem=f"{pack.path.name}-ward-{ward}",
    key="wp",
    about=cache.need_about_rows(key, tuple(subject.themes_with_indicators(pack))),
)
export_panel.panel(
    "ward map",
    lambda options: export_charts.ward_map(pack, ward, options=options),
    file_stem=f"{pack.path.name}-ward-{ward}",
)
url_state.share_link()
