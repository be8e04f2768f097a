"""Sync for the window tests: the real-server fixtures of tests/desktop/sync (loaded by path, since both test folders
have a module called conftest), the fake OAuth provider of tests/server, and a window whose sync the test drives."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from ui_helpers import make_window

from racetrace_desktop.library import Library
from racetrace_desktop.sync import SyncService
from racetrace_desktop.sync.settings import SyncSettings, save_settings
from racetrace_desktop.ui.main_window import MainWindow

TESTS = Path(__file__).resolve().parents[2]


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


sync_fixtures = _load(TESTS / "desktop" / "sync" / "conftest.py", "racetrace_sync_test_fixtures")
fake_provider = _load(TESTS / "server" / "oauth" / "fake_provider.py", "racetrace_server_tests_fake_provider")
live_server = _load(TESTS / "server" / "live_server.py", "racetrace_server_tests_live_server")

PASSWORD: str = sync_fixtures.PASSWORD
Server = sync_fixtures.Server
start_server = sync_fixtures.start_server
unique = sync_fixtures.unique
slower_goodwood = sync_fixtures.slower_goodwood
copy_sample = sync_fixtures.copy_sample
LAP_1_MS = 177_527  # lap 1 of sample_02.csv (Goodwood), the fastest
UNREACHABLE = "cannot reach the sync server"


@contextmanager
def running_server(folder: Path, **settings: str) -> Iterator[Any]:
    """A racetrace-server process (SQLite) with the Goodwood track; test modules wrap it in their fixture."""
    running = start_server("sqlite", folder, **settings)
    try:
        running.add_track(running.create_admin())
        yield running
    finally:
        running.kill()


def sync_window(qtbot, folder: Path, library: Library, auto_sync: bool = False, debounce_ms: int = 20_000,
                start_delay_ms: int = 60_000) -> MainWindow:  # fmt: skip
    """A window on `library` whose sync settings live in `folder`; waits until its sync service is ready.
    No retries (a stopped server fails at once); automatic sync only when asked for."""
    folder.mkdir(parents=True, exist_ok=True)
    save_settings(SyncSettings(auto_sync=auto_sync), folder / "sync.json")
    window = make_window(qtbot, folder)
    controller = window.sync_ui.controller
    controller.settings_file = folder / "sync.json"
    controller.service_options = {"retries": 0}
    controller.set_timing(start_delay_ms, debounce_ms, 10 * 60_000)
    with qtbot.waitSignals([window.library_refreshed, controller.service_ready], timeout=20_000):
        window.set_library(library)
    return window


def sign_up(qtbot, window: MainWindow, server: Any, username: str) -> None:
    """Register and sign in through the controller (what the account dialog does)."""
    controller = window.sync_ui.controller
    done: list[object] = []
    controller.register(server.url, username, f"{username}@example.com", PASSWORD, done.append, done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=20_000)
    assert controller.signed_in, done


def sync_and_wait(qtbot, window: MainWindow) -> Any:
    """Sync now; returns the SyncReport."""
    controller = window.sync_ui.controller
    qtbot.waitUntil(lambda: not controller.running, timeout=60_000)  # an automatic one may be under way
    with qtbot.waitSignal(controller.synced, timeout=60_000) as synced:
        controller.sync_now()
    return synced.args[0]


def wait_idle(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.sync_ui.controller.running, timeout=60_000)
    window.context.runner.wait_for_done(30_000)


class Drivers:
    """Other drivers' computers: `make(name, server)` gives a library with a signed-in sync service (no window);
    the driver's username is `service.settings.username`. Closes the libraries at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: list[SyncService] = []

    def make(self, name: str, server: Any) -> SyncService:
        from racetrace_desktop.library import open_library

        folder = self.folder / name
        folder.mkdir(parents=True)
        service = SyncService(open_library(folder / "library.sqlite"), folder / "sync.json")
        self.made.append(service)
        username = unique(name)
        service.register(server.url, username, f"{username}@example.com", PASSWORD)
        service.sign_in(server.url, username, PASSWORD)
        return service

    def close(self) -> None:
        for service in self.made:
            service.library.close()


def imported_session(service: SyncService, path: Path) -> uuid.UUID:
    from racetrace_desktop.services.importer import import_files

    report = import_files(service.library, [path])
    assert [r.status for r in report.results] == ["imported"], report.results
    session = report.results[0].session_uuid
    assert session is not None
    return session
