"""Our reach page: saving measured reach as a listing's service area, through the directory's review."""

from __future__ import annotations

import streamlit as st

from sector_map.directory.base import DirectoryError
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.reach import report, service_area
from ui import auth, directory, listing_claim
from ui.text import md


def save_area(pack: Pack, rep: report.Report) -> None:
    st.subheader("Use your reach as your service area")
    st.caption(
        "Registers say where a charity is run from, not where it works. With your say-so, the wards where "
        "you reach at least the rate you choose become one of your listings' service areas in the live "
        "directory, so the gaps place your provision where you actually work. An officer reviews the "
        "change first. Only counts by ward are sent, never a postcode."
    )
    account = auth.current_account()
    if account is None:
        st.info("Sign in as your organisation's editor (on the Our listing page) to save your reach.")
        return
    store = directory.store()
    org = listing_claim.organisation_for(account, store)
    if org is None:
        st.info("Claim your organisation on the Our listing page first; an officer approves the claim.")
        return
    listings = store.services(organisation_id=org.id, include_defunct=False)
    if not listings:
        st.info(f"{md(org.name)} has no approved listing yet: add one on the Our listing page first.")
        return
    names = {svc.id: svc.name for svc, _ in listings}
    service_id = st.selectbox(
        "Listing", list(names), format_func=lambda i: names[i], key="reach_save_service"
    )
    rate = st.number_input(
        "Wards where you reach at least this many people per 1,000 residents",
        min_value=0.0,
        value=1.0,
        step=0.5,
        key="reach_save_rate",
    )
    wards = service_area.reach_wards(rep, float(rate))
    ward_names = rep.wards.set_index(s.WARD_CODE)[s.WARD_NAME]
    if not wards:
        st.write("No ward with 10 or more beneficiaries reaches that rate.")
        return
    st.write(
        md(
            f"{len(wards)} ward{'s' if len(wards) != 1 else ''}: "
            + ", ".join(ward_names.get(w, w) for w in wards)
        )
    )
    if st.button(f"Send as {md(names[service_id])}'s service area for review", key="reach_save_send"):
        try:
            rev = service_area.send(store, by=account.email, service_id=service_id, wards=wards)
        except DirectoryError as exc:
            st.error(md(str(exc)))
        else:
            st.success(
                f"Sent for review (change {rev.id}). It counts in the gaps once an officer approves it."
            )
