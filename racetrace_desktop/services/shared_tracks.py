"""Sessions follow the shared (server) track configurations cached in the library.

A session imported before the server's configurations were pulled sits on a local track and never reaches the
leaderboard; a configuration an admin edited times laps differently; a session another device re-lapped arrives
with laps this library did not compute. `refresh_shared_tracks` re-laps each such session from its stored original
on the server configuration, one transaction per session: laps that still match keep their identity, the driver's
edits stay, changed records are marked for the next push. Local tracks left without sessions are removed.

The sync run calls it after every pull; the UI may call it any time (it needs no network).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from racetrace_desktop.library import (
    Library,
    LibraryError,
    LibrarySession,
    RecordNotFoundError,
    sessions_repo,
    sync_tracks_repo,
    tracks_repo,
)
from racetrace_desktop.library.read_models import ConfigurationRecord, SessionRef
from racetrace_desktop.library.sync_tracks_repo import LapSpan, PlannedRelap, RelapReason
from racetrace_desktop.services import relap
from racetrace_desktop.services.changes import Changes, ids
from racetrace_desktop.services.importer import Analyser, Reader, default_analyser, default_reader
from racetrace_desktop.services.relap import RelapCallback, RelapProgress
from racetrace_desktop.services.track_matching import MATCH_TOLERANCE_M
from racetrace_desktop.telemetry.model import AnalysedSession


@dataclass(frozen=True)
class SharedTracksReport:
    moved: int  # sessions moved from a local track to a server configuration
    relapped: int  # sessions re-lapped on an edited server configuration, or as another device re-lapped them
    removed_tracks: tuple[str, ...]  # local tracks removed because their sessions now use the server's
    messages: tuple[str, ...]  # for the user: "3 sessions moved to Goodwood - Motor Circuit (server)", ...
    problems: tuple[str, ...]  # sessions left as they were, with the reason
    changes: Changes

    @property
    def empty(self) -> bool:
        return not (self.moved or self.relapped or self.problems)


@dataclass(frozen=True)
class _Done:
    plan: PlannedRelap
    changes: Changes
    removed_track: str | None


def refresh_shared_tracks(
    library: Library,
    progress: RelapCallback | None = None,
    reader: Reader = default_reader,
    analyser: Analyser = default_analyser,
    tolerance_m: float = MATCH_TOLERANCE_M,
) -> SharedTracksReport:
    """Move sessions on local tracks onto the server configurations they match, and re-lap sessions whose server
    configuration changed. A session whose original cannot be re-read is reported in `problems` and left as it was
    (RelapError is a LibraryError)."""
    with library.write() as db:
        sync_tracks_repo.forget_stale_relaps(db)
        plans = sync_tracks_repo.planned_relaps(db, tolerance_m)
    done: list[_Done] = []
    problems: list[str] = []
    for index, plan in enumerate(plans):
        if progress is not None:
            progress(RelapProgress(index, len(plans), plan.session.uuid, plan.session.source_name))
        try:
            outcome = _relap_one(library, plan, reader, analyser)
        except (LibraryError, ValueError) as error:  # an unreadable or damaged original: one session, not the sync
            problems.append(f"session {plan.session.source_name} ({plan.session.uuid}) stays as it was: {error}")
            continue
        if outcome is not None:
            done.append(outcome)
    return _report(done, problems)


def _relap_one(library: Library, plan: PlannedRelap, reader: Reader, analyser: Analyser) -> _Done | None:
    """One session in one transaction; None when it changed meanwhile (deleted, or moved by the driver)."""
    with library.write() as db:
        row = _still_planned(db, plan)
        if row is None:
            return None
        target = tracks_repo.get_configuration(db, plan.target.id)
        analysed = relap.analyse_original(db, row, target, reader, analyser)
        if plan.keeps_pulled_laps:
            sync_tracks_repo.align_pulled_laps(db, row.id, _spans(analysed))
        changes = relap.store_relapped(db, row, analysed, target)
        sync_tracks_repo.forget_relap(db, row.uuid)
        removed = sync_tracks_repo.remove_unused_local_configuration(db, plan.leaves_configuration_id)
    configurations = frozenset(c for c in (target.id, plan.leaves_configuration_id) if c is not None)
    tracks = Changes(tracks_changed=frozenset({target.track_id}), configurations_changed=configurations)
    return _Done(plan, changes | tracks | Changes(sessions_updated=ids([row.uuid])), removed)


def _still_planned(db: LibrarySession, plan: PlannedRelap) -> SessionRef | None:
    try:
        row = sessions_repo.session_ref(db, plan.session.uuid)
    except RecordNotFoundError:
        return None
    return row if row.configuration_id == plan.session.configuration_id else None


def _spans(analysed: AnalysedSession) -> list[LapSpan]:
    return [LapSpan(int(lap.number), float(lap.start_s), None if lap.end_s is None else float(lap.end_s),
                    int(lap.row_start), int(lap.row_end)) for lap in analysed.laps]  # fmt: skip


def _report(done: list[_Done], problems: list[str]) -> SharedTracksReport:
    changes = Changes()
    for item in done:
        changes = changes | item.changes
    removed = tuple(item.removed_track for item in done if item.removed_track)
    tally = Counter((item.plan.reason, _place(item.plan.target)) for item in done)
    messages = [_message(reason, place, count) for (reason, place), count in tally.items()]
    messages += [f"local track {name!r} removed: its sessions now use the server's track" for name in removed]
    moved = sum(count for (reason, _place_), count in tally.items() if reason == RelapReason.ADOPT)
    return SharedTracksReport(moved, len(done) - moved, removed, tuple(messages), tuple(problems), changes)


def _place(configuration: ConfigurationRecord) -> str:
    return f"{configuration.track_name} - {configuration.name}"


def _message(reason: RelapReason, place: str, count: int) -> str:
    sessions = f"{count} session{'s' if count != 1 else ''}"
    if reason == RelapReason.ADOPT:
        return f"{sessions} moved to {place} (server)"
    if reason == RelapReason.EDITED:
        return f"{sessions} re-lapped on {place}: the server's configuration was edited"
    return f"{sessions} re-lapped on {place} as another device did"

