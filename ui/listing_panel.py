"""Our listing: claiming an organisation, its listings, and the form to edit or add a service.

Layout only: the rules are in :mod:`sector_map.directory.listing` and every action is checked by
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
from sector_map.directory.store import Conflict, DirectoryError, Store, staleness
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
