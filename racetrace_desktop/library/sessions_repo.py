"""Read queries over sessions and laps: the library list, a session's detail, its laps."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from itertools import groupby

import sqlalchemy as sa
from sqlalchemy.orm import Session

from racetrace_desktop.library.errors import RecordNotFoundError
from racetrace_desktop.library.models import Car, Event, Lap, SessionRow, SourceFile, Track, TrackConfiguration
from racetrace_desktop.library.read_models import LapRecord, SessionDetail, SessionGroup, SessionRef, SessionSummary
from racetrace_desktop.telemetry.display import best_sector_times

UNKNOWN_TRACK = "Unknown track"


def effective_valid() -> sa.ColumnElement[bool]:
    """SQL for "counts for bests": the driver's override when set, else the analysis verdict."""
    return sa.func.coalesce(Lap.valid_override, Lap.is_valid)


def _lap_totals() -> sa.Subquery:
    timed_valid = sa.and_(effective_valid().is_(True), Lap.lap_time_ms.is_not(None))
    full_lap = sa.and_(Lap.lap_time_ms.is_not(None), Lap.is_outlap.is_(False), Lap.is_inlap.is_(False))
    return (
        sa.select(
            Lap.session_id.label("session_id"),
            sa.func.count().label("lap_count"),
            sa.func.count(Lap.lap_time_ms).label("timed_lap_count"),
            sa.func.min(sa.case((timed_valid, Lap.lap_time_ms))).label("best_lap_ms"),
            sa.func.min(sa.case((full_lap, Lap.lap_time_ms))).label("fastest_flagged_ms"),
        )
        .where(Lap.deleted_at.is_(None))
        .group_by(Lap.session_id)
        .subquery()
    )


# One summary row: the session, then its track, configuration, car and event (outer-joined, so any may be NULL), then
# lap count, timed lap count, best valid lap and fastest flagged lap (milliseconds).
_SummaryQuery = sa.Select[
    SessionRow, int | None, str | None, int | None, str | None, Car | None, uuid.UUID | None, str | None,
    int, int, int | None, int | None,
]
_SummaryRow = sa.Row[
    SessionRow, int | None, str | None, int | None, str | None, Car | None, uuid.UUID | None, str | None,
    int, int, int | None, int | None,
]


def _summary_query() -> _SummaryQuery:
    totals = _lap_totals()
    return (
        sa.select(
            SessionRow, Track.id, Track.name, TrackConfiguration.id, TrackConfiguration.name,
            Car, Event.uuid, Event.name,
            sa.func.coalesce(totals.c.lap_count, 0), sa.func.coalesce(totals.c.timed_lap_count, 0),
            totals.c.best_lap_ms, totals.c.fastest_flagged_ms,
        )
        .outerjoin(TrackConfiguration, SessionRow.track_configuration_id == TrackConfiguration.id)
        .outerjoin(Track, TrackConfiguration.track_id == Track.id)
        .outerjoin(Car, SessionRow.car_id == Car.id)
        .outerjoin(Event, SessionRow.event_id == Event.id)
        .outerjoin(totals, totals.c.session_id == SessionRow.id)
        .where(SessionRow.deleted_at.is_(None))
    )  # fmt: skip


def _summary(row: _SummaryRow) -> SessionSummary:
    session, track_id, track_name, config_id, config_name, car, event_uuid, event_name, laps, timed, best, fastest = row
    return SessionSummary(
        uuid=session.uuid,
        source_name=session.source_name,
        track_id=track_id,
        track_name=track_name,
        configuration_id=config_id,
        configuration_name=config_name,
        car_uuid=car.uuid if car else None,
        car_name=_car_name(car),
        event_uuid=event_uuid,
        event_name=event_name,
        session_type=str(session.session_type),
        recorded_at_utc=session.recorded_at_utc,
        recorded_at_local=session.recorded_at_local,
        vehicle=session.vehicle,
        lap_count=int(laps),
        timed_lap_count=int(timed),
        best_lap_ms=best,
        is_public=session.is_public,
        fastest_full_lap_ms=fastest,
    )


def _car_name(car: Car | None) -> str | None:
    if car is None:
        return None
    return " ".join(part for part in (str(car.year) if car.year else "", car.make, car.model) if part) or "Unnamed car"


def list_sessions(db: Session, configuration_id: int | None = None) -> list[SessionSummary]:
    """Every live session, newest first (optionally of one track configuration)."""
    query = _summary_query()
    if configuration_id is not None:
        query = query.where(SessionRow.track_configuration_id == configuration_id)
    query = query.order_by(SessionRow.recorded_at_utc.desc().nulls_last(), SessionRow.id.desc())
    return [_summary(row) for row in db.execute(query)]


def group_by_track_and_day(sessions: Sequence[SessionSummary]) -> list[SessionGroup]:
    """Groups for the library panel: tracks by name, then days newest first (undated last)."""

    def track_of(summary: SessionSummary) -> str:
        return summary.track_name or UNKNOWN_TRACK

    newest_first = sorted(sessions, key=lambda s: s.day or date.min, reverse=True)
    ordered = sorted(newest_first, key=lambda s: track_of(s).lower())
    return [
        SessionGroup(track_name=track, day=day, sessions=tuple(members))
        for (track, day), members in groupby(ordered, key=lambda s: (track_of(s), s.day))
    ]


