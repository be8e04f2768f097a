"""`racetrace --smoke-test`: prove that an installed build (frozen bundle or source checkout) really works.

Headless (offscreen platform), in a throw-away data folder: open the main window, wait for the offline Leaflet
map, import a generated TrackAddict file, compare two laps with the compare service (the delta at the finish must
equal the lap-time difference), then let the window compare them too and check the lap lines reach the map.
Prints ONE line of JSON on stdout; exit code 0 when every step passed, 1 otherwise (the reason is in the JSON's
`error` and on stderr). Nothing outside the temporary folder is read or written.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from racetrace_desktop import __version__

DEFAULT_TIMEOUT_S = 120.0
CLOSURE_TOLERANCE_S = 0.002  # lap times are stored in whole milliseconds
SMOKE_LAPS = 3


class SmokeTestError(RuntimeError):
    """A smoke-test step did not give the expected result."""


def run_smoke_test(argv: list[str]) -> int:
    """Run every step, print the one-line JSON summary, return the process exit code."""
    parser = argparse.ArgumentParser(prog="racetrace --smoke-test", description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds for all steps together")
    args = parser.parse_args(argv)
    report = _base_report()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="racetrace-smoke-", ignore_cleanup_errors=True) as scratch:
        run = SmokeRun(Path(scratch), report, started + args.timeout)
        try:
            run.execute()
            report["ok"] = True
        except Exception as exc:  # every failure becomes the report's reason, never a traceback-only exit
            report["error"] = f"{run.current_step}: {_describe(exc)}"
            if not isinstance(exc, SmokeTestError):
                traceback.print_exc(file=sys.stderr)
        finally:
            run.shut_down()
    report["timings_s"]["total"] = round(time.perf_counter() - started, 3)
    print(json.dumps(report, default=str), flush=True)
    if not report["ok"]:
        print(f"racetrace smoke test FAILED: {report['error']}", file=sys.stderr, flush=True)
    return 0 if report["ok"] else 1


def _base_report() -> dict[str, Any]:
    frozen = bool(getattr(sys, "frozen", False))
    return {
        "ok": False,
        "error": None,
        "frozen": frozen,
        "bundle": str(Path(sys.executable).resolve().parent) if frozen else None,
        "executable": sys.executable,
        "versions": {"racetrace": __version__, "python": platform.python_version()},
        "timings_s": {},
    }


def _describe(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, SmokeTestError) else f"{type(exc).__name__}: {exc}"


def _isolate(folder: Path) -> None:
    """Headless, and every file the app or Qt/Chromium writes goes below `folder`."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["RACETRACE_HOME"] = str(folder / "home")
    for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"):
        path = folder / "xdg" / name.lower()
        path.mkdir(parents=True, mode=0o700)
        os.environ[name] = str(path)


