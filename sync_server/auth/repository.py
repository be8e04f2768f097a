"""SQL of the sign-in rules. The failed-attempt counter lives in short transactions of its own: it must persist
although the request fails, and no transaction may stay open while a password is hashed (argon2 takes ~150 ms,
and on SQLite an open write transaction holds the one write lock)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from sync_server.db import READ_ONLY, utcnow
from sync_server.models import User


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
