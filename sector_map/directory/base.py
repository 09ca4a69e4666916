"""What every part of the directory store shares: its limits, errors, checks and the base class
that holds the engine. The rules themselves are described in :mod:`sector_map.directory.store`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Self

from argon2 import PasswordHasher
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from sector_map.directory import db
from sector_map.directory.models import (
    DELIVERY_MODES,
    SERVICE_FIELDS,
    SERVICE_STATUSES,
    ChangeLog,
    Organisation,
    Revision,
    Service,
    User,
)

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
    """``"current"``, ``"stale"`` or ``"out of provision"`` under the rule in :mod:`sector_map.directory.store`.

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


class StoreBase:
    """The directory database behind one engine (see :mod:`sector_map.directory.db`): sessions
    and transactions; :class:`~sector_map.directory.store.Store` adds what may be done."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str | None = None) -> Self:
        return cls(db.make_engine(url))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self._sessions() as session, session.begin():
            yield session


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
