"""`GET /leaderboard` without a configuration (the seed's "best public laps per config"): the fastest lap of every
live configuration that has one, ordered by track and configuration name, paginated."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import Session

from sync_server.leaderboard.query import LeaderboardEntry, board_conditions, entry_columns, entry_of
from sync_server.models import BestLap, Car, DrivingSession, Lap, Track, TrackConfiguration, User


class ConfigurationBest(BaseModel):
    track_id: uuid.UUID
    track_name: str
    track_configuration_id: uuid.UUID
    configuration_name: str
    track_configuration_version: int
    drivers: int = Field(description="Drivers on this configuration's board (with the same filters)")
    best: LeaderboardEntry


class BestLapsPage(BaseModel):
    car_category: str | None
    event_id: uuid.UUID | None
    team_id: uuid.UUID | None
    page: int
    page_size: int
    total: int = Field(description="Configurations with at least one lap on their board")
    configurations: list[ConfigurationBest]


def best_per_configuration(
    db: Session,
    car_category: str | None,
    event_id: uuid.UUID | None,
    team_id: uuid.UUID | None,
    page: int,
    page_size: int,
) -> BestLapsPage:
    rows = db.execute(_page_query(board_conditions(car_category, event_id, team_id), page, page_size)).all()
    total = rows[0].configurations if rows else _count(db, board_conditions(car_category, event_id, team_id))
    return BestLapsPage(
        car_category=car_category,
        event_id=event_id,
        team_id=team_id,
        page=page,
        page_size=page_size,
        total=total,
        configurations=[
            ConfigurationBest(
                track_id=row.track_id,
                track_name=row.track_name,
                track_configuration_id=row.track_configuration_id,
                configuration_name=row.configuration_name,
                track_configuration_version=row.version,
                drivers=row.drivers,
                best=entry_of(row, row.version),
            )
            for row in rows
        ],
    )


def _live_configurations() -> list[Any]:
    return [TrackConfiguration.deleted_at.is_(None), Track.deleted_at.is_(None)]


def _page_query(conditions: list[Any], page: int, page_size: int) -> Select[Any]:
    """Rank each configuration's board (same order as a board page), keep its first row, then page over the
    configurations by name and join only those rows to their lap, session and car."""
    order = (BestLap.lap_time_ms, BestLap.achieved_at, BestLap.lap_id)
    ranked = (
        select(
            BestLap.track_configuration_id,
            BestLap.user_id,
            BestLap.lap_id,
            BestLap.lap_time_ms,
            BestLap.achieved_at,
            User.display_name,
            func.row_number().over(partition_by=BestLap.track_configuration_id, order_by=order).label("position"),
            func.count().over(partition_by=BestLap.track_configuration_id).label("drivers"),
        )
        .join(User, User.id == BestLap.user_id)
        .where(*conditions)
        .subquery()
    )
    names = (Track.name, TrackConfiguration.name, TrackConfiguration.id)
    firsts = (
        select(
            ranked,
            Track.id.label("track_id"),
            Track.name.label("track_name"),
            TrackConfiguration.name.label("configuration_name"),
            TrackConfiguration.version,
            func.count().over().label("configurations"),
        )
        .join(TrackConfiguration, TrackConfiguration.id == ranked.c.track_configuration_id)
        .join(Track, Track.id == TrackConfiguration.track_id)
        .where(ranked.c.position == 1, *_live_configurations())
        .order_by(*names)
        .offset((page - 1) * page_size)
        .limit(page_size)
        .subquery()
    )
    return (
        select(firsts, literal(1).label("rank"), *entry_columns())
        .join(Lap, Lap.id == firsts.c.lap_id)
        .join(DrivingSession, DrivingSession.id == Lap.session_id)
        .outerjoin(Car, Car.id == DrivingSession.car_id)
        .order_by(firsts.c.track_name, firsts.c.configuration_name, firsts.c.track_configuration_id)
    )


def _count(db: Session, conditions: list[Any]) -> int:
    """Past the last page: count the configurations with a board on their own."""
    statement = (
        select(func.count(func.distinct(BestLap.track_configuration_id)))
        .join(User, User.id == BestLap.user_id)
        .join(TrackConfiguration, TrackConfiguration.id == BestLap.track_configuration_id)
        .join(Track, Track.id == TrackConfiguration.track_id)
        .where(*conditions, *_live_configurations())
    )
    return db.scalar(statement) or 0
