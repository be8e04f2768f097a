"""SQL of OAuth sign-ins: provider links and the desktop flow's one-time codes.

Nothing here commits. A spent code must stay spent although the request fails: the service raises its error
with `keep_writes=True`, and the request's unit of work commits before answering."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync_server.models import DesktopLoginCode, OAuthAccount, User


def find_link(db: Session, provider: str, subject: str) -> OAuthAccount | None:
    return db.scalar(select(OAuthAccount).where(OAuthAccount.provider == provider, OAuthAccount.subject == subject))


def user_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == email))


def add_link(db: Session, link: OAuthAccount) -> bool:
    """Store a provider link; False when the same identity was linked at the same moment by another request."""
    db.add(link)
    try:
        db.flush()
    except IntegrityError:
        return False
    return True


def add_user(db: Session, user: User) -> None:
    db.add(user)
    db.flush()


def taken_usernames(db: Session, candidates: Iterable[str]) -> set[str]:
    return set(db.scalars(select(User.username).where(User.username.in_(list(candidates)))))


def forget_codes_expired_before(db: Session, moment: datetime) -> None:
    db.execute(delete(DesktopLoginCode).where(DesktopLoginCode.expires_at < moment))


def add_code(db: Session, code: DesktopLoginCode) -> None:
    db.add(code)
    db.flush()


def find_code(db: Session, code_hash: str) -> DesktopLoginCode | None:
    """The code, locked until the unit of work ends: two redemptions of one code never both succeed."""
    return db.scalar(select(DesktopLoginCode).where(DesktopLoginCode.code_hash == code_hash).with_for_update())
