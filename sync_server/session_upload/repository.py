"""The SQL of the upload and the re-lap: find a recording already stored, add lap telemetry rows and the
original file, find the sessions a server re-lap can move."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync_server.models import DrivingSession, Lap, LapTelemetry, SessionFile
from sync_server.session_upload.recording import OriginalFile, PreparedTelemetry


def session_with_recording(db: Session, owner_id: uuid.UUID, hashes: Iterable[str]) -> DrivingSession | None:
    """The owner's session holding one of these file hashes, a live one first."""
    rows = db.scalars(
        select(DrivingSession)
        .where(DrivingSession.owner_id == owner_id, DrivingSession.file_sha256.in_(sorted(hashes)))
        .execution_options(populate_existing=True)
    ).all()
    return min(rows, key=lambda row: (row.deleted_at is not None, row.created_at), default=None)


def live_laps(db: Session, session_id: uuid.UUID) -> list[Lap]:
    return list(
        db.scalars(
            select(Lap).where(Lap.session_id == session_id, Lap.deleted_at.is_(None)).order_by(Lap.lap_number, Lap.id)
        )
    )


def add_lap_telemetry(
    db: Session, owner_id: uuid.UUID, lap_id: uuid.UUID, telemetry: PreparedTelemetry, rev: int
) -> None:
    db.add(
        LapTelemetry(
            lap_id=lap_id,
            owner_id=owner_id,
            content_sha256=telemetry.content_sha256,
            sample_count=telemetry.sample_count,
            channel_keys=telemetry.channel_keys,
            size_bytes=len(telemetry.document),
            document=telemetry.document,
            rev=rev,
        )
    )


def add_original(db: Session, owner_id: uuid.UUID, session_id: uuid.UUID, original: OriginalFile) -> None:
    db.add(
        SessionFile(
            session_id=session_id,
            owner_id=owner_id,
            sha256=original.sha256,
            size_bytes=original.size,
            compressed=original.compressed,
        )
    )


def laps_with_telemetry(db: Session, session_id: uuid.UUID) -> set[uuid.UUID]:
    statement = select(LapTelemetry.lap_id).join(Lap, Lap.id == LapTelemetry.lap_id).where(Lap.session_id == session_id)
    return set(db.scalars(statement))


def unplaced_sessions_with_original(db: Session, session_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """The live sessions among these, on no configuration, whose original file the server holds."""
    statement = (
        select(DrivingSession.id)
        .join(SessionFile, SessionFile.session_id == DrivingSession.id)
        .where(
            DrivingSession.id.in_(session_ids),
            DrivingSession.deleted_at.is_(None),
            DrivingSession.track_configuration_id.is_(None),
        )
    )
    return list(db.scalars(statement))
