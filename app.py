"""sector-map entry point: page config, shared sidebar, navigation over app_pages/."""

from pathlib import Path

import streamlit as st

from ui import sidebar

HERE = Path(__file__).resolve().parent

st.set_page_config(page_title="sector-map", page_icon="🗺️", layout="wide")

sidebar.ensure_demo_pack()
st.session_state["_pack_path"] = str(sidebar.choose_pack())
sidebar.choose_directory()
pack = sidebar.open_pack()

page = st.navigation(
    [
        st.Page(HERE / "app_pages" / "need_map.py", title="Need map", icon=":material/map:", default=True),
        st.Page(HERE / "app_pages" / "gaps.py", title="Gaps", icon=":material/crisis_alert:"),
        st.Page(HERE / "app_pages" / "fit.py", title="Where we fit", icon=":material/handshake:"),
        st.Page(HERE / "app_pages" / "ward.py", title="Ward profile", icon=":material/location_city:"),
        st.Page(HERE / "app_pages" / "reach.py", title="Our reach", icon=":material/groups:"),
        st.Page(HERE / "app_pages" / "listing.py", title="Our listing", icon=":material/edit_note:"),
        st.Page(HERE / "app_pages" / "review.py", title="Review", icon=":material/rate_review:"),
        st.Page(HERE / "app_pages" / "directory.py", title="Directory", icon=":material/menu_book:"),
        st.Page(HERE / "app_pages" / "data.py", title="Data", icon=":material/database:"),
        st.Page(HERE / "app_pages" / "about.py", title="About the data", icon=":material/info:"),
    ]
)
sidebar.draw_sidebar(pack)
page.run()
