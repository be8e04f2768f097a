"""One instance per library: a second `racetrace FILE` hands its files to the open window and exits."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from racetrace_desktop.ui.app import listen_for_instances
from racetrace_desktop.ui.instance import hand_over, server_name


def start_second_instance(library_path, *files) -> subprocess.Popen:
    command = [sys.executable, "-m", "racetrace_desktop", "gui", "--library", str(library_path), *map(str, files)]
    return subprocess.Popen(command, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_a_second_instance_hands_its_file_to_the_open_window(qtbot, window, library, trackaddict_samples):
    listen_for_instances(window, server_name(library.path))
    window.showMinimized()
    started = time.monotonic()
    second = start_second_instance(library.path, trackaddict_samples / "sample_02.csv")

    with qtbot.waitSignal(window.session_loaded, timeout=60_000) as shown:
        qtbot.waitUntil(lambda: second.poll() is not None, timeout=30_000)
    output = second.stdout.read().decode() if second.stdout else ""

    assert second.returncode == 0, output
    assert "handed 1 file(s) to the RaceTrace window already open" in output
    assert time.monotonic() - started < 30  # it did not run a window of its own until closed
    summary = window.library_panel.summary(shown.args[0])
    assert summary is not None and summary.source_name == "sample_02.csv"
    assert window.library_panel.selected_sessions() == [shown.args[0]]  # the new session is shown
    assert not window.isMinimized()  # brought to the front
    assert window.status_text.text() == "Import: 1 added."


def test_without_an_open_window_nobody_takes_the_files(tmp_path):
    assert not hand_over(server_name(tmp_path / "nobody.sqlite"), [tmp_path / "a.csv"])


def test_each_library_has_its_own_instance(tmp_path):
    assert server_name(tmp_path / "a.sqlite") != server_name(tmp_path / "b.sqlite")
    assert server_name(tmp_path / "a.sqlite") == server_name(tmp_path / "." / "a.sqlite")
