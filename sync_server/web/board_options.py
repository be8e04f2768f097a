"""Choices for the public leaderboard page's filters: only values that actually occur on the board."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync_server.leaderboard.maintain import category_key
from sync_server.models import BestLap, Car, DrivingSession, Event, Lap, Team
from sync_server.models.leaderboard import ANY


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def category_choices(db: Session, config_id: uuid.UUID) -> list[Choice]:
    rows = db.scalars(
        select(Car.category)
        .join(DrivingSession, DrivingSession.car_id == Car.id)
        .join(Lap, Lap.session_id == DrivingSession.id)
        .join(BestLap, BestLap.lap_id == Lap.id)
        .where(BestLap.track_configuration_id == config_id, BestLap.category_key != ANY, BestLap.event_key == ANY)
        .distinct()
    )
    labels: dict[str, str] = {}
    for category in rows:
        key = category_key(category)
        if key:
            labels.setdefault(key, " ".join(category.split()))
    return [Choice(key, label) for key, label in sorted(labels.items(), key=lambda item: item[1].casefold())]


def event_choices(db: Session, config_id: uuid.UUID) -> list[Choice]:
    keys = db.scalars(
        select(BestLap.event_key)
        .where(BestLap.track_configuration_id == config_id, BestLap.event_key != ANY)
        .distinct()
    )
    ids = [uuid.UUID(hex=key) for key in keys]
    if not ids:
        return []
    events = db.execute(
        select(Event.id, Event.name, Event.event_date).where(Event.id.in_(ids), Event.deleted_at.is_(None))
    ).all()
    events.sort(key=lambda e: (e.event_date is None, e.event_date, e.name))
    return [Choice(str(e.id), f"{e.name} ({e.event_date:%Y-%m-%d})" if e.event_date else e.name) for e in events]


def team_choices(db: Session) -> list[Choice]:
    return [Choice(str(team_id), name) for team_id, name in db.execute(select(Team.id, Team.name).order_by(Team.name))]
