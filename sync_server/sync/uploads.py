"""Lap telemetry (append-only) and original session files: store, deduplicate, and read back with access checks."""

from __future__ import annotations

import hashlib
import uuid
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync_server.db import utcnow
from sync_server.errors import ConflictError, InvalidError, NotFoundError, PayloadTooLargeError
from sync_server.leaderboard.maintain import recompute, telemetry_implausibility
from sync_server.models import DrivingSession, Lap, LapTelemetry, SessionFile, TrackConfiguration, User
from sync_server.sync import revisions, telemetry_format
from sync_server.sync.telemetry_format import LapTelemetryDocument

STREAM_CHUNK = 256 * 1024


@dataclass(frozen=True)
class StoredTelemetry:
    lap_id: uuid.UUID
    content_sha256: str
    sample_count: int
    rev: int
    status: str  # "created", "replaced" or "unchanged"


def owned_lap(db: Session, user: User, lap_id: uuid.UUID) -> Lap:
    lap = db.get(Lap, lap_id)
    if lap is None or lap.owner_id != user.id:
        raise NotFoundError(f"Lap {lap_id} not found")
    return lap


def readable_lap(db: Session, user: User, lap_id: uuid.UUID) -> Lap:
    """A lap the user owns, or anyone's live public lap. Others get 404, never a hint that it exists."""
    lap = db.get(Lap, lap_id)
    if lap is None:
        raise NotFoundError(f"Lap {lap_id} not found")
    if lap.owner_id == user.id:
        return lap
    session = db.get(DrivingSession, lap.session_id)
    public = lap.is_public or (session is not None and session.is_public)
    if lap.deleted_at is not None or session is None or session.deleted_at is not None or not public:
        raise NotFoundError(f"Lap {lap_id} not found")
    return lap


def check_telemetry(lap: Lap, document: LapTelemetryDocument) -> telemetry_format.CheckedTelemetry:
    """Bounds against the lap's duration, then an incremental decode. Run it with no transaction open."""
    return telemetry_format.check(document, telemetry_format.max_samples_for(lap.lap_time_ms))


def store_telemetry(
    db: Session,
    user: User,
    lap: Lap,
    document: LapTelemetryDocument,
    checked: telemetry_format.CheckedTelemetry,
    replace: bool,
) -> StoredTelemetry:
    digest = checked.content_sha256
    revisions.lock_counter(db)  # two devices uploading the same lap at once: the second sees the first's row
    lap = owned_lap(db, user, lap.id)
    existing = db.get(LapTelemetry, lap.id, populate_existing=True)
    if existing is not None and existing.content_sha256 == digest:
        return StoredTelemetry(lap.id, digest, existing.sample_count, existing.rev, "unchanged")
    if existing is not None and not replace:
        raise ConflictError(
            f"Lap {lap.id} already has different telemetry (sha256 {existing.content_sha256}); "
            "telemetry is append-only: send ?replace=true to overwrite it deliberately",
            code="telemetry_exists",
        )
    body = document.model_dump_json().encode()
    rev = revisions.allocate(db, 1)[0]
    row = existing or LapTelemetry(lap_id=lap.id, owner_id=user.id)
    row.content_sha256, row.sample_count, row.rev = digest, document.sample_count, rev
    row.channel_keys = [channel.key for channel in document.channels]
    row.size_bytes, row.document, row.updated_at = len(body), body, utcnow()
    if existing is None:
        db.add(row)
    db.flush()
    _flag_if_contradicted(db, lap, checked)
    return StoredTelemetry(lap.id, digest, document.sample_count, rev, "replaced" if existing else "created")


def _flag_if_contradicted(db: Session, lap: Lap, checked: telemetry_format.CheckedTelemetry) -> None:
    """Telemetry that contradicts the lap time or the track length marks the lap implausible (off the board)."""
    session = db.get(DrivingSession, lap.session_id)
    config_id = session.track_configuration_id if session is not None else None
    length = db.scalar(select(TrackConfiguration.length_m).where(TrackConfiguration.id == config_id))
    reason = telemetry_implausibility(lap.lap_time_ms, length, checked.duration_s, checked.distance_m)
    if reason is None or lap.implausible_reason is not None:
        return
    lap.implausible_reason = reason[:200]
    db.flush()
    if config_id is not None:
        recompute(db, config_id, lap.owner_id)


def telemetry_bytes(db: Session, lap: Lap) -> bytes:
    row = db.get(LapTelemetry, lap.id)
    if row is None:
        raise NotFoundError(f"Lap {lap.id} has no telemetry on the server", code="no_telemetry")
    return row.document


def load_document(db: Session, lap: Lap) -> LapTelemetryDocument:
    return LapTelemetryDocument.model_validate_json(telemetry_bytes(db, lap))


def owned_session(db: Session, user: User, session_id: uuid.UUID) -> DrivingSession:
    session = db.get(DrivingSession, session_id)
    if session is None or session.owner_id != user.id:
        raise NotFoundError(f"Session {session_id} not found")
    return session


@dataclass(frozen=True)
class ReceivedFile:
    sha256: str
    size: int
    compressed: bytes


async def receive_file(chunks: AsyncIterator[bytes], limit: int) -> ReceivedFile:
    """Hash and compress while streaming; stop as soon as the size passes the cap."""
    digest, packer, size, parts = hashlib.sha256(), zlib.compressobj(6), 0, []
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(f"File is larger than the limit of {limit / (1024 * 1024):g} MB")
        digest.update(chunk)
        parts.append(packer.compress(chunk))
    parts.append(packer.flush())
    return ReceivedFile(digest.hexdigest(), size, b"".join(parts))


def store_file(db: Session, user: User, session_id: uuid.UUID, received: ReceivedFile) -> str:
    revisions.lock_counter(db)  # serialise concurrent uploads of the same file
    session = owned_session(db, user, session_id)
    if session.file_sha256 is None:
        raise InvalidError(
            f"Session {session_id} has no file_sha256: push the session with the file's SHA-256 first",
            code="file_mismatch",
        )
    if received.sha256 != session.file_sha256:
        raise InvalidError(
            f"Uploaded file's SHA-256 {received.sha256} does not match the session's file_sha256 "
            f"{session.file_sha256}",
            code="file_mismatch",
        )
    if db.get(SessionFile, session.id) is not None:
        return "unchanged"
    db.add(
        SessionFile(
            session_id=session.id,
            owner_id=user.id,
            sha256=received.sha256,
            size_bytes=received.size,
            compressed=received.compressed,
        )
    )
    db.flush()
    return "created"


def file_chunks(db: Session, user: User, session_id: uuid.UUID) -> tuple[str | None, Iterator[bytes]]:
    session = owned_session(db, user, session_id)
    stored = db.get(SessionFile, session.id)
    if stored is None:
        raise NotFoundError(f"Session {session_id} has no original file on the server", code="no_file")
    compressed = stored.compressed

    def inflate() -> Iterator[bytes]:
        inflater = zlib.decompressobj()
        for start in range(0, len(compressed), STREAM_CHUNK):
            yield inflater.decompress(compressed[start : start + STREAM_CHUNK])
        yield inflater.flush()

    return session.file_name, inflate()
