"""Google and GitHub sign-in (authlib): the browser flow and the desktop flow of RFC 8252."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from sync_server.oauth.providers import build_oauth
from sync_server.settings import Settings

OAUTH_COOKIE = "racetrace_oauth"
OAUTH_COOKIE_PATH = "/api/v1/auth"
OAUTH_COOKIE_MAX_AGE_S = 15 * 60  # a sign-in at the provider must finish within this


def install_oauth(app: FastAPI, settings: Settings) -> None:
    """Register the configured providers and the signed session cookie that carries the OAuth state."""
    app.state.oauth = build_oauth(settings)
    secret = hashlib.sha256(b"racetrace-oauth-session\x00" + settings.secret_key.get_secret_value().encode())
    app.add_middleware(
        OAuthSessionMiddleware,
        secret_key=secret.hexdigest(),
        session_cookie=OAUTH_COOKIE,
        max_age=OAUTH_COOKIE_MAX_AGE_S,
        path=OAUTH_COOKIE_PATH,
        same_site="lax",  # the provider's redirect back is a cross-site top-level navigation
        https_only=settings.cookie_secure,
    )


class OAuthSessionMiddleware:
    """Starlette's signed-cookie session, applied only under /api/v1/auth: no other request pays for it."""

    def __init__(self, app: ASGIApp, /, **session_options: Any) -> None:
        self.app = app
        self.with_session = SessionMiddleware(app, **session_options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(OAUTH_COOKIE_PATH + "/"):
            await self.with_session(scope, receive, send)
        else:
            await self.app(scope, receive, send)
