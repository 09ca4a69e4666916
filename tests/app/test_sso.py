"""Single sign-on in the app (ui.sso, the sidebar's directory account) under AppTest.

AppTest stands in for the provider: ``at.user`` is what ``st.user`` reads, as if Streamlit had
checked an ID token with those claims. tests/e2e/test_sso_browser.py runs the real flow.
"""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from sector_map.directory import db
from sector_map.directory.store import Store
from tests.app.conftest import APP
from ui import sso
from ui.auth import NO_ROLE, SESSION_KEY
from ui.text import md

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-cookie-secret-for-tests-only",
    "client_id": "sector-map",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
}
OFFICER = "officer@council.example"
SIGN_IN = "Sign in with single sign-on"


def _configured(secrets: dict) -> bool:
    def script() -> None:
        import streamlit as st

        from ui import sso

        st.text(str(sso.configured()))

    at = AppTest.from_function(script)
    at.secrets.update(secrets)
    at.run()
    assert not at.exception
    return at.text[0].value == "True"


def test_configured_when_the_auth_section_has_all_that_st_login_needs():
    assert _configured({"auth": AUTH})


@pytest.mark.parametrize("missing", sso.REQUIRED_KEYS)
def test_not_configured_when_a_key_st_login_needs_is_missing(missing):
    assert not _configured({"auth": {k: v for k, v in AUTH.items() if k != missing}})


def test_not_configured_without_secrets_or_with_only_a_named_provider():
    assert not _configured({})
    named = {k: v for k, v in AUTH.items() if k in ("redirect_uri", "cookie_secret")}
    named["google"] = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    assert not _configured({"auth": named})  # the button signs in with the default provider only


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"is_logged_in": True, "email": " Officer@Council.Example "}, OFFICER),
        ({"is_logged_in": True, "email": OFFICER, "email_verified": True}, OFFICER),
        ({"is_logged_in": True, "email": OFFICER, "email_verified": False}, None),
        ({"is_logged_in": False, "email": OFFICER}, None),
        ({"email": OFFICER}, None),
        ({"is_logged_in": True}, None),
        ({"is_logged_in": True, "email": "not an address"}, None),
    ],
)
def test_email_from_claims(claims, expected):
    assert sso.email_from_claims(claims) == expected


@pytest.fixture
def sso_app(app_packs, directory_url, monkeypatch):
    """``sso_app(user, configured=True, session=None)``: app.py with ``st.user`` set to ``user``,
    single sign-on configured (or not), and ``session`` put in its session state first."""
    from ui import paths

    monkeypatch.setenv("SECTOR_MAP_PACKS_DIR", str(app_packs))
    monkeypatch.setattr(paths, "PACKS_DIR", app_packs)
    monkeypatch.setattr(paths, "DEMO_PACK", app_packs / "demo")
    monkeypatch.setenv("SECTOR_MAP_DATABASE_URL", directory_url)
    store = Store.open(directory_url)
    db.init(store.engine)
    store.create_user(OFFICER, "officer")

    def open_(user: dict, *, configured: bool = True, session: dict | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=120)
        if configured:
            at.secrets["auth"] = AUTH
        at.user = user
        for key, value in (session or {}).items():
            at.session_state[key] = value
        at.query_params["pack"] = "demo"
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    yield open_
    store.engine.dispose()


def _sidebar_text(at: AppTest) -> str:
    return " ".join(str(e.value) for e in [*at.sidebar.caption, *at.sidebar.warning, *at.sidebar.markdown])


def test_nobody_signed_in_sees_the_single_sign_on_button_in_the_sidebar(sso_app):
    at = sso_app({"is_logged_in": False})
    assert [b.label for b in at.sidebar.button] == [SIGN_IN]
    assert "Signed in as" not in _sidebar_text(at)


def test_an_officer_signed_in_by_the_provider_has_the_role_the_store_holds(sso_app):
    at = sso_app({"is_logged_in": True, "email": "Officer@Council.example", "email_verified": True})
    assert f"Signed in as {md(OFFICER)} (officer, single sign-on)" in _sidebar_text(at)
    assert [b.label for b in at.sidebar.button] == ["Sign out"]


def test_an_email_the_store_does_not_know_gets_no_role(sso_app):
    at = sso_app({"is_logged_in": True, "email": "stranger@council.example"})
    assert NO_ROLE in _sidebar_text(at)
    assert "Signed in as" not in _sidebar_text(at)


def test_an_unverified_email_is_not_matched_to_the_store(sso_app):
    at = sso_app({"is_logged_in": True, "email": OFFICER, "email_verified": False})
    assert "Signed in as" not in _sidebar_text(at)
    assert NO_ROLE in _sidebar_text(at)


def test_sign_out_logs_out_of_single_sign_on(sso_app):
    at = sso_app({"is_logged_in": True, "email": OFFICER})
    at.sidebar.button(key="sidebar_sign_out").click().run()
    assert at.user.get("is_logged_in") is False
    at.run()
    assert [b.label for b in at.sidebar.button] == [SIGN_IN]
    assert "Signed in as" not in _sidebar_text(at)


def test_without_single_sign_on_or_a_sign_in_the_sidebar_has_no_account_section(sso_app):
    at = sso_app({}, configured=False)
    assert "Directory account" not in _sidebar_text(at)
    assert [b.label for b in at.sidebar.button] == []


def test_a_built_in_sign_in_shows_in_the_sidebar_and_signs_out_without_single_sign_on(sso_app, directory_url):
    Store.open(directory_url).create_user("editor@charity.example", "editor", password="a long password 1")
    now = time.time()
    login = {SESSION_KEY: {"email": "editor@charity.example", "started": now, "seen": now}}
    at = sso_app({}, configured=False, session=login)
    assert f"Signed in as {md('editor@charity.example')} (editor, password)" in _sidebar_text(at)
    at.sidebar.button(key="sidebar_sign_out").click().run()
    assert not at.exception
    assert SESSION_KEY not in at.session_state
    assert "Signed in as" not in _sidebar_text(at)
