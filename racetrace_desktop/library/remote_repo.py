"""Server-side things the library keeps for the sync engine: which laps' arrays and which original files still
have to go up, arrays that came down, the leaderboard cache and laps downloaded from the leaderboard."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from racetrace_desktop.library import lapdata_repo, tracks_repo
from racetrace_desktop.library.base import Origin, SessionType, TimeSource, utcnow
from racetrace_desktop.library.errors import RecordNotFoundError
from racetrace_desktop.library.models import Lap, LapChannel, SessionRow, SourceFile, Track, TrackConfiguration
from racetrace_desktop.library.read_models import ConfigurationRecord
from racetrace_desktop.library.sync_models import DownloadedLap, LeaderboardCache
from racetrace_desktop.library.sync_repo import ServerCopy, server_copies
from racetrace_desktop.telemetry.model import ChannelInfo, LapData

DOWNLOAD_NAMESPACE = uuid.UUID("6f1d3c1e-2b7a-4d55-9a43-8f4f5d1b0c21")  # local sessions holding downloaded laps


@dataclass(frozen=True)
class UploadCandidate:
    lap_uuid: uuid.UUID
    updated_at: datetime
    public: bool
    marker: ServerCopy | None  # what the server is known to hold for this lap (None: nothing)


@dataclass(frozen=True)
class DownloadedLapRecord:
    lap_uuid: uuid.UUID
    session_uuid: uuid.UUID  # the local read-only session holding it
    driver_id: str
    driver_name: str
    configuration_server_id: str
    lap_time_ms: int | None
    downloaded_at: datetime
    entry: dict[str, Any]


def _foreign() -> sa.Select[int]:
    return sa.select(DownloadedLap.session_id)


def _has_arrays() -> sa.Exists:
    return sa.exists(sa.select(LapChannel.id).where(LapChannel.lap_id == Lap.id))


def _own_live_laps() -> sa.Select[uuid.UUID, datetime, bool, bool]:
    return (
        sa.select(Lap.uuid, Lap.updated_at, Lap.is_public, SessionRow.is_public)
        .join(SessionRow, Lap.session_id == SessionRow.id)
        .where(Lap.deleted_at.is_(None), SessionRow.deleted_at.is_(None), SessionRow.id.not_in(_foreign()))
    )


def telemetry_upload_candidates(db: Session, include_private: bool) -> list[UploadCandidate]:
    """Own laps on the server with arrays here whose arrays the server may not have in this version."""
    markers = server_copies(db, "lap_telemetry")
    query = _own_live_laps().where(Lap.server_rev > 0, _has_arrays())
    candidates = []
    for lap_uuid, updated_at, lap_public, session_public in db.execute(query):
        public = bool(lap_public or session_public)
        marker = markers.get(lap_uuid)
        if (public or include_private) and (marker is None or marker.data.get("local_updated_at") != stamp(updated_at)):
            candidates.append(UploadCandidate(lap_uuid, updated_at, public, marker))
    return candidates


def stamp(moment: datetime) -> str:
    return moment.isoformat()


def laps_missing_arrays(db: Session) -> list[uuid.UUID]:
    """Own laps whose arrays the server holds but this library does not (pulled from another device)."""
    markers = server_copies(db, "lap_telemetry")
    query = _own_live_laps().where(~_has_arrays())
    return [lap_uuid for lap_uuid, *_ in db.execute(query) if lap_uuid in markers and not markers[lap_uuid].deleted]


def has_arrays(db: Session, lap_uuid: uuid.UUID) -> bool:
    return bool(db.scalar(sa.select(_has_arrays()).where(Lap.uuid == lap_uuid, Lap.deleted_at.is_(None))))


def lap_updated_at(db: Session, lap_uuid: uuid.UUID) -> datetime:
    moment = db.scalar(sa.select(Lap.updated_at).where(Lap.uuid == lap_uuid))
    if moment is None:
        raise RecordNotFoundError("lap", lap_uuid)
    return moment


def store_arrays(db: Session, lap_uuid: uuid.UUID, data: LapData, infos: dict[str, ChannelInfo]) -> None:
    """Replace a lap's arrays (downloaded telemetry)."""
    lap_id = db.scalar(sa.select(Lap.id).where(Lap.uuid == lap_uuid, Lap.deleted_at.is_(None)))
    if lap_id is None:
        raise RecordNotFoundError("lap", lap_uuid)
    lapdata_repo.delete_lap_arrays(db, [lap_id])
    lapdata_repo.store_lap_arrays(db, [(lap_id, data)], infos)
    db.execute(sa.update(Lap).where(Lap.id == lap_id).values(row_start=0, row_end=data.row_count))


# --- original files -------------------------------------------------------------------------------------------


def sessions_needing_file(db: Session) -> list[tuple[uuid.UUID, int]]:
    """(session UUID, size) of own sessions on the server whose original has not been offered yet."""
    offered = server_copies(db, "session_file")
    query = (
        sa.select(SessionRow.uuid, SourceFile.size_bytes)
        .join(SourceFile, SourceFile.session_id == SessionRow.id)
        .where(SessionRow.deleted_at.is_(None), SessionRow.server_rev > 0, SessionRow.id.not_in(_foreign()))
    )
    return [(session_uuid, size) for session_uuid, size in db.execute(query) if session_uuid not in offered]


def original_of(db: Session, session_uuid: uuid.UUID) -> tuple[str, bytes]:
    session_id = db.scalar(sa.select(SessionRow.id).where(SessionRow.uuid == session_uuid))
    if session_id is None:
        raise RecordNotFoundError("session", session_uuid)
    return lapdata_repo.load_original(db, session_id)


# --- track configurations -------------------------------------------------------------------------------------


