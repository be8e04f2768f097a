"""Track reads and admin writes. Writes lock the revision counter like any synced write."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from sync_server.db import utcnow
from sync_server.errors import NotFoundError
from sync_server.models import Track, TrackConfiguration
from sync_server.sync import revisions
from sync_server.tracks import repository
from sync_server.tracks.schemas import (
    ConfigurationFields,
    ConfigurationOut,
    ConfigurationUpdate,
    TrackCreate,
    TrackOut,
    TrackUpdate,
)


def track_out(track: Track, configurations: list[TrackConfiguration]) -> TrackOut:
    configs = [ConfigurationOut.model_validate(c) for c in configurations if c.deleted_at is None]
    return TrackOut(
        id=track.id,
        name=track.name,
        country=track.country,
        city=track.city,
        rev=track.rev,
        updated_at=track.updated_at,
        configurations=configs,
    )


def list_tracks(db: Session) -> list[TrackOut]:
    tracks = repository.live_tracks(db)
    configs = _configurations_by_track(db, [t.id for t in tracks])
    return [track_out(track, configs.get(track.id, [])) for track in tracks]


def get_track(db: Session, track_id: uuid.UUID) -> TrackOut:
    track = _live_track(db, track_id)
    return track_out(track, _configurations_by_track(db, [track.id]).get(track.id, []))


def get_configuration(db: Session, config_id: uuid.UUID) -> TrackConfiguration:
    config = db.get(TrackConfiguration, config_id, populate_existing=True)
    if config is None or config.deleted_at is not None:
        raise NotFoundError(f"Track configuration {config_id} not found")
    return config


def create_track(db: Session, data: TrackCreate) -> TrackOut:
    revisions.lock_counter(db)
    track = Track(name=data.name, country=data.country, city=data.city, rev=revisions.allocate(db, 1)[0])
    db.add(track)
    db.flush()
    for fields in data.configurations:
        _new_configuration(db, track, fields)
    db.flush()
    return get_track(db, track.id)


def update_track(db: Session, track_id: uuid.UUID, changes: TrackUpdate) -> TrackOut:
    revisions.lock_counter(db)  # before reading: concurrent admin edits must not overwrite each other
    track = _live_track(db, track_id)
    if _apply(track, changes):
        track.rev = revisions.allocate(db, 1)[0]
        track.updated_at = utcnow()
    db.flush()
    return get_track(db, track.id)


def delete_track(db: Session, track_id: uuid.UUID) -> None:
    revisions.lock_counter(db)
    track = _live_track(db, track_id)
    configs = _configurations_by_track(db, [track.id]).get(track.id, [])
    live = [c for c in configs if c.deleted_at is None]
    revs = revisions.allocate(db, 1 + len(live))
    now = utcnow()
    rows: list[Track | TrackConfiguration] = [*live, track]
    for row, rev in zip(rows, revs, strict=True):
        row.deleted_at, row.rev, row.updated_at = now, rev, now


def add_configuration(db: Session, track_id: uuid.UUID, fields: ConfigurationFields) -> ConfigurationOut:
    revisions.lock_counter(db)
    track = _live_track(db, track_id)
    config = _new_configuration(db, track, fields)
    db.flush()
    return ConfigurationOut.model_validate(config)


def update_configuration(db: Session, config_id: uuid.UUID, changes: ConfigurationUpdate) -> ConfigurationOut:
    revisions.lock_counter(db)
    config = get_configuration(db, config_id)
    corners_changed = False
    if changes.corners is not None and config.corners != (corners := [c.model_dump() for c in changes.corners]):
        config.corners, corners_changed = corners, True
    timing_changed = _apply(config, changes, skip={"corners"})
    if timing_changed:
        config.version += 1  # laps timed before it are on an older definition; corners do not time laps
    if timing_changed or corners_changed:
        config.rev = revisions.allocate(db, 1)[0]
        config.updated_at = utcnow()
    db.flush()
    return ConfigurationOut.model_validate(config)


def delete_configuration(db: Session, config_id: uuid.UUID) -> None:
    revisions.lock_counter(db)
    config = get_configuration(db, config_id)
    config.rev = revisions.allocate(db, 1)[0]
    config.deleted_at = config.updated_at = utcnow()


def _new_configuration(db: Session, track: Track, fields: ConfigurationFields) -> TrackConfiguration:
    values = fields.model_dump()
    config = TrackConfiguration(track_id=track.id, rev=revisions.allocate(db, 1)[0], **values)
    db.add(config)
    return config


def _apply(row: Any, changes: BaseModel, skip: set[str] | None = None) -> bool:
    """Set the fields the client sent; True when anything actually changed."""
    changed = False
    for name, value in changes.model_dump(exclude_unset=True, exclude=skip).items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _live_track(db: Session, track_id: uuid.UUID) -> Track:
    track = db.get(Track, track_id, populate_existing=True)
    if track is None or track.deleted_at is not None:
        raise NotFoundError(f"Track {track_id} not found")
    return track


def _configurations_by_track(db: Session, track_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[TrackConfiguration]]:
    grouped: dict[uuid.UUID, list[TrackConfiguration]] = {}
    if not track_ids:
        return grouped
    for config in repository.configurations_of(db, track_ids):
        grouped.setdefault(config.track_id, []).append(config)
    return grouped
