"""Single sign-on through Streamlit's OIDC login (``st.login``), for councils with an identity provider.

Configured in ``.streamlit/secrets.toml`` (never committed)::

    [auth]
    redirect_uri = "https://sector-map.example.gov.uk/oauth2callback"
    cookie_secret = "a long random string"
    client_id = "..."
    client_secret = "..."
    server_metadata_url = "https://login.example.gov.uk/.well-known/openid-configuration"

The provider says who the person is (their e-mail); what they may do is held in the directory
store and matched by that e-mail (``directory create-user EMAIL --role ...`` with no password).
"""

from __future__ import annotations

import streamlit as st


def configured() -> bool:
    """True when ``[auth]`` in the secrets names an identity provider."""
    try:
        section = st.secrets.get("auth")
    except FileNotFoundError:
        return False
    return bool(section) and bool(
        section.get("client_id") or any(isinstance(v, dict) for v in section.values())
    )


def email() -> str | None:
    """The signed-in person's e-mail from the provider, or None (not configured or not signed in)."""
    if not configured() or not st.user.is_logged_in:
        return None
    value = st.user.get("email")
    return str(value).strip().lower() if value else None


def login_button() -> None:
    if st.button("Sign in with single sign-on", key="sso_login", type="primary"):
        st.login()


def logout() -> None:
    if configured() and st.user.is_logged_in:
        st.logout()
