"""Single sign-on through Streamlit's OIDC login (``st.login``), for councils with an identity provider.

Configured in ``.streamlit/secrets.toml`` (never committed; README "Single sign-on")::

    [auth]
    redirect_uri = "https://sector-map.example.gov.uk/oauth2callback"
    cookie_secret = "a long random string"
    client_id = "..."
    client_secret = "..."
    server_metadata_url = "https://login.example.gov.uk/.well-known/openid-configuration"

Streamlit does the OpenID Connect code flow itself (with PKCE when the provider offers S256),
checks the ID token's signature, issuer, audience and nonce, and keeps its claims in a signed
cookie; ``st.user`` is those claims. The provider says who the person is (their e-mail); what they
may do is held in the directory store and matched by that e-mail (``directory create-user EMAIL
--role ...`` with no password).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

# What st.login() needs for its default provider (streamlit.auth_util.validate_auth_credentials).
REQUIRED_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def configured() -> bool:
    """True when ``[auth]`` in the secrets has everything ``st.login()`` needs for its default
    provider (named providers alone, ``[auth.google]``, are not offered: the button signs in with
    the default one)."""
    try:
        section = st.secrets.get("auth")
    except FileNotFoundError:  # no secrets file at all
        return False
    return isinstance(section, Mapping) and all(section.get(key) for key in REQUIRED_KEYS)


def email_from_claims(claims: Mapping[str, Any]) -> str | None:
    """The e-mail to match in the store, from the provider's claims: lower-cased, and None when
    the provider gave none or says it is not verified (an unverified address proves nothing)."""
    if not claims.get("is_logged_in"):
        return None
    value = claims.get("email")
    if not isinstance(value, str) or "@" not in value or claims.get("email_verified") is False:
        return None
    return value.strip().lower()


def email() -> str | None:
    """The signed-in person's e-mail from the provider, or None (not configured or not signed in)."""
    if not configured():
        return None
    return email_from_claims(st.user.to_dict())


def signed_in() -> bool:
    """True when someone is signed in at the provider (whether or not the store knows them)."""
    return configured() and bool(st.user.get("is_logged_in"))


def login_button(key: str = "sso_login") -> None:
    if st.button("Sign in with single sign-on", key=key, type="primary"):
        st.login()


def logout() -> None:
    if signed_in():
        st.logout()
