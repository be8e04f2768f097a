"""Small Qt-free questions the desktop's sync parts ask the library: what a sync changed in the library list, the
driver's own fastest lap on a server configuration (to compare a leaderboard lap against), the filter choices of
the leaderboard. They run in workers."""

from __future__ import annotations

import uuid
from collections.abc import Set
from dataclasses import dataclass

from racetrace_desktop.library import Library, remote_repo
from racetrace_desktop.library.records import LapRecord, SessionSummary
from racetrace_desktop.services import library_service
from racetrace_desktop.services.changes import Changes, ids


def session_uuids(library: Library) -> frozenset[uuid.UUID]:
    return ids(summary.uuid for summary in library_service.list_sessions(library))


def changes_after_sync(shown: Set[uuid.UUID], now: Set[uuid.UUID]) -> Changes:
    """What the library list must redraw after a sync, from the sessions it showed before and those in the library
    now: sessions pulled from other devices are added, deleted ones removed, and every other one may have been
    edited or re-lapped."""
    before, after = ids(shown), ids(now)
    return Changes(sessions_added=after - before, sessions_removed=before - after, sessions_updated=after & before)


def downloaded_session_uuids(library: Library) -> frozenset[uuid.UUID]:
    with library.read() as db:
        return ids(lap.session_uuid for lap in remote_repo.downloaded_laps(db))


def own_sessions_on(library: Library, configuration_server_id: str) -> list[SessionSummary]:
    """The driver's sessions (from any of their devices, not laps downloaded from the leaderboard) on a server
    track configuration."""
    with library.read() as db:
        configuration = remote_repo.configuration_by_server_id(db, configuration_server_id)
    if configuration is None:
        return []
    downloaded = downloaded_session_uuids(library)
    return [s for s in library_service.list_sessions(library, configuration.id) if s.uuid not in downloaded]


def own_fastest_lap(library: Library, configuration_server_id: str) -> LapRecord | None:
    """The driver's fastest valid timed lap on this server configuration (None when they have none)."""
    timed = [s for s in own_sessions_on(library, configuration_server_id) if s.best_lap_ms is not None]
    laps = [lap for session in timed for lap in library_service.session_laps(library, session.uuid)
            if lap.is_valid and lap.lap_time_ms is not None and not (lap.is_outlap or lap.is_inlap)]  # fmt: skip
    return min(laps, key=lambda lap: lap.lap_time_ms or 0, default=None)


@dataclass(frozen=True)
class LeaderboardFilters:
    """Choices for the leaderboard filters: the car categories of the driver's cars and the events they know
    (events are synced records: their UUIDs are the server's)."""

    car_categories: list[str]
    events: list[tuple[uuid.UUID, str]]


def leaderboard_filters(library: Library) -> LeaderboardFilters:
    categories = sorted({car.category.strip() for car in library_service.list_cars(library)
                         if car.category and car.category.strip()}, key=str.casefold)  # fmt: skip
    events = [(event.uuid, event.name) for event in library_service.list_events(library)]
    return LeaderboardFilters(categories, events)
