"""Review page, admins only: the directory's accounts — add, change a role, set a password,
unlock, remove. Every action is checked again by the store (``Store.add_user`` and the rest)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from sector_map.directory.models import ROLES
from sector_map.directory.store import MIN_PASSWORD, DirectoryError
from ui import directory
from ui.auth import Account
from ui.text import md


def draw(account: Account) -> None:
    store = directory.store()
    try:
        users = store.users(by=account.email)
    except DirectoryError as exc:
        st.error(md(exc))
        return
    st.dataframe(
        pd.DataFrame(
            {
                "E-mail": [u.email for u in users],
                "Role": [u.role for u in users],
                "Organisation": [u.organisation_id or "" for u in users],
                "Signs in with": ["password" if u.password_hash else "single sign-on only" for u in users],
                "Locked until": [
                    u.locked_until.strftime("%d %b %Y %H:%M") if u.locked_until else "" for u in users
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    add, change = st.columns(2)
    with add, st.form("users_add", clear_on_submit=True):
        st.markdown("**Add an account**")
        email = st.text_input("E-mail", key="users_add_email")
        role = st.selectbox("Role", ROLES, key="users_add_role")
        password = st.text_input(
            f"Password (at least {MIN_PASSWORD} characters; leave empty for single sign-on only)",
            type="password",
            key="users_add_password",
        )
        if st.form_submit_button("Add account"):
            _act(lambda: store.add_user(email, role, by=account.email, password=password or None), "Added")
    with change, st.form("users_change"):
        st.markdown("**Change an account**")
        who = st.selectbox("Account", [u.email for u in users], key="users_change_who")
        new_role = st.selectbox("New role", ("(keep)", *ROLES), key="users_change_role")
        new_password = st.text_input(
            "New password (empty: keep)", type="password", key="users_change_password"
        )
        action = st.radio(
            "Also", ("nothing", "unlock", "remove the account"), horizontal=True, key="users_change_also"
        )
        if st.form_submit_button("Apply"):

            def apply() -> None:
                if new_role != "(keep)":
                    store.set_role(who, new_role, by=account.email)
                if new_password:
                    store.set_password(who, new_password, by=account.email)
                if action == "unlock":
                    store.unlock(who, by=account.email)
                elif action == "remove the account":
                    store.remove_user(who, by=account.email)

            _act(apply, "Changed")


def _act(action: Callable[[], object], done: str) -> None:
    try:
        action()
    except DirectoryError as exc:
        st.error(md(exc))
        return
    st.toast(f"{done}.")
    st.rerun()
