"""One error funnel: every failure the user should know about ends in the status bar and the problems list.

Modelled on Anki's show_exception / napari's notification manager: Qt-side rendering of plain exceptions.
Expected errors (bad files, library rules) are shown as their message; unexpected ones also name their type.
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

def describe(exc: BaseException) -> str:
    """A sentence for the user."""
    from racetrace_desktop.services.library_access import LibraryError
    from racetrace_desktop.telemetry.errors import TelemetryFormatError

    if isinstance(exc, (TelemetryFormatError, LibraryError, ValueError, OSError)):
        return str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {exc}"


class ErrorFunnel(QObject):
    """Collects problems; the main window shows `problem(title, message)` in its status bar and log dock."""

    problem = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history: list[tuple[str, str]] = []

    def report(self, title: str, exc: BaseException | str) -> None:
        message = exc if isinstance(exc, str) else describe(exc)
        self.history.append((title, message))
        log.warning("%s: %s", title, message)
        self.problem.emit(title, message)

    def install_excepthook(self) -> None:
        """Uncaught exceptions in Qt callbacks become visible problems instead of a silent stderr line."""
        previous = sys.excepthook

        def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
            log.error("uncaught: %s", "".join(traceback.format_exception(kind, value, tb)))
            self.report("Unexpected error", value)
            if previous not in (sys.__excepthook__, hook):
                previous(kind, value, tb)

        sys.excepthook = hook
