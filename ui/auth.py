"""Who is signed in to the directory pages, and the sign-in form.

Two ways in: a built-in account (e-mail and password, checked by the store with argon2, locked
for 15 minutes after 5 failures in a row) or single sign-on (:mod:`ui.sso`). Either way the
person's role and organisation are read from the store on **every** run, so a role taken away
takes effect at once, and every action is checked again by the store itself.

A built-in sign-in expires after :data:`IDLE_LIMIT_S` without a run, or :data:`MAX_AGE_S` after
it began, whichever comes first; the person is then asked to sign in again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from sector_map.directory.store import REVIEWERS
from ui import directory, sso
from ui.text import md

SESSION_KEY = "_directory_login"  # {"email", "started", "seen"} for a built-in sign-in
EXPIRED_KEY = "_directory_login_expired"
IDLE_LIMIT_S = 30 * 60
MAX_AGE_S = 8 * 60 * 60
PASSWORD = "password"
SINGLE_SIGN_ON = "single sign-on"
NO_ROLE = (
    "You are signed in with single sign-on, but your e-mail has no role in this directory "
    "yet. Ask the directory's administrator to add you."
)


@dataclass(frozen=True)
class Account:
    email: str
    role: str  # "editor", "officer" or "admin"
    organisation_id: str | None  # the organisation an editor's approved claim links them to
    method: str  # PASSWORD or SINGLE_SIGN_ON

    @property
    def reviews(self) -> bool:
        return self.role in REVIEWERS


def _account(email: str, method: str) -> Account | None:
    user = directory.store().user(email)
    if user is None:
        return None
    return Account(user.email, user.role, user.organisation_id, method)


def current_account(now: float | None = None) -> Account | None:
    """The signed-in account, or None (signed out, expired, or no longer in the store)."""
    now = time.time() if now is None else now
    login = st.session_state.get(SESSION_KEY)
    if login is not None:
        if now - login["seen"] > IDLE_LIMIT_S or now - login["started"] > MAX_AGE_S:
            del st.session_state[SESSION_KEY]
            st.session_state[EXPIRED_KEY] = True
            return None
        login["seen"] = now
        account = _account(login["email"], PASSWORD)
        if account is None:
            del st.session_state[SESSION_KEY]
        return account
    email = sso.email()
    return _account(email, SINGLE_SIGN_ON) if email else None


def sign_in(email: str, password: str) -> Account | None:
    """Check a built-in account's password and start its session; None when refused."""
    user = directory.store().authenticate(email, password)
    if user is None:
        return None
    now = time.time()
    st.session_state[SESSION_KEY] = {"email": user.email, "started": now, "seen": now}
    st.session_state.pop(EXPIRED_KEY, None)
    return Account(user.email, user.role, user.organisation_id, PASSWORD)


def sign_out() -> None:
    """End the sign-in and show the page signed out. A built-in one ends at once (and the page
    reruns); single sign-on ends through ``st.logout``, which sends the browser to the provider's
    logout and back to a new session. Callers must not ``st.rerun()`` after this: a rerun drops
    that redirect, and the browser would keep its single sign-on cookie."""
    st.session_state.pop(SESSION_KEY, None)
    if sso.signed_in():
        sso.logout()
    else:
        st.rerun()


def sign_in_form(key: str = "sign_in") -> None:
    """The sign-in form (and the single sign-on button when one is configured)."""
    if st.session_state.pop(EXPIRED_KEY, False):
        st.info("Your session expired. Sign in again to carry on.")
    if sso.configured():
        if sso.signed_in():
            st.warning(NO_ROLE)
        else:
            sso.login_button()
    with st.form(key):
        email = st.text_input("E-mail", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        if st.form_submit_button("Sign in"):
            if sign_in(email, password) is None:
                st.error(
                    "That e-mail and password were not accepted. After 5 failures in a row an account "
                    "is locked for 15 minutes."
                )
            else:
                st.rerun()


def describe(account: Account) -> str:
    """The line 'Signed in as E-MAIL (ROLE, METHOD)', the e-mail shown as text."""
    return f"Signed in as {md(account.email)} ({account.role}, {account.method})"


def account_line(account: Account) -> None:
    """A line saying who is signed in, with a sign-out button."""
    left, right = st.columns([4, 1])
    left.caption(describe(account))
    if right.button("Sign out", key="sign_out"):
        sign_out()


def require(*roles: str, doing: str) -> Account | None:
    """The signed-in account if its role is one of ``roles``; otherwise explains, shows the sign-in
    form when nobody is signed in, and returns None (the page must then draw nothing else)."""
    account = current_account()
    if account is None:
        st.info(f"Sign in to {doing}.")
        sign_in_form()
        return None
    if account.role not in roles:
        account_line(account)
        st.error(f"Your account ({account.role}) may not {doing}.")
        return None
    account_line(account)
    return account
