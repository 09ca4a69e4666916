"""Our listing, after the form: the preview of how a draft changes the gaps, sending it for
review, and what a refusal or a conflict with someone else's change came to (nothing typed is lost).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from sector_map.directory import listing_form
from sector_map.directory.listing_form import Draft
from sector_map.directory.models import SERVICE_FIELDS, Organisation
from sector_map.directory.store import Conflict, DirectoryError, Store
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from ui.auth import Account
from ui.listing_panel import (
    EDITING,
    OUTCOME,
    SERVICE_PARAM,
    _clear_form,
    _fill_form,
    _form_values,
    ward_names,
)
from ui.text import md


# --- sending it -------------------------------------------------------------------------------
def preview(store: Store, pack: Pack, org: Organisation, draft: Draft) -> None:
    """How the draft would change the gaps for its themes if an officer approved it as it is."""
    from sector_map.directory import overlay

    st.markdown("**How this would change the gaps**")
    themes = [t for t in draft.fields.get(s.THEMES) or [] if t in s.THEMES_BY_ID]
    if draft.problems or not themes:
        st.caption("Choose its themes, and where it is delivered, to preview how it changes the gaps.")
        return
    if not st.button("Preview the change to the gaps", key="lst_preview", icon=":material/preview:"):
        st.caption(
            "Compares the Gaps page for its themes with and without this version of the listing "
            "(takes a few seconds on a large area)."
        )
        return
    today = date.today()
    editing = st.session_state.get(EDITING) or {}
    approved = overlay.listings(store.services(include_defunct=False))
    draft_listing = overlay.draft_listing(draft.fields, org, service_id=editing.get("service"), today=today)
    with st.spinner("Working out the gaps with and without it…"):
        changed = overlay.preview(pack, approved, [draft_listing], themes, today=today)
    label = " + ".join(s.THEMES_BY_ID[t].label for t in themes)
    if not len(changed):
        st.info(
            f"No ward's gap class or located provision for {md(label)} would change. A service "
            "serving the whole area is named in the reasons but does not set a ward's class; one with "
            "sites or listed wards does."
        )
        return
    st.caption(
        f"{len(changed):,} wards would change for {md(label)} (located provision: the Gaps page's measure)."
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Ward": changed[s.WARD_NAME],
                "Class now": changed["class_before"],
                "Class with this listing": changed["class_after"],
                "Provision now": changed["provision_before"].round(2),
                "Provision with it": changed["provision_after"].round(2),
                "Reason with it": changed[s.REASON],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def submit_section(account: Account, store: Store, pack: Pack, draft: Draft) -> None:
    """Send the draft for review; problems, refusals and conflicts are shown with the form kept."""
    editing = st.session_state[EDITING]
    send_col, cancel_col = st.columns([1, 1])
    if cancel_col.button("Close the form without sending", key="lst_cancel", on_click=_clear_form):
        st.rerun()
    if send_col.button("Send for review", type="primary", key="lst_send"):
        if draft.problems:
            st.session_state[OUTCOME] = {"problems": list(draft.problems)}
        else:
            _send(account, store, pack, draft, editing)
            if st.session_state.get(OUTCOME, {}).get("sent"):
                sent = st.session_state[OUTCOME]["sent"]
                _clear_form()
                st.session_state[OUTCOME] = {"sent": sent}
                if SERVICE_PARAM in st.query_params:
                    del st.query_params[SERVICE_PARAM]
                st.rerun()
    _show_outcome(account, store, pack)


def _send(account: Account, store: Store, pack: Pack, draft: Draft, editing: dict[str, Any]) -> None:
    fields = draft.fields
    if editing["service"] is not None:
        fields = listing_form.changed_fields(
            editing["listed"], fields, postcodes=pack.postcodes, wards=pack.wards
        )
    try:
        if editing["service"] is None:
            revision = store.submit(fields, by=account.email, organisation_id=editing["organisation_id"])
        else:
            revision = store.submit(
                fields,
                by=account.email,
                service_id=editing["service"],
                base_version=editing["base_version"],
            )
    except Conflict as exc:
        st.session_state[OUTCOME] = {"conflict": str(exc)}
        return
    except DirectoryError as exc:
        st.session_state[OUTCOME] = {"error": str(exc)}
        return
    what = "" if fields else " It changes nothing: it confirms the listing is still right."
    sent = f"Sent for review as revision {revision.id}.{what} An officer will check it."
    st.session_state[OUTCOME] = {"sent": sent}


def show_sent() -> None:
    """The confirmation of the last change sent (the form is closed by then)."""
    sent = (st.session_state.get(OUTCOME) or {}).get("sent")
    if sent:
        st.success(md(sent))


def _show_outcome(account: Account, store: Store, pack: Pack) -> None:
    outcome = st.session_state.get(OUTCOME) or {}
    if outcome.get("carried"):
        st.info(md(outcome["carried"]))
    if outcome.get("problems"):
        st.error(
            "Nothing was sent. Please change:\n\n" + "\n".join(f"- {md(p)}" for p in outcome["problems"])
        )
    if outcome.get("error"):
        st.error(md(outcome["error"]))
    if outcome.get("conflict"):
        st.error(md(outcome["conflict"]), icon=":material/sync_problem:")
        _conflict_table(account, store, pack)


def _yours(pack: Pack) -> dict[str, Any]:
    """The fields the editor changed from the version they opened."""
    editing = st.session_state[EDITING]
    fields = listing_form.service_from_form(_form_values(), postcodes=pack.postcodes, wards=pack.wards).fields
    return listing_form.changed_fields(editing["listed"], fields, postcodes=pack.postcodes, wards=pack.wards)


def _conflict_table(account: Account, store: Store, pack: Pack) -> None:
    """The listing as approved now (and any change waiting for review) beside the editor's changes,
    and, once the other change is approved, a button carrying the editor's changes over to it."""
    editing = st.session_state[EDITING]
    try:
        svc = store.editable_service(editing["service"], by=account.email)
    except DirectoryError:
        return
    approved = {k: getattr(svc, k) for k in SERVICE_FIELDS}
    waiting = next((r.content.get("service") for r in store.pending(service_id=svc.id)), None)
    table = listing_form.compare(
        approved, _yours(pack), opened=editing["listed"], waiting=waiting, ward_names=ward_names(pack)
    )
    st.markdown(
        f"**Your changes beside the listing as it is now (version {svc.version})**"
        + (" and the change waiting for review" if waiting else "")
        + ". Your form above is as you left it."
    )
    st.dataframe(table, hide_index=True, width="stretch")
    if waiting is None and svc.version != editing["base_version"]:
        st.button(
            f"Carry my changes over to version {svc.version}",
            key="lst_carry",
            on_click=_carry_over,
            args=(store, account, pack),
            help="The form then holds the current listing with your changes on top; check it, then send.",
        )


def _carry_over(store: Store, account: Account, pack: Pack) -> None:
    """The current version of the listing with the editor's changes on top, as the form to send."""
    editing = st.session_state[EDITING]
    mine = _yours(pack)
    try:
        svc = store.editable_service(editing["service"], by=account.email)
    except DirectoryError as exc:
        st.session_state[OUTCOME] = {"error": str(exc)}
        return
    current = {k: getattr(svc, k) for k in SERVICE_FIELDS}
    _fill_form(listing_form.form_from_service({**current, **mine}))
    st.session_state[EDITING] = {**editing, "base_version": svc.version, "listed": current}
    changed = ", ".join(listing_form.FIELD_LABELS[k].lower() for k in mine) or "nothing"
    st.session_state[OUTCOME] = {
        "carried": f"Your changes ({changed}) are now on version {svc.version}. Check the form, then send it."
    }
