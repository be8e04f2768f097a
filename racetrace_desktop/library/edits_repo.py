"""The driver's edits of sessions and laps: notes, car, event, type, public flags, validity, deletion."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from racetrace_desktop.library import catalog_repo, sessions_repo
from racetrace_desktop.library.base import SessionType, utcnow
from racetrace_desktop.library.errors import ReadOnlyError
from racetrace_desktop.library.models import Lap, SourceFile
from racetrace_desktop.library.sync_models import DownloadedLap

SESSION_EDIT_FIELDS = ("notes", "car_uuid", "event_uuid", "session_type", "is_public")


@dataclass(frozen=True)
class SessionEdit:
    session_changed: bool
    laps_unshared: tuple[uuid.UUID, ...] = ()


def update_session(db: Session, session_uuid: uuid.UUID, **changes: Any) -> SessionEdit:
    """Apply the driver's edits; a changed row is flagged for the next push."""
    unknown = set(changes) - set(SESSION_EDIT_FIELDS)
    if unknown:
        raise ValueError(f"not editable on a session: {', '.join(sorted(unknown))}")
    row = sessions_repo.session_row(db, session_uuid)
    _refuse_downloaded(db, row.id)
    columns = _session_columns(db, changes)
    unshared = _unshare_laps(db, row.id) if columns.get("is_public") is False else ()
    if not any(getattr(row, column) != value for column, value in columns.items()):
        return SessionEdit(False, unshared)
    for column, value in columns.items():
        setattr(row, column, value)
    row.touch()
    return SessionEdit(True, unshared)


def _session_columns(db: Session, changes: dict[str, Any]) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    if "notes" in changes:
        columns["notes"] = str(changes["notes"] or "")
    if "car_uuid" in changes:
        car = changes["car_uuid"]
        columns["car_id"] = None if car is None else catalog_repo.car_id(db, car)
    if "event_uuid" in changes:
        event = changes["event_uuid"]
        columns["event_id"] = None if event is None else catalog_repo.event_id(db, event)
    if "session_type" in changes:
        try:
            columns["session_type"] = SessionType(changes["session_type"])
        except ValueError:
            choices = ", ".join(member.value for member in SessionType)
            raise ValueError(f"session type {changes['session_type']!r} is not one of {choices}") from None
    if "is_public" in changes:
        columns["is_public"] = bool(changes["is_public"])
    return columns


def _refuse_downloaded(db: Session, session_id: int) -> None:
    """Another driver's lap from the leaderboard is read-only here (it can be deleted)."""
    if db.scalar(sa.select(DownloadedLap.id).where(DownloadedLap.session_id == session_id)) is not None:
        raise ReadOnlyError("this lap was downloaded from the leaderboard and cannot be edited (delete it instead)")


def _unshare_laps(db: Session, session_id: int) -> tuple[uuid.UUID, ...]:
    """A private session cannot keep public laps."""
    query = sa.select(Lap).where(Lap.session_id == session_id, Lap.is_public.is_(True), Lap.deleted_at.is_(None))
    laps = list(db.scalars(query))
    for lap in laps:
        lap.is_public = False
        lap.touch()
    return tuple(lap.uuid for lap in laps)


def set_lap_public(db: Session, lap_uuid: uuid.UUID, public: bool) -> bool:
    """Share or unshare one lap. Only that lap: the server publishes a lap when the lap or its session is public,
    so making the session public here would share every other lap of it too."""
    lap = sessions_repo.lap_row(db, lap_uuid)
    _refuse_downloaded(db, lap.session_id)
    if lap.is_public == public:
        return False
    lap.is_public = public
    lap.touch()
    return True


def override_lap_validity(db: Session, lap_uuid: uuid.UUID, valid: bool | None, reason: str | None = None) -> bool:
    """The driver's verdict on a lap (None = back to the analysis verdict). An invalid verdict needs a reason."""
    if valid is False and not (reason and reason.strip()):
        raise ValueError("say why the lap is invalid (e.g. 'track limits', 'yellow flag')")
    lap = sessions_repo.lap_row(db, lap_uuid)
    _refuse_downloaded(db, lap.session_id)
    new_reason = reason.strip() if valid is not None and reason else None
    if lap.valid_override == valid and lap.override_reason == new_reason:
        return False
    lap.valid_override, lap.override_reason = valid, new_reason
    lap.touch()
    return True


def delete_session(db: Session, session_uuid: uuid.UUID) -> list[uuid.UUID]:
    """Remove a session with its laps, arrays and original file. Returns the removed laps' UUIDs.

    A session the server has seen stays as a tombstone (no laps, no file) so the next sync deletes it there.
    """
    row = sessions_repo.session_row(db, session_uuid)
    lap_uuids = list(db.scalars(sa.select(Lap.uuid).where(Lap.session_id == row.id, Lap.deleted_at.is_(None))))
    if row.server_rev is None:
        db.delete(row)  # ON DELETE CASCADE takes laps, arrays and the original file
    else:
        db.execute(sa.delete(Lap).where(Lap.session_id == row.id))
        db.execute(sa.delete(SourceFile).where(SourceFile.session_id == row.id))
        row.deleted_at = utcnow()
        row.touch()
    db.flush()
    return lap_uuids
