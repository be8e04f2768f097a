"""Keeps the compare set (laps, reference, focused lap) and recomputes the compare in a worker."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from racetrace_desktop.ui.analysis.compare_view import CompareView
from racetrace_desktop.ui.context import AppContext

if TYPE_CHECKING:
    from racetrace_desktop.services.read_models import SessionSummary
    from racetrace_desktop.ui.analysis.compare_build import CompareDisplay


class CompareController(QObject):
    """`message(text)` explains refusals (other track, untimed laps); `computed(display)` after each compare."""

    message = Signal(str)
    computed = Signal(object)

    def __init__(self, context: AppContext, view: CompareView, parent: QObject | None = None,
                 fetch_telemetry: Callable[[uuid.UUID], str | None] | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.view = view
        self.lap_uuids: list[uuid.UUID] = []
        self.reference: uuid.UUID | None = None
        self.sessions: dict[uuid.UUID, SessionSummary] = {}
        self.display: CompareDisplay | None = None
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

        from racetrace_desktop.services.session_views import lap_sessions

        def checked(found: dict[uuid.UUID, SessionSummary]) -> None:
            config = self.configuration_id
            accepted = []
            for lap_uuid in new:
                summary = found[lap_uuid]
                config = summary.configuration_id if config is None else config
                if summary.configuration_id != config:
                    self.message.emit(f"{summary.source_name}: another track configuration "
                                      f"({summary.track_name} {summary.configuration_name}); not added to the compare")
                    continue
                self.sessions[lap_uuid] = summary
                accepted.append(lap_uuid)
            if accepted:
                self.lap_uuids.extend(accepted)
                self.recompute()

        self.context.runner.submit(lambda: lap_sessions(library, new), name="check compared laps",
                                   on_success=checked)

    def remove_lap(self, lap_uuid: uuid.UUID) -> None:
        if lap_uuid in self.lap_uuids:
            self.lap_uuids.remove(lap_uuid)
            self.sessions.pop(lap_uuid, None)
            if self.reference == lap_uuid:
                self.reference = None
            self.recompute()

    def forget_sessions(self, session_uuids: frozenset[uuid.UUID]) -> None:
        """Laps of deleted sessions leave the compare."""
        gone = [lap for lap, summary in self.sessions.items() if summary.uuid in session_uuids]
        if gone:
            for lap in gone:
                self.lap_uuids.remove(lap)
                self.sessions.pop(lap)
            if self.reference in gone:
                self.reference = None
            self.recompute()

    def clear(self) -> None:
        self.lap_uuids, self.reference, self.sessions, self.display = [], None, {}, None
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
        fetch = self.fetch_telemetry
        focus = focus or self.view.focus

        def shown(display: CompareDisplay) -> None:
            self.display = display
            self.reference = display.reference
            self.view.show_compare(display, self.context.units, focus)
            self.computed.emit(display)

        def failed(exc: BaseException) -> None:
            self.context.errors.report("Compare failed", exc)

        self.context.runner.submit(lambda: compare_from_library(library, laps, reference, sessions, fetch),
                                   name="compare laps", key="compare", on_success=shown, on_error=failed)
