"""SQL of the admin operations on users and teams, and of the dashboard's counts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sync_server.models import Team, TeamMember, Track, TrackConfiguration, User


def users_page(db: Session, search: str | None, page: int, page_size: int) -> tuple[int, Sequence[User]]:
    """(matching users in all, this page of them by username); `search` is a substring of username or e-mail."""
    statement = select(User)
    if search:
        pattern = f"%{search.lower()}%"
        statement = statement.where(or_(User.username.like(pattern), User.email.like(pattern)))
    total = db.scalar(select(func.count()).select_from(statement.subquery())) or 0
    users = db.scalars(statement.order_by(User.username).offset((page - 1) * page_size).limit(page_size)).all()
    return total, users


def user_id_by_username(db: Session, username: str) -> uuid.UUID | None:
    return db.scalar(select(User.id).where(User.username == username))


def members_of(db: Session, team_id: uuid.UUID) -> Sequence[User]:
    return db.scalars(
        select(User).join(TeamMember, TeamMember.user_id == User.id).where(TeamMember.team_id == team_id)
        .order_by(User.username)
    ).all()


def team_name_taken(db: Session, name: str) -> bool:
    return db.scalar(select(Team.id).where(Team.name == name)) is not None


def add_team(db: Session, team: Team) -> bool:
    """Store a new team; False when a concurrent request created one of that name first."""
    db.add(team)
    try:
        db.flush()
    except IntegrityError:
        return False
    return True


def remove_member(db: Session, team_id: uuid.UUID, user_id: uuid.UUID) -> None:
    db.execute(delete(TeamMember).where(TeamMember.team_id == team_id, TeamMember.user_id == user_id))


def dashboard_counts(db: Session) -> dict[str, int]:
    """The overview's figures, by label."""
    counts: dict[str, Select[int]] = {
        "Users": select(func.count()).select_from(User),
        "Active users": select(func.count()).where(User.is_active.is_(True)),
        "Administrators": select(func.count()).where(User.is_admin.is_(True)),
        "Tracks": select(func.count()).where(Track.deleted_at.is_(None)),
        "Configurations": select(func.count()).where(TrackConfiguration.deleted_at.is_(None)),
        "Teams": select(func.count()).select_from(Team),
    }
    return {label: db.scalar(query) or 0 for label, query in counts.items()}
