"""Profile reads and edits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sync_server.auth import repository as accounts
from sync_server.errors import ConflictError
from sync_server.models import User
from sync_server.sync.revisions import next_rev
from sync_server.users import repository
from sync_server.users.schemas import ProfileUpdate, TeamRef, UserProfile


def teams_of(db: Session, user: User) -> list[TeamRef]:
    return [TeamRef(id=team_id, name=name) for team_id, name in repository.teams_of(db, user.id)]


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
        if accounts.email_taken(db, email, other_than=user.id):
            raise ConflictError("An account with this email address already exists", code="email_taken")
        user.email = email
    db.flush()
    return user
