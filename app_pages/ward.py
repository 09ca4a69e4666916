"""Ward profile: one ward's figures, organisations, services, gaps and assets, laid out to print."""

import streamlit as st

from ui import sidebar

pack = sidebar.current_pack()
st.title(f"Ward profile — {pack.name}")
sidebar.demo_banner(pack)
st.info("This page is being built.")
