"""What the sync engine reads and writes in the library: sync state, records waiting to be pushed, their
acknowledgement, and the server copies kept as merge bases (table sync_records).

Records are handed out as plain `LocalRecord`s in the library's own vocabulary; the sync package maps them to
the wire format. Sessions downloaded from the leaderboard (downloaded_laps) are never pushed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from racetrace_desktop.library.base import Origin, utcnow
from racetrace_desktop.library.catalog_repo import CAR_FIELDS, EVENT_FIELDS
from racetrace_desktop.library.models import Car, Event, Lap, SessionRow, SourceFile, TrackConfiguration
from racetrace_desktop.library.sync_models import SYNC_STATE_ID, DownloadedLap, SyncRecord, SyncState

RECORD_KINDS = ("car", "event", "session", "lap")  # the order references need on the server
MODELS: dict[str, Any] = {"car": Car, "event": Event, "session": SessionRow, "lap": Lap}
SESSION_FIELDS = (
    "notes", "session_type", "is_public", "recorded_at_utc", "recorded_at_local", "source_sha256", "source_name",
    "format_name", "app_version", "device", "os_name", "os_version", "gps_source", "obd_adapter", "vehicle",
    "gps_rate_hz", "row_count", "duration_s", "theoretical_best_ms", "configuration_version",
)  # fmt: skip
LAP_FIELDS = (
    "number", "lap_time_ms", "time_source", "gps_time_ms", "is_outlap", "is_inlap", "is_pit", "is_valid",
    "invalid_reason", "valid_override", "override_reason", "length_m", "sector_times_ms", "stats", "is_public",
)  # fmt: skip


@dataclass(frozen=True)
class LocalRecord:
    """One synced record as the library holds it. References are UUIDs (car/event/session) or the server id of
    the track configuration (None for a local configuration)."""

    kind: str
    uuid: uuid.UUID
    server_rev: int | None
    updated_at: datetime
    deleted: bool
    dirty: bool
    fields: dict[str, Any]


@dataclass(frozen=True)
class ServerCopy:
    """The server's copy of a record as last seen (data in wire format)."""

    kind: str
    uuid: uuid.UUID
    rev: int | None
    deleted: bool
    updated_at: datetime | None
    data: dict[str, Any]
    pending: bool = False


@dataclass(frozen=True)
class SyncStateRecord:
    server_url: str | None
    account_id: str | None
    username: str | None
    cursor: int
    last_attempt_at: datetime | None
    last_sync_at: datetime | None
    last_error: str | None
    last_counts: dict[str, Any]


# --- state ----------------------------------------------------------------------------------------------------


def _state_row(db: Session) -> SyncState:
    row = db.get(SyncState, SYNC_STATE_ID)
    if row is None:
        row = SyncState(id=SYNC_STATE_ID, cursor=0, last_counts={})
        db.add(row)
        db.flush()
    return row


def get_state(db: Session) -> SyncStateRecord:
    row = db.get(SyncState, SYNC_STATE_ID)
    if row is None:
        return SyncStateRecord(None, None, None, 0, None, None, None, {})
    return SyncStateRecord(
        row.server_url, row.account_id, row.username, row.cursor, row.last_attempt_at, row.last_sync_at,
        row.last_error, dict(row.last_counts),
    )  # fmt: skip


def bind_account(db: Session, server_url: str, account_id: str, username: str) -> None:
    row = _state_row(db)
    row.server_url, row.account_id, row.username = server_url, account_id, username


def set_cursor(db: Session, cursor: int) -> None:
    _state_row(db).cursor = cursor


def record_attempt(db: Session, error: str | None, counts: dict[str, Any]) -> None:
    """Remember how the last sync ended: the time, the error in words (None = success) and the counts."""
    row = _state_row(db)
    now = utcnow()
    row.last_attempt_at, row.last_error, row.last_counts = now, error, dict(counts)
    if error is None:
        row.last_sync_at = now


def unlink(db: Session) -> None:
    """Forget the server: every own record becomes new again (dirty, no server revision), cursor 0.

    Used before syncing the library with another account or server.
    """
    foreign = _foreign_session_ids()
    for kind in RECORD_KINDS:
        model = MODELS[kind]
        query = sa.update(model).values(dirty=True, server_rev=None)
        if kind == "session":
            query = query.where(model.id.not_in(foreign))
        elif kind == "lap":
            query = query.where(model.session_id.not_in(foreign))
        db.execute(query)
    for kind in reversed(RECORD_KINDS):  # tombstones of records the new server never had: nothing to tell it
        model = MODELS[kind]
        db.execute(sa.delete(model).where(model.deleted_at.is_not(None)))
    db.execute(sa.delete(SyncRecord))
    row = _state_row(db)
    row.server_url = row.account_id = row.username = None
    row.cursor = 0


