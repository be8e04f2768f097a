"""The SQL of track suggestions: public sessions on no configuration, each with its reference lap (the fastest
valid timed lap that has telemetry on the server), and a lap's stored telemetry document."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from sync_server.models import DrivingSession, Lap, LapTelemetry, User

MAX_SESSIONS = 2000  # the most recent ones: bounds the work of one admin page view


@dataclass(frozen=True)
class Candidate:
    session_id: uuid.UUID
    session_created_at: datetime
    user_id: uuid.UUID
    driver: str
    file_name: str | None
    recorded_at: datetime | None
    lap_id: uuid.UUID
    lap_time_ms: int
    length_m: float | None
    telemetry_sha256: str
    lap_count: int


def candidates(db: Session) -> list[Candidate]:
    """One entry per session, oldest session first."""
    sessions = (
        select(DrivingSession.id)
        .join(User, User.id == DrivingSession.owner_id)
        .where(
            DrivingSession.track_configuration_id.is_(None),
            DrivingSession.deleted_at.is_(None),
            User.is_active.is_(True),
            or_(DrivingSession.is_public.is_(True), exists().where(Lap.session_id == DrivingSession.id,
                                                                   Lap.is_public.is_(True))),
        )
        .order_by(DrivingSession.updated_at.desc())
        .limit(MAX_SESSIONS)
        .scalar_subquery()
    )
    rows = db.execute(
        select(
            DrivingSession.id, DrivingSession.created_at, DrivingSession.owner_id, User.display_name,
            DrivingSession.file_name, DrivingSession.recorded_at, Lap.id, Lap.lap_time_ms, Lap.length_m,
            LapTelemetry.content_sha256,
        )
        .join(Lap, Lap.session_id == DrivingSession.id)
        .join(LapTelemetry, LapTelemetry.lap_id == Lap.id)
        .join(User, User.id == DrivingSession.owner_id)
        .where(
            DrivingSession.id.in_(sessions),
            or_(DrivingSession.is_public.is_(True), Lap.is_public.is_(True)),
            Lap.deleted_at.is_(None),
            Lap.lap_time_ms.is_not(None),
            Lap.is_valid.is_(True),
            Lap.is_outlap.is_(False),
            Lap.is_inlap.is_(False),
            Lap.is_pit.is_(False),
        )
        .order_by(DrivingSession.created_at, DrivingSession.id, Lap.lap_time_ms, Lap.id)
    ).all()
    fastest: dict[uuid.UUID, Candidate] = {}  # rows come fastest lap first within each session
    counts: Counter[uuid.UUID] = Counter()
    for row in rows:
        session_id, created_at, user_id, driver, file_name, recorded_at, lap_id, lap_time_ms, length_m, sha = row
        counts[session_id] += 1
        if session_id not in fastest and lap_time_ms is not None:
            fastest[session_id] = Candidate(session_id, created_at, user_id, driver, file_name, recorded_at, lap_id,
                                            lap_time_ms, length_m, sha, lap_count=0)  # fmt: skip
    return [replace(candidate, lap_count=counts[session_id]) for session_id, candidate in fastest.items()]


def telemetry_document(db: Session, lap_id: uuid.UUID) -> bytes | None:
    return db.scalar(select(LapTelemetry.document).where(LapTelemetry.lap_id == lap_id))
