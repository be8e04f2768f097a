"""`/auth`: register, password login, refresh (rotating), logout, admin login."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Header, Request, Response, status

from sync_server.auth import service
from sync_server.auth.schemas import ClientKind, RefreshRequest, RegisterRequest, TokenResponse
from sync_server.deps import AppSettings, DbSession, Passwords, Tokens, UnitOfWorkRoute
from sync_server.errors import ForbiddenError, UnauthorizedError, error_responses
from sync_server.security import ROLE_ADMIN
from sync_server.settings import Settings
from sync_server.users.schemas import UserProfile
from sync_server.users.service import profile_of

router = APIRouter(prefix="/auth", tags=["auth"], route_class=UnitOfWorkRoute)
CLIENT_HEADER = "X-RaceTrace-Client"
REFRESH_COOKIE_PATH = "/api/v1/auth"

LoginName = Annotated[str, Form(min_length=1, max_length=254, description="Username or email address")]
LoginPassword = Annotated[str, Form(min_length=1, max_length=128)]
ClientField = Annotated[ClientKind | None, Form(description="'desktop' returns the refresh token in the body")]
ClientHeader = Annotated[ClientKind | None, Header(alias=CLIENT_HEADER)]


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserProfile,
    responses=error_responses(409, 422),
)
def register(data: RegisterRequest, db: DbSession, passwords: Passwords) -> UserProfile:
    """Create an account. The username is stored lower-case."""
    user = service.register(db, passwords, data)
    return profile_of(db, user)


@router.post("/login", response_model=TokenResponse, responses=error_responses(401, 403, 422))
def login(
    response: Response,
    db: DbSession,
    settings: AppSettings,
    tokens: Tokens,
    passwords: Passwords,
    username: LoginName,
    password: LoginPassword,
    client: ClientField = None,
    client_header: ClientHeader = None,
) -> TokenResponse:
    """Password sign-in. Browsers get the refresh token as an HttpOnly cookie, the desktop client in the body
    (send form field `client=desktop` or header `X-RaceTrace-Client: desktop`)."""
    user = service.authenticate(db, passwords, settings, username, password)
    kind = client or client_header or "browser"
    issued = service.issue_tokens(db, tokens, settings, user, kind)
    return _token_response(response, settings, issued, kind)


@router.post("/refresh", response_model=TokenResponse, responses=error_responses(401, 422))
def refresh(
    request: Request,
    response: Response,
    db: DbSession,
    settings: AppSettings,
    tokens: Tokens,
    payload: RefreshRequest | None = None,
) -> TokenResponse:
    """Exchange a refresh token (body or cookie) for a new access token and a new refresh token. The old one is
    spent: presenting it again revokes every token of that sign-in."""
    body_token = payload.refresh_token if payload else None
    presented = body_token or request.cookies.get(settings.refresh_cookie_name)
    if not presented:
        raise UnauthorizedError("No refresh token: send it in the body or the cookie", code="invalid_refresh_token")
    kind: ClientKind = "desktop" if body_token else "browser"
    issued = service.rotate_refresh_token(db, tokens, settings, presented, kind)
    return _token_response(response, settings, issued, kind)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(422))
def logout(
    request: Request, response: Response, db: DbSession, settings: AppSettings, payload: RefreshRequest | None = None
) -> None:
    """Revoke the refresh token (body or cookie) and every token rotated from the same sign-in."""
    presented = (payload.refresh_token if payload else None) or request.cookies.get(settings.refresh_cookie_name)
    service.logout(db, presented)
    response.delete_cookie(
        settings.refresh_cookie_name, path=REFRESH_COOKIE_PATH, secure=settings.cookie_secure, httponly=True
    )


@router.post("/admin/login", response_model=TokenResponse, responses=error_responses(401, 403, 422))
def admin_login(
    db: DbSession,
    settings: AppSettings,
    tokens: Tokens,
    passwords: Passwords,
    username: LoginName,
    password: LoginPassword,
) -> TokenResponse:
    """A 2-hour access token with the admin role claim, required by every `/admin` endpoint. No refresh token."""
    user = service.authenticate(db, passwords, settings, username, password)
    if not user.is_admin:
        raise ForbiddenError("This account is not an administrator", code="admin_required")
    access, expires_in = tokens.create_access_token(user.id, ROLE_ADMIN, user.token_generation)
    return TokenResponse(access_token=access, expires_in=expires_in)


def _token_response(
    response: Response, settings: Settings, issued: service.IssuedTokens, kind: ClientKind
) -> TokenResponse:
    response.headers["Cache-Control"] = "no-store"  # RFC 6749 §5.1: token answers are never cached
    if kind == "desktop":
        return TokenResponse(
            access_token=issued.access_token,
            expires_in=issued.expires_in,
            refresh_token=issued.refresh_token,
            refresh_expires_in=issued.refresh_expires_in,
        )
    set_refresh_cookie(response, settings, issued)
    return TokenResponse(
        access_token=issued.access_token, expires_in=issued.expires_in, refresh_expires_in=issued.refresh_expires_in
    )


def set_refresh_cookie(response: Response, settings: Settings, issued: service.IssuedTokens) -> None:
    """The browser's refresh token: HttpOnly, Secure, SameSite=Strict, sent only to the auth endpoints."""
    response.set_cookie(
        settings.refresh_cookie_name,
        issued.refresh_token or "",
        max_age=issued.refresh_expires_in,
        path=REFRESH_COOKIE_PATH,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )


