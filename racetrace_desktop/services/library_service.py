"""Library use cases for the UI and the CLI: browse, open laps, edit, delete. Each call is one transaction.

Mutations return `Changes` so a view refreshes only what changed. Records are plain frozen dataclasses.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from racetrace_desktop.library import Library, catalog_repo, edits_repo, lapdata_repo, sessions_repo, tracks_repo
from racetrace_desktop.library.read_models import (
    CarRecord,
    ConfigurationRecord,
    EventRecord,
    LapRecord,
    LoadedLap,
    SessionDetail,
    SessionGroup,
    SessionSummary,
    TrackRecord,
)
from racetrace_desktop.services import track_matching
from racetrace_desktop.services.changes import NO_CHANGES, Changes, ids

# --- browsing -------------------------------------------------------------------------------------------------


def list_sessions(library: Library, configuration_id: int | None = None) -> list[SessionSummary]:
    with library.read() as db:
        return sessions_repo.list_sessions(db, configuration_id)


def session_groups(library: Library) -> list[SessionGroup]:
    """The library panel's tree: track -> day -> sessions (with lap count, best lap, car, public flag)."""
    return sessions_repo.group_by_track_and_day(list_sessions(library))


def session_summary(library: Library, session_uuid: uuid.UUID) -> SessionSummary:
    with library.read() as db:
        return sessions_repo.session_summary(db, session_uuid)


def session_detail(library: Library, session_uuid: uuid.UUID) -> SessionDetail:
    with library.read() as db:
        return sessions_repo.session_detail(db, session_uuid)


def session_laps(library: Library, session_uuid: uuid.UUID) -> list[LapRecord]:
    with library.read() as db:
        return sessions_repo.session_laps(db, session_uuid)


def load_lap(library: Library, lap_uuid: uuid.UUID) -> LoadedLap:
    """A lap's record and arrays (LapData + channel infos), decoded from the library without the CSV."""
    with library.read() as db:
        record = sessions_repo.lap_record(db, lap_uuid)
        data, infos = lapdata_repo.load_lap_arrays(db, lap_uuid)
    return LoadedLap(record, data, infos)


def load_laps(library: Library, lap_uuids: Iterable[uuid.UUID]) -> list[LoadedLap]:
    return [load_lap(library, lap_uuid) for lap_uuid in lap_uuids]


def original_file(library: Library, session_uuid: uuid.UUID) -> tuple[str, bytes]:
    """The original file's name and exact bytes (for export or re-analysis)."""
    with library.read() as db:
        row = sessions_repo.session_row(db, session_uuid)
        return lapdata_repo.load_original(db, row.id)


# --- session and lap edits ------------------------------------------------------------------------------------


def update_session(library: Library, session_uuid: uuid.UUID, **changes: Any) -> Changes:
    """Edit notes, car_uuid, event_uuid, session_type or is_public."""
    with library.write() as db:
        edit = edits_repo.update_session(db, session_uuid, **changes)
    if not edit.session_changed and not edit.laps_unshared:
        return NO_CHANGES
    return Changes(sessions_updated=ids([session_uuid]), laps_changed=ids(edit.laps_unshared))


def set_session_public(library: Library, session_uuid: uuid.UUID, public: bool) -> Changes:
    """Share or unshare a session. Unsharing also unshares its laps."""
    return update_session(library, session_uuid, is_public=public)


def set_lap_public(library: Library, lap_uuid: uuid.UUID, public: bool) -> Changes:
    with library.write() as db:
        if not edits_repo.set_lap_public(db, lap_uuid, public):
            return NO_CHANGES
        session_uuid = sessions_repo.lap_record(db, lap_uuid).session_uuid
    return Changes(sessions_updated=ids([session_uuid]), laps_changed=ids([lap_uuid]))


