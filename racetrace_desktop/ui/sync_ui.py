"""Sync in the main window: the Account menu, the status-bar line, the leaderboard dock, the account dialog, and
what a sync or a downloaded leaderboard lap changes in the library views and the compare.

It gets what it touches from the window through its constructor (the sync controller, the views' callbacks, a
status sink); the window places its status widget and its dock.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Set
from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu, QMenuBar, QWidget

from racetrace_desktop.ui.leaderboard_view import LeaderboardPanel
from racetrace_desktop.ui.sync_controller import SyncController
from racetrace_desktop.ui.sync_status import SyncStatusWidget

if TYPE_CHECKING:
    from racetrace_desktop.services.changes import Changes
    from racetrace_desktop.services.library_access import Library
    from racetrace_desktop.sync import SyncReport
    from racetrace_desktop.ui.dialogs.account import AccountDialog, SyncSettingsSection

SYNC_SHORTCUT = "Ctrl+Shift+S"
LEADERBOARD_SHORTCUT = "Ctrl+L"


class SyncUi:
    """`shown_sessions()` is what the library list shows; `refresh_library(changes)` redraws it;
    `compare_only(laps)` makes these laps the compare; `flash(text)` is a passing status-bar message."""

    def __init__(self, controller: SyncController, parent: QWidget, *, shown_sessions: Callable[[], Set[uuid.UUID]],
                 refresh_library: Callable[[Changes], None], compare_only: Callable[[list[uuid.UUID]], None],
                 flash: Callable[[str], None]) -> None:  # fmt: skip
        self.controller = controller
        self.parent = parent
        self._shown_sessions, self._refresh_library = shown_sessions, refresh_library
        self._compare_only, self._flash = compare_only, flash
        self.status = SyncStatusWidget(controller)
        self.leaderboard = LeaderboardPanel(controller)
        self.dock = QDockWidget("Leaderboard", parent)
        self.dock.setObjectName("leaderboard_dock")
        self.dock.setWidget(self.leaderboard)
        self.account_dialog: AccountDialog | None = None
        self.status.sign_in_requested.connect(self.open_account)
        controller.sign_in_requested.connect(self.open_account)
        controller.synced.connect(self._synced)
        controller.status_changed.connect(lambda _s: self._enable_actions())
        controller.running_changed.connect(lambda _r: self._enable_actions())
        self.leaderboard.compare_requested.connect(self._compare_downloaded)

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

    def attach(self, library: Library) -> None:
        self.controller.attach(library)

    def shutdown(self) -> None:
        self.controller.shutdown()

    # ---- dialogs -----------------------------------------------------------------------------------------------
    def open_account(self) -> AccountDialog:
        from racetrace_desktop.ui.dialogs.account import AccountDialog

        if self.account_dialog is None:
            self.account_dialog = AccountDialog(self.controller, self.parent)
            self.account_dialog.finished.connect(lambda _r: setattr(self, "account_dialog", None))
        self.account_dialog.show()
        self.account_dialog.raise_()
        self.account_dialog.activateWindow()
        return self.account_dialog

    def settings_section(self) -> SyncSettingsSection:
        from racetrace_desktop.ui.dialogs.account import SyncSettingsSection

        return SyncSettingsSection(self.controller, self.open_account)

    def _sign_out(self) -> None:
        report = self.controller.context.errors.report
        self.controller.sign_out(lambda _s: self._flash("Signed out."), lambda exc: report("Sign out failed", exc))

    # ---- results -----------------------------------------------------------------------------------------------
    def _synced(self, report: SyncReport, sessions: frozenset[uuid.UUID]) -> None:
        """Sessions pulled from other devices appear; deleted ones go; the open session is redrawn."""
        from racetrace_desktop.services.changes import changes_after_sync

        counts = report.counts
        self._flash(f"Sync done: {counts.pushed} sent, {counts.pulled} received, {counts.conflicts} merged")
        self._refresh_library(changes_after_sync(self._shown_sessions(), sessions))

    def _compare_downloaded(self, session_uuid: uuid.UUID, laps: list[uuid.UUID]) -> None:
        from racetrace_desktop.services.changes import Changes

        self._refresh_library(Changes(sessions_added=frozenset({session_uuid})))
        self._compare_only(laps)
