"""Qt test set-up: offscreen, no Chromium sandbox (root in CI), private XDG folders, QtWebEngine imported and
the `rttile:` scheme registered before pytest-qt creates the QApplication, and an in-memory keyring."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import keyring
import pytest

from tests.memory_keyring import MemoryKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--log-level=3")
_XDG = Path(tempfile.mkdtemp(prefix="racetrace-ui-xdg-"))
for _name in ("XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_RUNTIME_DIR"):
    os.environ.setdefault(_name, str(_XDG / _name.lower()))
    Path(os.environ[_name]).mkdir(parents=True, exist_ok=True, mode=0o700)

from racetrace_desktop.ui.qtenv import prepare_qt  # noqa: E402  (after the environment above)

prepare_qt()

from ui_helpers import make_window  # noqa: E402

from racetrace_desktop.library import open_library  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[3]
SCREENSHOT_DIR = REPO_ROOT / ".artifacts" / "screenshots"


@pytest.fixture(autouse=True)
def memory_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    print(f"\nUI screenshots are saved in {SCREENSHOT_DIR}")
    return SCREENSHOT_DIR


def pytest_terminal_summary(terminalreporter) -> None:
    if SCREENSHOT_DIR.is_dir():
        terminalreporter.write_line(f"UI screenshots: {SCREENSHOT_DIR}")


@pytest.fixture
def library(racetrace_home):
    lib = open_library(racetrace_home / "library.sqlite")
    yield lib
    lib.close()


@pytest.fixture
def window(qtbot, library, tmp_path):
    win = make_window(qtbot, tmp_path)
    with qtbot.waitSignal(win.library_refreshed, timeout=10_000):
        win.set_library(library)
    yield win
    win.context.runner.wait_for_done(10_000)
