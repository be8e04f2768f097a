"""The task runner: results, progress and errors come back on the GUI thread; the writer pool is serial."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread

from racetrace_desktop.ui.tasks import Pool, TaskRunner


def test_result_and_progress_arrive_on_the_gui_thread(qtbot):
    runner = TaskRunner()
    gui = QThread.currentThread()
    seen: dict[str, object] = {"progress": []}

    def work(progress):
        for i in range(3):
            progress(i + 1, 3, f"step {i + 1}")
        return threading.get_ident()

    def on_progress(done, total, text):
        seen["progress"].append((done, total, text, QThread.currentThread() is gui))

    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda n: n == 0, timeout=5000):
        runner.submit(work, name="work", on_success=lambda r: seen.update(result=r, on_gui=QThread.currentThread()
                                                                             is gui), on_progress=on_progress)
    assert seen["on_gui"] is True
    assert seen["result"] != threading.get_ident()  # the work ran elsewhere
    assert [p[:3] for p in seen["progress"]] == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")]
    assert all(p[3] for p in seen["progress"])


def test_an_error_without_handler_reaches_the_failed_signal(qtbot):
    runner = TaskRunner()
    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.submit(lambda: 1 / 0, name="divide")
    name, exc = blocker.args
    assert name == "divide"
    assert isinstance(exc, ZeroDivisionError)


def test_a_failing_success_callback_is_reported_too(qtbot):
    runner = TaskRunner()

    def broken_callback(_result):
        raise ValueError("bug in callback")

    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.submit(lambda: 1, name="ok work", on_success=broken_callback)
    assert isinstance(blocker.args[1], ValueError)


def test_writes_run_one_at_a_time(qtbot):
    runner = TaskRunner()
    running, overlaps = [0], []

    def write():
        running[0] += 1
        overlaps.append(running[0])
        time.sleep(0.02)
        running[0] -= 1

    for i in range(4):
        runner.submit(write, name=f"write {i}", pool=Pool.WRITE)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=5000)
    assert overlaps == [1, 1, 1, 1]


def test_a_newer_task_with_the_same_key_supersedes_the_older(qtbot):
    runner = TaskRunner()
    delivered = []
    runner.submit(lambda: (time.sleep(0.2), "old")[1], name="slow", key="lap", on_success=delivered.append)
    runner.submit(lambda: "new", name="fast", key="lap", on_success=delivered.append)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=5000)
    assert delivered == ["new"]
