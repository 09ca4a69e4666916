"""Single sign-on end to end: the real app (``st.login``) against a real OpenID Connect provider
that the test starts on localhost (devtools/oidc_provider.py, Authlib's server parts).

Chromium clicks "Sign in with single sign-on", is sent to the provider's /authorize and back to
the app's /oauth2callback; the app's server exchanges the code at /token (with PKCE), checks the
ID token against /jwks, and the sidebar then shows the person with the role the directory store
holds for their e-mail. The secrets file is written under tmp and given by ``--secrets.files``:
nothing is written into the repository.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

from devtools.appserver import app_process
from devtools.oidc_provider import OpenIDProvider, oidc_provider
from tests.e2e.conftest import CHROMIUM, screenshot, settled
from ui.auth import NO_ROLE

OFFICER = "officer@council.example"
STRANGER = "stranger@council.example"
SIGN_IN = "Sign in with single sign-on"
WAIT_MS = 60_000


@dataclass(frozen=True)
class SsoApp:
    url: str
    provider: OpenIDProvider


@pytest.fixture(scope="module")
def sso_app(tmp_path_factory) -> Iterator[SsoApp]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's `chromium` (CI does)")
    from sector_map.demo.make import build_demo_pack
    from sector_map.directory import db
    from sector_map.directory.store import Store
    from sector_map.pack.io import save_pack

    root = tmp_path_factory.mktemp("sso")
    save_pack(build_demo_pack(), root / "packs" / "demo")
    database_url = f"sqlite:///{root / 'directory.sqlite'}"
    store = Store.open(database_url)
    db.init(store.engine)
    store.create_user(OFFICER, "officer")  # no password: this account signs in only through the provider
    store.engine.dispose()

    client_id, client_secret = "sector-map-test", secrets.token_urlsafe(24)
    with oidc_provider(client_id, client_secret) as provider, pytest.MonkeyPatch.context() as mp:
        # the app's server talks to the provider on 127.0.0.1: never through a proxy
        mp.setenv("NO_PROXY", ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1", "localhost"])))
        secrets_file = root / "secrets.toml"
        secrets_file.write_text(
            "[auth]\n"
            'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
            f'client_id = "{client_id}"\n'
            f'client_secret = "{client_secret}"\n'
            f'server_metadata_url = "{provider.metadata_url}"\n'
        )
        with app_process(
            root / "packs",
            root / "streamlit.log",
            database_url=database_url,
            extra_args=("--secrets.files", str(secrets_file)),
        ) as app:
            provider.register_redirect_uri(app.url + "/oauth2callback")
            yield SsoApp(app.url, provider)


def _sign_out(page, app: SsoApp) -> None:
    """Click the sidebar's "Sign out" and wait until the redirects (app, provider, app) end."""
    sidebar = page.locator("[data-testid='stSidebar']")
    with page.expect_navigation(url=lambda url: url.startswith(app.url), timeout=WAIT_MS):
        sidebar.get_by_role("button", name="Sign out").click()
    sidebar.get_by_role("button", name=SIGN_IN).wait_for(timeout=WAIT_MS)


def _sign_in(page, app: SsoApp) -> None:
    """Open the app, click the sign-in button, and wait until the redirects end back at the app."""
    page.goto(app.url)
    button = page.get_by_role("button", name=SIGN_IN)
    button.wait_for(timeout=WAIT_MS)
    with page.expect_navigation(url=lambda url: url.startswith(app.url), timeout=WAIT_MS):
        button.click()


def test_an_officer_signs_in_at_the_provider_and_has_the_role_the_store_holds(sso_app, page):
    op = sso_app.provider
    op.sign_in_as(OFFICER, "Olive Officer")
    before = len(op.requests)
    _sign_in(page, sso_app)

    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text(f"Signed in as {OFFICER} (officer, single sign-on)").wait_for(timeout=WAIT_MS)
    settled(page, WAIT_MS)
    screenshot(page, "sso-officer-signed-in")

    seen = op.requests[before:]
    paths = [path for _, path, _ in seen]
    # the browser went to the provider and came back; the app's server fetched the token and keys
    assert "/authorize" in paths and "/token" in paths and "/jwks" in paths
    authorize = next(params for _, path, params in seen if path == "/authorize")
    assert authorize["redirect_uri"] == sso_app.url + "/oauth2callback"
    assert authorize["code_challenge_method"] == "S256"  # Streamlit uses PKCE when offered
    assert set(authorize["scope"].split()) >= {"openid", "email"}
    token = next(params for method, path, params in seen if path == "/token")
    assert token["code_verifier"]
    assert urlparse(page.url).netloc == urlparse(sso_app.url).netloc
    assert page.blocked == []

    # a new page load in the same browser is still signed in (Streamlit's signed cookie)
    page.reload()
    sidebar.get_by_text(f"Signed in as {OFFICER} (officer, single sign-on)").wait_for(timeout=WAIT_MS)

    # signing out ends the app's sign-in and the provider's session (RP-initiated logout)
    ended = len(op.ended_sessions)
    _sign_out(page, sso_app)
    assert op.ended_sessions[ended:] == [OFFICER]
    logout = [params for _, path, params in op.requests if path == "/logout"][-1]
    assert logout["post_logout_redirect_uri"] == sso_app.url + "/oauth2callback"
    assert page.get_by_text("Signed in as").count() == 0
    settled(page, WAIT_MS)
    screenshot(page, "sso-signed-out")


def test_an_email_the_store_does_not_know_is_signed_in_but_given_no_role(sso_app, page):
    op = sso_app.provider
    op.sign_in_as(STRANGER, "Sam Stranger")
    _sign_in(page, sso_app)

    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("Ask the directory's administrator to add you").wait_for(timeout=WAIT_MS)
    assert NO_ROLE.endswith("Ask the directory's administrator to add you.")
    assert page.get_by_text("Signed in as").count() == 0
    settled(page, WAIT_MS)
    screenshot(page, "sso-unknown-email")

    _sign_out(page, sso_app)
    assert op.ended_sessions[-1] == STRANGER


def test_a_sign_in_refused_at_the_provider_leaves_nobody_signed_in(sso_app, page):
    """The provider sends the browser back with ``error=access_denied`` (someone cancelled)."""
    op = sso_app.provider
    op.sign_in_as(None)
    before = len(op.requests)
    _sign_in(page, sso_app)

    page.get_by_role("button", name=SIGN_IN).wait_for(timeout=WAIT_MS)
    paths = [path for _, path, _ in op.requests[before:]]
    assert "/authorize" in paths and "/token" not in paths
    assert page.get_by_text("Signed in as").count() == 0
    assert page.get_by_text(NO_ROLE).count() == 0
