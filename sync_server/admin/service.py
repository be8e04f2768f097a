"""Admin operations on users and teams."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from sync_server.admin import repository
from sync_server.admin.schemas import AdminUserOut, AdminUserPage, AdminUserUpdate, Member, TeamOut
from sync_server.auth.service import revoke_all_for_user
from sync_server.errors import ConflictError, NotFoundError
from sync_server.models import Team, TeamMember, User
from sync_server.sync.revisions import next_rev
from sync_server.users import repository as teams
from sync_server.users.service import teams_of


def user_out(db: Session, user: User) -> AdminUserOut:
    return AdminUserOut(
        id=user.id,
        username=user.username,
        email=user.email,
        display_name=user.display_name,
        is_active=user.is_active,
        is_admin=user.is_admin,
        locked_until=user.locked_until,
        created_at=user.created_at,
        teams=teams_of(db, user),
    )


def list_users(db: Session, search: str | None, page: int, page_size: int) -> AdminUserPage:
    total, users = repository.users_page(db, search, page, page_size)
    return AdminUserPage(total=total, page=page, page_size=page_size, users=[user_out(db, u) for u in users])


def user_id_by_username(db: Session, username: str) -> uuid.UUID | None:
    return repository.user_id_by_username(db, username.strip().lower())


def dashboard_counts(db: Session) -> dict[str, int]:
    return repository.dashboard_counts(db)


def get_user(db: Session, user_id: uuid.UUID) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFoundError(f"User {user_id} not found")
    return user


def update_user(db: Session, admin: User, user_id: uuid.UUID, changes: AdminUserUpdate) -> AdminUserOut:
    user = get_user(db, user_id)
    if user.id == admin.id and (changes.is_active is False or changes.is_admin is False):
        raise ConflictError("You cannot deactivate or demote your own account", code="self_lockout")
    if changes.is_active is not None:
        user.is_active = changes.is_active
        if not changes.is_active:
            revoke_all_for_user(db, user.id)
    if changes.is_admin is not None:
        user.is_admin = changes.is_admin
    if changes.unlock:
        user.locked_until, user.failed_login_attempts = None, 0
    if changes.is_active is not None:
        next_rev(db)  # leaderboards hide inactive drivers: cached pages must not outlive this
    db.flush()
    return user_out(db, user)


def team_out(db: Session, team: Team) -> TeamOut:
    members = repository.members_of(db, team.id)
    return TeamOut(
        id=team.id,
        name=team.name,
        created_at=team.created_at,
        members=[Member(id=u.id, username=u.username, display_name=u.display_name) for u in members],
    )


def list_teams(db: Session) -> list[TeamOut]:
    return [team_out(db, team) for team in teams.all_teams(db)]


def create_team(db: Session, name: str) -> TeamOut:
    team = Team(name=name)
    if repository.team_name_taken(db, name) or not repository.add_team(db, team):
        raise ConflictError(f"A team named '{name}' already exists", code="team_exists")
    return team_out(db, team)


def get_team(db: Session, team_id: uuid.UUID) -> Team:
    team = db.get(Team, team_id)
    if team is None:
        raise NotFoundError(f"Team {team_id} not found")
    return team


def delete_team(db: Session, team_id: uuid.UUID) -> None:
    db.delete(get_team(db, team_id))
    next_rev(db)


def add_member(db: Session, team_id: uuid.UUID, user_id: uuid.UUID) -> TeamOut:
    team, user = get_team(db, team_id), get_user(db, user_id)
    if db.get(TeamMember, (team.id, user.id)) is None:
        db.add(TeamMember(team_id=team.id, user_id=user.id))
        next_rev(db)  # team-filtered leaderboards change
        db.flush()
    return team_out(db, team)


def remove_member(db: Session, team_id: uuid.UUID, user_id: uuid.UUID) -> TeamOut:
    team = get_team(db, team_id)
    repository.remove_member(db, team.id, user_id)
    next_rev(db)
    return team_out(db, team)
