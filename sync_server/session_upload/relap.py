"""Re-time a session from its original file on the server, after a configuration appeared where it was driven
(a track suggestion was accepted). The server acts as any device that re-laps: the session moves onto the
configuration, laps with the same number keep their id (and the driver's public flag), others are added or
deleted, and every lap's telemetry follows; desktops pull the result like another device's re-lap.

A session with no original here (the desktop keeps it) is left to its desktop, which re-laps it on its next sync.
Each session: a short read, the parse outside any transaction (bounded like an upload), then one short write
that gives up if the session changed meanwhile."""

from __future__ import annotations

import logging
import uuid
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from sync_server.db import Database, utcnow
from sync_server.errors import AppError
from sync_server.models import DrivingSession, LapTelemetry, SessionFile, User
from sync_server.session_upload import recording, repository
from sync_server.session_upload.gate import GATE
from sync_server.session_upload.recording import PreparedTelemetry, PreparedUpload
from sync_server.sync import revisions
from sync_server.sync.engine import Write, apply_writes
from sync_server.sync.kinds import LAP, SESSION, SessionData
from sync_server.tracks.matching import live_configurations

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Original:
    session_id: uuid.UUID
    owner_id: uuid.UUID
    rev: int
    file_name: str
    is_public: bool
    data: bytes


def with_original(db: Session, session_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """The live sessions among these, on no configuration, whose original file the server holds."""
    return repository.unplaced_sessions_with_original(db, session_ids)


def relap_all(database: Database, session_ids: list[uuid.UUID]) -> int:
    """Re-lap each session on its own; returns how many moved onto a configuration. A file that no longer reads
    (another reader version) is logged and left as it was."""
    moved = 0
    for session_id in session_ids:
        try:
            moved += relap_one(database, session_id)
        except AppError as error:
            log.warning("session %s not re-lapped: %s", session_id, error.message)
    return moved


def relap_one(database: Database, session_id: uuid.UUID) -> bool:
    unit_of_work = contextmanager(database.session)  # commits when the block ends, rolls back on an error
    with unit_of_work() as db:
        original = _load(db, session_id)
        configurations = live_configurations(db)
    if original is None:
        return False
    with GATE.parsing():
        prepared = recording.prepare(original.data, original.file_name, configurations, is_public=original.is_public)
    if prepared.session.track_configuration_id is None:
        return False
    with unit_of_work() as db:
        return _store(db, original, prepared)


def _load(db: Session, session_id: uuid.UUID) -> Original | None:
    session = db.get(DrivingSession, session_id)
    stored = db.get(SessionFile, session_id)
    if session is None or stored is None or session.deleted_at is not None:
        return None
    data = zlib.decompress(stored.compressed)
    return Original(session.id, session.owner_id, session.rev, session.file_name or "session", session.is_public, data)


def _store(db: Session, original: Original, prepared: PreparedUpload) -> bool:
    revisions.lock_counter(db)
    session = db.get(DrivingSession, original.session_id, populate_existing=True)
    owner = db.get(User, original.owner_id)
    if session is None or owner is None or session.rev != original.rev or session.track_configuration_id:
        return False  # edited, deleted or moved meanwhile: its device decides
    kept = SESSION.data_of(session).model_dump()
    fresh = prepared.session.model_dump(include={"track_configuration_id", "track_configuration_version",
                                                 "theoretical_best_ms"})  # fmt: skip
    writes = [Write(SESSION, session.id, session.rev, False, SessionData(**{**kept, **fresh}))]
    old = {lap.lap_number: lap for lap in repository.live_laps(db, session.id)}
    arrays: list[tuple[uuid.UUID, PreparedTelemetry]] = []
    for lap in prepared.laps:
        previous = old.pop(lap.data.lap_number, None)
        data = lap.data.model_copy(update={"session_id": session.id,
                                           "is_public": previous.is_public if previous else False})  # fmt: skip
        lap_id = previous.id if previous else lap.id
        writes.append(Write(LAP, lap_id, previous.rev if previous else None, False, data, position=len(writes)))
        if lap.telemetry is not None:
            arrays.append((lap_id, lap.telemetry))
    writes += [Write(LAP, lap.id, lap.rev, True, None, position=len(writes) + i) for i, lap in enumerate(old.values())]
    apply_writes(db, owner, writes)
    _replace_telemetry(db, owner.id, arrays)
    db.flush()
    return True


def _replace_telemetry(db: Session, owner_id: uuid.UUID, arrays: list[tuple[uuid.UUID, PreparedTelemetry]]) -> None:
    rows = {lap_id: db.get(LapTelemetry, lap_id) for lap_id, _ in arrays}
    changed = [(lap_id, telemetry) for lap_id, telemetry in arrays
               if (row := rows[lap_id]) is None or row.content_sha256 != telemetry.content_sha256]  # fmt: skip
    for (lap_id, telemetry), rev in zip(changed, revisions.allocate(db, len(changed)), strict=True):
        row = rows[lap_id]
        if row is None:
            repository.add_lap_telemetry(db, owner_id, lap_id, telemetry, rev)
            continue
        row.content_sha256, row.sample_count, row.channel_keys = (
            telemetry.content_sha256, telemetry.sample_count, telemetry.channel_keys
        )
        row.document, row.size_bytes, row.rev, row.updated_at = (
            telemetry.document, len(telemetry.document), rev, utcnow()
        )
