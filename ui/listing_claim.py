"""Our listing, before an editor has an organisation: whose listing this is (an officer or admin
picks the organisation to act for) and the claim of one (an officer reviews it)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from sector_map.directory import listing_form
from sector_map.directory.models import Organisation
from sector_map.directory.store import DirectoryError, Store
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from ui.auth import Account
from ui.listing_panel import ACTING_FOR, _clear_form
from ui.text import md


# --- whose listing ----------------------------------------------------------------------------
def organisation_for(account: Account, store: Store) -> Organisation | None:
    """The organisation whose listing is shown: an editor's own (None until a claim is approved);
    for officers and admins, one they choose (any organisation in the directory)."""
    if not account.reviews:
        return store.organisation(account.organisation_id) if account.organisation_id else None
    chosen = st.session_state.get(ACTING_FOR)
    with st.expander("Choose the organisation to act for", expanded=chosen is None):
        text = st.text_input("Find an organisation in the directory", key="lst_find_dir")
        found = store.find_organisations(text) if text else []
        if text and not found:
            st.caption("No organisation in the directory matches that.")
        if found:
            labels = {o.id: f"{o.name} ({o.id})" for o in found}
            pick = st.selectbox("Act for", list(labels), format_func=lambda i: labels.get(i, i))
            if st.button("Open its listing", key="lst_open_org"):
                st.session_state[ACTING_FOR] = chosen = pick
                _clear_form()
                st.rerun()
    return store.organisation(chosen) if chosen else None


def claim_section(account: Account, store: Store, pack: Pack) -> None:
    """An editor with no organisation yet: their claims, and finding one to claim."""
    if st.session_state.pop("lst_claimed", False):  # a claim was just made: start the search afresh
        for key in ("lst_find", "lst_relationship", "lst_claim_pick"):
            st.session_state.pop(key, None)
    claims = store.claims_of(account.email)
    for claim, org in claims:
        state = {
            "unreviewed": "waits for an officer to review it; once approved you can edit its listings here"
        }.get(claim.state, claim.state)
        line = f"Your claim of **{md(org.name)}** ({claim.created_at:%d %b %Y}) {md(state)}."
        if claim.reason:
            line += f" The officer said: {md(claim.reason)}"
        (st.info if claim.state == "unreviewed" else st.warning)(line)
    waiting = any(claim.state == "unreviewed" for claim, _ in claims)
    with st.expander("Claim another organisation", expanded=False) if waiting else st.container():
        _claim_search(account, store, pack)


def _claim_search(account: Account, store: Store, pack: Pack) -> None:
    st.subheader("Claim your organisation")
    st.caption(
        "Find your organisation in this area's data or in the directory and say how you are connected "
        "to it. An officer checks the claim; once it is approved you can edit its listings here."
    )
    text = st.text_input("Organisation name, charity number or postcode", key="lst_find")
    if not text:
        return
    options = _claim_options(store, pack, text)
    if not options:
        st.warning("Nothing matches that. Try part of the name, or the charity number.")
        return
    pick = st.radio("Which one?", list(options), format_func=lambda k: options[k][0], key="lst_claim_pick")
    relationship = st.text_input(
        "Your relationship to it (e.g. trustee, manager, volunteer coordinator)", key="lst_relationship"
    )
    if st.button("Claim this organisation", type="primary", key="lst_claim"):
        if not relationship.strip():
            st.error("Say how you are connected to the organisation: the officer reads it.")
            return
        kind, value = options[pick][1]
        try:
            if kind == "pack":
                store.claim_pack_organisation(value, by=account.email, relationship=relationship)
            else:
                store.claim(value, by=account.email, relationship=relationship)
        except DirectoryError as exc:
            st.error(md(exc))
            return
        st.session_state["lst_claimed"] = True
        st.rerun()


def _claim_options(store: Store, pack: Pack, text: str) -> dict[str, tuple[str, tuple[str, Any]]]:
    """Search results: key → (label, ("pack", claim fields) | ("directory", organisation id))."""
    options: dict[str, tuple[str, tuple[str, Any]]] = {}
    in_pack: set[str] = set()
    for _, row in listing_form.search_organisations(pack.organisations, text).iterrows():
        fields = listing_form.pack_organisation_fields(row.to_dict())
        in_pack.add(str(fields["pack_org_id"]))
        bits = [fields[s.ORG_NAME] or ""]
        bits += [f"charity {fields[s.CHARITY_NUMBER]}"] if fields[s.CHARITY_NUMBER] else []
        postcode = row.get(s.POSTCODE)
        bits += [str(postcode)] if isinstance(postcode, str) and postcode else []
        options[f"pack:{fields['pack_org_id']}"] = (
            " · ".join(bits) + " (in this area's data)",
            ("pack", fields),
        )
    for org in store.find_organisations(text):
        if org.pack_org_id and org.pack_org_id in in_pack:
            continue
        options[f"dir:{org.id}"] = (f"{org.name} (in the directory)", ("directory", org.id))
    return options
