"""The permanent sync line in the status bar: last sync, pending changes, the last error in words, and links to
sign in (again), sync now or cancel; a small progress bar while a sync runs."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from racetrace_desktop.ui.sync_controller import KEYRING_MESSAGE, SyncController

if TYPE_CHECKING:
    from racetrace_desktop.sync import SyncStatus

ERROR_COLOUR = "#c62828"
MAX_ERROR_CHARS = 70  # the whole text is in the tooltip


def when_text(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    local = moment.astimezone()
    return local.strftime("%H:%M") if local.date() == datetime.now().astimezone().date() else local.strftime(
        "%Y-%m-%d %H:%M")


def short_error(error: str) -> str:
    """The first clause of a sync error (what happened; what to do and the details are in the tooltip and the
    problems list), so the line fits the status bar."""
    head = error.split(": ", 1)[0]
    return head if len(head) <= MAX_ERROR_CHARS else head[: MAX_ERROR_CHARS - 1] + "…"


def pending_text(count: int) -> str:
    return "no pending changes" if count == 0 else f"{count} pending change{'s' if count != 1 else ''}"


def _link(target: str, text: str) -> str:
    return f"<a href='{target}'>{html.escape(text)}</a>"


class SyncStatusWidget(QWidget):
    """Shows the controller's state; link clicks are forwarded as `sign_in_requested()`."""

    sign_in_requested = Signal()

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync_status")
        self.controller = controller
        self.label = QLabel("Sync: starting…")
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.linkActivated.connect(self._link)
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(90)
        self.bar.setMaximumHeight(14)
        self.bar.setTextVisible(False)
        self.bar.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 0, 4, 0)
        row.addWidget(self.bar)
        row.addWidget(self.label)
        self._failure: str | None = None  # the last failure of this run (also those the engine never recorded)
        self._needs_sign_in = False
        self._progress_text = ""
        self._plain = ""
        controller.status_changed.connect(lambda _s: self.redraw())
        controller.running_changed.connect(self._running)
        controller.progressed.connect(self._progressed)
        controller.sync_failed.connect(self._failed)
        controller.synced.connect(self._synced)
        controller.account_changed.connect(self._account_changed)
        self.redraw()

    def text(self) -> str:
        """What the line says, as plain text."""
        return self._plain

    def redraw(self) -> None:
        parts = self._parts(self.controller.status)
        rich = " · ".join(parts)
        self.label.setText(rich)
        self._plain = " · ".join(_strip(p) for p in parts)
        self.setToolTip(self._tooltip(self.controller.status))

    def _parts(self, status: SyncStatus | None) -> list[str]:
        if status is None:
            return [html.escape(self._failure or "Sync: starting…")]
        parts = [self._account_part(status)]
        if self.controller.running:
            parts.append(html.escape(self._progress_text or "Syncing…"))
            parts.append(_link("cancel", "Cancel"))
        elif status.signed_in:
            parts.append(f"Synced {when_text(status.last_sync_at)}" if status.last_sync_at else "Never synced")
        parts.append(pending_text(status.pending_changes))
        error = self._failure or status.last_error
        if error and not self.controller.running:
            parts.append(f"<span style='color:{ERROR_COLOUR}'>⚠ {html.escape(short_error(error))}</span>")
        if status.signed_in and not self.controller.running:
            parts.append(_link("sync", "Sync now"))
        return parts

    def _account_part(self, status: SyncStatus) -> str:
        if status.signed_in and not self._needs_sign_in:
            return html.escape(f"{status.username} on {_host(status.server_url)}")
        if status.username or self._needs_sign_in:
            return f"Signed out: {_link('signin', 'sign in again')}"
        return f"Not syncing: {_link('signin', 'sign in')}"

    def _tooltip(self, status: SyncStatus | None) -> str:
        lines = []
        if status is not None:
            lines.append(f"Server: {status.server_url or 'none'}; account: {status.username or 'none'}")
            if status.last_attempt_at:
                lines.append(f"Last attempt: {when_text(status.last_attempt_at)}")
            if status.keyring_problem:
                lines.append(f"{KEYRING_MESSAGE}.\n({status.keyring_problem})")
        error = self._failure or (status.last_error if status else None)
        if error:
            lines.append(f"Last error: {error}")
        return "\n".join(lines)

    def _link(self, target: str) -> None:
        if target == "signin":
            self.sign_in_requested.emit()
        elif target == "sync":
            self.controller.sync_now()
        elif target == "cancel":
            self.controller.cancel()

    def _running(self, running: bool) -> None:
        self.bar.setVisible(running)
        if running:
            self.bar.setRange(0, 0)  # busy until the first counted step
            self._progress_text = "Syncing: connecting"
        self.redraw()

    def _progressed(self, text: str, fraction: float) -> None:
        self._progress_text = text
        if fraction >= 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(fraction * 1000))
        self.redraw()

    def _failed(self, message: str, sign_in: bool) -> None:
        self._failure = message
        self._needs_sign_in = sign_in
        self.redraw()

    def _synced(self, *_args: object) -> None:
        self._failure, self._needs_sign_in = None, False
        self.redraw()

    def _account_changed(self) -> None:
        self._failure, self._needs_sign_in = None, False
        self.redraw()


def _host(url: str | None) -> str:
    return (url or "").split("://", 1)[-1]


def _strip(rich: str) -> str:
    """Plain text of one part (links and spans removed, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", rich))
