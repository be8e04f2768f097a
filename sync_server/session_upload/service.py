"""Store a prepared upload like a desktop push: the session and laps through the push engine (revisions, rules,
leaderboard), then the lap telemetry and the original file, all in the caller's transaction (never committed
here). Every slow step (parsing, analysis, encoding) happened before: this only inserts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel
from sqlalchemy.orm import Session

from sync_server.errors import ConflictError
from sync_server.models import DrivingSession, Lap, User
from sync_server.session_upload import repository
from sync_server.session_upload.recording import PreparedUpload
from sync_server.sync import revisions
from sync_server.sync.engine import Write, apply_writes
from sync_server.sync.kinds import LAP, SESSION


class UploadedLap(BaseModel):
    id: uuid.UUID
    lap_number: int
    lap_time_ms: int | None
    is_valid: bool
    has_telemetry: bool


class UploadResult(BaseModel):
    session_id: uuid.UUID
    status: Literal["created", "duplicate"]
    file_name: str | None
    file_sha256: str | None
    format_name: str | None
    track_configuration_id: uuid.UUID | None
    is_public: bool
    rev: int
    laps: list[UploadedLap]
    warnings: list[str]


@dataclass(frozen=True)
class Stored:
    result: UploadResult
    created: bool


def existing_recording(db: Session, user: User, hashes: set[str]) -> UploadResult | None:
    """The answer for a file this account already has (a live session), or None. A deleted one is a 409."""
    session = repository.session_with_recording(db, user.id, hashes)
    if session is None:
        return None
    if session.deleted_at is not None:
        raise ConflictError(
            f"This recording was uploaded before as session {session.id}, which has been deleted: "
            "restore that session (push it with its rev as base_rev) instead of uploading the file again",
            code="session_deleted",
            session_id=str(session.id),
        )
    return _result_of(db, session)


def store(db: Session, user: User, prepared: PreparedUpload) -> Stored:
    revisions.lock_counter(db)  # before the duplicate check: the same file uploaded by two requests at once
    if (duplicate := existing_recording(db, user, prepared.recording_hashes)) is not None:
        return Stored(duplicate, created=False)
    writes = [Write(SESSION, prepared.session_id, None, False, prepared.session, position=0)]
    writes += [Write(LAP, lap.id, None, False, lap.data, position=i + 1) for i, lap in enumerate(prepared.laps)]
    apply_writes(db, user, writes)
    with_arrays = [lap for lap in prepared.laps if lap.telemetry is not None]
    for lap, rev in zip(with_arrays, revisions.allocate(db, len(with_arrays)), strict=True):
        assert lap.telemetry is not None
        repository.add_lap_telemetry(db, user.id, lap.id, lap.telemetry, rev)
    repository.add_original(db, user.id, prepared.session_id, prepared.original)
    db.flush()
    session = db.get(DrivingSession, prepared.session_id)
    assert session is not None
    result = _result_of(db, session, prepared.warnings)
    return Stored(result.model_copy(update={"status": "created"}), created=True)


def _result_of(db: Session, session: DrivingSession, warnings: list[str] | None = None) -> UploadResult:
    with_arrays = repository.laps_with_telemetry(db, session.id)
    return UploadResult(
        session_id=session.id,
        status="duplicate",
        file_name=session.file_name,
        file_sha256=session.file_sha256,
        format_name=session.format_name,
        track_configuration_id=session.track_configuration_id,
        is_public=session.is_public,
        rev=session.rev,
        laps=[_lap_of(lap, lap.id in with_arrays) for lap in repository.live_laps(db, session.id)],
        warnings=warnings or [],
    )


def _lap_of(lap: Lap, has_telemetry: bool) -> UploadedLap:
    return UploadedLap(
        id=lap.id, lap_number=lap.lap_number, lap_time_ms=lap.lap_time_ms, is_valid=lap.is_valid,
        has_telemetry=has_telemetry,
    )
