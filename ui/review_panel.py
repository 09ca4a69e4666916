"""Review page: the queue of submitted changes with each one's diff, claims, problem reports, the
review clock and a service's change log.

Layout only: the lists come from :mod:`sector_map.directory.review` and
:mod:`sector_map.directory.diff`, and every action is the store's (which checks the reviewer's role
itself and words any refusal, shown here as it is worded). Text from users reaches Markdown only
through :func:`ui.text.md`; tables are ``st.dataframe`` (plain text).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from sector_map.directory import diff, review
from sector_map.directory.store import DirectoryError, Store
from ui.auth import Account
from ui.text import md

FLASH_KEY = "_review_flash"


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.strftime("%Y-%m-%d %H:%M UTC")


def _done(kind: str, text: str) -> None:
    """Keep a message for the next run (the lists change after an action) and rerun."""
    st.session_state[FLASH_KEY] = (kind, text)
    st.rerun()


def flash() -> None:
    """The message left by the last action, shown once."""
    kept = st.session_state.pop(FLASH_KEY, None)
    if kept is not None:
        kind, text = kept
        (st.success if kind == "success" else st.info)(text)


def _table(rows: list[dict[str, str]] | list[dict[str, object]]) -> None:
    st.dataframe(pd.DataFrame(rows), hide_index=True)


def _pick(label: str, labels: Mapping[int, str], key: str) -> int | None:
    """A choice among ``labels`` (id → text). The widget is new whenever the list changes (an item
    approved or closed, a new one arrived), so it never shows a choice that has left the list."""
    key = f"{key}_{zlib.crc32(repr(list(labels)).encode()):08x}"
    return st.selectbox(label, list(labels), format_func=lambda i: labels.get(i, str(i)), key=key)


def tab_labels(store: Store, account: Account) -> list[str]:
    """The page's tabs, each with how many items wait in it."""
    today = datetime.now(UTC).date()
    waiting = (
        len(store.pending()),
        len(store.claims("unreviewed", by=account.email)),
        len(store.problem_reports("open", by=account.email)),
        len(review.review_clock(store.stale_report(today), today)),
    )
    names = ("Changes", "Claims", "Problem reports", "Stale listings and reminders")
    return [f"{name} ({n})" for name, n in zip(names, waiting, strict=True)] + ["Change log"]


# --- submitted changes ----------------------------------------------------------------------
def revisions(store: Store, account: Account, ward_names: Mapping[str, str]) -> None:
    queue = review.queue(store)
    if not queue:
        st.info("No changes are waiting for review.")
        return
    st.caption("Oldest first. Pick one to see what it changes against the last approved version.")
    _table(
        [
            {
                "Revision": r.revision_id,
                "Submitted": _when(r.submitted_at),
                "By": r.submitted_by,
                "Organisation": r.organisation,
                "Service": r.service,
                "Kind": r.kind,
                "Note": "written against an older version" if r.outdated else "",
            }
            for r in queue
        ]
    )
    by_id = {r.revision_id: r for r in queue}
    chosen = _pick(
        "Change to review",
        {i: f"{i}: {r.service} ({r.organisation})" for i, r in by_id.items()},
        "review_revision",
    )
    if chosen is None:
        return
    row = by_id[chosen]
    revision = store.revision(chosen)
    st.subheader(f"Revision {chosen}: {md(row.service)}")
    st.caption(
        f"{md(row.kind.capitalize())} to {md(row.organisation)}, submitted by {md(row.submitted_by)} "
        f"at {_when(row.submitted_at)}, written against version {revision.base_version}."
    )
    if row.outdated:
        st.warning(
            "The listing has changed since this was written: approving it will be refused. Reject it "
            "with a reason so the editor can start again from the current version."
        )
    changes = diff.revision_diff(store, revision, ward_names=ward_names)
    if changes:
        st.dataframe(
            pd.DataFrame(
                [(diff.FIELD_LABELS.get(f, f), before, after) for f, before, after in changes],
                columns=["Field", "Before (last approved)", "After (proposed)"],
            ),
            hide_index=True,
            height="content",  # every field at once: how it is delivered comes last and matters most
            column_config={  # the values wide enough to read a delivery's sites whole
                "Field": st.column_config.TextColumn(width="small"),
                "Before (last approved)": st.column_config.TextColumn(width="medium"),
                "After (proposed)": st.column_config.TextColumn(width="large"),
            },
        )
    else:
        st.info("This changes no field: approving it confirms the listing as it is (last confirmed: today).")
    _decide(store, account, row, changes)


def _decide(
    store: Store, account: Account, row: review.QueueRow, changes: list[tuple[str, str, str]]
) -> None:
    left, right = st.columns(2)
    if left.button("Approve", type="primary", key=f"approve_{row.revision_id}"):
        try:
            store.approve(row.revision_id, by=account.email)
        except DirectoryError as exc:
            left.error(md(str(exc)))
        else:
            given = [f for f, before, after in changes if after != diff.EMPTY or before != diff.EMPTY]
            fields = ", ".join(diff.FIELD_LABELS.get(f, f) for f in given) or "no fields (confirmed)"
            _done(
                "success",
                f"Approved revision {row.revision_id}: {md(row.service)} ({md(row.organisation)}). "
                f"Changed: {md(fields)}. It is in the Directory now, and the analysis pages use it on "
                "their next run.",
            )
    with right.form(f"reject_{row.revision_id}", clear_on_submit=True):
        reason = st.text_area(
            "Reason for rejecting (the editor is shown it)", key=f"reason_{row.revision_id}"
        )
        if st.form_submit_button("Reject"):
            if not reason.strip():
                st.error("Give a reason: the editor is shown it, so they know what to change.")
            else:
                try:
                    store.reject(row.revision_id, reason, by=account.email)
                except DirectoryError as exc:
                    st.error(md(str(exc)))
                else:
                    _done("info", f"Rejected revision {row.revision_id}; the editor will see your reason.")


