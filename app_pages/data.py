"""Data: what the loaded pack holds, switching packs, adding your own files, CSV templates."""

import streamlit as st

from sector_map import upload
from ui import corrections_panel, data_panel, sidebar
from ui.text import md

pack = sidebar.published_pack()  # the pack's files, never the live directory's listings
st.title(f"Data — {md(pack.name)}")
sidebar.demo_banner(pack)
data_panel.saved_message()

holds, switch, add, templates = st.tabs(
    ["What this pack holds", "Switch pack", "Add your own data", "Templates"]
)
with holds:
    data_panel.overview(pack)
    corrections_panel.corrections(pack)
with switch:
    st.caption("Each pack describes one area. Switching changes every page; the selected ward is cleared.")
    data_panel.pack_switcher(pack)
with add:
    st.caption(
        "Add a list of organisations, ward figures or community buildings to this pack, or start a new "
        "pack from ward boundaries. Check the file first: you will see what is accepted, what is not "
        f"and why, before anything is saved. Files up to {upload.MAX_UPLOAD_MB} MB, "
        f"{upload.limits_text()}."
    )
    data_panel.upload_flow(pack)
with templates:
    st.caption("Start from a template: the column names are the ones sector-map recognises by itself.")
    data_panel.templates()
