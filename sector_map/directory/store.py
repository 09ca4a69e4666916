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

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from sector_map.directory import db
from sector_map.directory.models import (
    CLAIM_STATES,
    DELIVERY_MODES,
    REPORT_STATES,
    ROLES,
    SERVICE_FIELDS,
    SERVICE_STATUSES,
    ChangeLog,
    Claim,
    Organisation,
    ProblemReport,
    Revision,
    Service,
    User,
)
from sector_map.directory.oruk import FeedService

STALE_AFTER_MONTHS = 12
OUT_OF_PROVISION_AFTER_MONTHS = 18
MAX_FAILED_LOGINS = 5
MIN_PASSWORD = 12
LOCKOUT = timedelta(minutes=15)
# Submissions one user may have waiting for review at once (a CVS sending a batch stays well below).
MAX_PENDING_PER_USER = 2000
# Claims one user may have waiting for review at once.
MAX_OPEN_CLAIMS_PER_USER = 5
# Caps on what one submission may hold: a text field, a list entry, a list, a delivery's places.
MAX_TEXT_CHARS = 10_000
MAX_ITEM_CHARS = 200
MAX_LIST_ITEMS = 100
MAX_DELIVERY_PLACES = 10_000
REVIEWERS = ("officer", "admin")
# "Report a problem" is open to anyone, so it is bounded: the text's length, reports per reporting
# session per hour, and open reports in the whole store (a visitor who starts new sessions still
# cannot fill the queue beyond that).
MAX_REPORT_CHARS = 2000
MAX_CONTACT_CHARS = 254
REPORTS_PER_SESSION_PER_HOUR = 5
MAX_OPEN_REPORTS = 200
DESCRIBED = "described by the organisation"  # a service's source once its organisation has described it
ORGANISATION_FIELDS = (
    "name",
    "description",
    "url",
    "email",
    "charity_number",
    "company_number",
    "pack_org_id",
)
_hasher = PasswordHasher()
_REVIEWERS_NEED_NO_CLAIM = "officers and admins act for any organisation; they need no claim"


class DirectoryError(Exception):
    """A request the store refuses; the message says why, for the person who made it."""


class NotAllowed(DirectoryError):
    pass


class NotFound(DirectoryError):
    pass


class Conflict(DirectoryError):
    """The listing changed since the revision's base version, or another change is pending."""


@dataclass(frozen=True)
class ClaimRow:
    """A claim with the organisation's name and the claimant's e-mail, for review."""

    id: int
    organisation_id: str
    organisation: str
    email: str
    state: str
    reason: str
    created_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    relationship: str = ""  # the claimant's own words about their connection to the organisation


@dataclass(frozen=True)
class ReportRow:
    """A problem report with the names of the service and organisation it is about."""

    id: int
    service_id: str
    service: str
    organisation: str
    text: str
    contact: str
    created_at: datetime
    state: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    note: str


