"""Our reach: a charity compares who it reaches with who lives in its area, by deprivation."""

import streamlit as st

from sector_map.reach import report
from ui import empty, reach_panel, reach_save, sidebar
from ui.text import md

pack = sidebar.published_pack()
st.title(f"Our reach — {md(pack.name)}")
sidebar.demo_banner(pack)
st.caption(
    "Who do you reach, against who lives here, by need? Upload your beneficiaries' postcodes (or counts "
    "by area) to compare them with the residents of your area, neighbourhood by neighbourhood."
)
st.caption(
    ":material/lock: Your file is read in this server's memory and turned at once into counts by "
    "neighbourhood (LSOA). Postcodes are never saved, logged or cached, and nothing is kept after you "
    "leave unless you choose to save your measured reach."
)
if not report.domains(pack):
    empty.show(
        "This pack has no neighbourhood (LSOA) deprivation table, so reach cannot be compared with "
        "residents by deprivation. Build the pack from a recipe with an [imd2025] or [imd2019] section "
        "(see README, Build a pack), or pick another pack.",
        need_map=True,
    )
    st.stop()

source = reach_panel.choose_source(pack)
if source is None:
    st.stop()
counts = reach_panel.read(pack, source)
if counts is None:
    st.stop()
reach_panel.accounting(counts)
reach_panel.columns(source, counts)
reach_panel.filters(counts)
choice = reach_panel.options(pack)
if choice is None:
    st.stop()
domain, area = choice
rep = report.analyse(pack, counts.by_lsoa, domain=domain, catchment=area)
reach_panel.summary(rep)
st.subheader("Reach by ward")
reach_panel.ratio_map(pack, rep)
reach_panel.charts(rep)
reach_panel.tables(rep)
reach_panel.exports(pack, rep)
reach_save.save_area(pack, rep)
