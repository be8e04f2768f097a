"""Request dependencies as `Annotated` aliases: settings, DB unit of work, current user, admin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from sync_server.errors import ForbiddenError, UnauthorizedError
from sync_server.models import User
from sync_server.security import ROLE_ADMIN, AccessClaims, PasswordHasher, TokenService
from sync_server.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Iterator[Session]:
    yield from request.app.state.database.session()


def get_tokens(request: Request) -> TokenService:
    return request.app.state.tokens


def get_passwords(request: Request) -> PasswordHasher:
    return request.app.state.passwords


AppSettings = Annotated[Settings, Depends(get_settings)]
# scope="function": commit before the response is sent, so a failed commit is never reported as success.
DbSession = Annotated[Session, Depends(get_db, scope="function")]
Tokens = Annotated[TokenService, Depends(get_tokens)]
Passwords = Annotated[PasswordHasher, Depends(get_passwords)]

_bearer = HTTPBearer(auto_error=False, description="Access token from /api/v1/auth/login")


def get_access_claims(
    tokens: Tokens, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> AccessClaims:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise UnauthorizedError("Not authenticated: send 'Authorization: Bearer <access token>'")
    return tokens.decode_access_token(credentials.credentials)


Claims = Annotated[AccessClaims, Depends(get_access_claims)]


def get_current_user(db: DbSession, claims: Claims) -> User:
    user = db.get(User, claims.user_id)
    if user is None or not user.is_active:
        raise UnauthorizedError("This account no longer exists or has been deactivated", code="account_inactive")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_admin_user(user: CurrentUser, claims: Claims) -> User:
    if claims.role != ROLE_ADMIN:
        raise ForbiddenError("Admin token required: sign in with /api/v1/auth/admin/login", code="admin_required")
    if not user.is_admin:
        raise ForbiddenError("This account is no longer an administrator", code="admin_required")
    return user


AdminUser = Annotated[User, Depends(get_admin_user)]
