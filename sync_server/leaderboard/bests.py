"""`GET /leaderboard` without a configuration (the seed's "best public laps per config"): the fastest lap of every
live configuration that has one, ordered by track and configuration name, paginated."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Select, and_, func, literal, select
from sqlalchemy.orm import Session

from sync_server.leaderboard.maintain import category_key
from sync_server.leaderboard.query import LeaderboardEntry, board_conditions, entry_columns, entry_of
from sync_server.models import BestLap, Car, DrivingSession, Lap, Track, TrackConfiguration, User
from sync_server.models.leaderboard import ANY


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
    grain = [BestLap.category_key == (category_key(car_category) or ANY),
             BestLap.event_key == (event_id.hex if event_id else ANY)]  # fmt: skip
    rows = db.execute(_page_query(board_conditions(car_category, event_id, team_id), grain, page, page_size)).all()
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


def _page_query(conditions: list[Any], grain: list[Any], page: int, page_size: int) -> Select[Any]:
    """Per configuration, its board's first lap and its number of drivers (correlated subqueries: an index seek
    and an index range count each, however many laps exist), paged by track and configuration name; then only
    the page's laps are joined to their driver, session and car."""
    on_this_board = (BestLap.track_configuration_id == TrackConfiguration.id, *conditions)
    first_lap = (
        select(BestLap.lap_id)
        .join(User, User.id == BestLap.user_id)
        .where(*on_this_board)
        .order_by(BestLap.lap_time_ms, BestLap.achieved_at, BestLap.lap_id)
        .limit(1)
        .correlate(TrackConfiguration)
        .scalar_subquery()
    )
    drivers = (
        select(func.count())
        .select_from(BestLap)
        .join(User, User.id == BestLap.user_id)
        .where(*on_this_board)
        .correlate(TrackConfiguration)
        .scalar_subquery()
    )
    firsts = (
        select(
            TrackConfiguration.id.label("track_configuration_id"),
            TrackConfiguration.name.label("configuration_name"),
            TrackConfiguration.version,
            Track.id.label("track_id"),
            Track.name.label("track_name"),
            first_lap.label("lap_id"),
            drivers.label("drivers"),
            func.count().over().label("configurations"),
        )
        .join(Track, Track.id == TrackConfiguration.track_id)
        .where(*_live_configurations(), first_lap.is_not(None))
        .order_by(Track.name, TrackConfiguration.name, TrackConfiguration.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
        .subquery()
    )
    return (
        select(
            firsts, BestLap.user_id, BestLap.lap_time_ms, BestLap.achieved_at, User.display_name,
            literal(1).label("rank"), *entry_columns(),
        )
        .join(BestLap, and_(BestLap.track_configuration_id == firsts.c.track_configuration_id,
                            BestLap.lap_id == firsts.c.lap_id, *grain))
        .join(User, User.id == BestLap.user_id)
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