def override_lap_validity(
    library: Library, lap_uuid: uuid.UUID, valid: bool | None, reason: str | None = None
) -> Changes:
    """Mark a lap valid/invalid against the analysis (reason required for invalid); None clears the override."""
    with library.write() as db:
        if not edits_repo.override_lap_validity(db, lap_uuid, valid, reason):
            return NO_CHANGES
        session_uuid = sessions_repo.lap_record(db, lap_uuid).session_uuid
    # The session's best lap may have changed, so its row in the list refreshes too.
    return Changes(sessions_updated=ids([session_uuid]), laps_changed=ids([lap_uuid]))


def delete_sessions(library: Library, session_uuids: Iterable[uuid.UUID]) -> Changes:
    """Delete sessions with their laps, arrays and original files, all in one transaction."""
    targets = list(session_uuids)
    removed_laps: list[uuid.UUID] = []
    with library.write() as db:
        for session_uuid in targets:
            removed_laps.extend(edits_repo.delete_session(db, session_uuid))
    return Changes(sessions_removed=ids(targets), laps_changed=ids(removed_laps))


def delete_session(library: Library, session_uuid: uuid.UUID) -> Changes:
    return delete_sessions(library, [session_uuid])


# --- cars and events ------------------------------------------------------------------------------------------


def list_cars(library: Library) -> list[CarRecord]:
    with library.read() as db:
        return catalog_repo.list_cars(db)


def create_car(library: Library, **fields: Any) -> CarRecord:
    with library.write() as db:
        return catalog_repo.create_car(db, **fields)


def update_car(library: Library, car_uuid: uuid.UUID, **changes: Any) -> Changes:
    with library.write() as db:
        catalog_repo.update_car(db, car_uuid, **changes)
        sessions = [s.uuid for s in sessions_repo.list_sessions(db) if s.car_uuid == car_uuid]
    return Changes(cars_changed=ids([car_uuid]), sessions_updated=ids(sessions))


def delete_car(library: Library, car_uuid: uuid.UUID) -> Changes:
    with library.write() as db:
        sessions = catalog_repo.delete_car(db, car_uuid)
    return Changes(cars_changed=ids([car_uuid]), sessions_updated=ids(sessions))


def list_events(library: Library) -> list[EventRecord]:
    with library.read() as db:
        return catalog_repo.list_events(db)


def create_event(library: Library, **fields: Any) -> EventRecord:
    with library.write() as db:
        return catalog_repo.create_event(db, **fields)


def update_event(library: Library, event_uuid: uuid.UUID, **changes: Any) -> Changes:
    with library.write() as db:
        catalog_repo.update_event(db, event_uuid, **changes)
        sessions = [s.uuid for s in sessions_repo.list_sessions(db) if s.event_uuid == event_uuid]
    return Changes(events_changed=ids([event_uuid]), sessions_updated=ids(sessions))


def delete_event(library: Library, event_uuid: uuid.UUID) -> Changes:
    with library.write() as db:
        sessions = catalog_repo.delete_event(db, event_uuid)
    return Changes(events_changed=ids([event_uuid]), sessions_updated=ids(sessions))


# --- tracks ---------------------------------------------------------------------------------------------------


def list_tracks(library: Library) -> list[TrackRecord]:
    with library.read() as db:
        return tracks_repo.list_tracks(db)


def get_configuration(library: Library, configuration_id: int) -> ConfigurationRecord:
    with library.read() as db:
        return tracks_repo.get_configuration(db, configuration_id)


def rename_track(
    library: Library, track_id: int, name: str, country: str | None = None, city: str | None = None
) -> Changes:
    with library.write() as db:
        tracks_repo.rename_track(db, track_id, name, country, city)
        sessions = [s.uuid for s in sessions_repo.list_sessions(db) if s.track_id == track_id]
    return Changes(tracks_changed=frozenset([track_id]), sessions_updated=ids(sessions))


def name_unnamed_tracks(library: Library) -> Changes:
    """Give tracks named only by their position the name of the known circuit there (see track_matching)."""
    with library.write() as db:
        renamed = track_matching.name_unnamed_tracks(db)
        if not renamed:
            return NO_CHANGES
        sessions = [s.uuid for s in sessions_repo.list_sessions(db) if s.track_id in renamed]
    return Changes(tracks_changed=frozenset(renamed), sessions_updated=ids(sessions))

