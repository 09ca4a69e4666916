"""Need map: a choropleth of an indicator or a theme's need index, with organisations and assets."""

import streamlit as st

from sector_map.export import maps as export
from sector_map.views import missing
from ui import cache, empty, export_panel, need_map_panel, sidebar, state, url_state, ward_map, widgets
from ui.text import md

pack = sidebar.current_pack()
key = cache.pack_key(pack)
st.title(f"Need map — {md(pack.name)}")
sidebar.demo_banner(pack)
notices = st.empty()
no_figures = missing.no_indicators(pack)
if no_figures:
    empty.show(no_figures)
    need_map_panel.boundaries_map(pack, key)
    with notices:
        url_state.show_notices()
    st.stop()
if single := missing.one_ward(pack):
    st.info(md(single))

url_params = need_map_panel.restore_from_url(pack)
view = need_map_panel.need_controls(pack)
map_col, side_col = st.columns([3, 1.35], gap="medium")
with side_col:
    need_map_panel.theme_weights(pack, view)
need_map_panel.publish_to_url(pack, url_params, view)
subject = need_map_panel.build_subject(pack, key, view)
styled = need_map_panel.style(subject, view)
orgs_shown, n_unlocated = need_map_panel.organisations_to_show(pack, view)
ward = state.selected_ward(pack)

with map_col:
    widgets.missing_assets_note()
    ward_map.ward_map(
        pack,
        key,
        need_map_panel.map_wards(key, subject, styled, ward),
        orgs=orgs_shown if view.show_orgs else None,
        show_assets=view.show_assets,
        map_key=f"need_map_{pack.path.name}",
    )
    need_map_panel.layer_notes(view, orgs_shown, n_unlocated, pack)

with side_col:
    need_map_panel.legend(subject, styled)
    need_map_panel.symbols_legend(pack, key, view, orgs_shown, len(pack.assets))
    widgets.ward_picker(pack, ward)
    if ward:
        need_map_panel.ward_panel(pack, key, ward, subject)
    else:
        st.caption("Click a ward on the map, or pick one above, to see its key figures.")

if view.mode == need_map_panel.MODE_THEME:
    need_map_panel.theme_explainer(subject)
table_box = widgets.lazy_expander("Ward values as a table", "nm_table_open")
if table_box.open:
    with table_box:
        st.dataframe(need_map_panel.ward_table(pack, subject), hide_index=True, width="stretch")
        st.caption(
            f"{md(subject.meta.label)}: {md(subject.meta.worse_phrase)}. Ranks are within {md(pack.name)}; "
            "1 = most need."
        )

export_panel.panel(
    "map",
    lambda options: export.need_map(pack, subject, styled.classes, styled.colours, options=options),
    file_stem=f"{pack.path.name}-{subject.meta.id}",
)

with notices:
    url_state.show_notices()
url_state.share_link()
