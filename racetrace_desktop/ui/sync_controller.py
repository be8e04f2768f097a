"""The window's side of sync: one `SyncService` per open library, driven from the GUI thread. Every call runs in the
task runner (the "net" pool for the network) and comes back as a signal or callback, so a slow or dead server
never freezes the window.

Automatic sync (when signed in and auto sync is on): shortly after start, after imports and edits (debounced: when
the pending count grows), and every few minutes; never two at once. Failures go to the status widget; the problems
list gets a failure once (a dead server every five minutes is not a new problem each time).
"""

from __future__ import annotations

import uuid
import webbrowser
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from racetrace_desktop.ui.context import AppContext
from racetrace_desktop.ui.errors import describe
from racetrace_desktop.ui.tasks import Pool

if TYPE_CHECKING:
    from racetrace_desktop.services.library_access import Library
    from racetrace_desktop.sync import SyncProgress, SyncReport, SyncService, SyncStatus
    from racetrace_desktop.sync.service import AccountInfo

KEYRING_MESSAGE = "RaceTrace cannot store your sign-in on this computer; you will be asked again next time"
AUTO_INTERVAL_MS = 5 * 60_000
DEBOUNCE_MS = 20_000
START_DELAY_MS = 3_000

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


def error_text(exc: BaseException) -> str:
    """A sync error's own message (it says what to do), else the usual description."""
    from racetrace_desktop.sync.errors import SyncError

    return exc.message if isinstance(exc, SyncError) else describe(exc)


def needs_sign_in(exc: BaseException) -> bool:
    from racetrace_desktop.sync.errors import AuthFailed, NotSignedIn

    return isinstance(exc, AuthFailed | NotSignedIn)


def progress_text(progress: SyncProgress) -> str:
    amount = f" {progress.done}/{progress.total}" if progress.total else ""
    detail = f" ({progress.message})" if progress.message else ""
    return f"Syncing: {progress.stage}{amount}{detail}"


