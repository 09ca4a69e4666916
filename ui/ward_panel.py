"""Pieces of the Ward profile page. Layout only: every number comes from sector_map.analysis.ward_profile."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from sector_map.analysis import gaps as gaps_mod
from sector_map.analysis import ward_profile as wp
from sector_map.analysis.provision import DEFAULT_RADIUS_KM
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.views import missing, ward_map
from ui import cache, widgets
from ui.text import md, md_table

# Longest table drawn as a static (printable) table; longer ones scroll.
STATIC_ROWS = 60
PRINT_CSS = """
<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDecoration"], [data-testid="stStatusWidget"], .stSelectbox, .no-print,
  [data-testid="stDownloadButton"], [data-testid="stExpander"], [data-testid="stPopover"] { display: none !important; }
  [data-testid="stAppViewContainer"], [data-testid="stMain"], .block-container {
    margin: 0 !important; padding: 0.5cm !important; max-width: 100% !important; }
  table { page-break-inside: auto; font-size: 9pt; }
  tr, img { page-break-inside: avoid; }
  h2, h3 { page-break-after: avoid; }
}
</style>
"""


def print_css() -> None:
    """Hide the sidebar, header and toolbar when the page is printed."""
    st.markdown(PRINT_CSS, unsafe_allow_html=True)


def _pack(key: tuple[str, str]) -> Pack:
    return cache.pack_for(key)


def gap_tables(key: tuple[str, str]) -> Mapping[str, gaps_mod.GapResult]:
    """Gap tables of every theme with indicators (default weights and catchment), once per pack and
    shared with Where we fit (ui.cache.theme_gaps)."""
    return cache.theme_gaps(key)


@st.cache_data(show_spinner=False, max_entries=64)
def organisations(key: tuple[str, str], ward: str) -> pd.DataFrame:
    return wp.organisations(_pack(key), ward)


def heading(pack: Pack, ward: str) -> None:
    h = wp.heading(pack, ward)
    st.header(md(h.name), anchor=False)
    pop = f"population {h.population:,}" if h.population is not None else "population not known"
    la = f"{h.la_name} ({h.la_code})" if h.la_code else "not known"
    st.markdown(
        f"**Ward code** {md(h.code)} · **Local authority** {md(la)} · "
        f"**{pop.capitalize()}** (source: {md(h.population_source)})"
    )


def indicators(pack: Pack, key, ward: str) -> None:
    st.subheader("Indicators", anchor=False)
    no_figures = missing.no_indicators(pack)
    if no_figures:
        st.info(md(no_figures))
        return
    rows = wp.indicator_rows(pack, ward, wide=cache.indicator_table(key))
    st.table(md_table(rows.set_index(s.HEADER_INDICATOR)))
    st.caption(f"Rank in area: among {md(pack.name)}'s wards with data, 1 = most need.")


@st.cache_data(show_spinner=False, max_entries=32)
def map_png(key: tuple[str, str], ward: str) -> bytes:
    """The ward's map as a PNG, drawn once per pack and ward (drawing it costs most of a rerun)."""
    import matplotlib.pyplot as plt

    fig = ward_map.map_figure(_pack(key), ward, organisations(key, ward))
    image = io.BytesIO()
    fig.savefig(image, format="png", dpi=200, bbox_inches="tight")  # as st.pyplot draws it
    plt.close(fig)
    return image.getvalue()


def map_and_organisations(pack: Pack, key, ward: str) -> None:
    from sector_map.analysis import warm

    orgs = cache.prepared(
        pack,
        "where organisations are and whose services reach each ward",
        warm.indexed(pack),
        lambda: organisations(key, ward),
    )
    st.subheader("Map", anchor=False)
    st.image(map_png(key, ward), width="content")
    st.caption(
        f"The ward outlined; neighbouring wards within {wp.NEAR_KM:g} km in grey"
        + (
            "; organisations with a known point (many charities are placed only by a contact address, "
            "which may not be where they work)."
            if len(pack.organisations)
            else "."
        )
    )
    st.subheader("Organisations and services", anchor=False)
    no_orgs = missing.no_organisations(pack)
    if no_orgs:
        st.info(md(no_orgs))
        return
    st.markdown(wp.organisation_summary(orgs))
    # Organisations based here or nearby stay in the main table even when their services are
    # whole-area, so the table and the sentence above count the same rows.
    whole = orgs[s.HEADER_WHOLE_AREA].astype(bool) & orgs[s.HEADER_WHERE].eq(wp.REACHES)
    hidden = [s.ORG_ID, s.HEADER_WHOLE_AREA]
    local = orgs.loc[~whole].drop(columns=hidden).set_index(s.HEADER_ORGANISATION)
    wide = orgs.loc[whole].drop(columns=hidden).set_index(s.HEADER_ORGANISATION)
    if len(local) == 0:
        st.caption("No organisation is based in or near this ward or runs a local service reaching it.")
    elif len(local) <= STATIC_ROWS:
        st.table(md_table(local))
    else:
        st.dataframe(local, width="stretch", height=420)
    if len(wide):
        box = widgets.lazy_expander(
            f"{len(wide):,} more whose services reach it by serving the whole area", "wp_whole_area_open"
        )
        if box.open:
            with box:
                st.dataframe(wide, width="stretch", height=360)


