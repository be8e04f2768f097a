"""Request dependencies as `Annotated` aliases: settings, DB unit of work, current user, admin."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from sync_server.db import reading
from sync_server.errors import ForbiddenError, UnauthorizedError
from sync_server.models import User
from sync_server.security import ROLE_ADMIN, AccessClaims, PasswordHasher, TokenService
from sync_server.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


READING_METHODS = ("GET", "HEAD", "OPTIONS")


def get_db(request: Request) -> Iterator[Session]:
    """The request's unit of work; GET requests read (on SQLite they never take the write lock)."""
    yield from request.app.state.database.session(write=request.method not in READING_METHODS)


def get_tokens(request: Request) -> TokenService:
    tokens: TokenService = request.app.state.tokens
    return tokens


def get_passwords(request: Request) -> PasswordHasher:
    passwords: PasswordHasher = request.app.state.passwords
    return passwords


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
    # A read-only transaction, ended here: the endpoint runs in another thread-pool hop, and a transaction kept
    # open across that wait would hold a pooled connection (and on SQLite the write lock) while waiting.
    with reading(db):
        user = db.get(User, claims.user_id)
    if user is None or not user.is_active:
        raise UnauthorizedError("This account no longer exists or has been deactivated", code="account_inactive")
    if user.token_generation != claims.generation:
        raise UnauthorizedError(
            "Access token revoked (signed out, password changed or sign-in revoked): refresh or sign in again",
            code="token_revoked",
        )
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_admin_user(user: CurrentUser, claims: Claims) -> User:
    if claims.role != ROLE_ADMIN:
        raise ForbiddenError("Admin token required: sign in with /api/v1/auth/admin/login", code="admin_required")
    if not user.is_admin:
        raise ForbiddenError("This account is no longer an administrator", code="admin_required")
    return user


AdminUser = Annotated[User, Depends(get_admin_user)]


def _commit_in_endpoint_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    def run_and_commit(**kwargs: Any) -> Any:
        result = endpoint(**kwargs)
        for value in kwargs.values():
            if isinstance(value, Session):
                value.commit()
        return result

    return run_and_commit


class UnitOfWorkRoute(APIRoute):
    """Routes whose sync endpoints commit the request's unit of work in the endpoint's own thread, before
    FastAPI validates the answer.

    FastAPI validates a sync endpoint's answer in another thread-pool hop, before the `DbSession` dependency
    commits. A transaction holding the revision-counter lock across that hop waited for a free thread while
    every thread waited for the lock: PostgreSQL deadlocked under 50 concurrent pushers (issue 13). With this
    route class no transaction outlives its endpoint call. Errors still roll back in the dependency."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _commit_in_endpoint_thread(endpoint)
        super().__init__(path, endpoint, **kwargs)