class SmokeRun:
    """The steps, in order; `current_step` names the one that failed."""

    def __init__(self, folder: Path, report: dict[str, Any], deadline: float) -> None:
        self.folder = folder
        self.report = report
        self.deadline = deadline
        self.current_step = "start"
        self.problems: list[str] = []
        self.app: Any = None
        self.window: Any = None
        self.library: Any = None

    def execute(self) -> None:
        with self.step("qt"):
            self._start_qt()
        with self.step("window"):
            self._open_window()
        with self.step("map"):
            self._check_map()
        with self.step("import"):
            laps = self._import_generated_file()
        with self.step("compare"):
            self._compare(laps)
        with self.step("window_compare"):
            self._compare_in_window(laps)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.current_step = name
        started = time.perf_counter()
        yield
        self.report["timings_s"][name] = round(time.perf_counter() - started, 3)

    # ---- steps ------------------------------------------------------------------------------------------------
    def _start_qt(self) -> None:
        _isolate(self.folder)
        from racetrace_desktop.ui.qtenv import prepare_qt

        prepare_qt(headless=True)
        import PySide6
        from PySide6.QtCore import QCoreApplication, qVersion
        from PySide6.QtGui import QGuiApplication, QIcon
        from PySide6.QtWidgets import QApplication

        from racetrace_desktop.ui.main_window import ICON

        # The same identity as `racetrace gui` (ui/app.py): QtWebEngine and QSettings folders are named after it.
        QApplication.setApplicationName("RaceTrace")
        QApplication.setOrganizationName("RaceTrace")
        QApplication.setDesktopFileName("racetrace")
        self.app = QApplication.instance() or QApplication([sys.argv[0]])
        if not ICON.is_file():
            raise SmokeTestError(f"application icon missing: {ICON}")
        self.app.setWindowIcon(QIcon(str(ICON)))
        sys.excepthook = self._record_uncaught
        self.report["versions"].update(_library_versions(PySide6.__version__, qVersion()))
        self.report["qt"] = {"platform": QGuiApplication.platformName(),
                             "application": QCoreApplication.applicationName(),
                             "organization": QCoreApplication.organizationName(),
                             "icon": str(ICON), "sandbox_disabled": os.environ.get("QTWEBENGINE_DISABLE_SANDBOX")}

    def _open_window(self) -> None:
        from PySide6.QtCore import QSettings

        from racetrace_desktop import paths
        from racetrace_desktop.ui.context import AppContext
        from racetrace_desktop.ui.errors import ErrorFunnel
        from racetrace_desktop.ui.main_window import MainWindow
        from racetrace_desktop.ui.settings import AppSettings
        from racetrace_desktop.ui.tasks import TaskRunner

        settings = AppSettings(QSettings(str(self.folder / "settings.ini"), QSettings.Format.IniFormat))
        settings.online_tiles = False  # a smoke test must not depend on (or reach) a tile server
        errors = ErrorFunnel(self.app)
        errors.problem.connect(lambda title, message: self.problems.append(f"{title}: {message}"))
        context = AppContext(TaskRunner(self.app), settings, errors, paths.cache_dir())
        self.window = MainWindow(context)
        self.window.resize(1280, 800)
        self.window.show()
        if self.window.windowIcon().isNull():
            raise SmokeTestError("the main window has no icon")
        self.report["window"] = {"title": self.window.windowTitle()}

    def _check_map(self) -> None:
        area = self.window.analysis
        self.wait_until(lambda: area.map is not None and area.map.is_ready, "the map page did not become ready")
        state = self.map_state()
        if not state.get("leaflet"):
            raise SmokeTestError(f"Leaflet is not defined in the map page: {state}")
        self.report["leaflet"] = {"version": state["leaflet"], "page": str(area.map_context.page)}

    def _import_generated_file(self) -> list[Any]:
        from racetrace_desktop.services import importer, library_service
        from racetrace_desktop.services.library_access import open_library
        from racetrace_desktop.telemetry.synthetic import generate_session

        generated = generate_session(laps=SMOKE_LAPS, gps_hz=10.0, seed=7)
        source = generated.write(self.folder)
        self.library = open_library()  # the default file below RACETRACE_HOME, i.e. the temporary folder
        report = importer.import_files(self.library, [source])
        if report.failed or len(report.imported) != 1:
            raise SmokeTestError(f"import of {source.name} failed: {[str(r.error) for r in report.failed]}")
        session_uuid = report.imported[0].session_uuid
        if session_uuid is None:
            raise SmokeTestError(f"import of {source.name} reported no session")
        laps = library_service.session_laps(self.library, session_uuid)
        timed = [lap for lap in laps if lap.lap_time_ms is not None and not (lap.is_outlap or lap.is_inlap)]
        expected = [generated.truth.lap_times_ms[n] for n in generated.truth.timed_laps]
        found = [lap.lap_time_ms for lap in timed]
        if found != expected:
            raise SmokeTestError(f"imported lap times {found} differ from the generated ones {expected}")
        self.report["import"] = {"file": source.name, "library": str(self.library.path), "laps": len(laps),
                                 "lap_times_ms": found}
        return timed

    def _compare(self, laps: list[Any]) -> None:
        from racetrace_desktop.services.compare_service import compare_stored_laps

        reference, other = laps[0], laps[1]
        comparison = compare_stored_laps(self.library, [reference.uuid, other.uuid], reference=reference.uuid)
        compared = next(c for c in comparison.laps if c.lap.uuid == other.uuid)
        at_finish = float(compared.delta_s[-1])
        expected = (other.lap_time_ms - reference.lap_time_ms) / 1000.0
        if not abs(at_finish - expected) <= CLOSURE_TOLERANCE_S:
            raise SmokeTestError(f"delta at the finish {at_finish:.4f} s != lap-time difference {expected:.4f} s")
        self.report["compare"] = {"reference_lap": reference.number, "other_lap": other.number,
                                  "lap_times_ms": [reference.lap_time_ms, other.lap_time_ms],
                                  "delta_at_finish_s": round(at_finish, 4), "lap_time_difference_s": expected,
                                  "grid_points": len(comparison.distance_m)}

    def _compare_in_window(self, laps: list[Any]) -> None:
        window = self.window
        refreshed: list[bool] = []
        computed: list[object] = []
        window.library_refreshed.connect(lambda: refreshed.append(True))
        window.compare.computed.connect(computed.append)
        window.set_library(self.library)
        self.wait_until(lambda: bool(refreshed), "the window did not list the library")
        window.compare_laps([laps[0].uuid, laps[1].uuid])
        self.wait_until(lambda: bool(computed), "the window did not compute the comparison")
        state: dict[str, Any] = {}
        self.wait_until(lambda: self._map_lines_drawn(state), "the compared laps were not drawn on the map")
        self.report["window"].update({"sessions_listed": window.library_panel.session_count,
                                      "compared_laps": len(window.compare.lap_uuids),
                                      "map_polylines": state["polylines"], "map_svg_paths": state["svgPaths"]})

    # ---- helpers ----------------------------------------------------------------------------------------------
    def _map_lines_drawn(self, out: dict[str, Any]) -> bool:
        out.clear()
        out.update(self.map_state())
        return bool(out.get("svgPaths"))

    def map_state(self) -> dict[str, Any]:
        answers: list[dict | None] = []
        self.window.analysis.map.state(answers.append)
        self.wait_until(lambda: bool(answers), "the map page did not answer")
        return answers[0] or {}

    def wait_until(self, done: Callable[[], bool], what: str) -> None:
        """Run the event loop until `done()`; fail on the deadline or on a problem the app reported."""
        from PySide6.QtCore import QCoreApplication, QEventLoop

        while not done():
            if self.problems:
                raise SmokeTestError(f"{what}; the app reported: {self.problems[0]}")
            if time.perf_counter() > self.deadline:
                raise SmokeTestError(f"{what} (timed out)")
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.005)

    def _record_uncaught(self, kind: type[BaseException], value: BaseException, tb: Any) -> None:
        traceback.print_exception(kind, value, tb, file=sys.stderr)
        self.problems.append(f"uncaught {kind.__name__}: {value}")

    def shut_down(self) -> None:
        """Close the window and wait for workers; pages go before their profile (no QtWebEngine warnings)."""
        if self.window is not None:
            from PySide6.QtCore import QCoreApplication, QEvent

            self.window.close()
            self.window.context.runner.wait_for_done(10_000)
            self.window.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            QCoreApplication.processEvents()
        if self.library is not None:
            self.library.close()
        sys.excepthook = sys.__excepthook__


def _library_versions(pyside: str, qt: str) -> dict[str, str]:
    import alembic
    import folium
    import numpy
    import pyqtgraph
    import sqlalchemy
    import xstatic.pkg.leaflet as leaflet

    return {"pyside6": pyside, "qt": qt, "numpy": numpy.__version__, "sqlalchemy": sqlalchemy.__version__,
            "alembic": alembic.__version__, "pyqtgraph": pyqtgraph.__version__, "folium": folium.__version__,
            "leaflet_package": leaflet.VERSION}