# --- claims ---------------------------------------------------------------------------------
def claims(store: Store, account: Account) -> None:
    waiting = store.claims("unreviewed", by=account.email)
    approved = store.claims("approved", by=account.email)
    st.caption(
        "An editor claims an organisation to edit its listings; an approved claim links their account "
        "to it, a denied or revoked one does not (a revoked editor can no longer submit changes)."
    )
    if not waiting:
        st.info("No claims are waiting for review.")
    else:
        _table(
            [
                {
                    "Claim": c.id,
                    "Organisation": c.organisation,
                    "By": c.email,
                    "Relationship": c.relationship,
                    "Since": _when(c.created_at),
                }
                for c in waiting
            ]
        )
        by_id = {c.id: c for c in waiting}
        chosen = _pick(
            "Claim to review",
            {i: f"{i}: {c.email} for {c.organisation}" for i, c in by_id.items()},
            "review_claim",
        )
        if chosen is not None:
            _claim_form(store, account, chosen, ("Approve", "approved"), ("Deny", "denied"))
    if approved:
        with st.expander(f"Approved claims ({len(approved)}): revoke one"):
            _table(
                [
                    {
                        "Claim": c.id,
                        "Organisation": c.organisation,
                        "Editor": c.email,
                        "Approved": _when(c.reviewed_at),
                    }
                    for c in approved
                ]
            )
            by_id = {c.id: c for c in approved}
            chosen = _pick(
                "Claim to revoke",
                {i: f"{i}: {c.email} for {c.organisation}" for i, c in by_id.items()},
                "revoke_claim",
            )
            if chosen is not None:
                _claim_form(store, account, chosen, None, ("Revoke", "revoked"))


def _claim_form(
    store: Store, account: Account, claim_id: int, yes: tuple[str, str] | None, no: tuple[str, str]
) -> None:
    with st.form(f"claim_{no[1]}_{claim_id}", clear_on_submit=True):
        reason = st.text_input(f"Reason (needed to {no[0].lower()}; the editor is shown it)")
        approve = st.form_submit_button(yes[0], type="primary") if yes else False
        refuse = st.form_submit_button(no[0])
    if not (approve or refuse):
        return
    state = yes[1] if approve and yes else no[1]
    if refuse and not reason.strip():
        st.error(f"Give a reason to {no[0].lower()} a claim: the editor is shown it.")
        return
    try:
        store.review_claim(claim_id, state, by=account.email, reason=reason.strip())
    except DirectoryError as exc:
        st.error(md(str(exc)))
    else:
        _done("success", f"Claim {claim_id} {state}.")


# --- problem reports ------------------------------------------------------------------------
def reports(store: Store, account: Account) -> None:
    waiting = store.problem_reports("open", by=account.email)
    st.caption("Sent by readers of the Directory with “Report a problem”. Resolve (fixed) or dismiss each.")
    if not waiting:
        st.info("No problem reports are open.")
        return
    _table(
        [
            {
                "Report": r.id,
                "Sent": _when(r.created_at),
                "Service": r.service,
                "Organisation": r.organisation,
                "What is wrong": r.text,
                "Contact": r.contact,
            }
            for r in waiting
        ]
    )
    by_id = {r.id: r for r in waiting}
    chosen = _pick(
        "Report to close",
        {i: f"{i}: {r.service} ({r.organisation})" for i, r in by_id.items()},
        "review_report",
    )
    if chosen is None:
        return
    with st.form(f"report_{chosen}", clear_on_submit=True):
        note = st.text_input("Note (optional; kept with the report)")
        resolved = st.form_submit_button("Resolve", type="primary")
        dismissed = st.form_submit_button("Dismiss")
    if resolved or dismissed:
        state = "resolved" if resolved else "dismissed"
        try:
            store.resolve_report(chosen, state, by=account.email, note=note)
        except DirectoryError as exc:
            st.error(md(str(exc)))
        else:
            _done("success", f"Problem report {chosen} {state}.")


# --- the review clock and the change log ------------------------------------------------------
def clock(store: Store) -> None:
    today = datetime.now(UTC).date()
    rows = review.review_clock(store.stale_report(today), today)
    st.caption(review.CLOCK_RULE)
    if not rows:
        st.info("Every listing was confirmed within the last 11 months.")
        return
    counts = {
        state: sum(r.state == state for r in rows)
        for state in (review.REMINDER_DUE, "stale", "out of provision")
    }
    st.write(" · ".join(f"{state.capitalize()}: {n:,}" for state, n in counts.items()))
    _table(
        [
            {
                "Service": r.name,
                "Organisation": r.organisation,
                "Last confirmed": r.assured_date.isoformat() if r.assured_date else "never",
                "State": r.state,
            }
            for r in rows
        ]
    )


def change_log(store: Store, ward_names: Mapping[str, str]) -> None:
    services = store.services()
    st.caption(
        "Every approved change, field by field (HSDS 3 change log: field_name, previous_value, "
        "replacement_value, updated_by). It is written only when a change is approved and cannot be "
        "edited here."
    )
    if not services:
        st.info("No service is listed yet.")
        return
    labels = {svc.id: f"{svc.name} ({org.name})" for svc, org in services}
    chosen = st.selectbox(
        "Service", list(labels), format_func=lambda i: labels.get(i, str(i)), index=None, key="review_log"
    )
    if chosen is None:
        return
    _table(review.history_rows(store.history(chosen), ward_names=ward_names))
