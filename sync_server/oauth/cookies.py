"""The browser refresh cookie, set exactly as the password sign-in sets it."""

from __future__ import annotations

from fastapi import Response

from sync_server.auth.routes import REFRESH_COOKIE_PATH
from sync_server.auth.service import IssuedTokens
from sync_server.settings import Settings


def set_refresh_cookie(response: Response, settings: Settings, issued: IssuedTokens) -> None:
    response.set_cookie(
        settings.refresh_cookie_name,
        issued.refresh_token or "",
        max_age=issued.refresh_expires_in,
        path=REFRESH_COOKIE_PATH,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )
