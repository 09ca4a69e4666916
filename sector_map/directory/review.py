"""What the Review page lists: the queue of submitted revisions with names, the review clock
(stale listings and reminders due), and a service's change log as display text.

The review clock: a listing last confirmed more than :data:`REMINDER_AFTER_MONTHS` (11) months
ago is *due a reminder* (its organisation should be asked to confirm it before it goes stale);
after 12 months it is *stale*, after 18 months (or never confirmed) *out of provision*
(:func:`sector_map.directory.store.staleness`). Approving a change, or a confirmation that
changes nothing, confirms the listing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from sector_map.directory.diff import EMPTY, FIELD_LABELS, display
from sector_map.directory.models import ChangeLog, Organisation, Service
from sector_map.directory.store import (
    OUT_OF_PROVISION_AFTER_MONTHS,
    STALE_AFTER_MONTHS,
    StaleRow,
    Store,
    months_before,
)

REMINDER_AFTER_MONTHS = 11
REMINDER_DUE = "reminder due"
CLOCK_RULE = (
    f"A listing last confirmed more than {REMINDER_AFTER_MONTHS} months ago is due a reminder (ask its "
    f"organisation to confirm it); after {STALE_AFTER_MONTHS} months it is stale (marked so in the "
    f"Directory and counted for less in provision); after {OUT_OF_PROVISION_AFTER_MONTHS} months, or "
    "if never confirmed, it is out of provision until confirmed again. Approving any change to a "
    "listing, or a confirmation that changes nothing, confirms it today."
)


@dataclass(frozen=True)
class QueueRow:
    revision_id: int
    submitted_at: datetime
    submitted_by: str
    organisation: str
    service: str
    kind: str  # "new service" or "change"
    outdated: bool  # written against a version that is no longer the approved one


def queue(store: Store) -> list[QueueRow]:
    """Submitted revisions, oldest first, with their organisation's and service's names (a new
    organisation's or service's from the revision itself)."""
    pending = store.pending()
    with store.transaction() as s:
        services = {
            svc.id: svc
            for svc in s.scalars(select(Service).where(Service.id.in_({r.service_id for r in pending})))
        }
        org_ids = {str(r.content.get("organisation_id")) for r in pending}
        orgs = {o.id: o.name for o in s.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))}
    rows = []
    for r in sorted(pending, key=lambda r: (r.submitted_at, r.id)):
        current = services.get(r.service_id)
        proposed = r.content.get("service") or {}
        given = r.content.get("organisation") or {}
        org = orgs.get(str(r.content.get("organisation_id"))) or f"{given.get('name') or EMPTY} (new)"
        name = current.name if current is not None else str(proposed.get("name") or EMPTY)
        if current is not None and proposed.get("name") not in (None, current.name):
            name = f"{current.name} → {proposed['name']}"
        new = current is None or current.version == 0
        outdated = (current.version if current is not None else 0) != r.base_version
        rows.append(
            QueueRow(
                r.id, r.submitted_at, r.submitted_by, org, name, "new service" if new else "change", outdated
            )
        )
    return rows


@dataclass(frozen=True)
class ClockRow:
    service_id: str
    name: str
    organisation: str
    assured_date: date | None
    state: str  # REMINDER_DUE, "stale" or "out of provision"


def review_clock(rows: list[StaleRow], today: date) -> list[ClockRow]:
    """The listings that need attention under :data:`CLOCK_RULE`, least recently confirmed first
    (never confirmed at the top)."""
    due_before = months_before(today, REMINDER_AFTER_MONTHS)
    out = []
    for row in rows:
        state = row.state
        if state == "current" and row.assured_date is not None and row.assured_date < due_before:
            state = REMINDER_DUE
        if state != "current":
            out.append(ClockRow(row.service_id, row.name, row.organisation, row.assured_date, state))
    return sorted(out, key=lambda r: (r.assured_date is not None, r.assured_date or today, r.name))


def history_rows(
    changes: list[ChangeLog], *, ward_names: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """A service's change log (HSDS 3 fields) as display text, oldest first."""
    return [
        {
            "updated_at": c.updated_at.strftime("%Y-%m-%d %H:%M"),
            "revision_id": str(c.revision_id),
            "field_name": FIELD_LABELS.get(c.field_name, c.field_name),
            "previous_value": display(c.field_name, c.previous_value, ward_names=ward_names),
            "replacement_value": display(c.field_name, c.replacement_value, ward_names=ward_names),
            "updated_by": c.updated_by,
        }
        for c in changes
    ]