# --- records waiting to be pushed ---------------------------------------------------------------------------


def _foreign_session_ids() -> sa.Select[int]:
    return sa.select(DownloadedLap.session_id)


def pending_count(db: Session) -> int:
    """Own records edited, created or deleted since the last acknowledged push."""
    foreign = _foreign_session_ids()
    total = 0
    for kind in RECORD_KINDS:
        model = MODELS[kind]
        query = sa.select(sa.func.count()).select_from(model).where(model.dirty.is_(True))
        if kind == "session":
            query = query.where(model.id.not_in(foreign))
        elif kind == "lap":
            query = query.where(model.session_id.not_in(foreign))
        total += db.scalar(query) or 0
    return total


def dirty_records(db: Session, kind: str) -> list[LocalRecord]:
    """Own records of `kind` waiting to be pushed (tombstones included)."""
    return _records(db, kind, MODELS[kind].dirty.is_(True))


def local_record(db: Session, kind: str, record_uuid: uuid.UUID) -> LocalRecord | None:
    records = _records(db, kind, MODELS[kind].uuid == record_uuid)
    return records[0] if records else None


def local_records(db: Session, kind: str, uuids: list[uuid.UUID]) -> dict[uuid.UUID, LocalRecord]:
    found: dict[uuid.UUID, LocalRecord] = {}
    for start in range(0, len(uuids), 500):
        for record in _records(db, kind, MODELS[kind].uuid.in_(uuids[start : start + 500])):
            found[record.uuid] = record
    return found


def _records(db: Session, kind: str, condition: sa.ColumnElement[bool]) -> list[LocalRecord]:
    if kind == "car":
        return [_record("car", car, {f: getattr(car, f) for f in CAR_FIELDS}) for car in db.scalars(
            sa.select(Car).where(condition).order_by(Car.id))]  # fmt: skip
    if kind == "event":
        return [_record("event", ev, {f: getattr(ev, f) for f in EVENT_FIELDS}) for ev in db.scalars(
            sa.select(Event).where(condition).order_by(Event.id))]  # fmt: skip
    if kind == "session":
        return _session_records(db, condition)
    return _lap_records(db, condition)


def _record(kind: str, row: Any, fields: dict[str, Any]) -> LocalRecord:
    return LocalRecord(kind, row.uuid, row.server_rev, row.updated_at, row.deleted_at is not None, row.dirty, fields)


def _session_records(db: Session, condition: sa.ColumnElement[bool]) -> list[LocalRecord]:
    car, event = aliased(Car), aliased(Event)
    query = (
        sa.select(SessionRow, TrackConfiguration.origin, TrackConfiguration.server_id, car.uuid, event.uuid,
                  SourceFile.size_bytes)
        .outerjoin(TrackConfiguration, SessionRow.track_configuration_id == TrackConfiguration.id)
        .outerjoin(car, SessionRow.car_id == car.id)
        .outerjoin(event, SessionRow.event_id == event.id)
        .outerjoin(SourceFile, SourceFile.session_id == SessionRow.id)
        .where(condition, SessionRow.id.not_in(_foreign_session_ids()))
        .order_by(SessionRow.id)
    )  # fmt: skip
    records = []
    for row, origin, server_id, car_uuid, event_uuid, size in db.execute(query):
        fields = {name: getattr(row, name) for name in SESSION_FIELDS}
        fields["session_type"] = str(row.session_type)
        fields.update(
            car_uuid=car_uuid, event_uuid=event_uuid, source_size=size,
            configuration_server_id=server_id if origin == Origin.SERVER else None,
        )  # fmt: skip
        records.append(_record("session", row, fields))
    return records


def _lap_records(db: Session, condition: sa.ColumnElement[bool]) -> list[LocalRecord]:
    query = (
        sa.select(Lap, SessionRow.uuid)
        .join(SessionRow, Lap.session_id == SessionRow.id)
        .where(condition, Lap.session_id.not_in(_foreign_session_ids()))
        .order_by(Lap.session_id, Lap.number, Lap.id)
    )
    records = []
    for lap, session_uuid in db.execute(query):
        fields = {name: getattr(lap, name) for name in LAP_FIELDS}
        fields["time_source"] = str(lap.time_source)
        fields["session_uuid"] = session_uuid
        records.append(_record("lap", lap, fields))
    return records


def mark_sent(db: Session, kind: str, uuids: list[uuid.UUID]) -> None:
    """Before a chunk leaves: records the server may now know get server_rev 0 (0 = "created by this client"),
    so that deleting one of them before the answer arrives leaves a tombstone instead of an orphan."""
    model = MODELS[kind]
    for start in range(0, len(uuids), 500):
        part = uuids[start : start + 500]
        db.execute(sa.update(model).where(model.uuid.in_(part), model.server_rev.is_(None)).values(server_rev=0))


