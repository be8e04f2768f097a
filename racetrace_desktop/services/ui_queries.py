"""Small helpers the desktop window needs on top of library_service (Qt-free; they run in workers or in the
import process)."""

from __future__ import annotations

import multiprocessing.queues
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from racetrace_desktop.library import Library, sessions_repo
from racetrace_desktop.library.errors import RecordNotFoundError
from racetrace_desktop.library.records import LapRecord, SessionDetail, SessionSummary
from racetrace_desktop.services import library_service
from racetrace_desktop.services.lap_bests import SessionBests, session_bests

if TYPE_CHECKING:
    from racetrace_desktop.services.importer import ImportReport


@dataclass(frozen=True)
class SessionView:
    """Everything the session panel shows for one session."""

    detail: SessionDetail
    laps: list[LapRecord]
    overall_sector_bests: list[int | None]  # best valid sector times of every session on this configuration
    bests: SessionBests | None = None  # theoretical, realistic and rolling best of this session


def sector_bests(laps: list[LapRecord]) -> list[int | None]:
    count = max((len(lap.sector_times_ms) for lap in laps), default=0)
    bests: list[int | None] = []
    for i in range(count):
        times = [t for lap in laps if lap.is_valid and i < len(lap.sector_times_ms)
                 and (t := lap.sector_times_ms[i]) is not None]
        bests.append(min(times) if times else None)
    return bests


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


# ---- import in a separate process (the window's GUI thread then never competes for the GIL) -------------------
_progress_queue = None  # set in the import process by `init_import_process`


def init_import_process(progress_queue: multiprocessing.queues.Queue) -> None:
    global _progress_queue
    _progress_queue = progress_queue


def import_job(library_path: str, paths: list[str]) -> ImportReport:
    """Run in the import process: import `paths` into the library file, sending (fraction, text) progress."""
    from racetrace_desktop.library import open_library
    from racetrace_desktop.services.importer import ImportProgress, import_files

    def report(step: ImportProgress) -> None:
        if _progress_queue is not None:
            _progress_queue.put((step.fraction, f"{step.path.name} ({step.file_index + 1}/{step.file_count}): "
                                                f"{step.stage}"))

    library = open_library(Path(library_path))
    try:
        return import_files(library, [Path(p) for p in paths], progress=report)
    finally:
        library.close()
