"""`racetrace` / `racetrace gui`: build the application and its window.

    racetrace gui [--demo] [--view {library,lap,compare} --screenshot PATH] [--library FILE] [--offline]
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from racetrace_desktop import paths
from racetrace_desktop.ui.qtenv import prepare_qt

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from racetrace_desktop.services.library_access import Library
    from racetrace_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="racetrace gui", description="Open the RaceTrace window.")
    parser.add_argument("--demo", action="store_true", help="open a separate library filled with demo sessions")
    parser.add_argument("--view", choices=("library", "lap", "compare"), default="lap",
                        help="what to show first (with --screenshot: what the picture shows)")
    parser.add_argument("--screenshot", type=Path, metavar="PATH",
                        help="save a PNG of the whole window once plots and map are drawn, then exit")
    parser.add_argument("--library", type=Path, metavar="FILE", help="library file (default: in the data folder)")
    parser.add_argument("--offline", action="store_true", help="never download map tiles")
    parser.add_argument("--size", default="1600x1000", help="window size for --screenshot, e.g. 1600x1000")
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE",
                        help="telemetry files to import once the library is open (e.g. opened from a file manager)")
    return parser.parse_args(argv)


def run_gui(argv: list[str]) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(relativeCreated)6.0f ms %(levelname)s %(name)s: %(message)s")
    app = create_app(args)
    instance_name = None
    if not args.screenshot:  # a screenshot run is its own short-lived window
        from racetrace_desktop.ui.instance import hand_over, server_name

        instance_name = server_name(library_path_of(args))
        if hand_over(instance_name, list(args.files)):
            log.info("handed %d file(s) to the RaceTrace window already open on this library", len(args.files))
            return 0
    app, window = build_window(args)
    if instance_name is not None:
        listen_for_instances(window, instance_name)
    show_window(window)
    if args.screenshot:
        from racetrace_desktop.ui.screenshot import ScreenshotRun

        shot = ScreenshotRun(window, args.view, args.screenshot)
        shot.start()
    elif args.view == "compare":
        from PySide6.QtCore import Qt

        window.library_refreshed.connect(lambda: _compare_fastest(window), Qt.ConnectionType.SingleShotConnection)
    if args.files:
        import_when_open(window, list(args.files))
    code = run_until_closed(app, window)
    shutdown(window)
    return code


def library_path_of(args: argparse.Namespace) -> Path | None:
    return args.library or (paths.cache_dir() / "demo" / "library.sqlite" if args.demo else None)


def show_window(window: MainWindow) -> None:
    """Maximised on a first run when the screen is no bigger than 1920x1080; else as it was left."""
    screen = window.screen().availableGeometry() if window.screen() else None
    small = screen is not None and screen.width() <= 1920 and screen.height() <= 1080
    if window.first_run and small:
        window.showMaximized()
    else:
        window.show()


def run_until_closed(app: QApplication, window: MainWindow) -> int:
    """Run the event loop until the main window closes, whatever other windows (a welcome box, a dialog, a
    leftover tool window) are still open."""
    app.setQuitOnLastWindowClosed(False)
    window.closed.connect(app.quit)
    return app.exec()


def listen_for_instances(window: MainWindow, name: str) -> None:
    """Later `racetrace FILE` calls on the same library hand their files to this window."""
    from racetrace_desktop.ui.instance import InstanceServer

    server = InstanceServer(name, window)
    if server.listen():
        server.files_received.connect(window.receive_files)
        window.closed.connect(server.close)
    window.instance_server = server


def import_when_open(window: MainWindow, files: list[Path]) -> None:
    """Import files given on the command line as soon as the library is open (it opens in the background).

    The window then shows the new session: no welcome box, no reopening of the last session."""
    window.files_pending = True
    if window.context.library is not None:
        window.import_paths(files)
        return
    from PySide6.QtCore import Qt

    window.library_refreshed.connect(lambda: window.import_paths(files), Qt.ConnectionType.SingleShotConnection)


def create_app(args: argparse.Namespace) -> QApplication:
    """The QApplication (once per process)."""
    prepare_qt(headless=args.screenshot is not None)

    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QApplication.setApplicationName("RaceTrace")
    QApplication.setOrganizationName("RaceTrace")
    QApplication.setDesktopFileName("racetrace")
    return QApplication(sys.argv[:1])


def build_window(args: argparse.Namespace) -> tuple[QApplication, MainWindow]:
    """The application and its (not yet shown) window; the library opens in the background."""
    app = create_app(args)

    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QIcon

    from racetrace_desktop.ui.context import AppContext
    from racetrace_desktop.ui.errors import ErrorFunnel
    from racetrace_desktop.ui.main_window import ICON, MainWindow
    from racetrace_desktop.ui.settings import AppSettings
    from racetrace_desktop.ui.tasks import TaskRunner

    app.setWindowIcon(QIcon(str(ICON)))
    demo_dir = paths.cache_dir() / "demo"
    store = QSettings(str(demo_dir / "settings.ini"), QSettings.Format.IniFormat) if args.demo else QSettings()
    settings = AppSettings(store)
    if args.offline or args.screenshot:  # pictures must not depend on (or load) a tile server
        settings.online_tiles = False
    demo_sync = demo_dir / "sync.json" if args.demo else None  # the demo library never syncs with the driver's account
    context = AppContext(TaskRunner(app), settings, ErrorFunnel(app), paths.cache_dir(), sync_settings_file=demo_sync)
    context.errors.install_excepthook()
    window = MainWindow(context)
    if args.screenshot:
        width, height = (int(v) for v in args.size.lower().split("x"))
        window.first_run = False  # the picture has the size asked for
        window.restore_last = False  # it chooses what to show itself
        window.resize(width, height)
    _open_library(window, library_path_of(args), fill_demo=args.demo)
    return app, window


def shutdown(window: MainWindow) -> None:
    """Finish background work, close the library, then delete web pages before their profile (else Chromium
    tears down in a random order at interpreter exit and may crash)."""
    from PySide6.QtCore import QCoreApplication, QEvent

    context = window.context
    context.runner.wait_for_done(10_000)
    QCoreApplication.sendPostedEvents()  # deliver the last results before anything is deleted
    if context.library is not None:
        context.library.close()
    area = window.analysis
    if area.map is not None:
        area.map.page().deleteLater()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    if area.map_context is not None:
        area.map_context.profile.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _open_library(window: MainWindow, path: Path | None, fill_demo: bool) -> None:
    from racetrace_desktop.ui.tasks import Pool

    def work() -> Library:
        # Imported here, in the worker: SQLAlchemy and Alembic take a while and the window is already up.
        from racetrace_desktop.services import demo
        from racetrace_desktop.services.library_access import open_library

        library = open_library(path)
        if fill_demo:
            demo.fill_demo_library(library)  # only fills an empty library
        return library

    window.status_text.setText(f"Opening library in {path or paths.data_dir()}…")
    window.context.runner.submit(work, name="open library", pool=Pool.WRITE, on_success=window.set_library)


def _compare_fastest(window: MainWindow) -> None:
    from racetrace_desktop.services import session_views

    library = window.context.library
    if library is None:  # the library failed to open: the window already says why
        return
    window.context.runner.submit(lambda: session_views.fastest_laps(library, 2), name="fastest laps",
                                 on_success=window.compare_laps)
