"""Re-lap: after a track configuration's gate or sectors change, recompute every affected session.

Everything happens in one transaction: the configuration edit and all recomputed laps land together or not at
all. Sessions are re-read from their stored original files. The driver's edits survive: session notes, car,
event and public flag are untouched; laps that still match (by time overlap) keep their identity, validity
override and public flag.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from racetrace_desktop.library import (
    Library,
    LibraryError,
    LibrarySession,
    lapdata_repo,
    session_store_repo,
    sessions_repo,
    tracks_repo,
)
from racetrace_desktop.library.read_models import ConfigurationRecord, SessionRef
from racetrace_desktop.services.changes import Changes, ids
from racetrace_desktop.services.importer import Analyser, Reader, default_analyser, default_reader
from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.model import AnalysedSession


class RelapError(LibraryError):
    """A session could not be recomputed; nothing was changed."""


@dataclass(frozen=True)
class RelapProgress:
    index: int  # sessions done before this one
    count: int
    session_uuid: uuid.UUID
    source_name: str


RelapCallback = Callable[[RelapProgress], None]


def edit_configuration(
    library: Library,
    configuration_id: int,
    progress: RelapCallback | None = None,
    reader: Reader = default_reader,
    analyser: Analyser = default_analyser,
    **changes: Any,
) -> Changes:
    """Edit a local configuration (start_lat/lon/heading, gate width, num_sectors, sector gates, name, length).

    When the gate or sectors changed, every session on the configuration is re-analysed in the same transaction.
    """
    with library.write() as db:
        gate_changed = tracks_repo.update_configuration(db, configuration_id, changes)
        configuration = tracks_repo.get_configuration(db, configuration_id)
        result = Changes(
            configurations_changed=frozenset([configuration_id]), tracks_changed=frozenset([configuration.track_id])
        )
        if gate_changed:
            rows = sessions_repo.sessions_on_configuration(db, configuration_id)
            result = result | _relap(db, rows, lambda _row: configuration, progress, reader, analyser)
    return result


def reanalyse_sessions(
    library: Library,
    session_uuids: Iterable[uuid.UUID],
    progress: RelapCallback | None = None,
    reader: Reader = default_reader,
    analyser: Analyser = default_analyser,
) -> Changes:
    """Recompute sessions from their originals on their current configuration (e.g. after a parser fix)."""
    with library.write() as db:
        rows = [sessions_repo.session_ref(db, session_uuid) for session_uuid in session_uuids]

        def configuration_of(row: SessionRef) -> ConfigurationRecord | None:
            config_id = row.configuration_id
            return tracks_repo.get_configuration(db, config_id) if config_id is not None else None

        return _relap(db, rows, configuration_of, progress, reader, analyser)


def _relap(
    db: LibrarySession,
    rows: list[SessionRef],
    configuration_of: Callable[[SessionRef], ConfigurationRecord | None],
    progress: RelapCallback | None,
    reader: Reader,
    analyser: Analyser,
) -> Changes:
    result = Changes()
    for index, row in enumerate(rows):
        if progress is not None:
            progress(RelapProgress(index, len(rows), row.uuid, row.source_name))
        configuration = configuration_of(row)
        analysed = analyse_original(db, row, configuration, reader, analyser)
        result = result | store_relapped(db, row, analysed, configuration)
    return result


def analyse_original(
    db: LibrarySession,
    row: SessionRef,
    configuration: ConfigurationRecord | None,
    reader: Reader = default_reader,
    analyser: Analyser = default_analyser,
) -> AnalysedSession:
    """Read a session's stored original and lap it on `configuration`. Raises RelapError when it cannot be read."""
    name, data = lapdata_repo.load_original(db, row.id)
    try:
        raw = reader(data, name)
        return analyser(raw, configuration.definition() if configuration else None)
    except TelemetryFormatError as error:
        raise RelapError(f"cannot re-lap {error}; nothing was changed") from error


def store_relapped(
    db: LibrarySession, row: SessionRef, analysed: AnalysedSession, configuration: ConfigurationRecord | None
) -> Changes:
    """Put the fresh laps in place (the session moves to `configuration`); matching laps keep their identity."""
    relapped = session_store_repo.replace_laps(db, row.id, analysed, configuration)
    sessions = ids([row.uuid]) if relapped.session_changed else ids()
    return Changes(sessions_updated=sessions, laps_changed=relapped.laps_changed)
