"""A small but real OpenID Connect provider for tests, on 127.0.0.1 in a thread.

Authorization code flow with PKCE (S256), client authentication by ``client_secret_basic`` or
``client_secret_post``, RS256 identity tokens signed with an RSA key made at start, a JWKS, and
a userinfo endpoint. ``/authorize`` approves at once, as ``current_user`` (set it before the
browser goes to the login), or as the user a ``login_hint`` names.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

TOKEN_LIFETIME_S = 3600
CODE_LIFETIME_S = 60


@dataclass(frozen=True)
class OIDCUser:
    """A person the provider vouches for, and the claims it puts in their identity token."""

    sub: str
    email: str
    name: str
    groups: tuple[str, ...] = ()

    def claims(self) -> dict[str, Any]:
        """The user's claims (identity token and userinfo)."""
        return {
            "sub": self.sub,
            "email": self.email,
            "email_verified": True,
            "name": self.name,
            "groups": list(self.groups),
        }


@dataclass(frozen=True)
class _Grant:
    user: OIDCUser
    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None
    expires: float


def b64url(data: bytes) -> str:
    """Base64url without padding (JOSE)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_uint(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


@dataclass
class OIDCProvider:
    """The provider; use as a context manager (``with OIDCProvider(...) as idp:``)."""

    client_id: str = "brief-test"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    users: dict[str, OIDCUser] = field(default_factory=dict)
    current_user: OIDCUser | None = None
    redirect_uris: tuple[str, ...] = ()  # empty: any http://127.0.0.1 or localhost address
    requests: list[str] = field(default_factory=list)  # "METHOD /path" of every request

    def __post_init__(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self._grants: dict[str, _Grant] = {}
        self._access: dict[str, OIDCUser] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.issuer = ""

    # ------------------------------------------------------------ lifecycle

    def start(self) -> OIDCProvider:
        """Serve on a free port of 127.0.0.1."""
        provider = self

        class Handler(_Handler):
            idp = provider

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> OIDCProvider:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def metadata_url(self) -> str:
        """The discovery document's address (``server_metadata_url``)."""
        return f"{self.issuer}/.well-known/openid-configuration"

    def count(self, path: str) -> int:
        """How many requests reached ``path``."""
        return sum(r.split(" ", 1)[1] == path for r in list(self.requests))

    # ------------------------------------------------------------ documents

    def metadata(self) -> dict[str, Any]:
        """The discovery document."""
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "claims_supported": ["sub", "email", "email_verified", "name", "groups", "nonce"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        """The public signing key as a JWK set."""
        numbers = self._key.public_key().public_numbers()
        jwk = {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
        }
        return {"keys": [jwk]}

    def sign(self, claims: dict[str, Any]) -> str:
        """A compact RS256 JWS of ``claims``."""
        header = {"alg": "RS256", "typ": "JWT", "kid": self.kid}
        signing_input = ".".join(
            b64url(json.dumps(part, separators=(",", ":")).encode("utf-8"))
            for part in (header, claims)
        ).encode("ascii")
        signature = self._key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input.decode('ascii')}.{b64url(signature)}"

    # ------------------------------------------------------------ the flow

    def authorize(self, params: dict[str, str]) -> tuple[str, dict[str, str]]:
        """Approve an authorization request: (redirect_uri, query), or raise ``ValueError``."""
        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") != self.client_id:
            raise ValueError("unknown client_id")
        if not self._redirect_allowed(redirect_uri):
            raise ValueError(f"redirect_uri not allowed: {redirect_uri!r}")
        state = {"state": params["state"]} if "state" in params else {}
        if params.get("response_type") != "code":
            return redirect_uri, {"error": "unsupported_response_type", **state}
        if "openid" not in params.get("scope", "").split():
            return redirect_uri, {"error": "invalid_scope", **state}
        method = params.get("code_challenge_method")
        if "code_challenge" in params and method != "S256":
            return redirect_uri, {"error": "invalid_request", **state}
        hint = params.get("login_hint", "")
        user = self.users.get(hint) if hint else self.current_user
        if user is None:
            return redirect_uri, {"error": "login_required", **state}
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._grants[code] = _Grant(
                user=user,
                client_id=self.client_id,
                redirect_uri=redirect_uri,
                nonce=params.get("nonce"),
                code_challenge=params.get("code_challenge"),
                expires=time.time() + CODE_LIFETIME_S,
            )
        return redirect_uri, {"code": code, **state}

    def token(self, form: dict[str, str], authorization: str | None) -> dict[str, Any]:
        """Exchange a code for tokens, or raise ``_OAuthError``."""
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.lower().startswith("basic "):
            raw = base64.b64decode(authorization[6:]).decode("utf-8")
            client_id, _, client_secret = raw.partition(":")
        if client_id != self.client_id or not secrets.compare_digest(
            client_secret or "", self.client_secret
        ):
            raise _OAuthError("invalid_client", 401)
        if form.get("grant_type") != "authorization_code":
            raise _OAuthError("unsupported_grant_type")
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)  # a code is used once
        if grant is None or grant.expires < time.time() or grant.client_id != client_id:
            raise _OAuthError("invalid_grant")
        if form.get("redirect_uri") != grant.redirect_uri:
            raise _OAuthError("invalid_grant")
        if grant.code_challenge is not None:
            verifier = form.get("code_verifier", "")
            if b64url(hashlib.sha256(verifier.encode("ascii")).digest()) != grant.code_challenge:
                raise _OAuthError("invalid_grant")
        access_token = secrets.token_urlsafe(32)
        with self._lock:
            self._access[access_token] = grant.user
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + TOKEN_LIFETIME_S,
            "at_hash": b64url(hashlib.sha256(access_token.encode("ascii")).digest()[:16]),
            **grant.user.claims(),
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_S,
            "scope": "openid email profile",
            "id_token": self.sign(claims),
        }

    def userinfo(self, authorization: str | None) -> dict[str, Any]:
        """The claims of the user an access token was issued to."""
        token = (authorization or "")[7:] if (authorization or "").startswith("Bearer ") else ""
        with self._lock:
            user = self._access.get(token)
        if user is None:
            raise _OAuthError("invalid_token", 401)
        return user.claims()

    def _redirect_allowed(self, uri: str) -> bool:
        if self.redirect_uris:
            return uri in self.redirect_uris
        parts = urlsplit(uri)
        return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")


