"""The directory store: submit, review and apply revisions of service listings.

Every change to a service is a :class:`~sector_map.directory.models.Revision`. A revision is
written against the service's approved ``version`` (its ``base_version``); the store refuses

* a submission whose base is no longer the approved version (someone else's change was approved
  since: the error names it and the fields it changed), or while another user's revision of the
  same service waits for review (the error names that one);
* an approval of a revision whose base has gone out of date;

so nothing is ever silently overwritten. Approving applies the revision, writes one change-log
row per changed field (HSDS 3 ``field_name``, ``previous_value``, ``replacement_value``,
``updated_by``), bumps the version and sets ``assured_date`` (last confirmed) to today. Only
officers and admins may approve or reject; an editor may submit only for the organisation the
store links to their account. Every check is made here, whatever calls the store.

Staleness (the review clock): a listing last confirmed more than :data:`STALE_AFTER_MONTHS` (12)
months ago is *stale* (shown as such and counted for less in provision); after
:data:`OUT_OF_PROVISION_AFTER_MONTHS` (18) months, or with no confirmation date at all, it is
*out of provision* until it is confirmed again. Defunct services are not listed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sector_map.directory.base import (
    DESCRIBED,
    LOCKOUT,
    MAX_FAILED_LOGINS,
    MAX_OPEN_CLAIMS_PER_USER,
    MAX_OPEN_REPORTS,
    MAX_PENDING_PER_USER,
    MAX_REPORT_CHARS,
    MAX_TEXT_CHARS,
    MIN_PASSWORD,
    ORGANISATION_FIELDS,
    OUT_OF_PROVISION_AFTER_MONTHS,
    REPORTS_PER_SESSION_PER_HOUR,
    REVIEWERS,
    STALE_AFTER_MONTHS,
    Conflict,
    DirectoryError,
    NotAllowed,
    NotFound,
    StaleRow,
    _default,
    _match_organisation,
    _may_edit,
    _now,
    _outdated_message,
    _pending,
    _reviewer,
    _user,
    _when,
    check_service,
    months_before,
    new_id,
    staleness,
)
from sector_map.directory.models import (
    SERVICE_FIELDS,
    ChangeLog,
    Organisation,
    Revision,
    Service,
)
from sector_map.directory.oruk import FeedService
from sector_map.directory.people import People
from sector_map.directory.reports import Reports

__all__ = [
    "Conflict",
    "DirectoryError",
    "LOCKOUT",
    "MAX_FAILED_LOGINS",
    "MAX_OPEN_CLAIMS_PER_USER",
    "MAX_OPEN_REPORTS",
    "MAX_REPORT_CHARS",
    "MAX_TEXT_CHARS",
    "MIN_PASSWORD",
    "NotAllowed",
    "NotFound",
    "OUT_OF_PROVISION_AFTER_MONTHS",
    "REPORTS_PER_SESSION_PER_HOUR",
    "REVIEWERS",
    "STALE_AFTER_MONTHS",
    "StaleRow",
    "Store",
    "check_service",
    "months_before",
    "staleness",
]


class Store(People, Reports):
    """The directory database behind one engine: accounts and claims (:class:`People`), problem
    reports (:class:`Reports`), and the listings' revisions (here)."""

    # --- revisions --------------------------------------------------------------------------
    def submit(
        self,
        service: dict[str, Any],
        *,
        by: str,
        service_id: str | None = None,
        base_version: int | None = None,
        organisation_id: str | None = None,
        organisation: dict[str, Any] | None = None,
    ) -> Revision:
        """A revision waiting for review: changes to ``service_id`` written against
        ``base_version`` (the version the editor saw), or a new service (no ``service_id``) of the
        existing ``organisation_id`` or of a new ``organisation`` (its fields; an existing
        organisation with the same charity, company or pack id is used instead).

        Raises :class:`Conflict` when the base is out of date or another user's revision of the
        same service is pending, :class:`NotAllowed` when ``by`` may not edit this organisation.
        """
        fields = check_service(service)
        with self.transaction() as s:
            user = _user(s, by)
            pending = s.scalar(
                select(func.count())
                .select_from(Revision)
                .where(Revision.submitted_by == user.email, Revision.state == "submitted")
            )
            if pending is not None and pending >= MAX_PENDING_PER_USER:
                raise NotAllowed(f"{user.email} already has {pending} changes waiting for review")
            content: dict[str, Any] = {"service": fields}
            if service_id is not None:
                current = s.get(Service, service_id, with_for_update=True)
                if current is None:
                    raise NotFound(f"no service with id {service_id!r}")
                org_id = current.organisation_id
                _may_edit(user, org_id)
                base = current.version if base_version is None else base_version
                if base != current.version:
                    raise Conflict(_outdated_message(s, current, base))
                for other in s.scalars(
                    select(Revision).where(Revision.service_id == service_id, Revision.state == "submitted")
                ):
                    if other.submitted_by != user.email:
                        raise Conflict(
                            f"{current.name!r} has a change waiting for review: revision {other.id} by "
                            f"{other.submitted_by} at {_when(other.submitted_at)} "
                            f"(changes {', '.join(sorted(other.content['service'])) or 'nothing'}); "
                            "wait for it to be reviewed, then edit the new version"
                        )
                    other.state, other.reason = (
                        "withdrawn",
                        "replaced by a newer submission from the same user",
                    )
            else:
                service_id, base = new_id("svc"), 0
                if "name" not in fields:
                    raise DirectoryError("a new service needs a name")
                if organisation_id is not None:
                    if s.get(Organisation, organisation_id) is None:
                        raise NotFound(f"no organisation with id {organisation_id!r}")
                    org_id = organisation_id
                elif organisation:
                    match = _match_organisation(s, organisation)
                    org_id = match.id if match is not None else new_id("org")
                    content["organisation"] = {k: organisation.get(k) for k in ORGANISATION_FIELDS}
                else:
                    raise DirectoryError("a new service needs its organisation")
            _may_edit(user, org_id)
            content["organisation_id"] = org_id
            revision = Revision(
                service_id=service_id,
                organisation_id=org_id if s.get(Organisation, org_id) is not None else None,
                state="submitted",
                base_version=base,
                content=content,
                submitted_by=user.email,
                submitted_at=_now(),
                reason="",
            )
            s.add(revision)
        return revision

    def confirm(self, service_id: str, *, by: str, today: date | None = None) -> Service:
        """The organisation says its listing is still right: "last confirmed" becomes today.

        Nothing changes but the date, so an editor of the organisation may do it without review
        (it is recorded as an approved revision with no fields); the version stays, so a change
        waiting for review keeps its base.
        """
        with self.transaction() as s:
            user = _user(s, by)
            service = s.get(Service, service_id, with_for_update=True)
            if service is None or service.version == 0:
                raise NotFound(f"no listed service with id {service_id!r}")
            _may_edit(user, service.organisation_id)
            now = _now()
            s.add(
                Revision(
                    service_id=service.id,
                    organisation_id=service.organisation_id,
                    state="approved",
                    base_version=service.version,
                    content={"service": {}, "organisation_id": service.organisation_id, "confirmation": True},
                    submitted_by=user.email,
                    submitted_at=now,
                    reviewed_by=user.email,
                    reviewed_at=now,
                    reason="confirmed as still correct",
                )
            )
            service.assured_date = today or now.date()
            return service

    def approve(self, revision_id: int, *, by: str, today: date | None = None) -> Service:
        """Apply a submitted revision (officers and admins only): see the module docstring."""
        with self.transaction() as s:
            reviewer = _reviewer(s, by, "approve changes")
            return self._apply(s, _pending(s, revision_id), reviewer.email, today or _now().date())

    def approve_all(self, *, by: str) -> tuple[list[int], list[str]]:
        """Approve every pending revision, oldest first, each in its own transaction; returns the
        approved ids and the refusals (conflicts), which stay pending."""
        done: list[int] = []
        refused: list[str] = []
        for revision in self.pending():
            try:
                self.approve(revision.id, by=by)
                done.append(revision.id)
            except Conflict as exc:
                refused.append(f"revision {revision.id}: {exc}")
        return done, refused

    def reject(self, revision_id: int, reason: str, *, by: str) -> Revision:
        if not reason.strip():
            raise DirectoryError("a rejection needs a reason (the editor is shown it)")
        with self.transaction() as s:
            reviewer = _reviewer(s, by, "reject changes")
            revision = _pending(s, revision_id)
            revision.state, revision.reason = "rejected", reason.strip()
            revision.reviewed_by, revision.reviewed_at = reviewer.email, _now()
        return revision

    def withdraw(self, revision_id: int, *, by: str) -> Revision:
        with self.transaction() as s:
            user = _user(s, by)
            revision = _pending(s, revision_id)
            if revision.submitted_by != user.email:
                raise NotAllowed("only the person who submitted a change may withdraw it")
            revision.state = "withdrawn"
        return revision

    def revision(self, revision_id: int) -> Revision:
        """One revision, in any state."""
        with self.transaction() as s:
            revision = s.get(Revision, revision_id)
            if revision is None:
                raise NotFound(f"no revision {revision_id}")
            return revision

    def pending(self, *, service_id: str | None = None) -> list[Revision]:
        """Revisions waiting for review, oldest first (of one service if ``service_id``)."""
        query = select(Revision).where(Revision.state == "submitted").order_by(Revision.id)
        if service_id is not None:
            query = query.where(Revision.service_id == service_id)
        with self.transaction() as s:
            return list(s.scalars(query))

    def revisions_by(
        self, email: str, *, states: tuple[str, ...] = ("submitted", "rejected")
    ) -> list[Revision]:
        """The revisions ``email`` submitted, in these states, newest first."""
        query = (
            select(Revision)
            .where(Revision.submitted_by == email.strip().lower(), Revision.state.in_(states))
            .order_by(Revision.id.desc())
        )
        with self.transaction() as s:
            return list(s.scalars(query))

    def editable_service(self, service_id: str, *, by: str) -> Service:
        """A listed service for ``by`` to edit: refused (:class:`NotAllowed`) unless ``by`` is an
        officer or admin, or the editor of the service's organisation."""
        with self.transaction() as s:
            service = s.get(Service, service_id)
            if service is None:
                raise NotFound(f"no service with id {service_id!r}")
            _may_edit(_user(s, by), service.organisation_id)
            return service

    def services(
        self, *, include_defunct: bool = True, organisation_id: str | None = None
    ) -> list[tuple[Service, Organisation]]:
        """Approved services (version 1 or more) with their organisations, by id (of one
        organisation if ``organisation_id``)."""
        query = (
            select(Service, Organisation).join(Organisation).where(Service.version > 0).order_by(Service.id)
        )
        if not include_defunct:
            query = query.where(Service.status != "defunct")
        if organisation_id is not None:
            query = query.where(Service.organisation_id == organisation_id)
        with self.transaction() as s:
            return [(svc, org) for svc, org in s.execute(query).all()]

    def history(self, service_id: str) -> list[ChangeLog]:
        with self.transaction() as s:
            query = select(ChangeLog).where(ChangeLog.service_id == service_id).order_by(ChangeLog.id)
            return list(s.scalars(query))

    def stale_report(self, today: date | None = None) -> list[StaleRow]:
        """Every approved, non-defunct service with its state under the staleness rule."""
        today = today or _now().date()
        return [
            StaleRow(svc.id, svc.name, org.name, svc.assured_date, staleness(svc.assured_date, today))
            for svc, org in self.services(include_defunct=False)
        ]

    def import_feed(self, records: list[FeedService], *, source: str) -> dict[str, int]:
        """Record services from a published feed as approved, with their source and the feed's own
        assured dates, all in one transaction (a failed import leaves nothing). For the import
        command (an admin's tool: whoever holds the database URL); the revisions are marked
        ``import: SOURCE``.

        The organisation's own word wins over a feed: a listing the organisation has described
        (an approved revision of theirs) is *kept* as they wrote it, and a listing with a change
        waiting for review is *held* (the feed's version is not applied, so the reviewer's diff
        and the editor's base stay true; import again after the review). Returns counts of
        "new", "updated", "unchanged", "kept" and "held" services."""
        counts = {"new": 0, "updated": 0, "unchanged": 0, "kept": 0, "held": 0}
        by = f"import: {source}"
        with self.transaction() as s:
            for record in records:
                fields = check_service(record.service)
                current = s.get(Service, record.service_id, with_for_update=True)
                if current is not None and all(getattr(current, k) == v for k, v in fields.items()):
                    counts["unchanged"] += 1
                    continue
                if current is not None and current.source.startswith(DESCRIBED):
                    counts["kept"] += 1
                    continue
                waiting = s.scalar(
                    select(func.count())
                    .select_from(Revision)
                    .where(Revision.service_id == record.service_id, Revision.state == "submitted")
                )
                if waiting:
                    counts["held"] += 1
                    continue
                revision = Revision(
                    service_id=record.service_id,
                    organisation_id=None,
                    state="submitted",
                    base_version=current.version if current is not None else 0,
                    content={
                        "service": fields,
                        "organisation_id": record.organisation_id,
                        "organisation": {k: record.organisation.get(k) for k in ORGANISATION_FIELDS},
                    },
                    submitted_by=by,
                    submitted_at=_now(),
                    reason="",
                )
                s.add(revision)
                s.flush()
                self._apply(s, revision, by, record.assured, source=source)
                counts["new" if current is None else "updated"] += 1
        return counts

    def _apply(
        self, s: Session, revision: Revision, by: str, assured: date | None, *, source: str | None = None
    ) -> Service:
        content = revision.content
        service = s.get(Service, revision.service_id, with_for_update=True)
        version = service.version if service is not None else 0
        if version != revision.base_version:
            if service is None:
                raise Conflict(
                    f"revision {revision.id} edits service {revision.service_id}, which is not listed"
                )
            raise Conflict(_outdated_message(s, service, revision.base_version))
        org_id = content["organisation_id"]
        if s.get(Organisation, org_id) is None:
            given = content.get("organisation") or {}
            if not given.get("name"):
                raise DirectoryError(f"revision {revision.id} names no organisation to create")
            s.add(
                Organisation(
                    id=org_id,
                    name=given["name"],
                    **{k: given.get(k) or "" for k in ("description", "url", "email")},
                    **{k: given.get(k) or None for k in ("charity_number", "company_number", "pack_org_id")},
                    source=source or f"{DESCRIBED} ({revision.submitted_by})",
                    created_at=_now(),
                )
            )
            s.flush()
        now = _now()
        fields = content["service"]
        if service is None:
            service = Service(
                id=revision.service_id,
                organisation_id=org_id,
                version=0,
                name=fields["name"],
                source=source or DESCRIBED,
                last_modified=now,
                **{k: _default(k) for k in SERVICE_FIELDS if k != "name"},
            )
            s.add(service)
            s.flush()
            previous: dict[str, Any] = {k: None for k in SERVICE_FIELDS}
        else:
            previous = {k: getattr(service, k) for k in SERVICE_FIELDS}
        for name, value in fields.items():
            if previous[name] != value:
                s.add(
                    ChangeLog(
                        service_id=service.id,
                        revision_id=revision.id,
                        field_name=name,
                        previous_value=previous[name],
                        replacement_value=value,
                        updated_by=by,
                        updated_at=now,
                    )
                )
                setattr(service, name, value)
        if source is None and not service.source.startswith(DESCRIBED):
            service.source = f"{DESCRIBED}, was {service.source}"
        service.version = version + 1
        service.assured_date = assured
        service.last_modified = now
        revision.state, revision.reviewed_by, revision.reviewed_at = "approved", by, now
        revision.organisation_id = org_id
        return service
