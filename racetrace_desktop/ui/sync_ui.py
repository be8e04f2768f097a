"""Sync in the main window: the Account menu, the status-bar line, the leaderboard dock, the account dialog, and
what a sync or a downloaded leaderboard lap changes in the library views and the compare."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu, QMenuBar

from racetrace_desktop.ui.leaderboard_view import LeaderboardPanel
from racetrace_desktop.ui.sync_controller import SyncController
from racetrace_desktop.ui.sync_status import SyncStatusWidget

if TYPE_CHECKING:
    from racetrace_desktop.services.library_access import Library
    from racetrace_desktop.sync import SyncReport
    from racetrace_desktop.ui.dialogs.account import AccountDialog, SyncSettingsSection
    from racetrace_desktop.ui.main_window import MainWindow

SYNC_SHORTCUT = "Ctrl+Shift+S"
LEADERBOARD_SHORTCUT = "Ctrl+L"


class SyncUi:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.controller = SyncController(window.context, window)
        self.status = SyncStatusWidget(self.controller)
        window.statusBar().addPermanentWidget(self.status)
        self.leaderboard = LeaderboardPanel(self.controller)
        self.dock = QDockWidget("Leaderboard", window)
        self.dock.setObjectName("leaderboard_dock")
        self.dock.setWidget(self.leaderboard)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.dock.visibilityChanged.connect(self._dock_shown)
        self._dock_sized = False
        self.account_dialog: AccountDialog | None = None
        self.status.sign_in_requested.connect(self.open_account)
        self.controller.sign_in_requested.connect(self.open_account)
        self.controller.synced.connect(self._synced)
        self.controller.status_changed.connect(lambda _s: self._enable_actions())
        self.controller.running_changed.connect(lambda _r: self._enable_actions())
        self.leaderboard.compare_requested.connect(self._compare_downloaded)
        window.library_refreshed.connect(self.controller.note_library_changed)
        window.compare.fetch_telemetry = self._fetch_telemetry
        window.session_panel.session_public_toggled.connect(lambda s, on: window.records.set_public(s, on))
        window.session_panel.laps_public_toggled.connect(lambda laps, on: window.records.set_laps_public(laps, on))

    def build_menu(self, menu_bar: QMenuBar) -> QMenu:
        menu = menu_bar.addMenu("&Account")
        menu.addAction("&Account and sign-in…", self.open_account)
        self.sign_out_action = menu.addAction("Sign &out", self._sign_out)
        menu.addSeparator()
        self.sync_action = menu.addAction("&Sync now", QKeySequence(SYNC_SHORTCUT), self.controller.sync_now)
        self.cancel_action = menu.addAction("&Cancel sync", self.controller.cancel)
        menu.addSeparator()
        toggle = self.dock.toggleViewAction()
        toggle.setText("&Leaderboard")
        toggle.setShortcut(QKeySequence(LEADERBOARD_SHORTCUT))
        menu.addAction(toggle)
        self._enable_actions()
        return menu

    def _enable_actions(self) -> None:
        if not hasattr(self, "sync_action"):
            return
        self.sign_out_action.setEnabled(self.controller.signed_in)
        self.sync_action.setEnabled(not self.controller.running)
        self.cancel_action.setEnabled(self.controller.running)

    def _dock_shown(self, visible: bool) -> None:
        """The first time the leaderboard opens it takes about a third of the window (then Qt remembers)."""
        if visible and not self._dock_sized:
            self._dock_sized = True
            width = max(420, self.window.width() // 3)
            QTimer.singleShot(0, self.window, lambda: self.window.resizeDocks([self.dock], [width],
                                                                              Qt.Orientation.Horizontal))

    def attach(self, library: Library) -> None:
        self.controller.attach(library)

    def shutdown(self) -> None:
        self.controller.shutdown()

    # ---- dialogs -----------------------------------------------------------------------------------------------
    def open_account(self) -> AccountDialog:
        from racetrace_desktop.ui.dialogs.account import AccountDialog

        if self.account_dialog is None:
            self.account_dialog = AccountDialog(self.controller, self.window)
            self.account_dialog.finished.connect(lambda _r: setattr(self, "account_dialog", None))
        self.account_dialog.show()
        self.account_dialog.raise_()
        self.account_dialog.activateWindow()
        return self.account_dialog

    def settings_section(self) -> SyncSettingsSection:
        from racetrace_desktop.ui.dialogs.account import SyncSettingsSection

        return SyncSettingsSection(self.controller, self.open_account)

    def _sign_out(self) -> None:
        report = self.window.context.errors.report
        self.controller.sign_out(lambda _s: self.window.statusBar().showMessage("Signed out.", 8000),
                                 lambda exc: report("Sign out failed", exc))  # fmt: skip

    # ---- results -----------------------------------------------------------------------------------------------
    def _synced(self, report: SyncReport, sessions: frozenset[uuid.UUID]) -> None:
        """Sessions pulled from other devices appear; deleted ones go; the open session is redrawn."""
        from racetrace_desktop.services.changes import changes_after_sync

        counts = report.counts
        self.window.statusBar().showMessage(
            f"Sync done: {counts.pushed} sent, {counts.pulled} received, {counts.conflicts} merged", 8000)
        self.window.refresh_library(changes_after_sync(self.window.library_panel.session_uuids, sessions))

    def _compare_downloaded(self, session_uuid: uuid.UUID, laps: list[uuid.UUID]) -> None:
        from racetrace_desktop.services.changes import Changes

        self.window.refresh_library(Changes(sessions_added=frozenset({session_uuid})))
        self.window.compare.clear()
        self.window.compare_laps(laps)

    def _fetch_telemetry(self, lap_uuid: uuid.UUID) -> str | None:
        """For the compare (runs in its worker): a lap synced from another device gets its arrays now."""
        service = self.controller.service
        return service.fetch_lap_telemetry(lap_uuid) if service is not None else "sync has not started yet"
