"""`racetrace gui --demo --view ... --screenshot PATH` writes a picture of the whole window and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

from racetrace_desktop.ui.app import parse_args


@pytest.mark.parametrize("view", ["compare", "lap"])
def test_screenshot_mode_saves_the_window_and_exits_zero(tmp_path, view, screenshot_dir):
    target = screenshot_dir / f"screenshot_mode_{view}.png"
    target.unlink(missing_ok=True)
    env = dict(os.environ, RACETRACE_HOME=str(tmp_path / "home"))
    done = subprocess.run([sys.executable, "-m", "racetrace_desktop", "gui", "--demo", "--view", view,
                           "--screenshot", str(target)], env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1600, 1000)
    # A drawn window, not a blank one: many different colours (plots, map lines, legend).
    colours = {image.pixel(x, y) for x in range(0, 1600, 7) for y in range(0, 1000, 7)}
    assert len(colours) > 50


def test_screenshot_mode_reports_failure_with_a_non_zero_exit(tmp_path):
    empty_library = tmp_path / "empty.sqlite"
    env = dict(os.environ, RACETRACE_HOME=str(tmp_path / "home"))
    done = subprocess.run([sys.executable, "-m", "racetrace_desktop", "gui", "--library", str(empty_library),
                           "--view", "lap", "--screenshot", str(tmp_path / "x.png")],
                          env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 1
    assert "no session to show" in done.stderr
    assert not (tmp_path / "x.png").exists()


def test_gui_options_parse():
    args = parse_args(["--demo", "--view", "compare", "--screenshot", "out.png"])
    assert (args.demo, args.view, str(args.screenshot)) == (True, "compare", "out.png")
