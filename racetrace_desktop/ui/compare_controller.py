"""Keeps the compare set (laps, reference, focused lap, colour slots) and recomputes the compare in a worker.

Out-laps, in-laps, pit laps and invalid laps stay out when they come with valid timed laps (a whole session
compares its valid timed laps); a selection of flagged laps only (one lap added on its own, or two flagged laps of
a session whose laps are all flagged) is compared on purpose, and those laps are marked. Untimed laps never are.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from racetrace_desktop.ui.analysis.compare_style import CompareExtras, lap_flag, short_label, style_compare
from racetrace_desktop.ui.analysis.compare_view import CompareView
from racetrace_desktop.ui.context import AppContext
from racetrace_desktop.ui.theme import is_dark

if TYPE_CHECKING:
    from racetrace_desktop.services.library_access import Library
    from racetrace_desktop.services.read_models import LapRecord, SessionSummary
    from racetrace_desktop.ui.analysis.compare_build import CompareDisplay


class CompareController(QObject):
    """`message(text)` explains refusals (other track, untimed laps); `computed(display)` after each compare."""

    message = Signal(str)
    computed = Signal(object)
    left_out = Signal(list)  # labels of the laps left out of the last addition, with the reason

    def __init__(self, context: AppContext, view: CompareView, parent: QObject | None = None,
                 fetch_telemetry: Callable[[uuid.UUID], str | None] | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.view = view
        self.lap_uuids: list[uuid.UUID] = []
        self.reference: uuid.UUID | None = None
        self.sessions: dict[uuid.UUID, SessionSummary] = {}
        self.display: CompareDisplay | None = None
        self.slots: dict[uuid.UUID, int] = {}  # colour slot per lap, kept until the lap leaves the compare
        self.flags: dict[uuid.UUID, str] = {}  # laps compared on purpose despite a flag
        # Downloads the arrays of a lap synced from another device (the sync controller's); None: no downloads.
        self.fetch_telemetry = fetch_telemetry
        view.reference_requested.connect(self.set_reference)
        view.remove_requested.connect(self.remove_lap)

    @property
    def configuration_id(self) -> int | None:
        first = next(iter(self.sessions.values()), None)
        return first.configuration_id if first else None

    def add_laps(self, lap_uuids: list[uuid.UUID]) -> None:
        library = self.context.library
        new = [lap for lap in lap_uuids if lap not in self.lap_uuids]
        if library is None or not new:
            return

        def checked(found: tuple[dict[uuid.UUID, SessionSummary], dict[uuid.UUID, LapRecord]]) -> None:
            summaries, records = found
            flags = {lap: lap_flag(records[lap]) if lap in records else None for lap in new}
            on_purpose = all(flag is not None for flag in flags.values())  # nothing valid chosen with them
            config = self.configuration_id
            accepted, left_out = [], []
            for lap_uuid in new:
                summary, record, flag = summaries[lap_uuid], records.get(lap_uuid), flags[lap_uuid]
                if record is not None and flag is not None and (not on_purpose or record.lap_time_ms is None):
                    left_out.append(f"{short_label(record, summary)} ({flag})")
                    continue
                config = summary.configuration_id if config is None else config
                if summary.configuration_id != config:
                    self.message.emit(f"{summary.source_name}: another track configuration "
                                      f"({summary.track_name} {summary.configuration_name}); not added to the compare")
                    continue
                self.sessions[lap_uuid] = summary
                if flag is not None:
                    self.flags[lap_uuid] = flag
                self.slots[lap_uuid] = _free_slot(self.slots)
                accepted.append(lap_uuid)
            if left_out:
                self.message.emit(f"Left out of the compare: {', '.join(left_out)}. Add a flagged lap on its own "
                                  "to compare it anyway.")
                self.left_out.emit(left_out)
            if accepted:
                self.lap_uuids.extend(accepted)
                self.recompute()

        self.context.runner.submit(lambda: _sessions_and_records(library, new), name="check compared laps",
                                   on_success=checked)

    def remove_lap(self, lap_uuid: uuid.UUID) -> None:
        if lap_uuid in self.lap_uuids:
            self.lap_uuids.remove(lap_uuid)
            self._forget(lap_uuid)
            if self.reference == lap_uuid:
                self.reference = None
            self.recompute()

    def forget_sessions(self, session_uuids: frozenset[uuid.UUID]) -> None:
        """Laps of deleted sessions leave the compare."""
        gone = [lap for lap, summary in self.sessions.items() if summary.uuid in session_uuids]
        if gone:
            for lap in gone:
                self.lap_uuids.remove(lap)
                self._forget(lap)
            if self.reference in gone:
                self.reference = None
            self.recompute()

    def _forget(self, lap_uuid: uuid.UUID) -> None:
        for table in (self.sessions, self.slots, self.flags):
            table.pop(lap_uuid, None)

    def clear(self) -> None:
        self.lap_uuids, self.reference, self.sessions, self.display = [], None, {}, None
        self.slots, self.flags = {}, {}
        self.view.show_compare(None, self.context.units, None)

    def set_reference(self, lap_uuid: uuid.UUID | None) -> None:
        if lap_uuid is not None and lap_uuid in self.lap_uuids and lap_uuid != self.reference:
            self.reference = lap_uuid
            self.recompute()

    def swap_reference(self) -> None:
        """The focused lap becomes the reference (and the old reference the focused lap)."""
        if self.display is not None and self.view.focus is not None:
            old = self.display.reference
            self.reference = self.view.focus
            self.recompute(focus=old)

    def step_focus(self, step: int) -> None:
        self.view.step_focus(step)

    def sector_boundaries(self) -> list[float]:
        return list(self.display.result.sector_boundaries_m) if self.display else []

    def recompute(self, focus: uuid.UUID | None = None) -> None:
        library = self.context.library
        if library is None or not self.lap_uuids:
            self.clear()
            return
        from racetrace_desktop.ui.analysis.compare_build import compare_from_library  # numpy-heavy: on use

        laps, reference, sessions = list(self.lap_uuids), self.reference, dict(self.sessions)
        slots, flags, dark = dict(self.slots), dict(self.flags), is_dark()
        fetch = self.fetch_telemetry
        focus = focus or self.view.focus

        def work() -> tuple[CompareDisplay, CompareExtras]:
            display = compare_from_library(library, laps, reference, sessions, fetch)
            return display, style_compare(display, slots, sessions, flags, dark)

        def shown(computed: tuple[CompareDisplay, CompareExtras]) -> None:
            display, extras = computed
            self.display = display
            self.reference = display.reference
            self.view.show_compare(display, self.context.units, focus, extras)
            self.computed.emit(display)

        def failed(exc: BaseException) -> None:
            self.context.errors.report("Compare failed", exc)

        self.context.runner.submit(work, name="compare laps", key="compare", on_success=shown, on_error=failed)


def _free_slot(slots: dict[uuid.UUID, int]) -> int:
    """The lowest colour slot no lap in the compare has (a removed lap's colour goes to the next lap added)."""
    taken = set(slots.values())
    return next(i for i in range(len(taken) + 1) if i not in taken)


def _sessions_and_records(library: Library, lap_uuids: list[uuid.UUID]
                          ) -> tuple[dict[uuid.UUID, SessionSummary], dict[uuid.UUID, LapRecord]]:
    """Each lap's session and its lap record (worker thread)."""
    from racetrace_desktop.services import library_service, session_views

    summaries = session_views.lap_sessions(library, lap_uuids)
    wanted = set(lap_uuids)
    records = {record.uuid: record for session in {s.uuid for s in summaries.values()}
               for record in library_service.session_laps(library, session) if record.uuid in wanted}
    return summaries, records
