"""Desktop UI benchmarks, each in a fresh offscreen Qt process.

Rows: cold start to a shown window; the longest event-loop stall while ten 1-hour files import (a 2 ms timer
probe on the GUI thread); opening the lap view of a lap from a 1-hour session; opening a compare of ten laps until
it is fully drawn (plots painted, map lines drawn), next to the compare computation alone; the frame time when
panning ten overlaid laps; the memory of the whole app (PSS and RSS of the main process plus its QtWebEngine
children) with the map and ten laps.

    python -m benchmarks bench_ui          # via the runner (all rows; generates and imports ten 1-hour files)
    python -m benchmarks.bench_ui --compare-only   # the compare rows on a small library (two 10-lap sessions)
    python -m benchmarks.bench_ui --scenario session --workdir DIR   # one child (internal)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FILES = 10
STARTUP_RUNS = 5


# ---- parent side --------------------------------------------------------------------------------------------------
def _env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    env.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--log-level=3")
    env["RACETRACE_HOME"] = str(workdir / "home")
    for name in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR"):
        folder = workdir / name.lower()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        env[name] = str(folder)
    return env


def _child(scenario: str, workdir: Path, timeout: float = 600) -> list[str]:
    # faulthandler: a crashing child prints where it crashed
    cmd = [sys.executable, "-X", "faulthandler", "-m", "benchmarks.bench_ui", "--scenario", scenario,
           "--workdir", str(workdir)]
    done = subprocess.run(cmd, cwd=REPO, env=_env(workdir), capture_output=True, text=True, timeout=timeout)
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH ")]
    if done.returncode != 0 or not lines:
        output = done.stdout[-2000:] + done.stderr[-4000:]
        raise RuntimeError(f"{scenario} child failed (rc {done.returncode}):\n{output}")
    return [line[6:] for line in lines]


def _startup(workdir: Path) -> dict:
    times = []
    for _ in range(STARTUP_RUNS):
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "benchmarks.bench_ui", "--scenario", "startup", "--workdir",
                                 str(workdir)], cwd=REPO, env=_env(workdir), stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("BENCH shown"):
                times.append(time.perf_counter() - start)
                break
        proc.wait(timeout=60)
    if not times:
        raise RuntimeError("the window never reported being shown")
    return {"name": "ui: cold start to a shown window", "seconds": min(times),
            "median_seconds": statistics.median(times), "target": "<= 1.0 s"}


def _make_files(folder: Path) -> list[Path]:
    from racetrace_desktop.telemetry.synthetic import DEFAULT_START_UTC, generate_session

    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(FILES):
        session = generate_session(duration_s=3600, gps_hz=10, obd=True, seed=100 + i,
                                   start_utc=DEFAULT_START_UTC + timedelta(days=i))
        files.append(session.write(folder))
    return files


def _small_library(workdir: Path) -> None:
    """Two 10 Hz sessions of one track, ten timed laps each, imported straight into the library file."""
    from racetrace_desktop.library import open_library
    from racetrace_desktop.services.importer import import_files
    from racetrace_desktop.telemetry.synthetic import DEFAULT_START_UTC, generate_session

    folder = workdir / "files"
    folder.mkdir(parents=True, exist_ok=True)
    paths = [generate_session(laps=10, gps_hz=10, seed=200 + i, start_utc=DEFAULT_START_UTC + timedelta(days=i))
             .write(folder) for i in range(2)]
    library = open_library(workdir / "bench.sqlite")
    try:
        import_files(library, paths)
    finally:
        library.close()


def run_compare_only() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="racetrace-bench-ui-") as tmp:
        workdir = Path(tmp)
        _env(workdir)  # creates the XDG folders
        _small_library(workdir)
        return [json.loads(line) for line in _child("compare", workdir) if line.startswith("{")]


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="racetrace-bench-ui-") as tmp:
        workdir = Path(tmp)
        rows = [_startup(workdir)]
        _make_files(workdir / "files")
        rows.extend(json.loads(line) for line in _child("session", workdir) if line.startswith("{"))
        rows.extend(json.loads(line) for line in _child("compare", workdir) if line.startswith("{"))
    rows.extend(run_start_and_drop())
    return rows


# ---- start to a usable window; drop of sample_01 (parent side) ----------------------------------------------------
USABLE_SESSIONS = 100
USABLE_RUNS = 3
SAMPLE_01 = Path(os.environ.get("RACETRACE_SHARED", "/work/shared")) / "samples" / "trackaddict" / "sample_01.csv"


def run_start_and_drop() -> list[dict]:
    """`python -m benchmarks.bench_ui --scenario start-and-drop --workdir DIR` prints only these rows."""
    with tempfile.TemporaryDirectory(prefix="racetrace-bench-start-") as tmp:
        workdir = Path(tmp)
        return [_usable_start(workdir), _drop_sample(workdir)]


def _fill_library(workdir: Path) -> Path:
    """A library of 100 short generated sessions (3 laps each), imported like real files."""
    from racetrace_desktop.library import open_library
    from racetrace_desktop.services.importer import import_files
    from racetrace_desktop.telemetry.synthetic import DEFAULT_START_UTC, generate_session

    folder = workdir / "sessions"
    folder.mkdir(parents=True, exist_ok=True)
    files = [generate_session(laps=3, gps_hz=10, obd=True, seed=500 + i, track_name="Demo Ring",
                              start_utc=DEFAULT_START_UTC + timedelta(days=i)).write(folder)
             for i in range(USABLE_SESSIONS)]
    path = workdir / "library.sqlite"
    library = open_library(path)
    try:
        report = import_files(library, files)
        assert len(report.imported) == USABLE_SESSIONS, report.failed[:1]
    finally:
        library.close()
    return path


def _screen_env(workdir: Path) -> dict[str, str]:
    """The children's environment with a 1920x1080 offscreen screen (the default offscreen screen is 800x600)."""
    config = workdir / "screen-1920x1080.json"
    config.write_text(json.dumps({"screens": [{"name": "bench", "x": 0, "y": 0, "width": 1920, "height": 1080,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = _env(workdir)
    if env["QT_QPA_PLATFORM"] == "offscreen":
        env["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    return env


def _timed_child(scenario: str, workdir: Path) -> dict[str, float]:
    """Wall time from starting a child process to each `BENCH <marker> [value]` line it prints: {marker: s}.
    A marker with a value (measured in the child) maps to that value instead."""
    cmd = [sys.executable, "-m", "benchmarks.bench_ui", "--scenario", scenario, "--workdir", str(workdir)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, env=_screen_env(workdir), stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    marks: dict[str, float] = {}
    for line in proc.stdout:
        if line.startswith("BENCH "):
            marker, _, value = line[6:].strip().partition(" ")
            marks.setdefault(marker, float(value) if value else time.perf_counter() - start)
    if proc.wait(timeout=300) != 0:
        raise RuntimeError(f"{scenario} child failed (rc {proc.returncode}): {marks}")
    return marks


def _usable_start(workdir: Path) -> dict:
    _fill_library(workdir)
    _timed_child("usable-prepare", workdir)  # a first run: opens a lap, saves the layout and the last lap
    runs = [_timed_child("usable", workdir) for _ in range(USABLE_RUNS)]
    times = [marks["usable"] for marks in runs]
    return {"name": f"ui: start to a usable window ({USABLE_SESSIONS} sessions, lap + map drawn)",
            "seconds": statistics.median(times), "best_seconds": min(times), "target": "<= 1.5 s",
            "baseline_seconds": statistics.median(marks["shown"] for marks in runs),
            "baseline": "window shown (same runs)", "runs": times,
            "listed_seconds": statistics.median(marks["listed"] for marks in runs),
            "lap_seconds": statistics.median(marks["lap"] for marks in runs)}


def _drop_sample(workdir: Path) -> dict:
    env = _env(workdir)
    cli_times = []
    for run in range(USABLE_RUNS):
        env["RACETRACE_HOME"] = str(workdir / f"cli-home-{run}")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "racetrace_desktop", "import", str(SAMPLE_01)], cwd=REPO, env=env,
                       check=True, capture_output=True)
        cli_times.append(time.perf_counter() - start)
    runs = [_timed_child("drop", workdir) for _ in range(USABLE_RUNS)]
    drops = [marks["dropped"] for marks in runs]
    cli, drop = statistics.median(cli_times), statistics.median(drops)
    return {"name": "ui: drop of sample_01 to its session visible", "seconds": drop, "best_seconds": min(drops),
            "baseline_seconds": cli, "baseline": "CLI import of the same file (whole process)",
            "ratio": drop / cli, "target": "<= CLI import + 0.3 s", "margin_seconds": drop - cli,
            "longest_gui_stall_seconds": max(marks["stall"] for marks in runs)}


# ---- start to a usable window; drop of sample_01 (child side) -----------------------------------------------------
def _usable_child(workdir: Path, prepare: bool) -> None:
    from racetrace_desktop.ui.app import build_window, parse_args, show_window

    app, window = build_window(parse_args(["--offline", "--library", str(workdir / "library.sqlite")]))
    lap_shown: list = []
    window.lap_loaded.connect(lap_shown.append)
    window.lap_loaded.connect(lambda _lap: _emit("lap"))
    window.library_refreshed.connect(lambda: _emit("listed"))
    show_window(window)
    app.processEvents()
    _emit("shown")
    drawn: list = []

    def map_drawn() -> bool:
        view = window.analysis.map
        if view is None or not view.is_ready:
            return False
        view.state(lambda st: drawn.append(bool(st and st.get("svgPaths"))))
        return bool(drawn and drawn[-1])

    _wait(app, lambda: window.library_panel.session_count == USABLE_SESSIONS and bool(lap_shown)
          and bool(window.lap_view.plots.traces), 120)
    _wait(app, map_drawn, 120)
    if prepare:
        window.close()
        _emit("closed")
    else:
        _emit("usable")
    os._exit(0)


def _drop_child(workdir: Path) -> None:
    """A window on an empty library; sample_01 dropped on it; time until its session and lap are shown."""
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    from racetrace_desktop.ui.app import build_window, parse_args

    library = workdir / "drop.sqlite"
    for leftover in workdir.glob("drop.sqlite*"):
        leftover.unlink()
    app, window = build_window(parse_args(["--offline", "--library", str(library)]))
    window.context.settings.demo_offered = True  # no welcome box over the window
    window.resize(1600, 1000)
    window.show()
    _wait(app, lambda: window.context.library is not None and window.analysis.map is not None
          and window.analysis.map.is_ready, 120)
    shown: list = []
    window.lap_loaded.connect(shown.append)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(SAMPLE_01))])
    args = (QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    probe = _StallProbe()
    probe.start()
    start = time.perf_counter()
    QApplication.sendEvent(window, QDragEnterEvent(*args))  # as a file manager's drag: enter, then drop
    QApplication.sendEvent(window, QDropEvent(*args))
    _wait(app, lambda: bool(shown) and window.library_panel.session_count == 1, 120)
    _emit(f"dropped {time.perf_counter() - start:.4f}")
    _emit(f"stall {probe.stop():.4f}")  # the import runs on a worker thread: how long the window froze
    os._exit(0)


# ---- child side ---------------------------------------------------------------------------------------------------
def _emit(kind: str) -> None:
    print(f"BENCH {kind}", flush=True)


def _emit_row(row: dict) -> None:
    print(f"BENCH {json.dumps(row)}", flush=True)


def _startup_child() -> None:
    from racetrace_desktop.ui.app import build_window, parse_args

    app, window = build_window(parse_args(["--offline"]))
    window.show()
    from PySide6.QtCore import QTimer

    def shown() -> None:
        _emit("shown")
        os._exit(0)  # the measurement ends here; skip teardown

    QTimer.singleShot(0, shown)
    app.exec()


class _StallProbe:
    """A 2 ms timer on the GUI thread: the longest gap between ticks is the longest freeze a user would feel."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(2)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.worst = 0.0

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def stop(self) -> float:
        self.timer.stop()
        return self.worst


def _wait(app, condition, timeout_s: float = 600) -> None:
    from PySide6.QtCore import QEventLoop

    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("benchmark step timed out")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def _session_child(workdir: Path) -> None:
    import psutil

    from racetrace_desktop.services import library_service
    from racetrace_desktop.services.importer import ImportReport
    from racetrace_desktop.ui.app import build_window, parse_args

    app, window = build_window(parse_args(["--offline", "--library", str(workdir / "bench.sqlite")]))
    window.resize(1600, 1000)
    window.show()
    _wait(app, lambda: window.context.library is not None)
    # The map's web view is created once, shortly after start; measure the import, not that.
    _wait(app, lambda: window.analysis.map is not None and window.analysis.map.is_ready, 120)
    files = sorted((workdir / "files").glob("*.csv"))

    probe = _StallProbe()
    finished: list[ImportReport] = []
    shown: list[object] = []
    window.importer.finished.connect(finished.append)
    window.lap_loaded.connect(shown.append)
    start = time.perf_counter()
    probe.start()
    window.import_paths(files)
    _wait(app, lambda: bool(finished))
    import_seconds, stall = time.perf_counter() - start, probe.stop()
    _emit_row({"name": f"ui: longest GUI stall while importing {FILES} 1-hour files", "seconds": stall,
               "target": "<= 50 ms", "import_seconds": import_seconds, "imported": len(finished[0].imported),
               "main_rss_mb_after": psutil.Process().memory_info().rss / 2**20})
    # Then the window lists the new sessions and opens the first one (the first plots are built).
    probe.start()
    _wait(app, lambda: bool(shown), 30)
    settle = time.perf_counter() + 0.3
    _wait(app, lambda: time.perf_counter() > settle)
    _emit_row({"name": "ui: longest GUI stall showing the imported sessions", "seconds": probe.stop(),
               "target": "(no target; first plots are built here)"})
    _lap_open(app, window, library_service)
    os._exit(0)


def _compare_child(workdir: Path) -> None:
    """A fresh start on the library the session child filled: compare 10 laps with the map, pan, measure."""
    import psutil

    from racetrace_desktop.services import library_service
    from racetrace_desktop.ui.app import build_window, parse_args

    app, window = build_window(parse_args(["--offline", "--library", str(workdir / "bench.sqlite")]))
    window.resize(1600, 1000)
    window.show()
    _wait(app, lambda: window.context.library is not None)
    _compare_open(app, window, library_service)
    _pan_and_memory(app, window, library_service, psutil)
    os._exit(0)


def _lap_open(app, window, library_service) -> None:
    library = window.context.library
    session = library_service.list_sessions(library)[0]
    _wait(app, lambda: window.library_panel.session_count > 0)
    window.open_session(session.uuid)
    _wait(app, lambda: window.session_view is not None and window.session_view.detail.summary.uuid == session.uuid)
    laps = [lap for lap in library_service.session_laps(library, session.uuid) if lap.lap_time_ms][5:10]
    loaded: list[object] = []
    times: list[float] = []
    window.lap_loaded.connect(loaded.append)
    for lap in laps:
        count = len(loaded)
        start = time.perf_counter()
        window.open_lap(lap.uuid)
        _wait(app, lambda c=count: len(loaded) > c)
        window.lap_view.plots.layout_widget.viewport().repaint()  # the first frame of the new lap is painted
        times.append(time.perf_counter() - start)
    _emit_row({"name": "ui: open the lap view (lap of a 1-hour session)", "seconds": statistics.median(times),
                  "best_seconds": min(times), "target": "<= 150 ms"})


def _ten_laps(window, library_service) -> list:
    library = window.context.library
    laps: list[uuid.UUID] = []
    for session in library_service.list_sessions(library):
        laps.extend(lap.uuid for lap in library_service.session_laps(library, session.uuid)
                    if lap.is_valid and lap.lap_time_ms)
    return laps[3:3 + 10]


def _map_lines(app, window) -> int:
    """Polylines the map page draws now (one round trip to the page)."""
    box: list = []
    window.analysis.map.state(lambda st: box.append(st))
    _wait(app, lambda: bool(box), 30)
    return int((box[0] or {}).get("svgPaths", 0))


def _compare_open(app, window, library_service) -> None:
    """From 'compare these 10 laps' to plots painted and the map's lines drawn, a few times (median)."""
    from racetrace_desktop.ui.analysis.compare_build import compare_from_library

    laps = _ten_laps(window, library_service)
    _wait(app, lambda: window.library_panel.session_count > 0)
    _wait(app, lambda: window.analysis.map is not None and window.analysis.map.is_ready, 120)
    computed: list = []
    window.compare.computed.connect(computed.append)
    window.compare_laps(laps)  # a first compare warms imports and builds the plot rows
    _wait(app, lambda: bool(computed))
    times, compute, stages, view_s = [], [], [], []
    original = window.compare_view.show_compare

    def timed_show(*args, **kwargs):  # the GUI-thread part of showing a compare
        begin = time.perf_counter()
        original(*args, **kwargs)
        view_s.append(time.perf_counter() - begin)

    window.compare_view.show_compare = timed_show
    sessions = dict(window.compare.sessions)
    for _ in range(5):
        window.compare.clear()
        _wait(app, lambda: _map_lines(app, window) == 0, 30)
        count = len(computed)
        start = time.perf_counter()
        window.compare_laps(laps)
        _wait(app, lambda c=count: len(computed) > c)
        shown = time.perf_counter()
        window.compare_view.plots.layout_widget.viewport().repaint()
        painted = time.perf_counter()
        _wait(app, lambda: _map_lines(app, window) > 0, 30)
        times.append(time.perf_counter() - start)
        stages.append((shown - start, painted - shown, time.perf_counter() - painted))
        begin = time.perf_counter()  # baseline: the compare computation alone (what the worker does)
        compare_from_library(window.context.library, laps, None, sessions)
        compute.append(time.perf_counter() - begin)
    display = computed[-1]
    _emit_row({"name": "ui: open a 10-lap compare to fully drawn (median)", "seconds": statistics.median(times),
               "best_seconds": min(times), "baseline_seconds": statistics.median(compute),
               "ratio": statistics.median(times) / statistics.median(compute), "target": "<= 300 ms",
               "laps": len(display.laps), "grid_points": len(display.result.distance_m),
               "median_to_shown_s": statistics.median(a for a, _, _ in stages),
               "median_paint_s": statistics.median(b for _, b, _ in stages),
               # show_compare calls (timed after the warm-up): a clear, then the compare, five times
               "median_view_fill_s": statistics.median(view_s[1::2]),
               "median_map_after_paint_s": statistics.median(c for _, _, c in stages),
               "corners": len(display.stored.corners) if display.stored else 0,
               "corner_report_rows": window.compare_view.corner_report.rowCount()})


def _pan_and_memory(app, window, library_service, psutil) -> None:
    laps = _ten_laps(window, library_service)
    computed: list = []
    window.compare.computed.connect(computed.append)
    _wait(app, lambda: window.library_panel.session_count > 0)
    window.compare.clear()
    window.compare_laps(laps)
    _wait(app, lambda: bool(computed))
    plots = window.compare_view.plots
    _wait(app, lambda: window.analysis.map is not None and window.analysis.map.is_ready, 120)
    frames = []
    length = float(computed[0].result.distance_m[-1])
    for step in range(60):
        start_m = (step * 37.0) % max(length - 600.0, 1.0)
        begin = time.perf_counter()
        plots.pan_to(start_m, start_m + 600.0)  # what a mouse drag does (no map refit)
        plots.layout_widget.viewport().repaint()
        frames.append(time.perf_counter() - begin)
    frames.sort()
    _emit_row({"name": "ui: frame when panning 10 overlaid laps (median)", "seconds": statistics.median(frames),
               "max_seconds": frames[-1],
               "p95_seconds": frames[int(len(frames) * 0.95)], "target": "<= 16 ms"})
    _wait(app, lambda: _map_lines(app, window) > 0, 60)
    me = psutil.Process()
    children = me.children(recursive=True)
    main_rss = me.memory_info().rss
    rss = main_rss + sum(c.memory_info().rss for c in children)
    # RSS counts the shared Chromium/Qt libraries once per process; PSS splits them fairly.
    pss = sum(p.memory_full_info().pss for p in [me, *children])
    mb = 2**20
    _emit_row({"name": "ui: memory with map and 10 overlaid laps (PSS, all processes)", "value": pss / mb,
               "unit": "MB", "peak_mb": pss / mb, "target": "<= 600 MB PSS", "rss_mb": rss / mb,
               "main_rss_mb": main_rss / mb, "webengine_rss_mb": (rss - main_rss) / mb,
               "processes": 1 + len(children)})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario",
                        choices=("startup", "session", "compare", "usable-prepare", "usable", "drop", "start-and-drop"))
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--compare-only", action="store_true", help="the compare rows on a small library")
    args = parser.parse_args()
    if args.compare_only:
        for row in run_compare_only():
            print(json.dumps(row))
        return
    if args.scenario == "start-and-drop":
        from benchmarks.__main__ import _fmt

        for row in run_start_and_drop():
            print(_fmt(row), json.dumps(row), flush=True)
        return
    if args.scenario is None or args.workdir is None:
        parser.error("--scenario and --workdir (or --compare-only)")
    if args.scenario in ("usable-prepare", "usable"):
        _usable_child(args.workdir, prepare=args.scenario == "usable-prepare")
    elif args.scenario == "drop":
        _drop_child(args.workdir)
    elif args.scenario == "startup":
        _startup_child()
    elif args.scenario == "session":
        _session_child(args.workdir)
    else:
        _compare_child(args.workdir)


if __name__ == "__main__":
    main()
