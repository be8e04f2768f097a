"""Sessions to re-lap on shared (server) track configurations, for the sync engine and the UI:

- adopt: a session on a local configuration whose start/finish lies within tolerance of a server configuration
  (imported before the server's configurations were pulled) moves to it;
- edited: a session on a server configuration whose version is newer than the one that timed its laps;
- pulled: a session whose configuration a pull changed (another device re-lapped it) is re-lapped here from its
  original too, keeping the pulled laps' identities, so its arrays match its laps again.

Only own sessions with their original file here can be re-lapped. A local configuration (and then its track) that
the moves leave without sessions is removed, so the driver does not see two copies of one circuit.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from racetrace_desktop.library import tracks_repo
from racetrace_desktop.library.base import Origin
from racetrace_desktop.library.models import Lap, SessionRow, SourceFile, Track, TrackConfiguration
from racetrace_desktop.library.read_models import ConfigurationRecord, SessionRef
from racetrace_desktop.library.sync_models import DownloadedLap, SyncRecord

RELAP_MARKER = "session_relap"  # sync_records kind: a pull changed the configuration that timed these laps


class RelapReason(enum.StrEnum):
    ADOPT = "adopt"
    EDITED = "edited"
    PULLED = "pulled"


@dataclass(frozen=True)
class PlannedRelap:
    session: SessionRef  # as planned; the configuration it is on now
    target: ConfigurationRecord  # the configuration to lap it on
    reason: RelapReason
    leaves_configuration_id: int | None = None  # a local configuration to remove once no session uses it

    @property
    def keeps_pulled_laps(self) -> bool:
        """The laps here came from the device that re-lapped: align on them rather than on the old analysis."""
        return self.reason == RelapReason.PULLED


@dataclass(frozen=True)
class LapSpan:
    """Where a freshly analysed lap lies in its session (the columns that never travel)."""

    number: int
    start_s: float
    end_s: float | None
    row_start: int
    row_end: int


def _relappable() -> sa.Select[SessionRow]:
    """Own live sessions whose original file is in the library."""
    return (
        sa.select(SessionRow)
        .join(SourceFile, SourceFile.session_id == SessionRow.id)
        .where(SessionRow.deleted_at.is_(None), SessionRow.id.not_in(sa.select(DownloadedLap.session_id)))
        .order_by(SessionRow.id)
    )


def _ref(row: SessionRow) -> SessionRef:
    return SessionRef(row.id, row.uuid, row.source_name, row.track_configuration_id)


def sessions_to_adopt(db: Session, tolerance_m: float) -> list[PlannedRelap]:
    """Sessions on local configurations whose start/finish is within `tolerance_m` of a server configuration
    (the nearest one; a server configuration wins the track matching)."""
    local = _relappable().join(TrackConfiguration, SessionRow.track_configuration_id == TrackConfiguration.id)
    rows = list(db.scalars(local.where(TrackConfiguration.origin == Origin.LOCAL)))
    targets: dict[int, ConfigurationRecord | None] = {}
    plans = []
    for row in rows:
        config_id = row.track_configuration_id
        assert config_id is not None
        if config_id not in targets:
            config = tracks_repo.configuration_row(db, config_id)
            near = tracks_repo.nearest_configuration(
                db, np.array([config.start_lat]), np.array([config.start_lon]), tolerance_m
            )
            targets[config_id] = near if near is not None and near.origin == Origin.SERVER else None
        target = targets[config_id]
        if target is not None:
            plans.append(PlannedRelap(_ref(row), target, RelapReason.ADOPT, config_id))
    return plans


def sessions_on_edited_configurations(db: Session) -> list[PlannedRelap]:
    """Sessions on server configurations whose laps were timed with another version than the cached one."""
    query = (
        _relappable()
        .join(TrackConfiguration, SessionRow.track_configuration_id == TrackConfiguration.id)
        .where(
            TrackConfiguration.origin == Origin.SERVER,
            sa.or_(SessionRow.configuration_version.is_(None),
                   SessionRow.configuration_version != TrackConfiguration.version),
        )
    )  # fmt: skip
    return [_planned(db, row, RelapReason.EDITED) for row in db.scalars(query)]


def sessions_relapped_elsewhere(db: Session) -> list[PlannedRelap]:
    """Sessions marked by a pull that can be re-lapped here (own, live, on a configuration, original here)."""
    marked = {m.uuid: m.data for m in db.scalars(sa.select(SyncRecord).where(SyncRecord.kind == RELAP_MARKER))}
    if not marked:
        return []
    query = _relappable().where(SessionRow.uuid.in_(list(marked)), SessionRow.track_configuration_id.is_not(None))
    return [_planned(db, row, RelapReason.PULLED, marked[row.uuid].get("previous_configuration_id"))
            for row in db.scalars(query)]  # fmt: skip


def forget_stale_relaps(db: Session) -> None:
    """Drop the markers of sessions that cannot be re-lapped here any more (deleted, or left without a track)."""
    live = {plan.session.uuid for plan in sessions_relapped_elsewhere(db)}
    for session_uuid in db.scalars(sa.select(SyncRecord.uuid).where(SyncRecord.kind == RELAP_MARKER)).all():
        if session_uuid not in live:
            forget_relap(db, session_uuid)


def _planned(db: Session, row: SessionRow, reason: RelapReason, leaves: int | None = None) -> PlannedRelap:
    assert row.track_configuration_id is not None
    return PlannedRelap(_ref(row), tracks_repo.get_configuration(db, row.track_configuration_id), reason, leaves)


def planned_relaps(db: Session, tolerance_m: float) -> list[PlannedRelap]:
    """Every session to re-lap, once each (a pull's marker first: it must keep the pulled laps)."""
    plans: dict[uuid.UUID, PlannedRelap] = {}
    for plan in (*sessions_relapped_elsewhere(db), *sessions_on_edited_configurations(db),
                 *sessions_to_adopt(db, tolerance_m)):  # fmt: skip
        plans.setdefault(plan.session.uuid, plan)
    return list(plans.values())


def align_pulled_laps(db: Session, session_id: int, spans: Iterable[LapSpan]) -> None:
    """Before re-lapping a session that another device re-lapped: its laps as pulled (known to the server) are that
    device's analysis of the same file, so lap n takes the span of the fresh lap n; the re-lap then keeps their
    identities (and pushes nothing new) instead of dropping them for new ones."""
    by_number = {span.number: span for span in spans}
    laps = db.scalars(
        sa.select(Lap).where(Lap.session_id == session_id, Lap.deleted_at.is_(None), Lap.server_rev.is_not(None))
        .order_by(Lap.number, Lap.id)
    )  # fmt: skip
    seen: set[int] = set()
    for lap in laps:
        span = by_number.get(lap.number)
        if span is None or lap.number in seen:
            continue
        seen.add(lap.number)
        lap.start_s, lap.end_s, lap.row_start, lap.row_end = span.start_s, span.end_s, span.row_start, span.row_end
    db.flush()


def note_pulled_configuration(db: Session, row: SessionRow, previous_configuration_id: int | None) -> None:
    """A pull moved an own session to another server configuration or version: its laps here were timed on the
    previous one, so mark it for a re-lap from its original (when the original is here)."""
    if row.id is None or db.get(SyncRecord, (RELAP_MARKER, row.uuid)) is not None:
        return
    if db.scalar(sa.select(SourceFile.id).where(SourceFile.session_id == row.id)) is None:
        return
    data = {"previous_configuration_id": previous_configuration_id}
    db.add(SyncRecord(kind=RELAP_MARKER, uuid=row.uuid, rev=None, deleted=False, data=data, pending=False))


def forget_relap(db: Session, session_uuid: uuid.UUID) -> None:
    db.execute(sa.delete(SyncRecord).where(SyncRecord.kind == RELAP_MARKER, SyncRecord.uuid == session_uuid))


def remove_unused_local_configuration(db: Session, configuration_id: int | None) -> str | None:
    """Remove a local configuration no live session uses any more, and its track when it has no other layout.
    Returns the removed track's name (None when nothing was removed)."""
    config = db.get(TrackConfiguration, configuration_id) if configuration_id is not None else None
    if config is None or config.origin != Origin.LOCAL:
        return None
    used = sa.select(SessionRow.id).where(SessionRow.track_configuration_id == config.id,
                                          SessionRow.deleted_at.is_(None))  # fmt: skip
    if db.scalar(used.limit(1)) is not None:
        return None
    track = db.get_one(Track, config.track_id)
    db.delete(config)
    db.flush()
    layouts = db.scalar(sa.select(sa.func.count()).where(TrackConfiguration.track_id == track.id)) or 0
    if layouts or track.origin != Origin.LOCAL:
        return None
    name = track.name
    db.delete(track)
    db.flush()
    return name
