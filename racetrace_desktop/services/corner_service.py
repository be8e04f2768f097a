"""A track configuration's corners: detected once from its fastest stored lap, kept in the library, edited by the
driver. Corner figures are not stored: every compare derives them from the current corners, so an edit shows in
the next report of every lap. A re-detect replaces the corners (names included) with a fresh detection.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from racetrace_desktop.library import Library, remote_repo, sessions_repo, tracks_repo
from racetrace_desktop.library.errors import ReadOnlyError
from racetrace_desktop.library.read_models import ConfigurationRecord, LapRecord
from racetrace_desktop.services import library_service
from racetrace_desktop.telemetry import corner_edits
from racetrace_desktop.telemetry.compare import CompareLap, compare_laps
from racetrace_desktop.telemetry.corners import Corner, ReferencePath, detect_corners


class NoReferenceLapError(ValueError):
    """A configuration has no timed lap with GPS positions on this computer to find corners on."""


def configuration_corners(library: Library, configuration_id: int, redetect: bool = False) -> list[Corner]:
    """The stored corners; detected (and stored) first when there are none yet or `redetect` is asked for.
    A re-detect is an edit: refused on a server configuration, whose corners every driver of it shares."""
    if not redetect:
        with library.read() as db:
            stored = tracks_repo.configuration_corners(db, configuration_id)
        if stored:
            return stored
    config = library_service.get_configuration(library, configuration_id)
    if redetect and not config.editable:
        raise ReadOnlyError(f"the corners of {config.name!r} come from the sync server and cannot be re-detected")
    corners = detect_corners(reference_path(library, configuration_id))
    with library.write() as db:
        meanwhile = [] if redetect else tracks_repo.configuration_corners(db, configuration_id)
        if meanwhile:  # another worker stored (or the driver edited) them while this one was detecting
            return meanwhile
        tracks_repo.set_corners(db, configuration_id, corners, edit=redetect)
    return corners


def reference_lap(library: Library, configuration_id: int) -> LapRecord:
    """The fastest valid timed lap with arrays on this computer (any timed lap when none is valid)."""
    laps: list[LapRecord] = []
    for session in library_service.list_sessions(library, configuration_id):
        laps += [lap for lap in library_service.session_laps(library, session.uuid) if lap.lap_time_ms]
    with library.read() as db:
        usable = [lap for lap in laps if not lap.is_pit and remote_repo.has_arrays(db, lap.uuid)]
    pool = [lap for lap in usable if lap.is_valid] or usable
    if not pool:
        config = library_service.get_configuration(library, configuration_id)
        raise NoReferenceLapError(f"{config.track_name} ({config.name}) has no timed lap with GPS positions here "
                                  "to find its corners on: import a session of it first")
    return min(pool, key=lambda lap: lap.lap_time_ms or 0)


def reference_path(library: Library, configuration_id: int) -> ReferencePath:
    lap = reference_lap(library, configuration_id)
    loaded = library_service.load_lap(library, lap.uuid)
    assert lap.lap_time_ms is not None
    result = compare_laps([CompareLap(str(lap.uuid), lap.lap_time_ms, loaded.data, lap.is_valid, "", lap.length_m)])
    speed = result.channels[result.reference_key].get("speed")
    return ReferencePath.of(result.distance_m, result.lat, result.lon, speed)


def configuration_of_laps(library: Library, lap_uuids: list[uuid.UUID]) -> ConfigurationRecord | None:
    """The one track configuration the laps share; None for laps of one session that has none here (a session
    synced from another computer on a track this library does not know): they compare, without corners."""
    with library.read() as db:
        sessions = {sessions_repo.lap_record(db, lap).session_uuid for lap in lap_uuids}
    configurations = {library_service.session_summary(library, s).configuration_id for s in sessions}
    if configurations == {None} and len(sessions) == 1:
        return None
    if len(configurations) != 1 or None in configurations:
        raise ValueError("laps can only be compared on one track configuration; these come from different tracks")
    (configuration_id,) = configurations
    assert configuration_id is not None
    return library_service.get_configuration(library, configuration_id)


# --- edits: each returns the new corners, renumbered in driving order -------------------------------------------


def _edit(library: Library, configuration_id: int, change: Callable[[list[Corner]], list[Corner]]) -> list[Corner]:
    corners = change(configuration_corners(library, configuration_id))
    with library.write() as db:
        tracks_repo.set_corners(db, configuration_id, corners, edit=True)
    return corners


def rename_corner(library: Library, configuration_id: int, number: int, name: str) -> list[Corner]:
    return _edit(library, configuration_id, lambda cs: corner_edits.rename_corner(cs, number, name))


def delete_corner(library: Library, configuration_id: int, number: int) -> list[Corner]:
    return _edit(library, configuration_id, lambda cs: corner_edits.delete_corner(cs, number))


def add_corner(library: Library, configuration_id: int, apex_m: float) -> list[Corner]:
    path = reference_path(library, configuration_id)
    return _edit(library, configuration_id, lambda cs: corner_edits.add_corner(cs, path, apex_m))


def move_apex(library: Library, configuration_id: int, number: int, apex_m: float) -> list[Corner]:
    path = reference_path(library, configuration_id)
    return _edit(library, configuration_id, lambda cs: corner_edits.move_apex(cs, path, number, apex_m))


def split_corner(library: Library, configuration_id: int, number: int, at_m: float) -> list[Corner]:
    path = reference_path(library, configuration_id)
    return _edit(library, configuration_id, lambda cs: corner_edits.split_corner(cs, path, number, at_m))


def merge_corners(library: Library, configuration_id: int, number: int) -> list[Corner]:
    return _edit(library, configuration_id, lambda cs: corner_edits.merge_corners(cs, number))
