"""A small OpenID Connect provider on localhost for the single sign-on tests, built from Authlib's
server parts (the authorization-code grant with OpenID Connect and PKCE, RP-initiated logout).

It stands in for a council's identity provider: it signs in, without asking, whoever the test has
put at the desk (:meth:`OpenIDProvider.sign_in_as`), issues an RS256-signed ID token whose keys it
publishes at ``/jwks``, and records every request so a test can say which endpoints were used::

    with oidc_provider("sector-map", "s3cret") as op:
        op.sign_in_as("officer@council.example", "Olive Officer")
        op.register_redirect_uri("http://127.0.0.1:8501/oauth2callback")
        ...  # the app's [auth] server_metadata_url is op.metadata_url

Endpoints: ``/.well-known/openid-configuration``, ``/authorize``, ``/token``, ``/jwks``,
``/userinfo`` (bearer token) and ``/logout`` (end_session_endpoint). Plain http on 127.0.0.1:
Authlib allows that for loopback addresses only.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from authlib.common.security import generate_token
from authlib.oauth2 import AuthorizationServer, OAuth2Error, OAuth2Request
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.rpinitiated import EndSessionEndpoint
from joserfc.jwk import KeySet, RSAKey

KEY_ID = "test-key-1"
SCOPES = ["openid", "email", "profile"]
BASIC_AUTH = "client_secret_basic"
POST_AUTH = "client_secret_post"


@dataclass
class Person:
    """Who the provider signs in: ``sub`` is stable per e-mail, as a real provider's would be."""

    email: str
    name: str

    @property
    def sub(self) -> str:
        return "user-" + self.email.split("@")[0]


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)

    @property
    def client_metadata(self) -> dict[str, Any]:
        return {"post_logout_redirect_uris": self.redirect_uris}

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in (BASIC_AUTH, POST_AUTH)

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: Person
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class WsgiRequest(OAuth2Request):
    """An OAuth2Request from a WSGI environ: query string and form body together."""

    def __init__(self, environ: dict[str, Any]) -> None:
        host = environ.get("HTTP_HOST", "127.0.0.1")
        query = environ.get("QUERY_STRING", "")
        uri = f"http://{host}{environ.get('PATH_INFO', '/')}" + (f"?{query}" if query else "")
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        super().__init__(environ["REQUEST_METHOD"], uri, headers=headers)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode() if length else ""
        self._args = dict(parse_qsl(query))
        self._form = dict(parse_qsl(body))
        self.payload = BasicOAuth2Payload({**self._args, **self._form})

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class OpenIDProvider(AuthorizationServer):
    """The provider's state (client, codes, tokens, who signs in next) and its WSGI app."""

    def __init__(self, client_id: str, client_secret: str) -> None:
        super().__init__(scopes_supported=SCOPES)
        self.issuer = ""  # set once the server has a port
        self.client = Client(client_id, client_secret)
        self.key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.person: Person | None = None
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, Person] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (method, path, parameters)
        self.ended_sessions: list[str | None] = []  # the e-mail in each logout's id_token_hint
        self.register_token_generator("default", BearerTokenGenerator(lambda *a, **k: generate_token(42)))
        self.register_grant(_CodeGrant, [CodeChallenge(required=True), _OpenIDCode(self)])
        self.register_endpoint(_EndSession(self))

    # --- what a test sets -------------------------------------------------------------------
    def sign_in_as(self, email: str | None, name: str = "") -> None:
        """The person whom the next visits to /authorize sign in; None: the provider refuses
        (the browser goes back with ``error=access_denied``, as when someone cancels)."""
        self.person = None if email is None else Person(email, name)

    def register_redirect_uri(self, uri: str) -> None:
        self.client.redirect_uris.append(uri)

    @property
    def metadata_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]

    # --- AuthorizationServer's hooks ----------------------------------------------------------
    def query_client(self, client_id: str) -> Client | None:
        return self.client if client_id == self.client.client_id else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        self.tokens[token["access_token"]] = request.user

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        return request

    def create_json_request(self, request: Any) -> Any:
        raise NotImplementedError("no JSON endpoints here")

    def handle_response(self, status: int, body: Any, headers: Any) -> tuple[int, bytes, list]:
        data = json.dumps(body) if isinstance(body, dict) else str(body or "")
        return status, data.encode(), list(headers or [])

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass

    # --- the endpoints ------------------------------------------------------------------------
    def metadata(self) -> dict[str, Any]:
        i = self.issuer
        return {
            "issuer": i,
            "authorization_endpoint": i + "/authorize",
            "token_endpoint": i + "/token",
            "jwks_uri": i + "/jwks",
            "userinfo_endpoint": i + "/userinfo",
            "end_session_endpoint": i + "/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": SCOPES,
            "token_endpoint_auth_methods_supported": [BASIC_AUTH, POST_AUTH],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name"],
        }

    def jwks(self) -> dict[str, Any]:
        return KeySet([self.key]).as_dict(private=False)

    def user_info(self, person: Person) -> UserInfo:
        return UserInfo(sub=person.sub, email=person.email, email_verified=True, name=person.name)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        request = WsgiRequest(environ)
        path = environ.get("PATH_INFO", "/")
        self.requests.append((request.method, path, dict(request.payload.data)))
        status, body, headers = self._route(path, request)
        if not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("Content-Type", "application/json" if body.startswith(b"{") else "text/plain"))
        start_response(
            f"{status} {'Found' if status == 302 else 'OK' if status == 200 else 'Error'}", headers
        )
        return [body]

    def _route(self, path: str, request: WsgiRequest) -> tuple[int, bytes, list]:
        if path == "/.well-known/openid-configuration":
            return 200, json.dumps(self.metadata()).encode(), []
        if path == "/jwks":
            return 200, json.dumps(self.jwks()).encode(), []
        if path == "/authorize":
            try:
                grant = self.get_consent_grant(request, end_user=self.person)
            except OAuth2Error as error:  # an unknown client or redirect_uri: said here, not redirected
                return self.handle_error_response(request, error)
            return self.create_authorization_response(request, grant_user=self.person, grant=grant)
        if path == "/token" and request.method == "POST":
            return self.create_token_response(request)
        if path == "/userinfo":
            auth = request.headers.get("Authorization", "")
            person = (
                self.tokens.get(auth.removeprefix("Bearer ").strip()) if auth.startswith("Bearer ") else None
            )
            if person is None:
                return (
                    401,
                    b'{"error": "invalid_token"}',
                    [("WWW-Authenticate", 'Bearer error="invalid_token"')],
                )
            return 200, json.dumps(dict(self.user_info(person))).encode(), []
        if path == "/logout":
            response = self.create_endpoint_response("end_session", request)
            return response if response is not None else (200, b"Signed out of the test provider.", [])
        return 404, b"not found", []


