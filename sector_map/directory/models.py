"""The directory's tables (SQLAlchemy 2 declarative models).

Field names follow Open Referral UK / HSDS where one exists: a service's ``status`` (active,
inactive, defunct, temporarily closed), ``assured_date`` (the date the listing was last confirmed),
``last_modified``; an HSDS 3 change-log row's ``field_name``, ``previous_value``,
``replacement_value`` and ``updated_by``.

A service's ``delivery`` is JSON, one of::

    {"mode": "sites", "sites": [{"postcode": "M31 4FL", "latitude": null, "longitude": null,
                                  "reach_km": 1.5}]}
    {"mode": "wards", "wards": ["E05000829", ...]}
    {"mode": "radius", "postcode": "...", "radius_km": 5.0}
    {"mode": "whole_area"}

``version`` counts approved revisions of a service (0: none yet approved). A revision records the
``base_version`` it was written against; the store refuses one whose base is no longer current.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROLES = ("editor", "officer", "admin")
CLAIM_STATES = ("unreviewed", "approved", "denied", "revoked")
SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
REVISION_STATES = ("draft", "submitted", "approved", "rejected", "withdrawn")
DELIVERY_MODES = ("sites", "wards", "radius", "whole_area")


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Organisation(Base):
    __tablename__ = "organisations"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(Text, default="")
    charity_number: Mapped[str | None] = mapped_column(String(32), index=True)
    company_number: Mapped[str | None] = mapped_column(String(32), index=True)
    pack_org_id: Mapped[str | None] = mapped_column(String(128), index=True)
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Claim(Base):
    __tablename__ = "claims"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(16), default="unreviewed")
    relationship: Mapped[str] = mapped_column(Text, default="")  # the claimant's own words
    reason: Mapped[str] = mapped_column(Text, default="")  # the reviewer's
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(String(320))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Service(Base):
    __tablename__ = "services"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(24), default="active")
    themes: Mapped[list[Any]] = mapped_column(default=list)
    client_groups: Mapped[list[Any]] = mapped_column(default=list)
    eligibility: Mapped[str] = mapped_column(Text, default="")
    delivery: Mapped[dict[str, Any]] = mapped_column(default=dict)
    capacity: Mapped[str] = mapped_column(Text, default="")
    opening_times: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text)
    assured_date: Mapped[date | None] = mapped_column(Date)
    last_modified: Mapped[datetime] = mapped_column(DateTime(timezone=True))


SERVICE_NAME = "name"  # HSDS service.name

# The service fields a revision may propose (and the change log records), in display order.
SERVICE_FIELDS = (
    SERVICE_NAME,
    "description",
    "url",
    "email",
    "phone",
    "status",
    "themes",
    "client_groups",
    "eligibility",
    "delivery",
    "capacity",
    "opening_times",
)


class Revision(Base):
    __tablename__ = "revisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    state: Mapped[str] = mapped_column(String(16), index=True)
    base_version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column()
    submitted_by: Mapped[str] = mapped_column(String(320))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(String(320))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_revisions_service_state", "service_id", "state"),)


class ChangeLog(Base):
    """HSDS 3-style field-level history, written only by the store when it applies a revision."""

    __tablename__ = "change_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"))
    field_name: Mapped[str] = mapped_column(String(64))
    previous_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    replacement_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


REPORT_STATES = ("open", "resolved", "dismissed")


class ProblemReport(Base):
    """ "Report a problem" with a listing, from anyone reading the Directory; an officer resolves or
    dismisses it. ``reporter`` is an opaque key of the reporting session (for the per-session cap),
    never shown."""

    __tablename__ = "problem_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(Text, default="")
    reporter: Mapped[str] = mapped_column(String(64), default="", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(320))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")
