"""Choices for the public leaderboard page's filters: only values that actually occur on the board."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from sync_server.leaderboard import repository
from sync_server.leaderboard.maintain import category_key
from sync_server.users import repository as teams


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def category_choices(db: Session, config_id: uuid.UUID) -> list[Choice]:
    labels: dict[str, str] = {}
    for category in repository.categories_on_board(db, config_id):
        key = category_key(category)
        if key:
            labels.setdefault(key, " ".join(category.split()))
    return [Choice(key, label) for key, label in sorted(labels.items(), key=lambda item: item[1].casefold())]


def event_choices(db: Session, config_id: uuid.UUID) -> list[Choice]:
    ids = [uuid.UUID(hex=key) for key in repository.event_keys_on_board(db, config_id)]
    if not ids:
        return []
    events = repository.live_events(db, ids)
    events.sort(key=lambda e: (e.event_date is None, e.event_date, e.name))
    return [Choice(str(e.id), f"{e.name} ({e.event_date:%Y-%m-%d})" if e.event_date else e.name) for e in events]


def team_choices(db: Session) -> list[Choice]:
    return [Choice(str(team.id), team.name) for team in teams.all_teams(db)]
