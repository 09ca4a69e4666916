"""Signing in to the directory pages (ui/auth.py): the form, lockout, expiry, roles read each run."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from sector_map.directory import db
from sector_map.directory.store import MAX_FAILED_LOGINS, Store
from ui import auth

OFFICER, EDITOR, PASSWORD = "officer@council.example", "ed@pantry.example", "correct horse battery"


def _review_page() -> None:
    import streamlit as st

    from ui import auth

    account = auth.require("officer", "admin", doing="review changes")
    if account is not None:
        st.write(f"REVIEWING AS {account.email}")


@pytest.fixture
def store(directory_url: str, monkeypatch) -> Store:
    monkeypatch.setenv("SECTOR_MAP_DATABASE_URL", directory_url)
    store = Store.open(directory_url)
    db.init(store.engine)
    store.create_user(OFFICER, "officer", password=PASSWORD)
    store.create_user(EDITOR, "editor", password=PASSWORD)
    return store


def _open() -> AppTest:
    at = AppTest.from_function(_review_page, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def _sign_in(at: AppTest, email: str, password: str) -> AppTest:
    at.text_input[0].input(email)
    at.text_input[1].input(password)
    at.button[0].click()
    at.run()
    assert not at.exception
    return at


def _text(at: AppTest) -> str:
    return " ".join([m.value for m in at.markdown] + [e.value for e in at.error] + [i.value for i in at.info])


def test_an_officer_signs_in_and_an_editor_is_refused(store: Store) -> None:
    at = _open()
    assert "Sign in to review changes" in _text(at) and "REVIEWING" not in _text(at)
    assert f"REVIEWING AS {OFFICER}" in _text(_sign_in(at, OFFICER, PASSWORD))

    other = _sign_in(_open(), EDITOR, PASSWORD)
    assert "may not review changes" in _text(other) and "REVIEWING" not in _text(other)


def test_a_wrong_password_is_refused_and_repeated_failures_lock_the_account(store: Store) -> None:
    at = _open()
    for _ in range(MAX_FAILED_LOGINS):
        _sign_in(at, OFFICER, "wrong")
        assert "were not accepted" in _text(at) and "REVIEWING" not in _text(at)
    assert "REVIEWING" not in _text(_sign_in(at, OFFICER, PASSWORD))  # locked, even with the password


@pytest.mark.parametrize("idle_s, age_s", [(auth.IDLE_LIMIT_S + 5, 60), (60, auth.MAX_AGE_S + 5)])
def test_a_session_expires_when_idle_or_old(store: Store, idle_s: int, age_s: int) -> None:
    at = _sign_in(_open(), OFFICER, PASSWORD)
    assert "REVIEWING" in _text(at)
    now = time.time()
    at.session_state[auth.SESSION_KEY] = {"email": OFFICER, "started": now - age_s, "seen": now - idle_s}
    at.run()
    assert "Your session expired" in _text(at) and "REVIEWING" not in _text(at)


def test_a_role_taken_away_takes_effect_on_the_next_run(store: Store) -> None:
    at = _sign_in(_open(), OFFICER, PASSWORD)
    assert "REVIEWING" in _text(at)
    from sector_map.directory.models import User

    with store.transaction() as s:
        s.query(User).filter(User.email == OFFICER).one().role = "editor"
    at.run()
    assert "may not review changes" in _text(at) and "REVIEWING" not in _text(at)


def test_signing_out_ends_the_session(store: Store) -> None:
    at = _sign_in(_open(), OFFICER, PASSWORD)
    at.button(key="sign_out").click()
    at.run()
    assert "Sign in to review changes" in _text(at) and auth.SESSION_KEY not in at.session_state


def _accounts_page() -> None:
    from ui import auth, users_panel

    account = auth.require("admin", doing="manage accounts")
    if account is not None:
        users_panel.draw(account)


def test_an_admin_adds_an_account_and_an_officer_cannot(store: Store) -> None:
    store.create_user("admin@council.example", "admin", password=PASSWORD)
    at = AppTest.from_function(_accounts_page, default_timeout=60)
    at.run()
    _sign_in(at, "admin@council.example", PASSWORD)
    at.text_input(key="users_add_email").input("new.editor@group.example")
    at.selectbox(key="users_add_role").select("editor")
    at.text_input(key="users_add_password").input("short")
    at.button[1].click()  # "Add account" (the sign-out button comes first)
    at.run()
    assert "at least 12 characters" in _text(at) and store.user("new.editor@group.example") is None
    at.text_input(key="users_add_email").input("new.editor@group.example")
    at.text_input(key="users_add_password").input("a long enough password")
    at.button[1].click()
    at.run()
    assert not at.exception
    assert store.user("new.editor@group.example").role == "editor"
    assert "new.editor@group.example" in at.dataframe[0].value["E-mail"].tolist()

    refused = AppTest.from_function(_accounts_page, default_timeout=60)
    refused.run()
    _sign_in(refused, OFFICER, PASSWORD)
    assert "may not manage accounts" in _text(refused) and not refused.dataframe
