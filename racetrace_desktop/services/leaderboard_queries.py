"""What the leaderboard panel asks the library: the driver's own fastest lap on a server configuration (to compare
a leaderboard lap against), the laps downloaded from leaderboards, the filter choices. Qt-free; run in workers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from racetrace_desktop.library import Library, remote_repo
from racetrace_desktop.library.read_models import LapRecord, SessionSummary
from racetrace_desktop.services import library_service
from racetrace_desktop.services.changes import ids


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
