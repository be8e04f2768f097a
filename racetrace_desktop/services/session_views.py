"""Read-side views of sessions for the desktop window: what the session panel shows for one session, the sessions
of compared laps, the fastest laps (screenshot mode, demo), the sessions in the library. Qt-free; run in workers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from racetrace_desktop.library import Library, sessions_repo
from racetrace_desktop.library.errors import RecordNotFoundError
from racetrace_desktop.library.read_models import LapRecord, SessionDetail, SessionSummary
from racetrace_desktop.services import library_service
from racetrace_desktop.services.changes import ids
from racetrace_desktop.services.lap_bests import SessionBests, session_bests
from racetrace_desktop.telemetry.display import sector_bests


@dataclass(frozen=True)
class SessionView:
    """Everything the session panel shows for one session."""

    detail: SessionDetail
    laps: list[LapRecord]
    overall_sector_bests: list[int | None]  # best valid sector times of every session on this configuration
    bests: SessionBests | None = None  # theoretical, realistic and rolling best of this session


def session_view(library: Library, session_uuid: uuid.UUID) -> SessionView:
    detail = library_service.session_detail(library, session_uuid)
    laps = library_service.session_laps(library, session_uuid)
    configuration_id = detail.summary.configuration_id
    if configuration_id is None:
        return SessionView(detail, laps, sector_bests(laps))
    with library.read() as db:  # one query, however many sessions the configuration has
        overall = sessions_repo.configuration_sector_bests(db, configuration_id)
    return SessionView(detail, laps, overall, _bests(library, session_uuid))


def session_view_if_exists(library: Library, session_uuid: uuid.UUID) -> SessionView | None:
    """The session's view, or None when it is gone (deleted since it was last shown)."""
    try:
        return session_view(library, session_uuid)
    except RecordNotFoundError:
        return None


def _bests(library: Library, session_uuid: uuid.UUID) -> SessionBests | None:
    """None when the laps cannot be compared (the table then shows the sum of best sectors only)."""
    try:
        return session_bests(library, session_uuid)
    except ValueError:
        return None


def lap_sessions(library: Library, lap_uuids: list[uuid.UUID]) -> dict[uuid.UUID, SessionSummary]:
    """The session of each lap (to check that compared laps share a track configuration)."""
    out: dict[uuid.UUID, SessionSummary] = {}
    summaries: dict[uuid.UUID, SessionSummary] = {}
    with library.read() as db:
        records = {lap_uuid: sessions_repo.lap_record(db, lap_uuid) for lap_uuid in lap_uuids}
    for lap_uuid, lap in records.items():
        if lap.session_uuid not in summaries:
            summaries[lap.session_uuid] = library_service.session_summary(library, lap.session_uuid)
        out[lap_uuid] = summaries[lap.session_uuid]
    return out


def fastest_laps(library: Library, count: int = 2) -> list[uuid.UUID]:
    """The fastest valid timed laps of the track configuration with the most sessions (screenshot mode, demo)."""
    sessions = library_service.list_sessions(library)
    by_config: dict[int | None, list[SessionSummary]] = {}
    for summary in sessions:
        by_config.setdefault(summary.configuration_id, []).append(summary)
    if not by_config:
        return []
    busiest = max(by_config.values(), key=len)
    laps = [lap for s in busiest for lap in library_service.session_laps(library, s.uuid)
            if lap.is_valid and lap.lap_time_ms is not None]
    laps.sort(key=lambda lap: lap.lap_time_ms or 0)
    return [lap.uuid for lap in laps[:count]]


def session_of_lap(library: Library, lap_uuid: uuid.UUID) -> uuid.UUID:
    with library.read() as db:
        return sessions_repo.lap_record(db, lap_uuid).session_uuid


def session_uuids(library: Library) -> frozenset[uuid.UUID]:
    """Every session in the library (what the library list shows)."""
    return ids(summary.uuid for summary in library_service.list_sessions(library))
