"""Review: officers and admins review submitted changes, claims and problem reports, and keep
listings current; admins also manage accounts. Anyone else is refused (the store refuses their
actions too)."""

import streamlit as st

from ui import auth, cache, directory, review_panel, sidebar, users_panel

st.title("Review")
account = auth.require("officer", "admin", doing="review changes to the directory")
if account is None:
    st.stop()

store = directory.store()
ward_names = cache.ward_names(cache.pack_key(sidebar.current_pack()))
review_panel.flash()
admin = account.role == "admin"
queue, claims, reports, clock, log, *accounts = st.tabs(
    review_panel.tab_labels(store, account) + (["Accounts"] if admin else [])
)
with queue:
    review_panel.revisions(store, account, ward_names)
with claims:
    review_panel.claims(store, account)
with reports:
    review_panel.reports(store, account)
with clock:
    review_panel.clock(store)
with log:
    review_panel.change_log(store, ward_names)
if accounts:
    with accounts[0]:
        users_panel.draw(account)
