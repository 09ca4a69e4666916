"""Accounts and claims in the directory store: who may sign in, and which organisation an editor
acts for (an officer reviews each claim). Admins manage accounts; every check is made here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sector_map.directory.base import (
    _REVIEWERS_NEED_NO_CLAIM,
    LOCKOUT,
    MAX_FAILED_LOGINS,
    MAX_ITEM_CHARS,
    MAX_OPEN_CLAIMS_PER_USER,
    MAX_TEXT_CHARS,
    MIN_PASSWORD,
    ORGANISATION_FIELDS,
    REVIEWERS,
    ClaimRow,
    DirectoryError,
    NotAllowed,
    NotFound,
    StoreBase,
    _admin,
    _aware,
    _check_text,
    _hasher,
    _keep_an_admin,
    _match_organisation,
    _now,
    _reviewer,
    _user,
    new_id,
)
from sector_map.directory.models import (
    CLAIM_STATES,
    ROLES,
    Claim,
    Organisation,
    User,
)


class People(StoreBase):
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
