"""Our listing: the organisation's listings, and the form to edit or add a service (claiming is in
:mod:`ui.listing_claim`, sending and conflicts in :mod:`ui.listing_send`).

Layout only: the rules are in :mod:`sector_map.directory.listing_form` and every action is checked by
the store (:mod:`sector_map.directory.store`), which refuses what the account may not do; this
module shows the refusal. The form's values live in session state under ``lst_f_*`` keys and are
kept while a part of the form is hidden (another way of delivering, say), after a refusal and
after a conflict, so nothing typed is lost; they are cleared only once a change is sent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st
from shapely.geometry import Point

from sector_map.directory import listing_form
from sector_map.directory.listing_form import Draft
from sector_map.directory.models import SERVICE_FIELDS, SERVICE_NAME, SERVICE_STATUSES, Organisation
from sector_map.directory.oruk import DEFAULT_REACH_KM
from sector_map.directory.store import DirectoryError, Store, staleness
from sector_map.pack import schema as s
from sector_map.pack.io import Pack
from sector_map.views import classify, web_map
from ui import cache, ward_map
from ui.auth import Account
from ui.text import md

FORM = "lst_f_"  # prefix of the form's widget keys
SITES = "lst_sites"  # the ids of the site rows shown
EDITING = "lst_editing"  # {"service": str | None, "base_version": int | None, "organisation_id": str}
OUTCOME = "lst_outcome"  # what the last submission came to, shown until the next
ACTING_FOR = "lst_org"  # the organisation an officer or admin acts for
SERVICE_PARAM = "service"  # ?service=ID opens a listed service in the form
LISTED_COLOURS = ("#eeeeee", "#1f78b4")


# --- the organisation's listings ----------------------------------------------------------------
def listings(account: Account, store: Store, pack: Pack, org: Organisation) -> None:
    """Approved services (with an Edit button each), the pack's published ones, and the account's
    own changes waiting for review or rejected (with the reason; a waiting one can be withdrawn)."""
    names = ward_names(pack)
    st.subheader(f"Listed services of {md(org.name)}")
    mine = store.services(organisation_id=org.id)
    today = date.today()
    if not mine:
        st.caption("No service of this organisation is listed in the directory yet.")
    for svc, _ in mine:
        text_col, button_col, confirm_col = st.columns([5, 1, 1.4])
        confirmed = svc.assured_date.strftime("%d %b %Y") if svc.assured_date else "never"
        text_col.markdown(
            f"**{md(svc.name)}** · {md(svc.status)} · version {svc.version} · last confirmed {confirmed} "
            f"({md(staleness(svc.assured_date, today))})  \n"
            f"{md(listing_form.describe_delivery(svc.delivery, names))}"
        )
        button_col.button(
            "Edit", key=f"lst_edit_{svc.id}", on_click=_open_service, args=(store, account, svc.id)
        )
        confirm_col.button(
            "Still right",
            key=f"lst_confirm_{svc.id}",
            on_click=_confirm,
            args=(store, account, svc.id),
            help="Confirm the listing is still right as it is: its last confirmed date becomes today "
            "(no review needed, as nothing changes). A listing not confirmed for 12 months is stale.",
        )
    published = listing_form.published_services(pack.services, org.pack_org_id)
    if len(published):
        st.markdown("**Published elsewhere** (read-only: from the area's data)")
        st.dataframe(published, hide_index=True, width="stretch")
    _my_changes(account, store, org, names)


def _my_changes(account: Account, store: Store, org: Organisation, names: dict[str, str]) -> None:
    mine = [r for r in store.revisions_by(account.email) if r.content.get("organisation_id") == org.id]
    if not mine:
        return
    st.markdown("**Your changes**")
    for revision in mine:
        fields = revision.content.get("service", {})
        text_col, button_col = st.columns([5, 1])
        state = "waiting for review" if revision.state == "submitted" else revision.state
        line = f"**{md(fields.get(SERVICE_NAME) or revision.service_id)}** · revision {revision.id} · {md(state)}"
        if revision.state == "rejected":
            line += f"  \nWhy: {md(revision.reason)}"
        text_col.markdown(line)
        if revision.state == "submitted" and button_col.button("Withdraw", key=f"lst_withdraw_{revision.id}"):
            try:
                store.withdraw(revision.id, by=account.email)
            except DirectoryError as exc:
                st.error(md(exc))
                return
            st.rerun()


# --- the form -----------------------------------------------------------------------------------
def _clear_form() -> None:
    for key in [k for k in st.session_state if str(k).startswith(FORM)]:
        del st.session_state[key]
    for key in (SITES, EDITING, OUTCOME):
        st.session_state.pop(key, None)


def _fill_form(form: dict[str, Any]) -> None:
    _clear_form()
    for name in (*SERVICE_FIELDS, *listing_form.FORM_DELIVERY_KEYS):
        if name in form and name not in ("delivery", "sites"):
            st.session_state[FORM + name] = form[name]
    st.session_state[SITES] = list(range(len(form.get("sites") or [])))
    for i, site in enumerate(form.get("sites") or []):
        st.session_state[f"{FORM}site_place_{i}"] = site["place"]
        st.session_state[f"{FORM}site_reach_{i}"] = float(site["reach_km"])


def _confirm(store: Store, account: Account, service_id: str) -> None:
    try:
        service = store.confirm(service_id, by=account.email)
    except DirectoryError as exc:
        st.session_state[OUTCOME] = {"error": str(exc)}
        return
    st.session_state[OUTCOME] = {"sent": f"Confirmed {service.name!r} as still right: last confirmed today."}


def _open_service(store: Store, account: Account, service_id: str) -> None:
    """Load a listed service into the form (the store refuses one the account may not edit)."""
    try:
        svc = store.editable_service(service_id, by=account.email)
    except DirectoryError as exc:
        st.session_state[OUTCOME] = {"error": str(exc)}
        return
    if account.reviews:
        st.session_state[ACTING_FOR] = svc.organisation_id
    _fill_form(listing_form.form_from_service({k: getattr(svc, k) for k in SERVICE_FIELDS}))
    st.session_state[EDITING] = {
        "service": svc.id,
        "base_version": svc.version,
        "organisation_id": svc.organisation_id,
        "listed": {k: getattr(svc, k) for k in SERVICE_FIELDS},
    }


def open_from_url(store: Store, account: Account) -> None:
    """``?service=ID`` opens that service in the form once (refused by the store if not allowed)."""
    wanted = st.query_params.get(SERVICE_PARAM)
    if wanted and st.session_state.get("lst_from_url") != wanted:
        st.session_state["lst_from_url"] = wanted
        _open_service(store, account, wanted)


def _keep_form() -> None:
    """Keep every form value, even of widgets not drawn on this run (Streamlit forgets those)."""
    for key in [k for k in st.session_state if str(k).startswith(FORM)]:
        st.session_state[key] = st.session_state[key]


def ward_names(pack: Pack) -> dict[str, str]:
    return dict(zip(pack.wards[s.WARD_CODE].astype(str), pack.wards[s.WARD_NAME].astype(str), strict=False))


def _form_values() -> dict[str, Any]:
    get = st.session_state.get
    form = {name: get(FORM + name) for name in SERVICE_FIELDS if name != "delivery"}
    form.update({name: get(FORM + name) for name in listing_form.FORM_DELIVERY_KEYS})
    form["sites"] = [
        {
            "place": get(f"{FORM}site_place_{i}", ""),
            "reach_km": get(f"{FORM}site_reach_{i}", DEFAULT_REACH_KM),
        }
        for i in get(SITES, [])
    ]
    return form


def _toggle_ward(code: str | None) -> None:
    st.session_state[FORM + "wards"] = listing_form.toggle_ward(
        st.session_state.get(FORM + "wards") or [], code
    )


def _add_site() -> None:
    rows = st.session_state.setdefault(SITES, [])
    rows.append(max(rows, default=-1) + 1)


def _remove_site(row: int) -> None:
    st.session_state[SITES] = [r for r in st.session_state.get(SITES, []) if r != row]


def service_form(account: Account, store: Store, pack: Pack, org: Organisation) -> Draft | None:
    """The form to edit a listed service or add one; returns the draft it describes (checked),
    or None when the form is closed. The delivery inputs and their map come last, so a preview of
    the draft can follow them."""
    outcome = st.session_state.get(OUTCOME) or {}
    if outcome.get("error") and EDITING not in st.session_state:
        st.error(md(outcome["error"]))
    editing = st.session_state.get(EDITING)
    if editing is None:
        if st.button("Add a service", key="lst_add", icon=":material/add:"):
            _clear_form()
            st.session_state[EDITING] = {"service": None, "base_version": None, "organisation_id": org.id}
            st.rerun()
        return None
    _keep_form()
    title = st.session_state.get(FORM + SERVICE_NAME) or "a new service"
    heading = "Add a service" if editing["service"] is None else f"Edit {md(title)}"
    st.subheader(heading)
    if editing["service"] is not None:
        st.caption(f"Editing version {editing['base_version']} as listed when you opened it.")
    left, right = st.columns(2)
    left.text_input("Name of the service", key=FORM + SERVICE_NAME, max_chars=300)
    right.selectbox("Status", SERVICE_STATUSES, key=FORM + "status")
    st.text_area("What it offers", key=FORM + "description", max_chars=10_000)
    left, right = st.columns(2)
    left.multiselect(
        "Themes", s.THEME_IDS, key=FORM + "themes", format_func=lambda t: s.THEMES_BY_ID[t].label
    )
    right.multiselect(
        "Who it is for", s.CLIENT_GROUP_IDS, key=FORM + "client_groups", accept_new_options=True
    )
    left.text_input("Eligibility (who may use it)", key=FORM + "eligibility", max_chars=2000)
    right.text_input("Capacity (e.g. 40 people a week)", key=FORM + "capacity", max_chars=500)
    left.text_input("Opening times", key=FORM + "opening_times", max_chars=2000)
    right.text_input("Web address", key=FORM + "url", max_chars=2000)
    left.text_input("E-mail", key=FORM + "email", max_chars=320)
    right.text_input("Phone", key=FORM + "phone", max_chars=64)
    draft = _delivery_inputs(pack)
    return draft


def _delivery_inputs(pack: Pack) -> Draft:
    st.markdown("**How it is delivered**")
    modes = list(listing_form.DELIVERY_LABELS)
    if st.session_state.get(FORM + "mode") not in modes:
        st.session_state[FORM + "mode"] = "sites"
    mode = st.radio(
        "How it is delivered",
        modes,
        key=FORM + "mode",
        format_func=listing_form.DELIVERY_LABELS.__getitem__,
        label_visibility="collapsed",
    )
    names = ward_names(pack)
    if mode == "sites":
        st.caption(
            "Each site is a postcode in this area, or a map point as latitude, longitude "
            "(e.g. 53.4412, -2.4180), with how far people come to it."
        )
        for row in list(st.session_state.setdefault(SITES, [])):
            place_col, reach_col, remove_col = st.columns([3, 1.2, 0.8], vertical_alignment="bottom")
            place_col.text_input("Postcode or map point", key=f"{FORM}site_place_{row}", max_chars=80)
            if f"{FORM}site_reach_{row}" not in st.session_state:
                st.session_state[f"{FORM}site_reach_{row}"] = DEFAULT_REACH_KM
            reach_col.number_input(
                "Reach (km)", min_value=0.1, max_value=200.0, step=0.5, key=f"{FORM}site_reach_{row}"
            )
            remove_col.button("Remove", key=f"lst_remove_site_{row}", on_click=_remove_site, args=(row,))
        st.button("Add a site", key="lst_add_site", on_click=_add_site, icon=":material/add_location:")
    elif mode == "wards":
        st.multiselect(
            "Wards (or click wards on the map to add or remove them)",
            list(names),
            key=FORM + "wards",
            format_func=lambda c: names.get(c, c),
        )
    elif mode == "radius":
        left, right = st.columns([3, 1])
        left.text_input("Postcode at the centre", key=FORM + "radius_postcode", max_chars=12)
        if FORM + listing_form.RADIUS_KM not in st.session_state:
            st.session_state[FORM + listing_form.RADIUS_KM] = 5.0
        right.number_input(
            "Radius (km)", min_value=0.1, max_value=200.0, step=0.5, key=FORM + listing_form.RADIUS_KM
        )
    draft = listing_form.service_from_form(_form_values(), postcodes=pack.postcodes, wards=pack.wards)
    st.caption(md(listing_form.describe_delivery(draft.fields["delivery"], names)))
    for i, place in enumerate(draft.places, start=1):
        if place.given and place.problem:
            where = f"Site {i}" if mode == "sites" else "The centre"
            st.error(f"{where}: {md(place.problem)}", icon=":material/wrong_location:")
    for note in draft.notes:
        st.warning(md(note), icon=":material/info:")
    _delivery_map(pack, draft, mode)
    return draft


def _delivery_map(pack: Pack, draft: Draft, mode: str) -> None:
    """The ward map: the listed wards coloured (a click adds or removes one), sites as points."""
    key = cache.pack_key(pack)
    geometry = cache.ward_geometry(key)
    codes = list(geometry.codes)
    delivery = draft.fields["delivery"]
    if mode == "whole_area":
        listed = set(codes)
    else:
        listed = set(delivery.get("wards") or []) if mode == "wards" else set()
    inside = pd.Series([int(c in listed) for c in codes], index=codes)
    classes = classify.Classes(
        scheme="listed",
        k=2,
        bins=[0.0, 1.0],
        labels=["not listed", "listed"],
        class_of=inside,
        counts=[int((inside == 0).sum()), int(inside.sum())],
        n_missing=0,
    )
    wards = web_map.ward_state(
        geometry,
        inside.astype("float64"),
        classes,
        list(LISTED_COLOURS),
        label="Listed for this service",
        value_format=lambda v: "listed" if v else "not listed",
    )
    located = [p for p in draft.places if p.latitude is not None and p.longitude is not None]
    points = None
    if located:
        frame = gpd.GeoDataFrame(
            {s.ORG_NAME: [f"Site: {p.postcode or p.given}" for p in located]},
            geometry=[Point(p.longitude, p.latitude) for p in located],
            crs=s.PACK_CRS,
        )
        points = web_map.organisation_points(frame)
    ward_map.ward_map(
        pack,
        key,
        wards,
        map_key=f"listing_map_{pack.path.name if pack.path else 'pack'}",
        height=380,
        points=points,
        on_ward=_toggle_ward if mode == "wards" else lambda _code: None,
    )
