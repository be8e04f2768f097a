"""Screenshot mode: open on a view, wait until its plots and the map are drawn, save the window, quit.

`racetrace gui --demo --view {library,lap,compare} --screenshot PATH` exits 0 when the PNG was written and 1 when
the view did not get ready in time (the reason is logged).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from racetrace_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)
TIMEOUT_MS = 90_000
SETTLE_MS = 600  # offscreen compositing needs a moment after the last change


class ScreenshotRun(QObject):
    def __init__(self, window: MainWindow, view: str, path: Path) -> None:
        super().__init__(window)
        self.window, self.view, self.path = window, view, path
        self._plots_ready = False
        self._done = False

    def start(self) -> None:
        self.window.library_refreshed.connect(self._on_library, Qt.ConnectionType.SingleShotConnection)
        QTimer.singleShot(TIMEOUT_MS, self._timeout)

    def _on_library(self) -> None:
        from racetrace_desktop.services import session_views

        log.info("library listed")
        window = self.window
        if window.library_panel.first_session() is None:
            self._fail("the library has no session to show")
            return
        library = window.context.library
        if library is None:
            self._fail("no library is open")
            return
        window.context.runner.submit(lambda: session_views.fastest_laps(library, 2), name="fastest laps",
                                     on_success=self._show_fastest)

    def _show_fastest(self, laps: list) -> None:
        """Open the session of the fastest lap on that lap; for compare, the two fastest laps."""
        from racetrace_desktop.services import session_views

        window = self.window
        library = window.context.library
        if len(laps) < (2 if self.view == "compare" else 1) or library is None:
            self._fail("not enough timed laps to show" if library else "the library was closed")
            return
        if self.view == "compare":
            window.compare.computed.connect(self._on_plots, Qt.ConnectionType.SingleShotConnection)
            window.compare_laps(laps)
        else:
            window.lap_loaded.connect(self._on_plots, Qt.ConnectionType.SingleShotConnection)
            window.session_loaded.connect(lambda _s: window.session_panel.select_lap(laps[0]),
                                          Qt.ConnectionType.SingleShotConnection)
        window.context.runner.submit(lambda: session_views.session_of_lap(library, laps[0]),
                                     name="session of lap", on_success=window.library_panel.select_session)

    def _on_plots(self, *_args: object) -> None:
        log.info("plots drawn; waiting for the map")
        self._plots_ready = True
        self._poll_map()

    def _poll_map(self) -> None:
        area = self.window.analysis
        if area.map is None or not area.map.is_ready:
            QTimer.singleShot(100, self._poll_map)
            return
        area.map.state(self._on_map_state)

    def _on_map_state(self, state: dict | None) -> None:
        if not state or not state.get("svgPaths"):
            QTimer.singleShot(100, self._poll_map)
            return
        log.info("map drawn")
        QTimer.singleShot(SETTLE_MS, self._save)

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        QApplication.processEvents()
        if not self.window.grab().save(str(self.path)):
            self._fail(f"could not write {self.path}")
            return
        log.info("screenshot saved to %s", self.path)
        self._done = True
        QApplication.exit(0)

    def _timeout(self) -> None:
        if not self._done:
            self._fail(f"the {self.view} view was not ready after {TIMEOUT_MS // 1000} s "
                       f"(plots ready: {self._plots_ready})")

    def _fail(self, reason: str) -> None:
        log.error("screenshot failed: %s", reason)
        self._done = True
        QApplication.exit(1)
