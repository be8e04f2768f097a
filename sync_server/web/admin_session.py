"""The admin dashboard's sign-in session and CSRF protection.

The session cookie holds the 2-hour admin access token (the same JWT `/auth/admin/login` issues), HttpOnly,
Secure and SameSite=Strict, scoped to /admin. Every form carries a CSRF token derived from that token's `jti`
with a server-side HMAC key, so it is bound to this sign-in and useless anywhere else. The sign-in form itself is
protected by a random nonce cookie (login CSRF).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from starlette.datastructures import FormData

from sync_server.deps import AppSettings, DbSession, Tokens
from sync_server.errors import UnauthorizedError
from sync_server.models import User
from sync_server.security import ROLE_ADMIN
from sync_server.settings import Settings

ADMIN_PATH = "/admin"
ADMIN_COOKIE = "racetrace_admin"
LOGIN_COOKIE = "racetrace_admin_login"
LOGIN_PATH = "/admin/login"
LOGIN_NONCE_MAX_AGE_S = 60 * 60
CSRF_FIELD = "csrf_token"


class SignInRequired(Exception):  # noqa: N818 - a control-flow signal, answered with a redirect
    """No valid admin session: the handler redirects to the sign-in page."""


class PageError(Exception):
    """Rendered as an HTML error page with this status."""

    def __init__(self, status_code: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status_code, self.title, self.message = status_code, title, message


@dataclass(frozen=True)
class AdminSession:
    user: User
    csrf_token: str


def _key(settings: Settings, purpose: bytes) -> bytes:
    return hashlib.sha256(
        b"racetrace-admin-" + purpose + b"\x00" + settings.secret_key.get_secret_value().encode()
    ).digest()


def _mac(settings: Settings, purpose: bytes, value: str) -> str:
    return hmac.new(_key(settings, purpose), value.encode(), hashlib.sha256).hexdigest()


def csrf_token_for(settings: Settings, jti: str) -> str:
    return _mac(settings, b"csrf", jti)


def get_admin_session(request: Request, db: DbSession, tokens: Tokens, settings: AppSettings) -> AdminSession:
    token = request.cookies.get(ADMIN_COOKIE)
    if not token:
        raise SignInRequired
    try:
        claims = tokens.decode_access_token(token)
    except UnauthorizedError:
        raise SignInRequired from None
    if claims.role != ROLE_ADMIN:
        raise SignInRequired
    user = db.get(User, claims.user_id)
    if user is None or not user.is_active or not user.is_admin:
        raise PageError(403, "Not an administrator", "This account is no longer an active administrator.")
    return AdminSession(user=user, csrf_token=csrf_token_for(settings, claims.jti))


Admin = Annotated[AdminSession, Depends(get_admin_session)]


async def verified_form(request: Request, session: Admin) -> AdminSession:
    """The admin session of a POST whose form carries this session's CSRF token; anything else is refused."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent, session.csrf_token):
        raise PageError(
            403,
            "Form check failed",
            "This form did not come from your current admin session (missing or wrong CSRF token). "
            "Reload the page and try again.",
        )
    return session


AdminPost = Annotated[AdminSession, Depends(verified_form)]


async def form_data(request: Request) -> FormData:
    """The parsed form (Starlette caches it), so page handlers can stay synchronous."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(form_data)]


def new_login_nonce(settings: Settings) -> tuple[str, str]:
    """(nonce for the sign-in cookie, CSRF token the sign-in form must send back)."""
    nonce = secrets.token_urlsafe(32)
    return nonce, _mac(settings, b"login", nonce)


def set_login_cookie(response: Response, settings: Settings, nonce: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        max_age=LOGIN_NONCE_MAX_AGE_S,
        path=LOGIN_PATH,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )


def login_form_is_genuine(request: Request, settings: Settings, sent: str | None) -> bool:
    nonce = request.cookies.get(LOGIN_COOKIE)
    if not nonce or not sent:
        return False
    return hmac.compare_digest(sent, _mac(settings, b"login", nonce))


def open_session(response: Response, settings: Settings, token: str, max_age: int) -> None:
    response.set_cookie(
        ADMIN_COOKIE,
        token,
        max_age=max_age,
        path=ADMIN_PATH,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN_PATH, secure=settings.cookie_secure, httponly=True)


def close_session(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        ADMIN_COOKIE, path=ADMIN_PATH, secure=settings.cookie_secure, httponly=True, samesite="strict"
    )
