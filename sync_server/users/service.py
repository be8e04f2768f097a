"""Profile reads and edits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync_server.errors import ConflictError
from sync_server.models import Team, TeamMember, User
from sync_server.sync.revisions import next_rev
from sync_server.users.schemas import ProfileUpdate, TeamRef, UserProfile


def teams_of(db: Session, user: User) -> list[TeamRef]:
    rows = db.execute(
        select(Team.id, Team.name).join(TeamMember, TeamMember.team_id == Team.id).where(
            TeamMember.user_id == user.id
        ).order_by(Team.name)
    )
    return [TeamRef(id=team_id, name=name) for team_id, name in rows]


def profile_of(db: Session, user: User) -> UserProfile:
    return UserProfile(
        id=user.id,
        username=user.username,
        email=user.email,
        display_name=user.display_name,
        is_admin=user.is_admin,
        created_at=user.created_at,
        teams=teams_of(db, user),
    )


def update_profile(db: Session, user: User, changes: ProfileUpdate) -> User:
    if changes.display_name is not None and changes.display_name != user.display_name:
        user.display_name = changes.display_name
        next_rev(db)  # leaderboards show display names: cached pages must not outlive the change
    if changes.email is not None:
        email = str(changes.email).lower()
        taken = db.scalar(select(User.id).where(User.email == email, User.id != user.id))
        if taken is not None:
            raise ConflictError("An account with this email address already exists", code="email_taken")
        user.email = email
    db.flush()
    return user