def gaps(pack: Pack, key, ward: str) -> None:
    st.subheader("Gaps by theme", anchor=False)
    no_need = missing.no_theme_indicators(pack)
    if no_need:
        st.info(md(no_need))
        return
    no_provision = missing.no_provision(pack)
    if no_provision:
        # Need by theme is all the data supports: no provision, so no gap, class or priority.
        if len(pack.organisations):
            st.info(md(no_provision))
        else:
            st.caption("No organisations, so no provision and no gaps (see above): need by theme alone.")
        rows = wp.gap_rows(gap_tables(key), ward, need_only=True)
        shown = rows.assign(
            **{s.HEADER_NEED: rows[s.HEADER_NEED].map(lambda v: "no data" if pd.isna(v) else f"{v:.0f}")}
        )
        st.table(md_table(shown.set_index(s.HEADER_THEME)))
        return
    rows = wp.gap_rows(gap_tables(key), ward)
    no_data = rows[s.HEADER_CLASS].eq(gaps_mod.NO_DATA)
    shown = rows.assign(
        **{
            c: [
                f"{v:.0f}" if pd.notna(v) else "no data" if nd else "—"
                for v, nd in zip(rows[c], no_data, strict=True)
            ]
            for c in (s.HEADER_NEED, s.HEADER_GAP)
        },
        **{
            s.HEADER_PROVISION: rows[s.HEADER_PROVISION].map(
                lambda v: f"{v:.2f}" if pd.notna(v) else "not known"
            )
        },
    )
    st.table(md_table(shown.set_index(s.HEADER_THEME)))
    st.caption(
        "Need: the theme's need index (100 = most need in the area). Provision: services within reach per "
        f"1,000 residents (two-step floating catchment, {DEFAULT_RADIUS_KM:g} km). Gap: how much higher the "
        "ward ranks on need than on provision (100 = most need with least provision). Priority is the ward's "
        "place in that theme's list on the Gaps page with default weights."
    )


def assets(pack: Pack, ward: str) -> None:
    st.subheader("Community buildings and land", anchor=False)
    no_assets = missing.no_assets(pack)
    if no_assets:
        st.caption(md(no_assets))
        return
    table = wp.assets(pack, ward)
    if table.empty:
        st.caption(f"No community buildings or land recorded in the ward or within {wp.NEAR_KM:g} km.")
        return
    free = table[s.HEADER_STATUS].isin(wp.FREE_TO_USE).sum()
    st.markdown(f"{len(table)} in or within {wp.NEAR_KM:g} km of the ward; {free} available or vacant.")
    st.table(md_table(table.set_index(s.HEADER_NAME)))


def sources(pack: Pack) -> None:
    names = [str(x.get("title", "")) for x in pack.sources if x.get("title")]
    built = str(pack.manifest.get("built_at", ""))[:10]
    st.caption(
        f"Sources: {md('; '.join(names)) or 'see About the data'}. Pack built {built or 'on an unknown date'}; "
        f"profile printed {dt.date.today():%d %B %Y}. sector-map."
    )


def tables(pack: Pack, key, ward: str) -> dict[str, pd.DataFrame]:
    """The profile's tables, for the CSV/XLSX download."""
    orgs = organisations(key, ward).drop(columns=[s.HEADER_WHOLE_AREA])
    return {
        "Indicators": wp.indicator_rows(pack, ward, wide=cache.indicator_table(key)),
        "Gaps by theme": wp.gap_rows(gap_tables(key), ward),
        "Organisations": orgs,
        "Buildings and land": wp.assets(pack, ward),
    }