class _CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [BASIC_AUTH, POST_AUTH]
    server: OpenIDProvider

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        self.server.codes[code] = Code(
            code=code,
            client_id=request.client.client_id,
            redirect_uri=request.payload.redirect_uri,
            scope=request.payload.scope,
            person=request.user,
            nonce=data.get("nonce"),
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
        )

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        item = self.server.codes.get(code)
        return item if item is not None and item.client_id == client.client_id else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        self.server.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: Code) -> Person:
        return authorization_code.person


class _OpenIDCode(OpenIDCode):
    def __init__(self, provider: OpenIDProvider) -> None:
        super().__init__(require_nonce=True)
        self.provider = provider

    def resolve_client_private_key(self, client: Client) -> RSAKey:
        return self.provider.key

    def get_client_algorithm(self, client: Client) -> str:
        return "RS256"

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": "RS256", "kid": KEY_ID}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        return {"iss": self.provider.issuer, "aud": client.client_id}

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return any(c.nonce == nonce for c in self.provider.codes.values())

    def generate_user_info(self, user: Person, scope: str) -> UserInfo:
        return self.provider.user_info(user)


class _EndSession(EndSessionEndpoint):
    def __init__(self, provider: OpenIDProvider) -> None:
        super().__init__()
        self.provider = provider

    def get_server_jwks(self) -> dict[str, Any]:
        return self.provider.jwks()

    def end_session(self, end_session_request: Any) -> None:
        claims = end_session_request.id_token_claims or {}
        self.provider.ended_sessions.append(claims.get("email"))


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def oidc_provider(client_id: str, client_secret: str) -> Iterator[OpenIDProvider]:
    """Serve an :class:`OpenIDProvider` on a free port of 127.0.0.1 in a thread, for the block."""
    provider = OpenIDProvider(client_id, client_secret)
    server = make_server("127.0.0.1", 0, provider, server_class=_ThreadingServer, handler_class=_QuietHandler)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="oidc-provider", daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