def acknowledge(db: Session, kind: str, record_uuid: uuid.UUID, rev: int | None, sent_updated_at: datetime) -> bool:
    """The server stored this version: keep its revision; clear the dirty flag unless the row was edited again
    since it was read for the push. Returns True when the row is clean now."""
    model = MODELS[kind]
    row = db.scalars(sa.select(model).where(model.uuid == record_uuid)).first()
    if row is None:
        return True  # deleted locally meanwhile without a trace to push (it was never on the server)
    if rev is not None:
        row.server_rev = rev
    if row.updated_at == sent_updated_at:
        row.dirty = False
    return not row.dirty


def rekey(db: Session, kind: str, old: uuid.UUID, new: uuid.UUID) -> None:
    """Give a record another identity (adopt the server's UUID for the same file, or leave a UUID another
    account uses)."""
    model = MODELS[kind]
    db.execute(sa.update(model).where(model.uuid == old).values(uuid=new))
    db.execute(sa.delete(SyncRecord).where(SyncRecord.kind == kind, SyncRecord.uuid == old))


# --- server copies (merge bases) and markers ------------------------------------------------------------------


def _copy(row: SyncRecord) -> ServerCopy:
    return ServerCopy(row.kind, row.uuid, row.rev, row.deleted, row.server_updated_at, dict(row.data), row.pending)


def server_copy(db: Session, kind: str, record_uuid: uuid.UUID) -> ServerCopy | None:
    row = db.get(SyncRecord, (kind, record_uuid))
    return _copy(row) if row is not None else None


def server_copies(db: Session, kind: str, uuids: list[uuid.UUID] | None = None) -> dict[uuid.UUID, ServerCopy]:
    query = sa.select(SyncRecord).where(SyncRecord.kind == kind)
    if uuids is None:
        return {row.uuid: _copy(row) for row in db.scalars(query)}
    found: dict[uuid.UUID, ServerCopy] = {}
    for start in range(0, len(uuids), 500):
        for row in db.scalars(query.where(SyncRecord.uuid.in_(uuids[start : start + 500]))):
            found[row.uuid] = _copy(row)
    return found


def store_server_copy(db: Session, copy: ServerCopy) -> None:
    row = db.get(SyncRecord, (copy.kind, copy.uuid))
    if row is None:
        row = SyncRecord(kind=copy.kind, uuid=copy.uuid)
        db.add(row)
    row.rev, row.deleted, row.server_updated_at = copy.rev, copy.deleted, copy.updated_at
    row.data, row.pending = dict(copy.data), copy.pending


def pending_copies(db: Session) -> list[ServerCopy]:
    """Pulled records still waiting for a record they point at."""
    return [_copy(row) for row in db.scalars(sa.select(SyncRecord).where(SyncRecord.pending.is_(True)))]


def drop_server_copy(db: Session, kind: str, record_uuid: uuid.UUID) -> None:
    db.execute(sa.delete(SyncRecord).where(SyncRecord.kind == kind, SyncRecord.uuid == record_uuid))


def set_server_rev(db: Session, kind: str, record_uuid: uuid.UUID, rev: int | None) -> None:
    """Base the next push of a (still dirty) record on this server revision."""
    model = MODELS[kind]
    db.execute(sa.update(model).where(model.uuid == record_uuid).values(server_rev=rev))


def forget_server_copies(db: Session) -> None:
    """Before a full pull from cursor 0: the server answers with everything it still has."""
    db.execute(sa.delete(SyncRecord).where(SyncRecord.kind.in_(RECORD_KINDS)))


def requeue_unknown(db: Session) -> int:
    """After a full pull: own live records the server no longer has (it was reset or restored from an older
    backup) are queued again as new, so the next push restores them. Returns how many."""
    known = {(row.kind, row.uuid) for row in db.scalars(sa.select(SyncRecord).where(SyncRecord.kind.in_(RECORD_KINDS)))}
    count = 0
    for kind in RECORD_KINDS:
        for record in _records(db, kind, MODELS[kind].server_rev.is_not(None)):
            if (kind, record.uuid) not in known and not record.deleted:
                set_server_rev(db, kind, record.uuid, None)
                db.execute(sa.update(MODELS[kind]).where(MODELS[kind].uuid == record.uuid).values(dirty=True))
                count += 1
    return count


def requeue(db: Session, kind: str, record_uuid: uuid.UUID, rev: int | None) -> None:
    """Push this record again, based on server revision `rev` (the server went back to an older state)."""
    model = MODELS[kind]
    db.execute(sa.update(model).where(model.uuid == record_uuid).values(server_rev=rev, dirty=True))