class SyncController(QObject):
    """Signals: `service_ready()`, `status_changed(SyncStatus)`, `running_changed(bool)`, `progressed(text,
    fraction or -1)`, `synced(SyncReport, session uuids now in the library)`, `sync_failed(message, sign-in
    needed)`, `account_changed()` (signed in or out: leaderboards and dialogs refresh), `sign_in_requested()`."""

    service_ready = Signal()
    status_changed = Signal(object)
    running_changed = Signal(bool)
    progressed = Signal(str, float)
    synced = Signal(object, object)
    sync_failed = Signal(str, bool)
    account_changed = Signal()
    sign_in_requested = Signal()

    def __init__(self, context: AppContext, parent: QObject | None = None, auto_interval_ms: int = AUTO_INTERVAL_MS,
                 debounce_ms: int = DEBOUNCE_MS, start_delay_ms: int = START_DELAY_MS) -> None:  # fmt: skip
        super().__init__(parent)
        self.context = context
        self.settings_file: Path | None = context.sync_settings_file  # None: sync.json in the data folder
        self.service_options: dict[str, Any] = {}  # SyncService options (tests: fewer retries)
        self.open_browser: Callable[[str], Any] = webbrowser.open
        self.service: SyncService | None = None
        self.status: SyncStatus | None = None
        self.running = False
        self.start_delay_ms = start_delay_ms
        self._cancel = False
        self._baseline: int | None = None  # pending changes right after the last sync (held-back records stay)
        self._reported: str | None = None  # the last failure already in the problems list
        self._problems_shown: set[str] = set()
        self._periodic = QTimer(self)
        self._periodic.setInterval(auto_interval_ms)
        self._periodic.timeout.connect(lambda: self.sync_now(auto=True))
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(debounce_ms)
        self._debounce.timeout.connect(lambda: self.sync_now(auto=True))

    def fetch_lap_telemetry(self, lap_uuid: uuid.UUID) -> str | None:
        """For the lap view and the compare (runs in their worker): a lap synced from another device gets its arrays
        now; the reason when it cannot."""
        service = self.service
        return service.fetch_lap_telemetry(lap_uuid) if service is not None else "sync has not started yet"

    def set_timing(self, start_delay_ms: int, debounce_ms: int, interval_ms: int) -> None:
        """When automatic syncs happen (tests shorten them)."""
        self.start_delay_ms = start_delay_ms
        self._debounce.setInterval(debounce_ms)
        self._periodic.setInterval(interval_ms)

    # ---- set-up and status -------------------------------------------------------------------------------------
    @property
    def signed_in(self) -> bool:
        return self.status is not None and self.status.signed_in

    @property
    def auto_enabled(self) -> bool:
        return self.service is not None and self.service.settings.auto_sync and self.signed_in

    @property
    def debounce_pending(self) -> bool:
        return self._debounce.isActive()

    def attach(self, library: Library) -> None:
        """The library is open: make its sync service (loads httpx and keyring, so in a worker)."""
        self.service, self.status = None, None
        settings_file, options = self.settings_file, dict(self.service_options)

        def create() -> tuple[SyncService, SyncStatus]:
            from racetrace_desktop.sync import SyncService

            service = SyncService(library, settings_file, **options)
            return service, service.status()

        self.context.runner.submit(create, name="start sync", on_success=self._ready, on_error=self._not_ready)

    def _ready(self, made: tuple[SyncService, SyncStatus]) -> None:
        self.service, status = made
        self._baseline = status.pending_changes
        self._set_status(status)
        self.service_ready.emit()
        self._periodic.start()
        QTimer.singleShot(self.start_delay_ms, self, lambda: self.sync_now(auto=True))

    def _not_ready(self, exc: BaseException) -> None:  # e.g. a damaged sync.json (the message names it)
        self.context.errors.report("Sync is off", exc)
        self.sync_failed.emit(f"sync is off: {error_text(exc)}", False)

    def _set_status(self, status: SyncStatus) -> None:
        self.status = status
        self.status_changed.emit(status)

    def refresh_status(self, then: Callable[[SyncStatus], None] | None = None, key: str = "sync status") -> None:
        service = self.service
        if service is None:
            return

        def shown(status: SyncStatus) -> None:
            self._set_status(status)
            if then is not None:
                then(status)

        self.context.runner.submit(service.status, name="sync status", key=key, on_success=shown)

    def note_library_changed(self) -> None:
        """After an import or an edit: new pending changes start the debounced automatic sync."""

        def check(status: SyncStatus) -> None:
            grew = self._baseline is None or status.pending_changes > self._baseline
            if grew and self.auto_enabled and not self.running:
                self._debounce.start()

        self.refresh_status(check, key="sync pending")  # its own key: a later status read must not drop the check

    # ---- sync --------------------------------------------------------------------------------------------------
    def sync_now(self, auto: bool = False) -> None:
        service = self.service
        if service is None or self.running:
            return
        if auto and not self.auto_enabled:
            return
        if not auto and not self.signed_in:
            self.sign_in_requested.emit()
            return
        from racetrace_desktop.services import session_views

        self._debounce.stop()
        self._cancel = False
        self._set_running(True)
        self.progressed.emit("Syncing: connecting", -1.0)

        def work(progress: Callable[[int, int, str], None]) -> tuple[SyncReport, frozenset[uuid.UUID], SyncStatus]:
            def report(step: SyncProgress) -> None:
                progress(step.done, step.total, progress_text(step))

            done = service.sync(progress=report, cancelled=lambda: self._cancel)
            return done, session_views.session_uuids(service.library), service.status()

        self.context.runner.submit(work, name="sync", pool=Pool.NET, on_progress=self._progress,
                                   on_success=self._done, on_error=lambda exc: self._failed(exc, auto))  # fmt: skip

    def cancel(self) -> None:
        """Stop the running sync at its next step; what the server acknowledged is kept."""
        self._cancel = True

    def shutdown(self) -> None:
        self._periodic.stop()
        self._debounce.stop()
        self.cancel()

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.running_changed.emit(running)

    def _progress(self, done: int, total: int, text: str) -> None:
        self.progressed.emit(text, done / total if total else -1.0)

    def _done(self, result: tuple[SyncReport, frozenset[uuid.UUID], SyncStatus]) -> None:
        report, sessions, status = result
        self._set_running(False)
        self._baseline = status.pending_changes
        self._reported = None
        self._set_status(status)
        for problem in [*report.counts.held_back, *report.counts.problems]:
            if problem not in self._problems_shown:  # a held-back record stays held back at every sync
                self._problems_shown.add(problem)
                self.context.errors.report("Sync", problem)
        self.synced.emit(report, sessions)

    def _failed(self, exc: BaseException, auto: bool) -> None:
        from racetrace_desktop.sync.errors import Interrupted

        self._set_running(False)
        if isinstance(exc, Interrupted):
            self.progressed.emit("Sync cancelled", -1.0)
        else:
            message = error_text(exc)
            if not auto or message != self._reported:
                self._reported = message
                self.context.errors.report("Sync failed", message)
            if needs_sign_in(exc) and self.status is not None:  # the tokens are gone: say so before the re-read
                self._set_status(replace(self.status, signed_in=False))
            self.sync_failed.emit(message, needs_sign_in(exc))
        self.refresh_status()

    # ---- account and other calls -------------------------------------------------------------------------------
    def call(self, work: Callable[[SyncService], Any], *, name: str, on_success: Done, on_error: Failed,
             key: str | None = None) -> None:  # fmt: skip
        """`work(service)` on the network pool; errors go to `on_error` only (the caller shows them in place)."""
        service = self.service
        if service is None:
            on_error(RuntimeError("the library is still opening; try again in a moment"))
            return
        self.context.runner.submit(lambda: work(service), name=name, pool=Pool.NET, key=key,
                                   on_success=on_success, on_error=on_error)  # fmt: skip

    def sign_in(self, server_url: str, username: str, password: str, on_done: Done, on_error: Failed) -> None:
        self._account_call(lambda s: s.sign_in(server_url, username, password), "sign in", on_done, on_error)

    def register(self, server_url: str, username: str, email: str, password: str, on_done: Done,
                 on_error: Failed) -> None:  # fmt: skip
        def work(service: SyncService) -> AccountInfo:
            service.register(server_url, username, email, password)
            return service.sign_in(server_url, username, password)

        self._account_call(work, "register", on_done, on_error)

    def sign_in_with_provider(self, server_url: str, provider: str, on_done: Done, on_error: Failed) -> None:
        browser = self.open_browser
        self._account_call(lambda s: s.sign_in_with_provider(server_url, provider, open_browser=browser),
                           f"sign in with {provider}", on_done, on_error)  # fmt: skip

    def _account_call(self, work: Callable[[SyncService], AccountInfo], name: str, on_done: Done,
                      on_error: Failed) -> None:  # fmt: skip
        def signed_in(result: tuple[AccountInfo, SyncStatus]) -> None:
            info, status = result
            self._reported = None
            self._set_status(status)
            self.account_changed.emit()
            on_done(info)
            self.sync_now(auto=True)

        self.call(lambda s: (work(s), s.status()), name=name, on_success=signed_in, on_error=on_error)

    def sign_out(self, on_done: Done, on_error: Failed) -> None:
        def signed_out(status: SyncStatus) -> None:
            self._set_status(status)
            self.account_changed.emit()
            on_done(status)

        self.call(lambda s: (s.sign_out(), s.status())[1], name="sign out", on_success=signed_out, on_error=on_error)

    def unlink(self, on_done: Done, on_error: Failed) -> None:
        def unlinked(status: SyncStatus) -> None:
            self._set_status(status)
            on_done(status)

        self.call(lambda s: (s.unlink(), s.status())[1], name="unlink library", on_success=unlinked,
                  on_error=on_error)  # fmt: skip

    def update_settings(self, **changes: Any) -> None:
        """Save sync settings (a small JSON file); turning auto sync on starts one soon."""
        if self.service is None:
            return
        self.service.update_settings(**changes)
        if changes.get("auto_sync"):
            self._debounce.start()
