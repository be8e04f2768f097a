"""OAuth sign-in rules: which account an identity signs in as, and the desktop flow's one-time codes.

The SQL is in oauth/repository.py and nothing here commits: a code spent by a failed redemption stays spent
because the error is raised with `keep_writes=True`, on which the request's unit of work commits."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from sync_server.auth.service import IssuedTokens, issue_tokens, revoke_family
from sync_server.db import utcnow
from sync_server.errors import ConflictError, ForbiddenError
from sync_server.models import DesktopLoginCode, OAuthAccount, User
from sync_server.oauth import repository
from sync_server.oauth.loopback import OAuthFlowError, verifier_matches
from sync_server.oauth.providers import TITLES, Identity
from sync_server.security import TokenService
from sync_server.settings import Settings

USED_CODE_RETENTION = timedelta(hours=1)  # used codes are kept a while so a replay is recognised as one
MAX_DISPLAY_NAME = 64


def sign_in(db: Session, identity: Identity) -> User:
    """The account for this provider identity: the linked one, else a password-less account (created by another
    provider) with the same verified e-mail address (linked now), else a new account. Unverified addresses never
    link or create anything; an address held by a password account is refused."""
    title = TITLES[identity.provider]
    link = repository.find_link(db, identity.provider, identity.subject)
    if link is not None:
        user = db.get(User, link.user_id)
        link.last_login_at = utcnow()
    else:
        if not identity.email or not identity.email_verified:
            raise ForbiddenError(
                f"Your {title} account has no verified e-mail address; verify one at {title} and sign in again",
                code="email_not_verified",
            )
        user = repository.user_by_email(db, identity.email)
        if user is not None and user.hashed_password is not None:
            # Registration does not prove the address: whoever registered it with a password may not own it, so
            # linking here would hand the provider's owner an account someone else can still sign in to.
            raise ConflictError(
                f"An account with this e-mail address already exists. Sign in with its password; {title} sign-in "
                "is only linked automatically to accounts that have no password",
                code="account_exists",
            )
        if user is None:
            user = _new_user(db, identity)
        link = OAuthAccount(user_id=user.id, provider=identity.provider, subject=identity.subject, email=identity.email)
        if not repository.add_link(db, link):  # the same identity signed in twice at the same moment
            raise ConflictError(f"{title} sign-in collided with another one; try again", code="oauth_conflict")
    if user is None or not user.is_active:
        raise ForbiddenError("This account has been deactivated by an administrator", code="account_inactive")
    return user


def _new_user(db: Session, identity: Identity) -> User:
    assert identity.email is not None
    name = (identity.display_name or identity.login_hint or identity.email.split("@", 1)[0]).strip()
    user = User(
        username=_free_username(db, identity.login_hint or identity.email.split("@", 1)[0]),
        email=identity.email,
        display_name=name[:MAX_DISPLAY_NAME] or "Driver",
        hashed_password=None,  # OAuth-only: password sign-in is impossible until one is set
    )
    repository.add_user(db, user)
    return user


def _free_username(db: Session, hint: str) -> str:
    """A username matching the registration rules, derived from `hint` and not taken yet."""
    base = re.sub(r"[^a-z0-9_.-]", "", hint.lower()).lstrip("_.-")[:24]
    if len(base) < 3:
        base = f"driver{base}"
    candidates = [base] + [f"{base}-{n}" for n in range(2, 10)]
    taken = repository.taken_usernames(db, candidates)
    free = next((c for c in candidates if c not in taken), None)
    return free or f"{base}-{secrets.token_hex(3)}"


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def create_desktop_code(
    db: Session, settings: Settings, user: User, provider: str, redirect_uri: str, code_challenge: str
) -> str:
    """A one-time code for the desktop's loopback redirect; only its hash is stored."""
    now = utcnow()
    repository.forget_codes_expired_before(db, now - USED_CODE_RETENTION)
    code = secrets.token_urlsafe(32)
    repository.add_code(
        db,
        DesktopLoginCode(
            code_hash=hash_code(code),
            user_id=user.id,
            provider=provider,
            redirect_uri=redirect_uri,
            code_challenge=code_challenge,
            expires_at=now + timedelta(seconds=settings.oauth_code_ttl_s),
        ),
    )
    return code


def redeem_desktop_code(
    db: Session, tokens: TokenService, settings: Settings, code: str, code_verifier: str, redirect_uri: str
) -> IssuedTokens:
    """Tokens for a one-time code. Any attempt spends the code; a replay also revokes what the first one got
    (both kept although the request fails: `keep_writes`)."""
    record = repository.find_code(db, hash_code(code))
    if record is None:
        raise _invalid_grant("Unknown sign-in code; start the sign-in again")
    now = utcnow()
    if record.used_at is not None:
        if record.token_family_id is not None:
            revoke_family(db, record.token_family_id)
        raise _invalid_grant(
            "This sign-in code was already used; the sign-in made with it has been revoked", keep_writes=True
        )
    record.used_at = now
    problem = _redemption_problem(record, now, code_verifier, redirect_uri)
    if problem:
        raise _invalid_grant(problem, keep_writes=True)  # the code stays spent although the request fails
    user = db.get(User, record.user_id)
    if user is None or not user.is_active:
        raise ForbiddenError(
            "This account has been deactivated by an administrator", code="account_inactive", keep_writes=True
        )
    record.token_family_id = uuid.uuid4()
    return issue_tokens(db, tokens, settings, user, "desktop", family_id=record.token_family_id)


def _redemption_problem(record: DesktopLoginCode, now: datetime, code_verifier: str, redirect_uri: str) -> str | None:
    if record.expires_at <= now:
        return "This sign-in code has expired; start the sign-in again"
    if redirect_uri != record.redirect_uri:
        return "redirect_uri differs from the one the sign-in was started with"
    if not verifier_matches(code_verifier, record.code_challenge):
        return "code_verifier does not match the code_challenge the sign-in was started with"
    return None


def _invalid_grant(message: str, *, keep_writes: bool = False) -> OAuthFlowError:
    return OAuthFlowError(message, code="invalid_grant", keep_writes=keep_writes)
