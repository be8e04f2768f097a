"""SQL of the server-side analyses: the reference lap a configuration's corners are detected on."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_server.models import DrivingSession, Lap, LapTelemetry


def fastest_lap_with_telemetry(db: Session, configuration_id: uuid.UUID) -> Lap | None:
    """The fastest live, timed, valid lap of any driver on this configuration that has its telemetry here."""
    query = (
        sa.select(Lap)
        .join(DrivingSession, DrivingSession.id == Lap.session_id)
        .join(LapTelemetry, LapTelemetry.lap_id == Lap.id)
        .where(DrivingSession.track_configuration_id == configuration_id, DrivingSession.deleted_at.is_(None),
               Lap.deleted_at.is_(None), Lap.lap_time_ms.is_not(None), Lap.is_valid, Lap.is_pit.is_(False))
        .order_by(Lap.lap_time_ms, Lap.id)
        .limit(1)
    )
    return db.scalars(query).first()
