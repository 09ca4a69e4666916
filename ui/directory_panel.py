"""Directory page: search and filters, the listings a page at a time, and "Report a problem".

Layout only: the listings and the search are :mod:`sector_map.directory.listings`; a report is
the store's :meth:`~sector_map.directory.store.Store.report_problem`, which bounds it (length, per
session per hour, open reports in the store) and words any refusal, shown here as it is worded.
Everything a listing holds came from users or feeds: it reaches Markdown only through
:func:`ui.text.md`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from sector_map.directory.listings import Listing, WardReach, search
from sector_map.directory.models import SERVICE_STATUSES
from sector_map.directory.store import MAX_REPORT_CHARS, DirectoryError, Store
from sector_map.pack import schema as s
from ui.text import md

PAGE_SIZE = 20
REPORTER_KEY = "_directory_reporter"  # an opaque key of this session, for the store's per-session cap
STALENESS = ("current", "stale", "out of provision")


@dataclass(frozen=True)
class Filters:
    text: str
    themes: list[str]
    client_groups: list[str]
    ward: str | None
    statuses: list[str]
    staleness: list[str]


def filters(ward_names: Mapping[str, str]) -> Filters:
    text = st.text_input("Search services and organisations", key="dir_text")
    a, b, c = st.columns(3)
    themes = a.multiselect(
        "Theme", list(s.THEME_IDS), format_func=lambda t: s.THEMES_BY_ID[t].label, key="dir_themes"
    )
    groups = b.multiselect("Client group", list(s.CLIENT_GROUP_IDS), key="dir_groups")
    ward = c.selectbox(
        "Ward it serves",
        sorted(ward_names, key=lambda code: (ward_names[code].casefold(), code)),
        format_func=lambda code: f"{ward_names[code]} ({code})",
        index=None,
        placeholder="Any ward",
        key="dir_ward",
    )
    d, e = st.columns(2)
    statuses = d.multiselect(
        "Status", [x for x in SERVICE_STATUSES if x != "defunct"], placeholder="Any status", key="dir_status"
    )
    staleness = e.multiselect(
        "Last confirmed",
        list(STALENESS),
        format_func={
            "current": "within 12 months",
            "stale": "stale (12–18 months ago)",
            "out of provision": "over 18 months ago, or never",
        }.__getitem__,
        placeholder="Any time",
        key="dir_stale",
    )
    return Filters(text, themes, groups, ward, statuses, staleness)


def results(found: list[Listing], chosen: Filters, reach: WardReach, store: Store) -> None:
    shown = search(
        found,
        text=chosen.text,
        themes=chosen.themes,
        client_groups=chosen.client_groups,
        statuses=chosen.statuses,
        staleness_states=chosen.staleness,
        ward=chosen.ward,
        reach=reach,
    )
    if not found:
        st.info("The directory has no listings yet.")
        return
    if not shown:
        st.info(f"None of the {len(found):,} listings matches. Try fewer words or filters.")
        return
    pages = (len(shown) + PAGE_SIZE - 1) // PAGE_SIZE
    page = 1
    if pages > 1:
        page = int(st.number_input(f"Page (of {pages})", 1, pages, 1, key="dir_page"))
    first = (page - 1) * PAGE_SIZE
    st.caption(
        f"{len(shown):,} of {len(found):,} listings; showing {first + 1}–{min(first + PAGE_SIZE, len(shown))}."
    )
    for listing in shown[first : first + PAGE_SIZE]:
        _listing(listing, store)


def _listing(x: Listing, store: Store) -> None:
    with st.container(border=True):
        stale = "  ·  ⚠️ **stale**" if x.staleness == "stale" else ""
        if x.staleness == "out of provision":
            stale = "  ·  ⚠️ **not confirmed for over 18 months**" if x.assured_date else ""
        status = f"  ·  {md(x.status)}" if x.status != "active" else ""
        st.markdown(f"#### {md(x.name)}\n{md(x.organisation)}{status}  ·  {md(x.last_confirmed)}{stale}")
        if x.description:
            st.markdown(md(x.description))
        themes = ", ".join(s.THEMES_BY_ID[t].label if t in s.THEMES_BY_ID else t for t in x.themes)
        lines = [
            ("Themes", themes),
            ("For", ", ".join(x.client_groups)),
            ("How delivered", x.how_delivered),
            ("Eligibility", x.eligibility),
            ("Opening times", x.opening_times),
            ("Contact", x.contact),
            ("Source", x.source),
        ]
        st.markdown("  \n".join(f"**{label}:** {md(value)}" for label, value in lines if value))
        with st.expander("Report a problem"):
            _report_form(x, store)


def _report_form(x: Listing, store: Store) -> None:
    with st.form(f"report_{x.service_id}", clear_on_submit=True):
        text = st.text_area(
            "What is wrong with this listing?", max_chars=MAX_REPORT_CHARS, key=f"report_text_{x.service_id}"
        )
        contact = st.text_input(
            "Your e-mail, if you would like a reply (optional)", key=f"report_contact_{x.service_id}"
        )
        sent = st.form_submit_button("Send to the directory's officers")
    if not sent:
        return
    reporter = st.session_state.setdefault(REPORTER_KEY, uuid.uuid4().hex)
    try:
        store.report_problem(x.service_id, text, contact=contact, reporter=reporter)
    except DirectoryError as exc:
        st.error(f"Not sent: {md(str(exc))}.")
    else:
        st.success("Thank you: an officer will look at it.")
