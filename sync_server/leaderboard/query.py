"""Read a leaderboard page from `best_laps` (one index range scan) with each entry's provenance."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync_server.leaderboard.maintain import category_key
from sync_server.models import BestLap, Car, DrivingSession, Lap, TeamMember, User
from sync_server.models.leaderboard import ANY
from sync_server.tracks.service import get_configuration


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
    time_source: str | None = Field(description="'stated' (logger's lap line) or 'gps' (line crossing)")
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
    config = get_configuration(db, config_id)
    conditions = [
        BestLap.track_configuration_id == config_id,
        BestLap.category_key == (category_key(car_category) or ANY),
        BestLap.event_key == (event_id.hex if event_id else ANY),
        User.is_active.is_(True),
    ]
    if team_id is not None:
        conditions.append(BestLap.user_id.in_(select(TeamMember.user_id).where(TeamMember.team_id == team_id)))
    ranked = (
        select(BestLap, func.rank().over(order_by=BestLap.lap_time_ms).label("rank"))
        .join(User, User.id == BestLap.user_id)
        .where(*conditions)
        .subquery()
    )
    total = db.scalar(select(func.count()).select_from(ranked)) or 0
    rows = db.execute(
        select(ranked.c.rank, ranked.c.achieved_at, User, Lap, DrivingSession, Car)
        .join(User, User.id == ranked.c.user_id)
        .join(Lap, Lap.id == ranked.c.lap_id)
        .join(DrivingSession, DrivingSession.id == Lap.session_id)
        .outerjoin(Car, Car.id == DrivingSession.car_id)
        .order_by(ranked.c.lap_time_ms, ranked.c.achieved_at, ranked.c.lap_id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    entries = [_entry(*row, version=config.version) for row in rows]
    return LeaderboardPage(
        track_configuration_id=config_id,
        track_configuration_version=config.version,
        car_category=car_category,
        event_id=event_id,
        team_id=team_id,
        page=page,
        page_size=page_size,
        total=total,
        entries=entries,
    )


def _entry(
    rank: int, achieved: datetime, user: User, lap: Lap, session: DrivingSession, car: Car | None, *, version: int
) -> LeaderboardEntry:
    timed_version = session.track_configuration_version
    return LeaderboardEntry(
        rank=rank,
        driver=Driver(id=user.id, display_name=user.display_name),
        lap_id=lap.id,
        session_id=session.id,
        lap_time_ms=lap.lap_time_ms or 0,
        sector_times_ms=lap.sector_times_ms or [],
        achieved_at=achieved,
        event_id=session.event_id,
        car=CarSummary(make=car.make, model=car.model, year=car.year, category=car.category) if car else None,
        provenance=Provenance(
            format_name=session.format_name,
            app_version=session.app_version,
            device=session.device,
            os_name=session.os_name,
            gps_source=session.gps_source,
            gps_rate_hz=session.gps_rate_hz,
            time_source=lap.time_source,
            is_valid=lap.is_valid,
            track_configuration_version=timed_version,
            timed_with_current_version=None if timed_version is None else timed_version == version,
        ),
    )
