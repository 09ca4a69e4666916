"""The test OpenID provider (devtools/oidc_provider.py) is strict where a real one is, so the single
sign-on browser test passing means the app did the flow right: a wrong secret, PKCE verifier or
redirect URI, or a code used twice, is refused; the ID token verifies against the published keys."""

from __future__ import annotations

import base64
import hashlib
import secrets
from functools import partial
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from devtools.oidc_provider import oidc_provider

CLIENT, SECRET = "sector-map", "s3cret-for-tests"
CALLBACK = "http://127.0.0.1:9/oauth2callback"
EMAIL = "officer@council.example"
# never through a proxy from the environment: the provider is on 127.0.0.1
GET = partial(httpx.get, trust_env=False)
POST = partial(httpx.post, trust_env=False)


@pytest.fixture
def op():
    with oidc_provider(CLIENT, SECRET) as provider:
        provider.register_redirect_uri(CALLBACK)
        provider.sign_in_as(EMAIL, "Olive Officer")
        yield provider


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _authorize(op, *, verifier: str, redirect_uri: str = CALLBACK, nonce: str = "n-1") -> httpx.Response:
    params = {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": redirect_uri,
        "scope": "openid email profile",
        "state": "st-1",
        "nonce": nonce,
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
        "prompt": "select_account",
    }
    return GET(op.issuer + "/authorize", params=params)


def _code(response: httpx.Response) -> str:
    assert response.status_code == 302, response.text
    query = parse_qs(urlparse(response.headers["location"]).query)
    assert query["state"] == ["st-1"]
    return query["code"][0]


def _token(op, code: str, *, verifier: str, secret: str = SECRET) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }
    return POST(op.issuer + "/token", data=data, auth=(CLIENT, secret))


def test_discovery_names_the_endpoints_and_offers_s256(op):
    meta = GET(op.metadata_url).json()
    assert meta["issuer"] == op.issuer
    assert meta["code_challenge_methods_supported"] == ["S256"]
    for name in (
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
        "userinfo_endpoint",
        "end_session_endpoint",
    ):
        assert meta[name].startswith(op.issuer + "/")


def test_the_code_flow_gives_an_id_token_signed_with_the_published_key(op):
    verifier = secrets.token_urlsafe(48)
    token = _token(op, _code(_authorize(op, verifier=verifier)), verifier=verifier)
    assert token.status_code == 200, token.text
    body = token.json()
    keys = KeySet.import_key_set(GET(op.issuer + "/jwks").json())
    claims = jwt.decode(body["id_token"], keys, algorithms=["RS256"]).claims
    assert (claims["iss"], claims["aud"], claims["email"], claims["nonce"]) == (
        op.issuer,
        CLIENT,
        EMAIL,
        "n-1",
    )
    info = GET(op.issuer + "/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.json()["email"] == EMAIL
    assert GET(op.issuer + "/userinfo", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_a_wrong_pkce_verifier_is_refused(op):
    verifier = secrets.token_urlsafe(48)
    token = _token(op, _code(_authorize(op, verifier=verifier)), verifier=secrets.token_urlsafe(48))
    assert token.status_code == 400
    assert token.json()["error"] == "invalid_grant"


def test_a_wrong_client_secret_is_refused(op):
    verifier = secrets.token_urlsafe(48)
    token = _token(op, _code(_authorize(op, verifier=verifier)), verifier=verifier, secret="wrong")
    assert token.status_code == 401
    assert token.json()["error"] == "invalid_client"


def test_a_code_works_once(op):
    verifier = secrets.token_urlsafe(48)
    code = _code(_authorize(op, verifier=verifier))
    assert _token(op, code, verifier=verifier).status_code == 200
    again = _token(op, code, verifier=verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_an_unregistered_redirect_uri_is_not_redirected_to(op):
    response = _authorize(op, verifier=secrets.token_urlsafe(48), redirect_uri="http://127.0.0.1:9/elsewhere")
    assert response.status_code == 400
    assert "location" not in response.headers


def test_nobody_at_the_desk_sends_the_browser_back_with_access_denied(op):
    op.sign_in_as(None)
    response = _authorize(op, verifier=secrets.token_urlsafe(48))
    assert response.status_code == 302
    query = parse_qs(urlparse(response.headers["location"]).query)
    assert query["error"] == ["access_denied"] and "code" not in query
