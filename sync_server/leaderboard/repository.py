"""SQL of the leaderboard's `best_laps` table and of the laps that qualify for it (rules in maintain.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, delete, func, insert, or_, select, true, update
from sqlalchemy.orm import Session

from sync_server.models import BestLap, Car, DrivingSession, Event, Lap, TrackConfiguration
from sync_server.models.leaderboard import ANY

INSERT_BATCH = 5000


def configurations_of_sessions_or_cars(
    db: Session, user_id: uuid.UUID, session_ids: list[uuid.UUID], car_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """The configurations of the user's sessions that are among `session_ids` or use one of `car_ids`."""
    touched = select(DrivingSession.track_configuration_id).where(
        DrivingSession.owner_id == user_id,
        DrivingSession.track_configuration_id.is_not(None),
        or_(DrivingSession.id.in_(session_ids), DrivingSession.car_id.in_(car_ids)),
    )
    return {config_id for config_id in db.scalars(touched.distinct()) if config_id is not None}


def configurations_of_laps(db: Session, lap_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    statement = (
        select(DrivingSession.track_configuration_id)
        .join(Lap, Lap.session_id == DrivingSession.id)
        .where(Lap.id.in_(lap_ids), DrivingSession.track_configuration_id.is_not(None))
        .distinct()
    )
    return {config_id for config_id in db.scalars(statement) if config_id is not None}


def configuration_length(db: Session, config_id: uuid.UUID) -> float | None:
    return db.scalar(select(TrackConfiguration.length_m).where(TrackConfiguration.id == config_id))


def flag_laps_faster_than(
    db: Session, config_id: uuid.UUID, user_id: uuid.UUID, limit_ms: int, reason: str,
    lap_ids: list[uuid.UUID] | None = None,
) -> None:  # fmt: skip
    """Mark the driver's laps on the configuration (or only `lap_ids` of them) under `limit_ms`, and not flagged
    yet, implausible."""
    sessions = select(DrivingSession.id).where(
        DrivingSession.track_configuration_id == config_id, DrivingSession.owner_id == user_id
    )
    only = Lap.id.in_(lap_ids) if lap_ids is not None else true()
    db.execute(
        update(Lap)
        .where(Lap.session_id.in_(sessions), Lap.lap_time_ms < limit_ms, Lap.implausible_reason.is_(None), only)
        .values(implausible_reason=reason)
        .execution_options(synchronize_session=False)
    )


def qualifying_laps(
    db: Session,
    config_id: uuid.UUID | None = None,
    user_id: uuid.UUID | None = None,
    lap_ids: list[uuid.UUID] | None = None,
    *,
    streamed: bool = False,
) -> Iterable[Any]:
    """Rows (configuration, driver, lap time, achieved at, lap id, car category, event id) of the laps that may
    reach the leaderboard, optionally narrowed; `streamed`: fetched in batches (a whole-table rebuild)."""
    statement = _qualifying_laps(config_id, user_id)
    if lap_ids is not None:
        statement = statement.where(Lap.id.in_(lap_ids))
    if streamed:
        statement = statement.execution_options(yield_per=10_000)
    return db.execute(statement)


def stored_bests(db: Session, user_id: uuid.UUID, config_ids: Iterable[uuid.UUID]) -> Sequence[BestLap]:
    statement = select(BestLap).where(BestLap.user_id == user_id, BestLap.track_configuration_id.in_(config_ids))
    return db.scalars(statement).all()


def delete_bests(db: Session, config_id: uuid.UUID, user_id: uuid.UUID) -> None:
    db.execute(delete(BestLap).where(BestLap.track_configuration_id == config_id, BestLap.user_id == user_id))


def delete_all_bests(db: Session) -> None:
    db.execute(delete(BestLap))


def insert_bests(db: Session, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), INSERT_BATCH):
        db.execute(insert(BestLap), rows[start : start + INSERT_BATCH])


def categories_on_board(db: Session, config_id: uuid.UUID) -> list[str]:
    """Car categories (as written on the cars) of the best laps on the configuration's board."""
    rows = db.scalars(
        select(Car.category)
        .join(DrivingSession, DrivingSession.car_id == Car.id)
        .join(Lap, Lap.session_id == DrivingSession.id)
        .join(BestLap, BestLap.lap_id == Lap.id)
        .where(BestLap.track_configuration_id == config_id, BestLap.category_key != ANY, BestLap.event_key == ANY)
        .distinct()
    )
    return [category for category in rows if category is not None]


def event_keys_on_board(db: Session, config_id: uuid.UUID) -> list[str]:
    statement = (
        select(BestLap.event_key)
        .where(BestLap.track_configuration_id == config_id, BestLap.event_key != ANY)
        .distinct()
    )
    return list(db.scalars(statement))


def live_events(db: Session, event_ids: list[uuid.UUID]) -> list[Any]:
    """(id, name, event_date) rows of these events that are not deleted."""
    statement = select(Event.id, Event.name, Event.event_date).where(
        Event.id.in_(event_ids), Event.deleted_at.is_(None)
    )
    return list(db.execute(statement).all())


def _qualifying_laps(config_id: uuid.UUID | None = None, user_id: uuid.UUID | None = None) -> Select[*tuple[Any, ...]]:
    """Valid, timed, public, live laps (not out/in/pit laps), optionally of one driver on one configuration."""
    statement: Select[*tuple[Any, ...]] = (
        select(
            DrivingSession.track_configuration_id,
            Lap.owner_id,
            Lap.lap_time_ms,
            func.coalesce(DrivingSession.recorded_at, Lap.created_at),
            Lap.id,
            Car.category,
            DrivingSession.event_id,
        )
        .join(DrivingSession, DrivingSession.id == Lap.session_id)
        .outerjoin(Car, (Car.id == DrivingSession.car_id) & Car.deleted_at.is_(None))
        .where(
            DrivingSession.track_configuration_id.is_not(None),
            Lap.deleted_at.is_(None),
            DrivingSession.deleted_at.is_(None),
            Lap.is_valid.is_(True),
            Lap.lap_time_ms.is_not(None),
            Lap.is_outlap.is_(False),
            Lap.is_inlap.is_(False),
            Lap.is_pit.is_(False),
            Lap.implausible_reason.is_(None),
            or_(Lap.is_public.is_(True), DrivingSession.is_public.is_(True)),
        )
    )
    if user_id is not None:
        statement = statement.where(Lap.owner_id == user_id)
    if config_id is not None:
        statement = statement.where(DrivingSession.track_configuration_id == config_id)
    return statement
