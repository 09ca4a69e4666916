"""About the data: sources, licences, what each indicator means, and a glossary."""

import streamlit as st

from sector_map import about, missing
from ui import sidebar

pack = sidebar.current_pack()
st.title(f"About the data — {pack.name}")
sidebar.demo_banner(pack)
if pack.manifest.get("description"):
    st.markdown(pack.manifest["description"])

st.header("Sources")
st.caption("Every figure in this pack comes from one of these. Credit them when you use a map or chart.")
st.table(about.sources_table(pack).set_index("Source"))
built = pack.manifest.get("built_at")
if built:
    st.caption(
        f"Pack built {built}; ward boundaries: {pack.manifest.get('ward_vintage', 'vintage not recorded')}."
    )

st.header("Indicators")
no_figures = missing.no_indicators(pack)
if no_figures:
    st.info(no_figures)
else:
    st.table(about.indicators_table(pack).set_index("Indicator"))

st.header("Themes")
st.caption("The shared list of needs and offers. Each theme's need index averages the indicators shown.")
st.table(about.themes_table(pack).set_index("Theme"))

st.header("Glossary")
for term, meaning in about.GLOSSARY.items():
    st.markdown(f"**{term}.** {meaning}")
