"""Where we fit: for a charity or group, the wards whose unmet need its offer could meet."""

import streamlit as st

from sector_map.analysis import gaps
from sector_map.analysis import need as need_method
from sector_map.analysis.provision import DEFAULT_RADIUS_KM
from sector_map.export import tables as table_export
from sector_map.pack import schema as s
from sector_map.views import missing
from ui import cache, empty, export_panel, fit_panel, sidebar, state, url_state, widgets
from ui.text import md

pack = sidebar.current_pack()
key = cache.pack_key(pack)
st.title(f"Where we fit — {md(pack.name)}")
sidebar.demo_banner(pack)
st.caption(
    "Pick your organisation or describe your offer: wards are ranked by the unmet need (gap) in "
    "your themes that you could reach, with who could partner with you and who already does the same."
)

notices = st.empty()
no_need = missing.no_theme_indicators(pack)
if no_need:
    empty.show(no_need, need_map=bool(pack.indicator_meta))
    st.stop()
offer = fit_panel.choose_offer(pack)
url_state.share_link()
with notices:
    url_state.show_notices()
if offer is None:
    st.stop()
fit_panel.offer_summary(offer)
need, _ = cache.need_and_gaps(key, float(DEFAULT_RADIUS_KM))
fit = cache.fit(key, offer, float(DEFAULT_RADIUS_KM))
columns = fit_panel.ward_columns(fit)

st.subheader("Wards where your offer fits")
if fit.by_need_alone:
    st.info(
        "Wards are ranked by need alone, not unmet need, and the score is need (0–100). "
        + md(
            missing.no_provision(pack, offer.themes)
            or "Provision of these themes cannot tell wards apart, so unmet need is not known."
        )
    )
else:
    st.caption(
        "Wards you reach, ranked by unmet need in your themes: the mean of the ward's need and its gap "
        "(0–100), so the neediest wards come first and provision already there moves a ward down."
    )
reachable = fit_panel.ward_table(fit)
if reachable.empty:
    st.write("Your offer reaches no ward of this area with data.")
else:
    st.dataframe(reachable, hide_index=True, width="stretch", column_config=columns)
beyond = fit_panel.beyond_reach_table(fit)
if not beyond.empty:
    st.subheader("Beyond your reach")
    st.caption(
        f"{len(beyond)} ward{'s' if len(beyond) != 1 else ''} your offer does not reach, highest "
        f"{'need' if fit.by_need_alone else 'unmet need'} "
        "first: not ranked, but worth knowing if you could reach further or partner with someone there."
    )
    st.dataframe(beyond, hide_index=True, width="stretch", column_config=columns)
partners, overlap = cache.partners_and_overlap(key, offer)
export_panel.table_downloads(
    pack,
    {
        "Wards": table_export.with_need_indicators(
            fit.table, pack, offer.themes, scores=cache.need_table(key, need_method.BY_RANK)
        ),
        "Possible partners": partners,
        "Possible overlap": overlap,
    },
    title=f"Where {offer.name} fits",
    file_stem=f"where-we-fit-{pack.path.name}",
    key="fit",
)

if not len(pack.organisations):
    st.subheader("Possible partners and a consortium")
    st.info(
        f"Partners come from the organisations in a pack, and this pack has none yet. {missing.ADD_ORGANISATIONS}."
    )
    st.stop()

sizes_known = missing.no_income(pack) is None
fit_panel.group_section(
    "Possible partners",
    "Working where you work, with offers that complement yours: those with a site or listed wards "
    "there first, then those near your base, then those the register only places across the whole area.",
    partners,
    none="None found near you.",
    sizes_known=sizes_known,
)
fit_panel.group_section(
    "Possible overlap",
    "Already doing the same thing in the same places, in the same order.",
    overlap,
    none="Nobody else nearby offers the same themes.",
    sizes_known=sizes_known,
)

st.subheader("A possible consortium for one ward")
ward = fit.ward_or_first(state.selected_ward(pack))
widgets.ward_picker(pack, state.selected_ward(pack))
themes = gaps.high_need_themes(need, ward) if ward else []
name = pack.wards.set_index(s.WARD_CODE)[s.WARD_NAME].get(ward, ward)
if ward is not None and state.selected_ward(pack) is None:
    st.caption(f"Showing {md(name)}, the first ward in your list, until you choose another.")
if not themes:
    st.write(f"{md(name)} is not in the top third of the area's wards for need in any theme.")
else:
    group = cache.consortium(key, ward, tuple(themes))
    n_wards, n_themes = len(need.index), int(need.notna().any().sum())
    st.caption(
        f"{md(name)} is in the top third of {md(pack.name)}'s {n_wards} wards for need in {len(themes)} of "
        f"{n_themes} themes: {fit_panel.labels(themes)}. Organisations whose services reach it, chosen so "
        "that together they cover as many of those themes as possible."
    )
    st.dataframe(
        fit_panel.consortium_table(group.table),
        hide_index=True,
        width="stretch",
        column_config=fit_panel.GROUP_COLUMNS,
    )
    if group.uncovered:
        st.warning(f"Nobody found covers: {fit_panel.labels(group.uncovered)}. {md(group.note)}")