def configuration_by_server_id(db: Session, server_id: str) -> ConfigurationRecord | None:
    config_id = db.scalar(sa.select(TrackConfiguration.id).where(TrackConfiguration.server_id == server_id))
    return tracks_repo.get_configuration(db, config_id) if config_id is not None else None


def server_configurations(db: Session, with_own_sessions: bool = False) -> list[ConfigurationRecord]:
    """Cached server configurations (optionally only those the driver has sessions on), by track name."""
    query = (
        sa.select(TrackConfiguration.id)
        .join(Track, TrackConfiguration.track_id == Track.id)
        .where(TrackConfiguration.origin == Origin.SERVER)
        .order_by(Track.name, TrackConfiguration.name)
    )
    if with_own_sessions:
        own = sa.select(SessionRow.track_configuration_id).where(
            SessionRow.deleted_at.is_(None), SessionRow.id.not_in(_foreign())
        )
        query = query.where(TrackConfiguration.id.in_(own))
    return [tracks_repo.get_configuration(db, config_id) for config_id in db.scalars(query)]


# --- leaderboard cache ----------------------------------------------------------------------------------------


def store_leaderboard(db: Session, key: str, configuration_server_id: str, payload: dict[str, Any]) -> datetime:
    row = db.get(LeaderboardCache, key)
    if row is None:
        row = LeaderboardCache(key=key, configuration_server_id=configuration_server_id)
        db.add(row)
    row.payload, row.fetched_at = payload, utcnow()
    return row.fetched_at


def cached_leaderboard(db: Session, key: str) -> tuple[datetime, dict[str, Any]] | None:
    row = db.get(LeaderboardCache, key)
    return (row.fetched_at, dict(row.payload)) if row is not None else None


def cached_leaderboards(db: Session) -> list[tuple[datetime, dict[str, Any]]]:
    rows = db.scalars(sa.select(LeaderboardCache).order_by(LeaderboardCache.key))
    return [(row.fetched_at, dict(row.payload)) for row in rows]


# --- laps downloaded from the leaderboard ---------------------------------------------------------------------


def downloaded_session_uuid(lap_uuid: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(DOWNLOAD_NAMESPACE, str(lap_uuid))


def _downloaded_record(row: DownloadedLap, session_uuid: uuid.UUID, lap_time_ms: int | None) -> DownloadedLapRecord:
    return DownloadedLapRecord(
        row.lap_uuid, session_uuid, row.driver_id, row.driver_name, row.configuration_server_id, lap_time_ms,
        row.downloaded_at, dict(row.entry),
    )  # fmt: skip


def downloaded_laps(db: Session) -> list[DownloadedLapRecord]:
    query = (
        sa.select(DownloadedLap, SessionRow.uuid, Lap.lap_time_ms)
        .join(SessionRow, DownloadedLap.session_id == SessionRow.id)
        .join(Lap, Lap.uuid == DownloadedLap.lap_uuid)
        .order_by(DownloadedLap.downloaded_at)
    )
    return [_downloaded_record(row, session_uuid, lap_time) for row, session_uuid, lap_time in db.execute(query)]


def is_downloaded_session(db: Session, session_uuid: uuid.UUID) -> bool:
    query = sa.select(DownloadedLap.id).join(SessionRow, DownloadedLap.session_id == SessionRow.id)
    return db.scalar(query.where(SessionRow.uuid == session_uuid)) is not None


def lap_exists(db: Session, lap_uuid: uuid.UUID) -> bool:
    return db.scalar(sa.select(Lap.id).where(Lap.uuid == lap_uuid, Lap.deleted_at.is_(None))) is not None


@dataclass(frozen=True)
class ForeignLap:
    """What the leaderboard and the public lap tell about another driver's lap."""

    lap_uuid: uuid.UUID
    configuration_id: int  # the local cache of the server configuration
    configuration_version: int | None
    driver_id: str
    driver_name: str
    session_fields: dict[str, Any]  # recorded_at_utc, format_name, app_version, device, os_name, gps_source, ...
    lap_fields: dict[str, Any]  # number, lap_time_ms, time_source, sector_times_ms, length_m, stats, flags
    entry: dict[str, Any]
    configuration_server_id: str


def store_downloaded_lap(db: Session, lap: ForeignLap, data: LapData, infos: dict[str, ChannelInfo]) -> uuid.UUID:
    """A read-only local session holding another driver's lap with its arrays. Returns its session UUID."""
    session_uuid = downloaded_session_uuid(lap.lap_uuid)
    session = SessionRow(
        uuid=session_uuid, source_sha256=f"downloaded:{lap.lap_uuid.hex}", track_configuration_id=lap.configuration_id,
        configuration_version=lap.configuration_version, session_type=SessionType.OTHER, dirty=False,
        row_count=data.row_count, duration_s=float(data.time_s[-1] - data.time_s[0]) if data.row_count else 0.0,
        **lap.session_fields,
    )  # fmt: skip
    db.add(session)
    db.flush()
    fields = dict(lap.lap_fields)
    fields["time_source"] = _time_source(fields.get("time_source"))
    row = Lap(uuid=lap.lap_uuid, session_id=session.id, start_s=0.0, row_start=0, row_end=data.row_count,
              dirty=False, **fields)  # fmt: skip
    db.add(row)
    db.flush()
    lapdata_repo.store_lap_arrays(db, [(row.id, data)], infos)
    db.add(DownloadedLap(
        session_id=session.id, lap_uuid=lap.lap_uuid, driver_id=lap.driver_id, driver_name=lap.driver_name,
        configuration_server_id=lap.configuration_server_id, entry=lap.entry,
    ))  # fmt: skip
    return session_uuid


def _time_source(value: Any) -> TimeSource:
    try:
        return TimeSource(value or TimeSource.NONE)
    except ValueError:
        return TimeSource.NONE
