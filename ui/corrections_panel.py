"""Data page: an officer corrects the themes of an organisation; corrections are listed and undone.

Corrections live beside the pack (:mod:`sector_map.pack.corrections`) and are applied on every load, so
the page only saves them and reruns: the cached pack is re-read because its fingerprint changed.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sector_map.pack import corrections as corr
from sector_map.pack import schema as s
from sector_map.pack.errors import InputError
from sector_map.pack.io import Pack
from sector_map.pack.schema import THEMES_REASON
from ui.text import md, md_table

ORG_KEY = "corr_org"
DONE_KEY = "corr_done"


def _label(themes) -> str:
    return ", ".join(s.THEMES_BY_ID[t].label for t in themes if t in s.THEMES_BY_ID) or "no theme"


def _org_label(orgs: pd.DataFrame, org_id: str) -> str:
    row = orgs.loc[org_id]
    number = row.get(s.CHARITY_NUMBER)
    return f"{row[s.ORG_NAME]} ({'charity ' + str(number) if isinstance(number, str) and number else org_id})"


def corrections(pack: Pack) -> None:
    """List the pack's theme corrections, offer to undo each, and a form to add one."""
    st.subheader("Theme corrections")
    st.caption(
        "Themes guessed from what charities say they do can be wrong. A correction is kept beside the "
        "pack and applied every time it loads, also after the pack is rebuilt."
    )
    if done := st.session_state.pop(DONE_KEY, None):
        st.success(md(done))
    try:
        saved = corr.read_corrections(pack.path)
    except InputError as exc:
        st.error(md(str(exc)))
        return
    if saved:
        table = pd.DataFrame(
            {
                s.HEADER_ORGANISATION: [c.name or c.key for c in saved],
                "Matched on": [c.key for c in saved],
                s.HEADER_THEMES: [_label(c.themes) for c in saved],
                s.HEADER_WHY: [c.note or "" for c in saved],
                "Saved": [c.saved for c in saved],
            }
        )
        st.table(md_table(table.set_index(s.HEADER_ORGANISATION)))
        c1, c2 = st.columns([3, 1])
        undo = c1.selectbox("Undo a correction", [c.key for c in saved], key="corr_undo")
        if c2.button("Undo", key="corr_undo_btn"):
            corr.remove_correction(pack.path, undo)
            st.session_state[DONE_KEY] = f"Correction for {undo} undone."
            st.rerun()
    else:
        st.caption("No corrections yet.")

    orgs = pack.organisations.set_index(s.ORG_ID)
    if orgs.empty:
        return
    ids = orgs.sort_values(s.ORG_NAME, key=lambda n: n.astype("string").str.lower()).index.tolist()
    org_id = st.selectbox(
        "Correct the themes of", ids, key=ORG_KEY, index=None, format_func=lambda o: _org_label(orgs, o)
    )
    if org_id is None:
        return
    row = orgs.loc[org_id]
    why = row.get(THEMES_REASON)
    why = why if isinstance(why, str) and why else "given in the source file"
    st.caption(md(f"Now: {_label(row[s.THEMES])}. Why: {why}"))
    with st.form(f"corr_form|{org_id}"):
        themes = st.multiselect(
            "Themes it should have",
            list(s.THEME_IDS),
            default=[t for t in row[s.THEMES] if t in s.THEMES_BY_ID],
            format_func=lambda t: s.THEMES_BY_ID[t].label,
        )
        note = st.text_input("Why (shown as the reason for each theme)")
        if st.form_submit_button("Save correction"):
            number = row.get(s.CHARITY_NUMBER)
            c = corr.Correction(
                themes=tuple(themes),
                note=note,
                charity_number=number if isinstance(number, str) else "",
                org_id=org_id,
                name=str(row[s.ORG_NAME]),
            )
            try:
                corr.save_correction(pack.path, c)
            except InputError as exc:
                st.error(md(str(exc)))
                return
            st.session_state[DONE_KEY] = f"Themes of {row[s.ORG_NAME]} corrected: {_label(c.themes)}."
            st.rerun()
