"""One small task runner: work runs in a QThreadPool, its result or error comes back on the main thread.

Library writes share a single-thread pool (one writer, as in Anki's taskman); reads and parsing use the general
pool; network fetches get their own pool so a slow server never delays a lap from opening. Callbacks are always
called on the GUI thread. A failure without its own `on_error` goes to `TaskRunner.failed`, which the main
window shows, so a worker error is never silent.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int, str], None]
"""`progress(done, total, text)`: callable from the worker; delivered on the main thread."""


class Pool(Enum):
    READ = "read"  # parsing, loading arrays, comparing
    WRITE = "write"  # every library write: one at a time
    NET = "net"  # tile downloads, sync


class _Relay(QObject):
    """Lives on the main thread; signals emitted from a worker are queued to it. Carries the task id."""

    succeeded = Signal(int, object)
    errored = Signal(int, object, str)
    progressed = Signal(int, int, int, str)


@dataclass
class Task:
    """Handle of a submitted task. `cancel()` drops its callbacks (the work itself runs to its end)."""

    name: str
    key: str | None = None
    cancelled: bool = False
    done: bool = False
    on_success: Callable[[Any], None] | None = field(default=None, repr=False)
    on_error: Callable[[BaseException], None] | None = field(default=None, repr=False)
    on_progress: ProgressFn | None = field(default=None, repr=False)
    # The main thread keeps the work callable until the task is released, so the last reference to it (and to
    # any widget its closure holds) is never dropped on a worker thread: a QObject destroyed there while the GUI
    # thread destroys a connected one deadlocks Qt's connection mutex against the GIL.
    work: Callable[..., Any] | None = field(default=None, repr=False)

    def cancel(self) -> None:
        self.cancelled = True


class _Runnable(QRunnable):
    def __init__(self, task_id: int, work: Callable[..., Any], relay: _Relay, with_progress: bool) -> None:
        super().__init__()
        self._task_id = task_id
        self._work: Callable[..., Any] | None = work
        self._relay = relay
        self._with_progress = with_progress

    def _progress(self, done: int, total: int, text: str) -> None:
        self._relay.progressed.emit(self._task_id, done, total, text)

    def run(self) -> None:
        work: Callable[..., Any] | None
        work, self._work = self._work, None  # the Task on the main thread holds the other reference
        if work is None:  # a runnable runs once
            return
        try:
            result = work(self._progress) if self._with_progress else work()
        except BaseException as exc:  # everything must reach the main thread, even SystemExit from a library
            text = traceback.format_exc()
            error = exc.with_traceback(None)  # no frames (and the objects they hold) travel with it
            work = None
            self._relay.errored.emit(self._task_id, error, text)
            return
        work = None
        self._relay.succeeded.emit(self._task_id, result)


class TaskRunner(QObject):
    """Owns the thread pools. Create one per application, on the main thread."""

    failed = Signal(str, object)  # task name, exception: the default error funnel
    busy_changed = Signal(int)  # number of unfinished tasks

    def __init__(self, parent: QObject | None = None, read_threads: int | None = None) -> None:
        super().__init__(parent)
        # Pools first: children are deleted in creation order, so the pools (which wait for their threads)
        # go before the relay the threads emit on.
        self._pools = {pool: QThreadPool(self) for pool in Pool}
        self._pools[Pool.WRITE].setMaxThreadCount(1)
        self._pools[Pool.NET].setMaxThreadCount(2)  # OSM tile policy: at most 2 connections
        if read_threads:
            self._pools[Pool.READ].setMaxThreadCount(read_threads)
        self._relay = _Relay(self)
        self._relay.succeeded.connect(self._finish)
        self._relay.errored.connect(self._fail)
        self._relay.progressed.connect(self._progress)
        self._tasks: dict[int, Task] = {}
        self._latest: dict[str, Task] = {}
        self._next_id = 0

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def submit(
        self,
        work: Callable[..., Any],
        *,
        name: str,
        on_success: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: ProgressFn | None = None,
        pool: Pool = Pool.READ,
        key: str | None = None,
    ) -> Task:
        """Run `work()` (or `work(progress)` when `on_progress` is given) off the GUI thread.

        `key`: a newer task with the same key supersedes older ones, whose callbacks are then dropped (so a slow
        lap load never overwrites the lap the user clicked afterwards).
        """
        task = Task(name=name, key=key, on_success=on_success, on_error=on_error, on_progress=on_progress, work=work)
        if key is not None:
            previous = self._latest.get(key)
            if previous is not None:
                previous.cancel()
            self._latest[key] = task
        self._next_id += 1
        self._tasks[self._next_id] = task
        self.busy_changed.emit(self.pending)
        self._pools[pool].start(_Runnable(self._next_id, work, self._relay, on_progress is not None))
        return task

    def wait_for_done(self, msecs: int = 30_000) -> bool:
        """Block until every pool is idle (for shutdown and benchmarks; callbacks still need the event loop)."""
        return all(p.waitForDone(msecs) for p in self._pools.values())

    def _release(self, task_id: int) -> Task | None:
        task = self._tasks.pop(task_id, None)
        if task is None:
            return None
        task.done = True
        task.work = None  # released here, on the main thread
        if task.key is not None and self._latest.get(task.key) is task:
            del self._latest[task.key]
        self.busy_changed.emit(self.pending)
        return task

    @Slot(int, int, int, str)
    def _progress(self, task_id: int, done: int, total: int, text: str) -> None:
        task = self._tasks.get(task_id)
        if task is not None and not task.cancelled and task.on_progress is not None:
            task.on_progress(done, total, text)

    @Slot(int, object)
    def _finish(self, task_id: int, result: object) -> None:
        task = self._release(task_id)
        if task is None or task.cancelled or task.on_success is None:
            return
        try:
            task.on_success(result)
        except Exception as exc:  # a bug in a callback is still an error the user must see
            log.exception("callback of %s failed", task.name)
            self.failed.emit(task.name, exc)

    @Slot(int, object, str)
    def _fail(self, task_id: int, exc: BaseException, text: str) -> None:
        task = self._release(task_id)
        if task is None:
            return
        # A task with its own error handler failed in an expected way (a bad file, no network): no traceback noise.
        log.log(logging.DEBUG if task.on_error else logging.ERROR, "task %s failed:\n%s", task.name, text)
        if task.cancelled:
            return
        if task.on_error is None:
            self.failed.emit(task.name, exc)
            return
        try:
            task.on_error(exc)
        except Exception as callback_exc:
            log.exception("error callback of %s failed", task.name)
            self.failed.emit(task.name, callback_exc)
