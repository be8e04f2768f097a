"""SQL of teams as a driver sees them (their own teams, the public team list)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync_server.models import Team, TeamMember


def teams_of(db: Session, user_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """(id, name) of the user's teams, by name."""
    rows = db.execute(
        select(Team.id, Team.name)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.user_id == user_id)
        .order_by(Team.name)
    )
    return [(team_id, name) for team_id, name in rows]


def all_teams(db: Session) -> Sequence[Team]:
    return db.scalars(select(Team).order_by(Team.name)).all()
