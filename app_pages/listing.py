"""Our listing: an organisation's editor claims it, then keeps its services current for review."""

import streamlit as st

from ui import auth, directory, listing_claim, listing_panel, listing_send, sidebar
from ui.text import md

pack = sidebar.current_pack()
st.title(f"Our listing — {md(pack.name)}")
st.caption(
    "Describe what your organisation offers, where and for whom. Every change is checked by an "
    "officer before it is listed; the gaps and matches then count it."
)
account = auth.require("editor", "officer", "admin", doing="edit your organisation's listing")
if account is None:
    st.stop()
store = directory.store()
listing_panel.open_from_url(store, account)
org = listing_claim.organisation_for(account, store)
if org is None:
    if account.reviews:
        st.info("Choose the organisation to act for.")
    else:
        listing_claim.claim_section(account, store, pack)
    st.stop()

st.caption(f"Acting for {md(org.name)}" if account.reviews else f"Your organisation: {md(org.name)}")
listing_send.show_sent()
listing_panel.listings(account, store, pack, org)
draft = listing_panel.service_form(account, store, pack, org)
if draft is not None:
    listing_send.preview(store, sidebar.published_pack(), org, draft)
    listing_send.submit_section(account, store, pack, draft)
