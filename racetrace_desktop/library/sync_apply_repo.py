"""Applying pulled server records to the library: own records from other devices, tombstones, and the shared
tracks and configurations (cached as read-only server configurations).

Fields arrive in the library's vocabulary (see sync_repo.LocalRecord); applying never marks a row dirty unless
the caller says so (a merge that still holds local changes).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from racetrace_desktop.library import lapdata_repo, sync_tracks_repo, tracks_repo
from racetrace_desktop.library.base import Origin, SessionType, TimeSource, utcnow
from racetrace_desktop.library.catalog_repo import CAR_FIELDS, EVENT_FIELDS
from racetrace_desktop.library.models import Car, Event, Lap, SessionRow, SourceFile, Track, TrackConfiguration
from racetrace_desktop.library.sync_models import DownloadedLap
from racetrace_desktop.library.sync_repo import MODELS, SESSION_FIELDS

LAP_COPIED = (
    "number", "lap_time_ms", "gps_time_ms", "is_outlap", "is_inlap", "is_pit", "length_m", "sector_times_ms",
    "stats", "is_public",
)  # fmt: skip


def apply_record(
    db: Session, kind: str, record_uuid: uuid.UUID, fields: dict[str, Any], server_rev: int | None,
    updated_at: datetime, dirty: bool,
) -> list[str]:  # fmt: skip
    """Create or update an own record from server data. Returns the references that could not be resolved yet
    (the record is stored without them, or not at all for a lap whose session is missing)."""
    row: Lap | SessionRow | Car | Event | None
    if kind == "lap":
        row, missing = _lap_row(db, record_uuid, fields)
        if row is None:
            return missing
    else:
        model = MODELS[kind]
        row = db.scalars(sa.select(model).where(model.uuid == record_uuid)).first()
        missing = []
        if kind == "car":
            row = _set_plain(db, row, Car, record_uuid, fields, CAR_FIELDS)
        elif kind == "event":
            row = _set_plain(db, row, Event, record_uuid, fields, EVENT_FIELDS)
        else:
            row, missing = _session(db, row, record_uuid, fields)
    row.deleted_at = None
    row.server_rev, row.updated_at, row.dirty = server_rev, updated_at, dirty
    db.flush()
    return missing


def _set_plain(
    db: Session, row: Any, model: Any, record_uuid: uuid.UUID, fields: dict[str, Any], names: tuple[str, ...]
) -> Any:
    if row is None:
        row = model(uuid=record_uuid)
        db.add(row)
    for name in names:
        if name in fields:
            value = fields[name]
            setattr(row, name, "" if value is None and name == "notes" else value)
    return row


def _live_id(db: Session, model: Any, record_uuid: uuid.UUID | None) -> int | None:
    if record_uuid is None:
        return None
    return db.scalar(sa.select(model.id).where(model.uuid == record_uuid, model.deleted_at.is_(None)))


def _session(
    db: Session, row: SessionRow | None, record_uuid: uuid.UUID, fields: dict[str, Any]
) -> tuple[SessionRow, list[str]]:
    if row is None:
        sha = fields.get("source_sha256") or f"server:{record_uuid.hex}"
        row = SessionRow(uuid=record_uuid, source_sha256=sha, source_name="", format_name="")
        db.add(row)
    missing: list[str] = []
    for name in SESSION_FIELDS:
        if name in fields and name not in ("session_type", "configuration_version", "source_sha256"):
            setattr(row, name, fields[name])
    if fields.get("source_sha256"):
        row.source_sha256 = fields["source_sha256"]
    row.notes = row.notes or ""
    try:
        row.session_type = SessionType(fields.get("session_type") or SessionType.PRACTICE)
    except ValueError:
        row.session_type = SessionType.OTHER
    for name, model, column in (("car_uuid", Car, "car_id"), ("event_uuid", Event, "event_id")):
        target = _live_id(db, model, fields.get(name))
        if target is None and fields.get(name) is not None:
            missing.append(f"{name[:-5]} {fields[name]}")
        setattr(row, column, target)
    missing.extend(_session_configuration(db, row, fields))
    return row, missing


def _session_configuration(db: Session, row: SessionRow, fields: dict[str, Any]) -> list[str]:
    server_id = fields.get("configuration_server_id")
    if server_id is None:
        current = db.get(TrackConfiguration, row.track_configuration_id) if row.track_configuration_id else None
        if current is not None and current.origin == Origin.LOCAL:
            return []  # a local configuration never travels: the server's null means "not a shared track"
        row.track_configuration_id, row.configuration_version = None, fields.get("configuration_version")
        return []
    config_id = db.scalar(sa.select(TrackConfiguration.id).where(TrackConfiguration.server_id == server_id))
    timed_on = (row.track_configuration_id, row.configuration_version)
    row.track_configuration_id, row.configuration_version = config_id, fields.get("configuration_version")
    if config_id is not None and timed_on != (config_id, row.configuration_version):
        sync_tracks_repo.note_pulled_configuration(db, row, timed_on[0])  # re-lapped elsewhere: re-lap here too
    return [] if config_id is not None else [f"track configuration {server_id}"]


def _lap_row(db: Session, lap_uuid: uuid.UUID, fields: dict[str, Any]) -> tuple[Lap | None, list[str]]:
    session_uuid = fields["session_uuid"]
    session = db.scalars(sa.select(SessionRow).where(SessionRow.uuid == session_uuid)).first()
    if session is None or session.deleted_at is not None:
        return None, [f"session {session_uuid}"]
    row = db.scalars(sa.select(Lap).where(Lap.uuid == lap_uuid)).first()
    if row is None:
        lap_time = fields.get("lap_time_ms")
        row = Lap(uuid=lap_uuid, session_id=session.id, start_s=0.0, row_start=0, row_end=0,
                  end_s=None if lap_time is None else lap_time / 1000.0,
                  is_valid=fields["valid"], invalid_reason=fields["reason"])  # fmt: skip
        db.add(row)
    row.session_id = session.id
    for name in LAP_COPIED:
        setattr(row, name, fields[name])
    try:
        row.time_source = TimeSource(fields.get("time_source") or TimeSource.NONE)
    except ValueError:
        row.time_source = TimeSource.NONE
    # The wire carries the effective verdict; it becomes an override only where it differs from the analysis.
    if fields["valid"] == row.is_valid and fields["reason"] == row.invalid_reason:
        row.valid_override, row.override_reason = None, None
    else:
        row.valid_override, row.override_reason = fields["valid"], fields["reason"]
    return row, []


def apply_tombstone(db: Session, kind: str, record_uuid: uuid.UUID, server_rev: int | None) -> None:
    """The record was deleted on another device: delete it here too (a clean tombstone stays)."""
    model = MODELS[kind]
    row = db.scalars(sa.select(model).where(model.uuid == record_uuid)).first()
    if row is None:
        return
    if kind in ("car", "event"):
        column = SessionRow.car_id if kind == "car" else SessionRow.event_id
        db.execute(sa.update(SessionRow).where(column == row.id).values({column.key: None}))
    elif kind == "session":
        lap_ids = list(db.scalars(sa.select(Lap.id).where(Lap.session_id == row.id)))
        lapdata_repo.delete_lap_arrays(db, lap_ids)
        db.execute(sa.delete(Lap).where(Lap.session_id == row.id))
        db.execute(sa.delete(SourceFile).where(SourceFile.session_id == row.id))
    else:
        lapdata_repo.delete_lap_arrays(db, [row.id])
    row.deleted_at = row.deleted_at or utcnow()
    row.server_rev, row.dirty = server_rev, False
    db.flush()


def session_uuid_by_sha(db: Session, sha256: str) -> uuid.UUID | None:
    """An own session (live or tombstone) holding this original file."""
    return db.scalar(
        sa.select(SessionRow.uuid).where(
            SessionRow.source_sha256 == sha256, SessionRow.id.not_in(sa.select(DownloadedLap.session_id))
        )
    )


def unsynced_lap_with_number(db: Session, session_uuid: uuid.UUID, number: int) -> uuid.UUID | None:
    """A live lap of the session that the server has never seen, with this number (to adopt the server's UUID
    when two devices imported the same file)."""
    return db.scalar(
        sa.select(Lap.uuid)
        .join(SessionRow, Lap.session_id == SessionRow.id)
        .where(SessionRow.uuid == session_uuid, Lap.number == number, Lap.server_rev.is_(None),
               Lap.deleted_at.is_(None))
        .limit(1)
    )  # fmt: skip


def unsynced_car_like(db: Session, make: str, model: str, year: int | None) -> uuid.UUID | None:
    """A live car the server has never seen with this make, model and year (case-insensitive): the same car
    created here from a file's Vehicle line, to adopt the server's UUID instead of keeping a second copy."""
    return db.scalar(
        sa.select(Car.uuid)
        .where(sa.func.lower(Car.make) == make.lower(), sa.func.lower(Car.model) == model.lower(),
               Car.year.is_(None) if year is None else Car.year == year,
               Car.server_rev.is_(None), Car.deleted_at.is_(None))
        .order_by(Car.id)
        .limit(1)
    )  # fmt: skip


# --- shared tracks and configurations -------------------------------------------------------------------------


def apply_track(db: Session, server_id: str, fields: dict[str, Any], deleted: bool) -> None:
    track = db.scalars(sa.select(Track).where(Track.server_id == server_id)).first()
    if deleted:
        if track is not None:  # keep it for the sessions on it, as an ordinary local track
            track.origin, track.server_id = Origin.LOCAL, None
        return
    if track is None:
        track = Track(server_id=server_id, origin=Origin.SERVER, name=fields["name"])
        db.add(track)
    track.name, track.country, track.city = fields["name"], fields.get("country"), fields.get("city")
    track.updated_at = utcnow()
    db.flush()


def apply_configuration(db: Session, server_id: str, fields: dict[str, Any], deleted: bool) -> list[str]:
    """Cache a server configuration (read-only here). Returns the missing track when it has not arrived yet."""
    config = db.scalars(sa.select(TrackConfiguration).where(TrackConfiguration.server_id == server_id)).first()
    if deleted:
        if config is not None:  # sessions keep their laps; the layout stays as a local one
            config.origin, config.server_id = Origin.LOCAL, None
        return []
    track_id = db.scalar(sa.select(Track.id).where(Track.server_id == fields["track_server_id"]))
    if track_id is None:
        return [f"track {fields['track_server_id']}"]
    if config is None:
        config = TrackConfiguration(server_id=server_id, origin=Origin.SERVER)
        db.add(config)
    config.track_id = track_id
    for name in ("name", "start_lat", "start_lon", "start_heading_deg", "gate_width_m", "num_sectors",
                 "sector_gates", "length_m", "version"):  # fmt: skip
        setattr(config, name, fields[name])
    config.updated_at = utcnow()
    db.flush()
    if fields.get("corners"):  # the server's numbering wins; without any, a local detection stays
        tracks_repo.store_corners(db, config.id, fields["corners"])
    return []
