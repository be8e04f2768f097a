"""A fake OAuth provider on loopback: Google-style OpenID Connect and GitHub-style OAuth with a user API.

It is strict where a real provider is (client secret, single-use codes, redirect_uri, PKCE) and signs RS256 ID
tokens with a JWKS-published key. `misbehave` makes it lie in the ways the server must catch.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

GOOGLE_CLIENT = ("rt-google-client", "rt-google-secret")
GITHUB_CLIENT = ("rt-github-client", "rt-github-secret")


@dataclass
class FakeUser:
    subject: str
    email: str
    email_verified: bool = True
    name: str = "Ayrton Driver"
    login: str = "ayrton"


@dataclass
class FakeProvider:
    base_url: str = ""
    user: FakeUser = field(default_factory=lambda: FakeUser("1001", "ayrton@example.com"))
    misbehave: set[str] = field(default_factory=set)  # "wrong_key", "wrong_nonce", "wrong_audience", "deny"
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, FakeUser] = field(default_factory=dict)
    token_requests: int = 0

    def __post_init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "fake-1", "use": "sig", "alg": "RS256"})
        self.rogue_key = RSAKey.generate_key(2048, parameters={"kid": "fake-1", "use": "sig", "alg": "RS256"})

    def reset(self) -> None:
        self.user = FakeUser("1001", "ayrton@example.com")
        self.misbehave.clear()
        self.codes.clear()
        self.tokens.clear()
        self.token_requests = 0

    # --- endpoints ---

    async def discovery(self, _request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.base_url,
                "authorization_endpoint": f"{self.base_url}/authorize",
                "token_endpoint": f"{self.base_url}/token",
                "userinfo_endpoint": f"{self.base_url}/userinfo",
                "jwks_uri": f"{self.base_url}/jwks",
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    async def jwks(self, _request: Request) -> Response:
        return JSONResponse(KeySet([self.key]).as_dict(private=False))

    async def authorize(self, request: Request) -> Response:
        params = request.query_params
        redirect_uri, state = params["redirect_uri"], params.get("state", "")
        if "deny" in self.misbehave:
            return RedirectResponse(f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': state})}", 302)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "client_id": params["client_id"],
            "redirect_uri": redirect_uri,
            "nonce": params.get("nonce"),
            "scope": params.get("scope", ""),
            "code_challenge": params.get("code_challenge"),
            "user": self.user,
        }
        return RedirectResponse(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}", 302)

    async def token(self, request: Request) -> Response:
        self.token_requests += 1
        form = await request.form()
        client_id, secret = _client_credentials(request, form)
        if (client_id, secret) not in (GOOGLE_CLIENT, GITHUB_CLIENT):
            return JSONResponse({"error": "invalid_client"}, 401)
        grant = self.codes.pop(str(form.get("code")), None)  # single use
        if grant is None or grant["client_id"] != client_id or grant["redirect_uri"] != form.get("redirect_uri"):
            return JSONResponse({"error": "invalid_grant"}, 400)
        if grant["code_challenge"] and _s256(str(form.get("code_verifier", ""))) != grant["code_challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE verification failed"}, 400)
        access = secrets.token_urlsafe(16)
        self.tokens[access] = grant["user"]
        body: dict[str, Any] = {"access_token": access, "token_type": "Bearer", "expires_in": 3600}
        if "openid" in grant["scope"].split():
            body["id_token"] = self._id_token(grant, client_id)
        return JSONResponse(body)

    def _id_token(self, grant: dict[str, Any], client_id: str) -> str:
        user: FakeUser = grant["user"]
        now = int(time.time())
        claims = {
            "iss": self.base_url,
            "sub": user.subject,
            "aud": "someone-else" if "wrong_audience" in self.misbehave else client_id,
            "iat": now,
            "exp": now + 600,
            "nonce": "not-the-nonce" if "wrong_nonce" in self.misbehave else grant["nonce"],
            "email": user.email,
            "email_verified": user.email_verified,
            "name": user.name,
        }
        key = self.rogue_key if "wrong_key" in self.misbehave else self.key
        return jwt.encode({"alg": "RS256", "kid": "fake-1"}, claims, key)

    def _bearer_user(self, request: Request) -> FakeUser | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return self.tokens.get(token) if scheme.lower() == "bearer" else None

    async def userinfo(self, request: Request) -> Response:
        user = self._bearer_user(request)
        if user is None:
            return JSONResponse({"error": "invalid_token"}, 401)
        return JSONResponse({"sub": user.subject, "email": user.email, "email_verified": user.email_verified})

    async def github_user(self, request: Request) -> Response:
        user = self._bearer_user(request)
        if user is None:
            return JSONResponse({"message": "Bad credentials"}, 401)
        return JSONResponse({"id": int(user.subject), "login": user.login, "name": user.name, "email": None})

    async def github_emails(self, request: Request) -> Response:
        user = self._bearer_user(request)
        if user is None:
            return JSONResponse({"message": "Bad credentials"}, 401)
        return JSONResponse(
            [
                {"email": f"{user.login}@users.noreply.github.com", "primary": False, "verified": True},
                {"email": user.email, "primary": True, "verified": user.email_verified},
            ]
        )

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
                Route("/userinfo", self.userinfo),
                Route("/login/oauth/authorize", self.authorize),
                Route("/login/oauth/access_token", self.token, methods=["POST"]),
                Route("/api/user", self.github_user),
                Route("/api/user/emails", self.github_emails),
            ]
        )

    def settings(self) -> dict[str, Any]:
        """Server settings pointing both providers at this fake."""
        return {
            "google_client_id": GOOGLE_CLIENT[0],
            "google_client_secret": GOOGLE_CLIENT[1],
            "google_metadata_url": f"{self.base_url}/.well-known/openid-configuration",
            "github_client_id": GITHUB_CLIENT[0],
            "github_client_secret": GITHUB_CLIENT[1],
            "github_authorize_url": f"{self.base_url}/login/oauth/authorize",
            "github_token_url": f"{self.base_url}/login/oauth/access_token",
            "github_api_base_url": f"{self.base_url}/api/",
        }


def _client_credentials(request: Request, form: Any) -> tuple[str | None, str | None]:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        client_id, _, secret = base64.b64decode(value).decode().partition(":")
        return client_id, secret
    return form.get("client_id"), form.get("client_secret")


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
