"""Where we fit: for a charity or group, the wards whose unmet need its offer could meet."""

import streamlit as st

from ui import sidebar

pack = sidebar.current_pack()
st.title(f"Where we fit — {pack.name}")
sidebar.demo_banner(pack)
st.info("This page is being built.")
