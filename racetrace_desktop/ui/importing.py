"""Import files in the writer pool with progress; every file ends as a new session, a duplicate or an error."""

from __future__ import annotations

import contextlib
import ctypes
import html
import logging
import multiprocessing
import queue
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from racetrace_desktop.ui.context import AppContext
from racetrace_desktop.ui.tasks import Pool
from racetrace_desktop.ui.units import format_lap_time

if TYPE_CHECKING:
    from racetrace_desktop.services.importer import FileImportResult, ImportReport
    from racetrace_desktop.services.library_access import Library

log = logging.getLogger(__name__)
# sample_01 (21 min, 2.9 MB) imports in ~0.5 s on a thread; a spawned import process alone takes ~1 s to start.
# An hour at 20 Hz is ~15 MB: that and bigger batches go to the process.
PROCESS_ABOVE_BYTES = 8 * 2**20

# Keyed by ImportStatus values (a StrEnum), so this module does not import the importer at start-up.
IMPORTED, DUPLICATE, FAILED = "imported", "duplicate", "failed"
STATUS_COLOURS = {IMPORTED: "#2e7d32", DUPLICATE: "#8d6e00", FAILED: "#c62828"}
SHOWN_WARNINGS = 5  # per file in the log's text; the tooltip has them all


def describe_result(result: FileImportResult) -> str:
    name = result.path.name
    if result.status == IMPORTED:
        best = f", best {format_lap_time(result.best_lap_ms)}" if result.best_lap_ms else ""
        track = f" at {result.track_name}" if result.track_name else ""
        new = " (new track)" if result.new_track else ""
        return f"✓ {name}: {result.lap_count} laps{best}{track}{new}" + _warning_lines(result.warnings)
    if result.status == DUPLICATE:
        return f"= {name}: {result.error.message if result.error else 'already in the library'}"
    return f"✗ {result.error or name}"


def _warning_lines(warnings: Sequence[str]) -> str:
    """The reader's and the analysis' warnings (each names the file, and the line where it applies)."""
    lines = [f"\n  ⚠ {warning}" for warning in warnings[:SHOWN_WARNINGS]]
    if len(warnings) > SHOWN_WARNINGS:
        lines.append(f"\n  ⚠ … and {len(warnings) - SHOWN_WARNINGS} more (hover for all)")
    return "".join(lines)


def batch_bytes(files: Sequence[Path]) -> int:
    """Total size of the files that exist (missing ones fail on their own during the import)."""
    total = 0
    for file in files:
        with contextlib.suppress(OSError):
            total += file.stat().st_size
    return total


def release_free_memory() -> None:
    """Give the parser's freed buffers back to the OS (glibc keeps them otherwise; ~50 MB per hour of data)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


class ImportLog(QListWidget):
    """Per-file results, newest first; failures in red with the file, line and reason."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import_log")
        self.setWordWrap(True)

    def add_results(self, results: Sequence[FileImportResult]) -> None:
        for result in results:
            item = QListWidgetItem(describe_result(result))
            item.setForeground(QBrush(QColor(STATUS_COLOURS[str(result.status)])))
            item.setData(Qt.ItemDataRole.UserRole, str(result.status))
            item.setToolTip(html.escape(str(result.path)) + "".join(f"\n⚠ {w}" for w in result.warnings))
            self.insertItem(0, item)

    def add_message(self, text: str, colour: str = "#c62828") -> None:
        item = QListWidgetItem(text)
        item.setForeground(QBrush(QColor(colour)))
        self.insertItem(0, item)

    def texts(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())]


class ImportController(QObject):
    """Runs imports one batch after another on the writer pool.

    Big batches are parsed and stored in a separate Python process (spawned per batch and ended after it), so the
    window's thread never waits for the GIL and the parser's memory is given back when the batch ends. A small
    batch (a lap session or two dropped on the window) is imported on the worker thread: starting that process
    costs more than the import itself, and the driver waits for the session to appear. Frozen builds and any
    failure to start the process also import on the worker thread.
    """

    started = Signal(int)  # number of files
    progressed = Signal(int, str)  # per mille of the batch, text
    finished = Signal(object)  # ImportReport
    library_changed = Signal(object)  # Changes

    def __init__(self, context: AppContext, parent: QObject | None = None, use_process: bool | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.running = 0
        self.use_process = (not getattr(sys, "frozen", False)) if use_process is None else use_process
        self.process_above_bytes = PROCESS_ABOVE_BYTES

    def import_paths(self, paths: Sequence[Path | str], importer: Callable[..., ImportReport] | None = None) -> None:
        library = self.context.library
        files = [Path(p) for p in paths]
        if library is None or not files:
            return
        in_process = importer is None and self.use_process and batch_bytes(files) > self.process_above_bytes

        def work(progress: Callable[[int, int, str], None]) -> ImportReport:
            if in_process:
                try:
                    return _import_in_process(library.path, files, progress)
                except (OSError, RuntimeError, BrokenProcessPool) as exc:  # could not use a process: do it here
                    log.warning("import process unavailable (%s); importing in the window's process", exc)
            return _import_here(library, files, progress, importer)

        self.running += 1
        self.started.emit(len(files))
        self.context.runner.submit(work, name=f"import {len(files)} file(s)", pool=Pool.WRITE,
                                   on_progress=lambda done, _total, text: self.progressed.emit(done, text),
                                   on_success=self._done, on_error=self._failed)

    def _done(self, report: ImportReport) -> None:
        self.running -= 1
        for result in report.failed:
            self.context.errors.report("Import failed", str(result.error))
        self.finished.emit(report)
        if not report.changes.empty:
            self.library_changed.emit(report.changes)

    def _failed(self, exc: BaseException) -> None:
        from racetrace_desktop.services.changes import Changes
        from racetrace_desktop.services.importer import ImportReport

        self.running -= 1
        self.context.errors.report("Import failed", exc)
        self.finished.emit(ImportReport(()))
        self.library_changed.emit(Changes())


def _import_here(library: Library, files: list[Path], progress: Callable[[int, int, str], None],
                 importer: Callable[..., ImportReport] | None) -> ImportReport:
    from racetrace_desktop.services.importer import ImportProgress, import_files

    def report(step: ImportProgress) -> None:
        label = f"{step.path.name} ({step.file_index + 1}/{step.file_count}): {step.stage}"
        progress(round(step.fraction * 1000), 1000, label)

    try:
        return (importer or import_files)(library, files, progress=report)
    finally:
        release_free_memory()  # here, on the worker: trimming a big heap takes a moment


def _import_in_process(library_path: Path, files: list[Path], progress: Callable[[int, int, str], None]
                       ) -> ImportReport:
    """Import in a spawned process; its progress comes back through a queue (read on this worker thread)."""
    from racetrace_desktop.services import import_process

    context = multiprocessing.get_context("spawn")
    updates = context.Queue()
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=import_process.init_import_process,
                             initargs=(updates,)) as executor:
        future = executor.submit(import_process.import_job, str(library_path), [str(f) for f in files])
        while True:
            try:
                fraction, text = updates.get(timeout=0.05)
            except queue.Empty:
                if future.done():
                    break
                continue
            progress(round(fraction * 1000), 1000, text)
        return future.result()