class _OAuthError(Exception):
    def __init__(self, error: str, status: int = 400) -> None:
        super().__init__(error)
        self.error, self.status = error, status


class _Handler(BaseHTTPRequestHandler):
    idp: OIDCProvider
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's name)
        """Quiet: the test reads ``OIDCProvider.requests`` instead."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self.idp.requests.append(f"GET {url.path}")
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            self._json(self.idp.metadata())
        elif url.path == "/jwks":
            self._json(self.idp.jwks())
        elif url.path == "/authorize":
            try:
                target, query = self.idp.authorize(params)
            except ValueError as exc:
                self._json({"error": "invalid_request", "error_description": str(exc)}, 400)
                return
            sep = "&" if urlsplit(target).query else "?"
            self._send(302, b"", {"Location": f"{target}{sep}{urlencode(query)}"})
        elif url.path == "/userinfo":
            self._userinfo()
        else:
            self._json({"error": "not_found"}, 404)

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        self.idp.requests.append(f"POST {url.path}")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8")
        if url.path == "/token":
            form = {k: v[0] for k, v in parse_qs(body).items()}
            try:
                self._json(self.idp.token(form, self.headers.get("Authorization")))
            except _OAuthError as exc:
                self._json({"error": exc.error}, exc.status)
        elif url.path == "/userinfo":
            self._userinfo()
        else:
            self._json({"error": "not_found"}, 404)

    def _userinfo(self) -> None:
        try:
            self._json(self.idp.userinfo(self.headers.get("Authorization")))
        except _OAuthError as exc:
            self._json({"error": exc.error}, exc.status)

    def _json(self, data: dict[str, Any], status: int = 200) -> None:
        body = json.dumps(data).encode("utf-8")
        headers = {"Content-Type": "application/json", "Cache-Control": "no-store"}
        self._send(status, body, headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
