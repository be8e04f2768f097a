"""SQL of accounts and refresh tokens, for the sign-in rules in auth/service.py.

Everything here runs in the request's unit of work, which commits when the request succeeds, except the
failed-attempt counter: it lives in short transactions of its own (owned here), because it must persist although
the request fails and no transaction may stay open while a password is hashed (argon2 takes ~150 ms, and on
SQLite an open write transaction holds the one write lock). A revoked token family is kept the other way: the
service raises its error with `keep_writes=True` and the unit of work commits before answering."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync_server.db import READ_ONLY, utcnow
from sync_server.models import RefreshToken, User


def _separate(db: Session, *, read_only: bool) -> Session:
    """A session of its own on the request session's engine: its transaction commits independently."""
    return Session(db.get_bind().execution_options(**{READ_ONLY: read_only}), expire_on_commit=False)


def find_for_sign_in(db: Session, login: str) -> User | None:
    """The account for a username or email address (lower-case), read in a transaction already ended."""
    column = User.email if "@" in login else User.username
    with _separate(db, read_only=True) as reader:
        return reader.scalar(select(User).where(column == login))


def record_failed_attempt(db: Session, user_id: uuid.UUID, max_failures: int, lockout_s: int) -> None:
    """Count one failed attempt; the last allowed one locks the account. One atomic UPDATE in its own short
    transaction, committed at once (the request then fails and rolls back its own unit of work)."""
    reaching_limit = User.failed_login_attempts + 1 >= max_failures
    with _separate(db, read_only=False) as writer, writer.begin():
        writer.execute(
            update(User)
            .where(User.id == user_id)
            .values(
                failed_login_attempts=case((reaching_limit, 0), else_=User.failed_login_attempts + 1),
                locked_until=case(
                    (reaching_limit, utcnow() + timedelta(seconds=lockout_s)), else_=User.locked_until
                ),
            )
        )


def clear_failed_attempts(db: Session, user_id: uuid.UUID, new_hash: str | None) -> None:
    """After a successful sign-in, in the request's unit of work."""
    values: dict[str, object] = {"failed_login_attempts": 0, "locked_until": None}
    if new_hash:
        values["hashed_password"] = new_hash
    db.execute(update(User).where(User.id == user_id).values(**values))


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def bump_token_generation(db: Session, user_id: uuid.UUID) -> None:
    """Revoke every access token of the account (they carry the old generation)."""
    db.execute(update(User).where(User.id == user_id).values(token_generation=User.token_generation + 1))


def username_taken(db: Session, username: str) -> bool:
    return db.scalar(select(User.id).where(User.username == username)) is not None


def email_taken(db: Session, email: str, *, other_than: uuid.UUID | None = None) -> bool:
    statement = select(User.id).where(User.email == email)
    if other_than is not None:
        statement = statement.where(User.id != other_than)
    return db.scalar(statement) is not None


def add_user(db: Session, user: User) -> bool:
    """Store a new account; False when a concurrent registration took its username or e-mail first (the unit
    of work is then spoilt and the request must fail)."""
    db.add(user)
    try:
        db.flush()
    except IntegrityError:
        return False
    return True


def forget_expired_refresh_tokens(db: Session, user_id: uuid.UUID) -> None:
    db.execute(delete(RefreshToken).where(RefreshToken.user_id == user_id, RefreshToken.expires_at < utcnow()))


def add_refresh_token(db: Session, token: RefreshToken) -> None:
    db.add(token)
    db.flush()


def find_refresh_token(db: Session, token_hash: str, *, lock: bool = False) -> RefreshToken | None:
    """`lock`: held until the unit of work ends, so two rotations of one token cannot both succeed."""
    statement = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
    return db.scalar(statement.with_for_update() if lock else statement)


def revoke_family(db: Session, family_id: uuid.UUID) -> None:
    db.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_refresh_tokens_of(db: Session, user_id: uuid.UUID) -> None:
    db.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
