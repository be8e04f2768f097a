"""Read a leaderboard page from `best_laps` (one index range scan) with each entry's provenance."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from sync_server.errors import NotFoundError
from sync_server.leaderboard.maintain import category_key
from sync_server.models import BestLap, Car, DrivingSession, Lap, TeamMember, TrackConfiguration, User
from sync_server.models.leaderboard import ANY


class Driver(BaseModel):
    id: uuid.UUID
    display_name: str


class CarSummary(BaseModel):
    make: str
    model: str
    year: int | None
    category: str | None


class Provenance(BaseModel):
    """Where the lap time comes from, so a reader can judge it."""

    format_name: str | None = Field(description="Logger app / file format, e.g. TrackAddict")
    app_version: str | None
    device: str | None
    os_name: str | None
    gps_source: str | None
    gps_rate_hz: float | None
    time_source: str | None = Field(description="'stated' (logger's lap line or trap), 'beacon' (AiM beacons), "
                                    "'lap_column' (file's lap number), 'gps' (line crossing)")
    is_valid: bool
    track_configuration_version: int | None = Field(description="Configuration version the lap was timed with")
    timed_with_current_version: bool | None


class LeaderboardEntry(BaseModel):
    rank: int
    driver: Driver
    lap_id: uuid.UUID
    session_id: uuid.UUID
    lap_time_ms: int
    sector_times_ms: list[int | None]
    achieved_at: datetime
    event_id: uuid.UUID | None
    car: CarSummary | None
    provenance: Provenance


class LeaderboardPage(BaseModel):
    track_configuration_id: uuid.UUID
    track_configuration_version: int
    car_category: str | None
    event_id: uuid.UUID | None
    team_id: uuid.UUID | None
    page: int
    page_size: int
    total: int
    entries: list[LeaderboardEntry]


def leaderboard(
    db: Session,
    config_id: uuid.UUID,
    car_category: str | None,
    event_id: uuid.UUID | None,
    team_id: uuid.UUID | None,
    page: int,
    page_size: int,
) -> LeaderboardPage:
    version = db.scalar(
        select(TrackConfiguration.version).where(
            TrackConfiguration.id == config_id, TrackConfiguration.deleted_at.is_(None)
        )
    )
    if version is None:
        raise NotFoundError(f"Track configuration {config_id} not found")
    conditions = [BestLap.track_configuration_id == config_id, *board_conditions(car_category, event_id, team_id)]
    rows = db.execute(_page_query(conditions, page, page_size)).all()
    if rows:
        total = rows[0].total
    else:  # past the last page: the window count came back with no row to carry it
        total = db.scalar(select(func.count()).select_from(BestLap).join(User, User.id == BestLap.user_id)
                          .where(*conditions)) or 0
    return LeaderboardPage(
        track_configuration_id=config_id,
        track_configuration_version=version,
        car_category=car_category,
        event_id=event_id,
        team_id=team_id,
        page=page,
        page_size=page_size,
        total=total,
        entries=[entry_of(row, version) for row in rows],
    )


def board_conditions(car_category: str | None, event_id: uuid.UUID | None, team_id: uuid.UUID | None) -> list[Any]:
    """Which `best_laps` rows (joined to their driver) a board with these filters shows, on any configuration."""
    conditions = [
        BestLap.category_key == (category_key(car_category) or ANY),
        BestLap.event_key == (event_id.hex if event_id else ANY),
        User.is_active.is_(True),
    ]
    if team_id is not None:
        conditions.append(BestLap.user_id.in_(select(TeamMember.user_id).where(TeamMember.team_id == team_id)))
    return conditions


def entry_columns() -> tuple[Any, ...]:
    """What an entry shows besides its board columns, from the lap, its session and car (see `entry_of`)."""
    return (
        Lap.sector_times_ms, Lap.time_source, Lap.is_valid, Lap.session_id, DrivingSession.event_id,
        DrivingSession.track_configuration_version, DrivingSession.format_name, DrivingSession.app_version,
        DrivingSession.device, DrivingSession.os_name, DrivingSession.gps_source, DrivingSession.gps_rate_hz,
        Car.make, Car.model, Car.year, Car.category,
    )  # fmt: skip


def _page_query(conditions: list[Any], page: int, page_size: int) -> Select[Any]:
    """One statement: rank and count over the whole board (an index range scan of `best_laps`), then only the
    page's rows are joined to their lap, session and car, reading just the columns an entry shows."""
    order = (BestLap.lap_time_ms, BestLap.achieved_at, BestLap.lap_id)
    board = (
        select(
            BestLap.user_id,
            BestLap.lap_id,
            BestLap.lap_time_ms,
            BestLap.achieved_at,
            User.display_name,
            func.rank().over(order_by=BestLap.lap_time_ms).label("rank"),
            func.count().over().label("total"),
        )
        .join(User, User.id == BestLap.user_id)
        .where(*conditions)
        .order_by(*order)
        .offset((page - 1) * page_size)
        .limit(page_size)
        .subquery()
    )
    return (
        select(
            board.c.rank, board.c.total, board.c.user_id, board.c.display_name, board.c.lap_id, board.c.lap_time_ms,
            board.c.achieved_at, *entry_columns(),
        )
        .join(Lap, Lap.id == board.c.lap_id)
        .join(DrivingSession, DrivingSession.id == Lap.session_id)
        .outerjoin(Car, Car.id == DrivingSession.car_id)
        .order_by(board.c.lap_time_ms, board.c.achieved_at, board.c.lap_id)
    )


def entry_of(row: Row[Any], version: int) -> LeaderboardEntry:
    """An entry from a row of the board columns (rank, user_id, display_name, lap_id, lap_time_ms, achieved_at)
    plus `entry_columns()`; `version` is the configuration's current version."""
    timed_version = row.track_configuration_version
    car = None
    if row.make is not None:
        car = CarSummary(make=row.make, model=row.model, year=row.year, category=row.category)
    return LeaderboardEntry(
        rank=row.rank,
        driver=Driver(id=row.user_id, display_name=row.display_name),
        lap_id=row.lap_id,
        session_id=row.session_id,
        lap_time_ms=row.lap_time_ms,
        sector_times_ms=row.sector_times_ms or [],
        achieved_at=row.achieved_at,
        event_id=row.event_id,
        car=car,
        provenance=Provenance(
            format_name=row.format_name,
            app_version=row.app_version,
            device=row.device,
            os_name=row.os_name,
            gps_source=row.gps_source,
            gps_rate_hz=row.gps_rate_hz,
            time_source=row.time_source,
            is_valid=row.is_valid,
            track_configuration_version=timed_version,
            timed_with_current_version=None if timed_version is None else timed_version == version,
        ),
    )
