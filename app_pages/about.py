"""About the data: sources, licences, what each indicator means, and a glossary."""

import streamlit as st

from sector_map.pack import schema as s
from sector_map.views import about, missing
from ui import sidebar
from ui.text import md, md_table

pack = sidebar.current_pack()
st.title(f"About the data — {md(pack.name)}")
sidebar.demo_banner(pack)
if pack.manifest.get("description"):
    st.markdown(md(pack.manifest["description"]))

st.header("Sources")
st.caption("Every figure in this pack comes from one of these. Credit them when you use a map or chart.")
st.table(md_table(about.sources_table(pack).set_index(s.HEADER_SOURCE), links=("Link",)))
for sentence in about.deprivation_weights(pack):
    st.caption(md(sentence))
built = pack.manifest.get("built_at")
if built:
    st.caption(
        f"Pack built {md(built)}; ward boundaries: {md(pack.manifest.get('ward_vintage', 'vintage not recorded'))}."
    )

st.header("Indicators")
no_figures = missing.no_indicators(pack)
if no_figures:
    st.info(md(no_figures))
else:
    st.table(md_table(about.indicators_table(pack).set_index(s.HEADER_INDICATOR)))

st.header("Themes")
st.caption("The shared list of needs and offers. Each theme's need index averages the indicators shown.")
st.table(md_table(about.themes_table(pack).set_index(s.HEADER_THEME)))

st.header("Glossary")
for term, meaning in about.GLOSSARY.items():
    st.markdown(f"**{term}.** {meaning}")