@dataclass(frozen=True)
class StaleRow:
    service_id: str
    name: str
    organisation: str
    assured_date: date | None
    state: str  # "current", "stale" or "out of provision"


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (clamped to the month's end).

    Example:
        >>> months_before(date(2026, 8, 31), 18)
        datetime.date(2025, 2, 28)
    """
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def staleness(assured: date | None, today: date) -> str:
    """``"current"``, ``"stale"`` or ``"out of provision"`` under the rule in the module docstring.

    Example:
        >>> today = date(2026, 11, 30)
        >>> [staleness(d, today) for d in (date(2026, 1, 1), date(2025, 10, 1), date(2025, 5, 1), None)]
        ['current', 'stale', 'out of provision', 'out of provision']
    """
    if assured is None or assured < months_before(today, OUT_OF_PROVISION_AFTER_MONTHS):
        return "out of provision"
    if assured < months_before(today, STALE_AFTER_MONTHS):
        return "stale"
    return "current"


def _now() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:20]}"


def _check_text(what: str, value: object, limit: int = MAX_TEXT_CHARS) -> None:
    if isinstance(value, str) and len(value) > limit:
        raise DirectoryError(f"{what} is {len(value):,} characters long; at most {limit:,} are kept")


def check_service(fields: dict[str, Any]) -> dict[str, Any]:
    """The proposed service fields, checked: known names only, a known status and delivery mode,
    text of at most :data:`MAX_TEXT_CHARS` characters, lists of at most :data:`MAX_LIST_ITEMS`."""
    unknown = sorted(set(fields) - set(SERVICE_FIELDS))
    if unknown:
        raise DirectoryError(f"unknown service fields: {', '.join(unknown)}")
    for name, value in fields.items():
        if isinstance(value, list):
            if len(value) > MAX_LIST_ITEMS:
                raise DirectoryError(f"{name} has {len(value)} entries; at most {MAX_LIST_ITEMS} are kept")
            for item in value:
                _check_text(f"an entry of {name}", item, MAX_ITEM_CHARS)
        else:
            _check_text(name, value)
    delivery = fields.get("delivery") or {}
    for part in ("sites", "wards"):
        if len(delivery.get(part) or []) > MAX_DELIVERY_PLACES:
            raise DirectoryError(f"a delivery lists at most {MAX_DELIVERY_PLACES:,} {part}")
    if "status" in fields and fields["status"] not in SERVICE_STATUSES:
        raise DirectoryError(f"status must be one of {', '.join(SERVICE_STATUSES)}, not {fields['status']!r}")
    mode = (fields.get("delivery") or {}).get("mode", "whole_area")
    if mode not in DELIVERY_MODES:
        raise DirectoryError(f"delivery mode must be one of {', '.join(DELIVERY_MODES)}, not {mode!r}")
    if "name" in fields and not str(fields["name"]).strip():
        raise DirectoryError("a service needs a name")
    return dict(fields)


class Store:
    """The directory database behind one engine (see :mod:`sector_map.directory.db`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        return cls(db.make_engine(url))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self._sessions() as session, session.begin():
            yield session

    # --- users and claims -------------------------------------------------------------------
    def create_user(
        self, email: str, role: str, *, password: str | None = None, organisation_id: str | None = None
    ) -> User:
        email = email.strip().lower()
        if password is not None and len(password) < MIN_PASSWORD:
            raise DirectoryError(f"a password needs at least {MIN_PASSWORD} characters")
        if role not in ROLES:
            raise DirectoryError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if "@" not in email:
            raise DirectoryError(f"not an e-mail address: {email!r}")
        with self.transaction() as s:
            if s.scalar(select(User).where(User.email == email)) is not None:
                raise DirectoryError(f"a user {email} already exists")
            if organisation_id is not None and s.get(Organisation, organisation_id) is None:
                raise NotFound(f"no organisation with id {organisation_id!r}")
            user = User(
                email=email,
                role=role,
                password_hash=_hasher.hash(password) if password else None,
                organisation_id=organisation_id,
                failed_attempts=0,
                created_at=_now(),
            )
            s.add(user)
        return user

    def authenticate(self, email: str, password: str, *, now: datetime | None = None) -> User | None:
        """The user if the password matches; counts failures and locks the account for
        :data:`LOCKOUT` after :data:`MAX_FAILED_LOGINS` in a row (a locked account fails)."""
        now = now or _now()
        with self.transaction() as s:
            user = s.scalar(select(User).where(User.email == email.strip().lower()).with_for_update())
            if user is None or user.password_hash is None:
                return None
            locked = user.locked_until
            if locked is not None and _aware(locked) > now:
                return None
            try:
                _hasher.verify(user.password_hash, password)
            except (VerifyMismatchError, InvalidHashError):
                user.failed_attempts += 1
                if user.failed_attempts >= MAX_FAILED_LOGINS:
                    user.locked_until, user.failed_attempts = now + LOCKOUT, 0
                return None
            user.failed_attempts, user.locked_until = 0, None
            return user

    def claim(self, organisation_id: str, *, by: str, relationship: str = "") -> Claim:
        """An editor asks to manage an organisation's listings, saying how they are connected to
        it (``relationship``, their own words); an officer reviews the claim. One open claim per
        editor and organisation, at most :data:`MAX_OPEN_CLAIMS_PER_USER` open at once."""
        with self.transaction() as s:
            if s.get(Organisation, organisation_id) is None:
                raise NotFound(f"no organisation with id {organisation_id!r}")
            return self._claim(s, _user(s, by), organisation_id, relationship)

    def claim_pack_organisation(self, fields: dict[str, Any], *, by: str, relationship: str = "") -> Claim:
        """A claim of an organisation in the pack: its directory record (the one with the same pack
        id or charity number, else a new one made from ``fields``: ``pack_org_id``, ``name``,
        ``charity_number``, ``url``) is claimed as :meth:`claim` does."""
        name = str(fields.get("name") or "").strip()
        if not name or not fields.get("pack_org_id"):
            raise DirectoryError("a pack organisation is claimed by its pack id and name")
        given = {k: (str(fields[k]).strip() if fields.get(k) else None) for k in ORGANISATION_FIELDS}
        for key, value in given.items():
            _check_text(key, value, MAX_ITEM_CHARS if key != "description" else MAX_TEXT_CHARS)
        with self.transaction() as s:
            user = _user(s, by)
            if user.role in REVIEWERS:
                raise NotAllowed(_REVIEWERS_NEED_NO_CLAIM)
            found = _match_organisation(s, given)
            if found is None:
                found = Organisation(
                    id=new_id("org"),
                    name=name,
                    **{k: given.get(k) or "" for k in ("description", "url", "email")},
                    **{k: given.get(k) for k in ("charity_number", "company_number", "pack_org_id")},
                    source=f"the data pack (claimed by {user.email})",
                    created_at=_now(),
                )
                s.add(found)
                s.flush()
            return self._claim(s, user, found.id, relationship)

    def _claim(self, s: Session, user: User, organisation_id: str, relationship: str) -> Claim:
        relationship = relationship.strip()
        _check_text("the relationship", relationship, MAX_ITEM_CHARS * 5)
        if user.role in REVIEWERS:
            raise NotAllowed(_REVIEWERS_NEED_NO_CLAIM)
        if user.organisation_id == organisation_id:
            raise DirectoryError(f"{user.email} already manages this organisation's listings")
        open_claims = list(
            s.scalars(select(Claim).where(Claim.user_id == user.id, Claim.state == "unreviewed"))
        )
        if any(c.organisation_id == organisation_id for c in open_claims):
            raise DirectoryError(
                f"{user.email} has already claimed this organisation; the claim waits for an officer"
            )
        if len(open_claims) >= MAX_OPEN_CLAIMS_PER_USER:
            raise NotAllowed(f"{user.email} already has {len(open_claims)} claims waiting for review")
        claim = Claim(
            organisation_id=organisation_id,
            user_id=user.id,
            state="unreviewed",
            relationship=relationship,
            reason="",
            created_at=_now(),
        )
        s.add(claim)
        s.flush()
        return claim

    def claims_of(self, email: str) -> list[tuple[Claim, Organisation]]:
        """A user's claims, newest first, with the organisations claimed."""
        with self.transaction() as s:
            user = _user(s, email)
            query = (
                select(Claim, Organisation)
                .join(Organisation, Claim.organisation_id == Organisation.id)
                .where(Claim.user_id == user.id)
                .order_by(Claim.id.desc())
            )
            return [(c, o) for c, o in s.execute(query).all()]

    def organisation(self, organisation_id: str) -> Organisation | None:
        with self.transaction() as s:
            return s.get(Organisation, organisation_id)

    def find_organisations(self, text: str, *, limit: int = 20) -> list[Organisation]:
        """Organisations whose name contains ``text`` (any case) or whose charity, company or pack
        id is ``text``, by name."""
        text = text.strip()
        if not text:
            return []
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = (
            select(Organisation)
            .where(
                func.lower(Organisation.name).like(pattern, escape="\\")
                | (Organisation.charity_number == text)
                | (Organisation.company_number == text)
                | (Organisation.pack_org_id == text)
            )
            .order_by(Organisation.name, Organisation.id)
            .limit(limit)
        )
        with self.transaction() as s:
            return list(s.scalars(query))

    def review_claim(self, claim_id: int, state: str, *, by: str, reason: str = "") -> Claim:
        if state not in CLAIM_STATES[1:]:
            raise DirectoryError(f"a claim is reviewed as one of {', '.join(CLAIM_STATES[1:])}")
        with self.transaction() as s:
            _reviewer(s, by, "review claims")
            claim = s.get(Claim, claim_id, with_for_update=True)
            if claim is None:
                raise NotFound(f"no claim {claim_id}")
            claim.state, claim.reason, claim.reviewed_by, claim.reviewed_at = state, reason, by, _now()
            user = s.get(User, claim.user_id)
            assert user is not None
            if state == "approved":
                user.organisation_id = claim.organisation_id
            elif user.organisation_id == claim.organisation_id:
                user.organisation_id = None
        return claim

    def claims(self, state: str | None = None, *, by: str) -> list[ClaimRow]:
        """Claims in ``state`` (all when None), oldest first: every claim for officers and admins,
        only their own for anyone else."""
        query = (
            select(Claim, Organisation.name, User.email)
            .join(Organisation, Claim.organisation_id == Organisation.id)
            .join(User, Claim.user_id == User.id)
            .order_by(Claim.id)
        )
        if state is not None:
            if state not in CLAIM_STATES:
                raise DirectoryError(f"a claim's state is one of {', '.join(CLAIM_STATES)}, not {state!r}")
            query = query.where(Claim.state == state)
        with self.transaction() as s:
            user = _user(s, by)
            if user.role not in REVIEWERS:
                query = query.where(Claim.user_id == user.id)
            return [
                ClaimRow(
                    c.id,
                    c.organisation_id,
                    org,
                    email,
                    c.state,
                    c.reason,
                    c.created_at,
                    c.reviewed_by,
                    c.reviewed_at,
                    c.relationship,
                )
                for c, org, email in s.execute(query).all()
            ]

    def user(self, email: str) -> User | None:
        """The account with this e-mail (any case), or None."""
        with self.transaction() as s:
            return s.scalar(select(User).where(User.email == email.strip().lower()))

    # --- user management (admins only) ---------------------------------------------------
    def users(self, *, by: str) -> list[User]:
        with self.transaction() as s:
            _admin(s, by, "see the accounts")
            return list(s.scalars(select(User).order_by(User.role, User.email)))

    def add_user(
        self,
        email: str,
        role: str,
        *,
        by: str,
        password: str | None = None,
        organisation_id: str | None = None,
    ) -> User:
        """An admin adds an account (no password: it signs in through single sign-on only)."""
        with self.transaction() as s:
            _admin(s, by, "add accounts")
        return self.create_user(email, role, password=password, organisation_id=organisation_id)

    def set_role(self, email: str, role: str, *, by: str) -> User:
        if role not in ROLES:
            raise DirectoryError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        with self.transaction() as s:
            admin = _admin(s, by, "change roles")
            user = _user(s, email)
            if user.role == "admin" and role != "admin":
                _keep_an_admin(s, user, admin)
            user.role = role
        return user

    def set_password(self, email: str, password: str, *, by: str) -> None:
        """An admin sets an account's password (and unlocks it)."""
        if len(password) < MIN_PASSWORD:
            raise DirectoryError(f"a password needs at least {MIN_PASSWORD} characters")
        with self.transaction() as s:
            _admin(s, by, "set passwords")
            user = _user(s, email)
            user.password_hash = _hasher.hash(password)
            user.failed_attempts, user.locked_until = 0, None

    def unlock(self, email: str, *, by: str) -> None:
        with self.transaction() as s:
            _admin(s, by, "unlock accounts")
            user = _user(s, email)
            user.failed_attempts, user.locked_until = 0, None

    def remove_user(self, email: str, *, by: str) -> None:
        """An admin removes an account; what it submitted and reviewed stays in the history."""
        with self.transaction() as s:
            admin = _admin(s, by, "remove accounts")
            user = _user(s, email)
            if user.role == "admin":
                _keep_an_admin(s, user, admin)
            for claim in s.scalars(select(Claim).where(Claim.user_id == user.id)):
                s.delete(claim)
            s.delete(user)

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

    # --- problem reports --------------------------------------------------------------------
    def report_problem(
        self, service_id: str, text: str, *, contact: str = "", reporter: str, now: datetime | None = None
    ) -> ProblemReport:
        """Anyone's report that a listed service is wrong, waiting for an officer. ``reporter`` is
        an opaque key of the reporting session. Refused (plainly) when the text is empty or longer
        than :data:`MAX_REPORT_CHARS`, the contact is not an e-mail address, that session has made
        :data:`REPORTS_PER_SESSION_PER_HOUR` reports in the last hour, or :data:`MAX_OPEN_REPORTS`
        reports are open already."""
        text, contact = text.strip(), contact.strip()
        if not text:
            raise DirectoryError("say what is wrong with the listing")
        if len(text) > MAX_REPORT_CHARS:
            raise DirectoryError(
                f"a report may be at most {MAX_REPORT_CHARS:,} characters (this one is {len(text):,})"
            )
        if contact and (
            len(contact) > MAX_CONTACT_CHARS or "@" not in contact or any(c.isspace() for c in contact)
        ):
            raise DirectoryError("the contact must be one e-mail address (or left empty)")
        if not reporter:
            raise DirectoryError("a report needs the reporting session's key")
        now = now or _now()
        with self.transaction() as s:
            service = s.get(Service, service_id)
            if service is None or service.version < 1 or service.status == "defunct":
                raise NotFound(f"no listed service with id {service_id!r}")
            recent = s.scalar(
                select(func.count())
                .select_from(ProblemReport)
                .where(
                    ProblemReport.reporter == reporter, ProblemReport.created_at > now - timedelta(hours=1)
                )
            )
            if (recent or 0) >= REPORTS_PER_SESSION_PER_HOUR:
                raise NotAllowed(
                    f"you have sent {REPORTS_PER_SESSION_PER_HOUR} reports in the last hour, the most "
                    "we take from one visitor; please try again later"
                )
            open_now = s.scalar(
                select(func.count()).select_from(ProblemReport).where(ProblemReport.state == "open")
            )
            if (open_now or 0) >= MAX_OPEN_REPORTS:
                raise NotAllowed(
                    f"the directory already has {MAX_OPEN_REPORTS} problem reports waiting for an "
                    "officer, the most it holds; please try again later"
                )
            report = ProblemReport(
                service_id=service_id,
                text=text,
                contact=contact,
                reporter=reporter,
                created_at=now,
                state="open",
                note="",
            )
            s.add(report)
        return report

    def problem_reports(self, state: str | None = "open", *, by: str) -> list[ReportRow]:
        """Problem reports in ``state`` (all when None), oldest first; officers and admins only
        (reports may hold the reporter's e-mail)."""
        query = (
            select(ProblemReport, Service.name, Organisation.name)
            .join(Service, ProblemReport.service_id == Service.id)
            .join(Organisation, Service.organisation_id == Organisation.id)
            .order_by(ProblemReport.id)
        )
        if state is not None:
            if state not in REPORT_STATES:
                raise DirectoryError(f"a report's state is one of {', '.join(REPORT_STATES)}, not {state!r}")
            query = query.where(ProblemReport.state == state)
        with self.transaction() as s:
            _reviewer(s, by, "read problem reports")
            return [
                ReportRow(
                    r.id,
                    r.service_id,
                    service,
                    org,
                    r.text,
                    r.contact,
                    r.created_at,
                    r.state,
                    r.reviewed_by,
                    r.reviewed_at,
                    r.note,
                )
                for r, service, org in s.execute(query).all()
            ]

    def resolve_report(self, report_id: int, state: str, *, by: str, note: str = "") -> ProblemReport:
        """Close an open report as ``"resolved"`` or ``"dismissed"`` (officers and admins only)."""
        if state not in REPORT_STATES[1:]:
            raise DirectoryError(
                f"a report is closed as one of {', '.join(REPORT_STATES[1:])}, not {state!r}"
            )
        with self.transaction() as s:
            reviewer = _reviewer(s, by, "resolve problem reports")
            report = s.get(ProblemReport, report_id, with_for_update=True)
            if report is None:
                raise NotFound(f"no problem report {report_id}")
            if report.state != "open":
                raise DirectoryError(f"problem report {report_id} is already {report.state}")
            report.state, report.note = state, note.strip()
            report.reviewed_by, report.reviewed_at = reviewer.email, _now()
        return report

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


def _default(field: str) -> Any:
    if field in ("themes", "client_groups"):
        return []
    if field == "delivery":
        return {"mode": "whole_area"}
    if field == "status":
        return "active"
    return ""


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def _when(moment: datetime) -> str:
    return _aware(moment).strftime("%Y-%m-%d %H:%M UTC")


def _user(s: Session, email: str) -> User:
    user = s.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotAllowed(f"no user {email!r} in the directory")
    return user


def _reviewer(s: Session, email: str, action: str) -> User:
    user = _user(s, email)
    if user.role not in REVIEWERS:
        raise NotAllowed(f"only officers and admins may {action}; {user.email} is an {user.role}")
    return user


def _admin(s: Session, email: str, action: str) -> User:
    user = _user(s, email)
    if user.role != "admin":
        raise NotAllowed(f"only admins may {action}; {user.email} is an {user.role}")
    return user


def _keep_an_admin(s: Session, user: User, admin: User) -> None:
    if user.id == admin.id:
        raise DirectoryError("you cannot take away your own admin role; ask another admin")
    admins = s.scalar(select(func.count()).select_from(User).where(User.role == "admin"))
    if (admins or 0) <= 1:
        raise DirectoryError("the directory must keep at least one admin")


def _may_edit(user: User, organisation_id: str) -> None:
    if user.role not in REVIEWERS and user.organisation_id != organisation_id:
        raise NotAllowed(f"{user.email} may edit only the listings of their own organisation")


def _pending(s: Session, revision_id: int) -> Revision:
    revision = s.get(Revision, revision_id, with_for_update=True)
    if revision is None:
        raise NotFound(f"no revision {revision_id}")
    if revision.state != "submitted":
        raise DirectoryError(f"revision {revision_id} is {revision.state}, not waiting for review")
    return revision


def _match_organisation(s: Session, given: dict[str, Any]) -> Organisation | None:
    for key in ("charity_number", "company_number", "pack_org_id"):
        value = given.get(key)
        if value:
            found = s.scalar(select(Organisation).where(getattr(Organisation, key) == str(value)).limit(1))
            if found is not None:
                return found
    return None


def _outdated_message(s: Session, service: Service, base: int) -> str:
    last = s.scalar(
        select(Revision)
        .where(Revision.service_id == service.id, Revision.state == "approved")
        .order_by(Revision.id.desc())
        .limit(1)
    )
    changed = sorted(
        s.scalars(select(ChangeLog.field_name).where(ChangeLog.revision_id == last.id).distinct())
        if last
        else []
    )
    who = (
        f"revision {last.id} by {last.submitted_by}, approved by {last.reviewed_by}"
        if last
        else "another change"
    )
    when = f" at {_when(last.reviewed_at)}" if last and last.reviewed_at else ""
    return (
        f"{service.name!r} changed since the version you edited (yours: version {base}, now version "
        f"{service.version}): {who}{when} changed {', '.join(changed) or 'no fields (a confirmation)'}. "
        "Nothing was saved; start again from the current version."
    )
