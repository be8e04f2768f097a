"""Helpers for the window tests: an isolated window on a real library, file drops, waiting for the map."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from racetrace_desktop.ui.context import AppContext
from racetrace_desktop.ui.errors import ErrorFunnel
from racetrace_desktop.ui.main_window import MainWindow
from racetrace_desktop.ui.settings import AppSettings
from racetrace_desktop.ui.tasks import TaskRunner

S1_LAPS_MS = [155138, 444553, 107089, 116145, 357906]  # the stated lap times of sample_01.csv


def drop_files(window: MainWindow, files: list[Path]) -> bool:
    """Send a real drag-enter + drop of local files to the window; returns whether the drag was accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    enter = QDragEnterEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    return True


def map_state(qtbot, window: MainWindow) -> dict:
    box: dict = {}
    window.analysis.map.state(lambda state: box.update(state=state))
    qtbot.waitUntil(lambda: "state" in box, timeout=10_000)
    return box["state"] or {}


def wait_map_drawn(qtbot, window: MainWindow) -> dict:
    qtbot.waitUntil(lambda: window.analysis.map is not None and window.analysis.map.is_ready, timeout=20_000)
    qtbot.waitUntil(lambda: map_state(qtbot, window).get("svgPaths", 0) > 0, timeout=10_000)
    return map_state(qtbot, window)


def import_by_drop(qtbot, window, files, adds_sessions: bool = True) -> object:
    signals = [window.importer.finished, window.library_refreshed] if adds_sessions else [window.importer.finished]
    with qtbot.waitSignals(signals, timeout=60_000):
        finished: list = []
        window.importer.finished.connect(finished.append, Qt.ConnectionType.SingleShotConnection)
        assert drop_files(window, files)
    return finished[0]


def open_first_session(qtbot, window) -> None:
    with qtbot.waitSignal(window.lap_loaded, timeout=20_000):
        window.library_panel.select_session(window.library_panel.first_session())


def make_window(qtbot, tmp_path: Path, demo_offered: bool = True, size: tuple[int, int] | None = (1400, 900)
                ) -> MainWindow:
    """A shown main window with its own settings file and task runner (no library yet)."""
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.demo_offered = demo_offered  # True: no first-run dialog
    settings.online_tiles = False
    context = AppContext(TaskRunner(), settings, ErrorFunnel(), tmp_path / "cache")
    win = MainWindow(context)
    context.runner.setParent(win)  # results that arrive after the test are dropped with the window
    qtbot.addWidget(win)
    if size is not None:
        win.resize(*size)
    win.show()
    return win
