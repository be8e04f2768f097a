"""Sign-in rules: lockout, deactivation, refresh-token rotation with reuse detection.

The SQL is in auth/repository.py and nothing here commits. What must persist although the request fails is kept
in one of two ways: the failed-attempt counter and the lockout by the repository's own short transaction; a
revoked token family by raising the error with `keep_writes=True`, on which the request's unit of work commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from sync_server.auth import repository
from sync_server.auth.schemas import ClientKind, RegisterRequest
from sync_server.db import utcnow
from sync_server.errors import ConflictError, ForbiddenError, LockedError, UnauthorizedError
from sync_server.models import RefreshToken, User
from sync_server.security import ROLE_USER, PasswordHasher, TokenService, hash_refresh_token, new_refresh_token
from sync_server.settings import Settings

BAD_CREDENTIALS = (
    "Incorrect username or password, or too many failed sign-ins: after 5 the account waits 15 minutes"
)


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    refresh_token: str | None = None
    refresh_expires_in: int | None = None


def register(db: Session, passwords: PasswordHasher, data: RegisterRequest) -> User:
    username, email = data.username.lower(), str(data.email).lower()
    hashed = passwords.hash(data.password)  # before the first query: no transaction is open while it hashes
    if repository.username_taken(db, username):
        raise ConflictError(f"Username '{username}' is already taken", code="username_taken")
    if repository.email_taken(db, email):
        raise ConflictError("An account with this email address already exists", code="email_taken")
    user = User(
        username=username,
        email=email,
        display_name=data.display_name or data.username,
        hashed_password=hashed,
    )
    if not repository.add_user(db, user):  # a concurrent registration won the race
        raise ConflictError("Username or email already registered", code="username_taken")
    return user


def authenticate(db: Session, passwords: PasswordHasher, settings: Settings, login: str, password: str) -> User:
    """The user for these credentials, or an error.

    No transaction is open while the password is hashed. An unknown account, a wrong password and a locked
    account answer the same 401 after the same work (one argon2 verification), so the answers tell nothing about
    which accounts exist; a locked account refuses even the right password until the lock expires."""
    user = repository.find_for_sign_in(db, login.strip().lower())
    if user is None:
        passwords.burn_time(password)
        raise UnauthorizedError(BAD_CREDENTIALS, code="invalid_credentials")
    matches, new_hash = passwords.verify(password, user.hashed_password)
    if repository.is_locked(user):
        raise UnauthorizedError(BAD_CREDENTIALS, code="invalid_credentials")
    if not matches:
        repository.record_failed_attempt(db, user.id, settings.login_max_failures, settings.lockout_s)
        raise UnauthorizedError(BAD_CREDENTIALS, code="invalid_credentials")
    if not user.is_active:
        raise ForbiddenError("This account has been deactivated by an administrator", code="account_inactive")
    repository.clear_failed_attempts(db, user.id, new_hash)
    return db.merge(user, load=False)


def check_current_password(
    db: Session, passwords: PasswordHasher, settings: Settings, user: User, password: str
) -> None:
    """For changes that need the current password: failures count toward the same lockout as sign-ins."""
    if repository.is_locked(user):
        raise LockedError(_locked_message(user, settings), locked_until=_iso(user))
    matches, _ = passwords.verify(password, user.hashed_password)
    if not matches:
        repository.record_failed_attempt(db, user.id, settings.login_max_failures, settings.lockout_s)
        raise ForbiddenError("Current password is incorrect", code="wrong_password")


def _locked_message(user: User, settings: Settings) -> str:
    assert user.locked_until is not None
    minutes = max(1, round((user.locked_until - utcnow()).total_seconds() / 60))
    return (
        f"Too many failed attempts ({settings.login_max_failures}); "
        f"try again in {minutes} min (at {user.locked_until:%H:%M} UTC)"
    )


def _iso(user: User) -> str | None:
    return user.locked_until.isoformat() if user.locked_until else None


def issue_tokens(
    db: Session,
    tokens: TokenService,
    settings: Settings,
    user: User,
    client: ClientKind,
    family_id: uuid.UUID | None = None,
) -> IssuedTokens:
    """A new access token and a new refresh token (a new family unless rotating one). OAuth sign-ins use this too."""
    access, expires_in = tokens.create_access_token(user.id, ROLE_USER, user.token_generation)
    if family_id is None:  # a new sign-in: forget this user's expired tokens (reuse detection no longer needs them)
        repository.forget_expired_refresh_tokens(db, user.id)
    refresh = new_refresh_token()
    repository.add_refresh_token(
        db,
        RefreshToken(
            user_id=user.id,
            family_id=family_id or uuid.uuid4(),
            token_hash=hash_refresh_token(refresh),
            client=client,
            expires_at=utcnow() + timedelta(seconds=settings.refresh_token_ttl_s),
        ),
    )
    return IssuedTokens(access, expires_in, refresh, settings.refresh_token_ttl_s)


def rotate_refresh_token(
    db: Session, tokens: TokenService, settings: Settings, presented: str, client: ClientKind
) -> IssuedTokens:
    record = _find_refresh_token(db, presented)
    now = utcnow()
    if record.rotated_at is not None:
        # Reuse of a rotated token: someone holds a stolen copy. Kill every token of this sign-in, and every
        # access token of the account (a thief's copy among them). keep_writes: the request's unit of work
        # commits the revocation although it answers 401.
        revoke_family(db, record.family_id)
        repository.bump_token_generation(db, record.user_id)
        raise UnauthorizedError(
            "This refresh token was already used; every session of this sign-in has been revoked. Sign in again.",
            code="refresh_token_reused",
            keep_writes=True,
        )
    if record.revoked_at is not None or record.expires_at <= now:
        raise UnauthorizedError("Refresh token revoked or expired; sign in again", code="invalid_refresh_token")
    user = db.get(User, record.user_id)
    if user is None or not user.is_active:
        revoke_family(db, record.family_id)
        raise UnauthorizedError("This account has been deactivated", code="account_inactive", keep_writes=True)
    record.rotated_at = now
    return issue_tokens(db, tokens, settings, user, client, family_id=record.family_id)


def logout(db: Session, presented: str | None) -> None:
    """Revoke the presented token's whole family. Unknown tokens are ignored: logout is idempotent."""
    if not presented:
        return
    record = repository.find_refresh_token(db, hash_refresh_token(presented))
    if record is not None:
        revoke_family(db, record.family_id)
        repository.bump_token_generation(db, record.user_id)  # the access tokens stop working now, not in 15 min


def revoke_family(db: Session, family_id: uuid.UUID) -> None:
    repository.revoke_family(db, family_id)


def revoke_all_for_user(db: Session, user_id: uuid.UUID) -> None:
    """Every refresh token and every access token of the account (password change, deactivation)."""
    repository.bump_token_generation(db, user_id)
    repository.revoke_refresh_tokens_of(db, user_id)


def _find_refresh_token(db: Session, presented: str) -> RefreshToken:
    record = repository.find_refresh_token(db, hash_refresh_token(presented), lock=True)
    if record is None:
        raise UnauthorizedError("Unknown refresh token; sign in again", code="invalid_refresh_token")
    return record