def session_row(db: Session, session_uuid: uuid.UUID) -> SessionRow:
    row = db.scalars(
        sa.select(SessionRow).where(SessionRow.uuid == session_uuid, SessionRow.deleted_at.is_(None))
    ).first()
    if row is None:
        raise RecordNotFoundError("session", session_uuid)
    return row


def session_summary(db: Session, session_uuid: uuid.UUID) -> SessionSummary:
    row = db.execute(_summary_query().where(SessionRow.uuid == session_uuid)).first()
    if row is None:
        raise RecordNotFoundError("session", session_uuid)
    return _summary(row)


def session_detail(db: Session, session_uuid: uuid.UUID) -> SessionDetail:
    summary = session_summary(db, session_uuid)
    row = session_row(db, session_uuid)
    size = db.scalar(sa.select(SourceFile.size_bytes).where(SourceFile.session_id == row.id))
    return SessionDetail(
        summary=summary, notes=row.notes, format_name=row.format_name, app_version=row.app_version,
        os_name=row.os_name, os_version=row.os_version, device=row.device, vehicle_tune=row.vehicle_tune,
        gps_source=row.gps_source, obd_adapter=row.obd_adapter, units=row.units, row_count=row.row_count,
        duration_s=row.duration_s, gps_rate_hz=row.gps_rate_hz, theoretical_best_ms=row.theoretical_best_ms,
        sector_boundaries_m=tuple(row.sector_boundaries_m), warnings=tuple(row.analysis_warnings),
        file_metadata=dict(row.file_metadata), source_sha256=row.source_sha256, source_size_bytes=size,
        configuration_version=row.configuration_version, updated_at=row.updated_at, dirty=row.dirty,
        server_rev=row.server_rev,
    )  # fmt: skip


def _lap_record(lap: Lap, session_uuid: uuid.UUID) -> LapRecord:
    overridden = lap.valid_override is not None
    valid = bool(lap.valid_override) if overridden else lap.is_valid
    reason = (lap.override_reason or "marked invalid") if overridden and not valid else None
    return LapRecord(
        uuid=lap.uuid, session_uuid=session_uuid, number=lap.number, lap_time_ms=lap.lap_time_ms,
        time_source=str(lap.time_source), gps_time_ms=lap.gps_time_ms, start_s=lap.start_s, end_s=lap.end_s,
        row_count=lap.row_end - lap.row_start, is_outlap=lap.is_outlap, is_inlap=lap.is_inlap, is_pit=lap.is_pit,
        is_valid=valid, invalid_reason=reason if overridden else lap.invalid_reason,
        computed_valid=lap.is_valid, computed_reason=lap.invalid_reason, valid_override=lap.valid_override,
        override_reason=lap.override_reason, sector_times_ms=tuple(lap.sector_times_ms), stats=dict(lap.stats),
        length_m=lap.length_m, is_public=lap.is_public,
    )  # fmt: skip


def session_laps(db: Session, session_uuid: uuid.UUID) -> list[LapRecord]:
    """The laps of a session in order, with sector times and effective validity."""
    row = session_row(db, session_uuid)
    laps = db.scalars(
        sa.select(Lap).where(Lap.session_id == row.id, Lap.deleted_at.is_(None)).order_by(Lap.number, Lap.start_s)
    )
    return [_lap_record(lap, session_uuid) for lap in laps]


def configuration_sector_bests(db: Session, configuration_id: int) -> list[int | None]:
    """Best valid time of each sector over every live session of a track configuration, in one query."""
    query = (
        sa.select(Lap.sector_times_ms)
        .join(SessionRow, Lap.session_id == SessionRow.id)
        .where(SessionRow.track_configuration_id == configuration_id, SessionRow.deleted_at.is_(None),
               Lap.deleted_at.is_(None), effective_valid().is_(True))
    )  # fmt: skip
    return best_sector_times(times or [] for times in db.scalars(query))


def lap_row(db: Session, lap_uuid: uuid.UUID) -> Lap:
    lap = db.scalars(sa.select(Lap).where(Lap.uuid == lap_uuid, Lap.deleted_at.is_(None))).first()
    if lap is None:
        raise RecordNotFoundError("lap", lap_uuid)
    return lap


def lap_record(db: Session, lap_uuid: uuid.UUID) -> LapRecord:
    lap = lap_row(db, lap_uuid)
    session_uuid = db.scalar(sa.select(SessionRow.uuid).where(SessionRow.id == lap.session_id))
    assert session_uuid is not None
    return _lap_record(lap, session_uuid)


def _ref(row: SessionRow) -> SessionRef:
    return SessionRef(row.id, row.uuid, row.source_name, row.track_configuration_id)


def session_ref(db: Session, session_uuid: uuid.UUID) -> SessionRef:
    return _ref(session_row(db, session_uuid))


def sessions_on_configuration(db: Session, configuration_id: int) -> list[SessionRef]:
    query = sa.select(SessionRow).where(
        SessionRow.track_configuration_id == configuration_id, SessionRow.deleted_at.is_(None)
    )
    return [_ref(row) for row in db.scalars(query.order_by(SessionRow.id))]
