"""Shared test fixtures: paths to the real sample files and an isolated RACETRACE_HOME per test.

The samples live outside the repository (`../shared/samples`, or `RACETRACE_SHARED`): without them their tests are
skipped on a developer's clone and fail in CI (tests/prerequisites.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.prerequisites import missing

REPO_ROOT = Path(__file__).resolve().parents[1]


def _own_xdg_folders_per_worker() -> None:
    """Under pytest-xdist, each worker gets its own config, cache, data and runtime folders: Qt settings, the
    QtWebEngine profile and local sockets of two test processes must never meet."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"):
        base = os.environ.get(name)
        if base:
            folder = Path(base) / f"xdist-{worker}"
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.environ[name] = str(folder)


_own_xdg_folders_per_worker()
SHARED_DIR = Path(os.environ.get("RACETRACE_SHARED", REPO_ROOT.parent / "shared"))
TRACKADDICT_SAMPLES = SHARED_DIR / "samples" / "trackaddict"
OTHER_SAMPLES = SHARED_DIR / "samples" / "other"


def _corpus_missing(folder: Path) -> str:
    return f"real-sample corpus not found at {folder}: set RACETRACE_SHARED to the folder that holds samples/"


@pytest.fixture(scope="session")
def trackaddict_samples() -> Path:
    """The real TrackAddict exports."""
    if not (TRACKADDICT_SAMPLES / "sample_01.csv").is_file():
        missing(_corpus_missing(TRACKADDICT_SAMPLES))
    return TRACKADDICT_SAMPLES


@pytest.fixture(scope="session")
def other_samples() -> Path:
    """The real exports of other lap loggers."""
    if not (OTHER_SAMPLES / "MANIFEST.tsv").is_file():
        missing(_corpus_missing(OTHER_SAMPLES))
    return OTHER_SAMPLES


@pytest.fixture
def racetrace_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty data folder for the app under test."""
    home = tmp_path / "racetrace-home"
    home.mkdir()
    monkeypatch.setenv("RACETRACE_HOME", str(home))
    return home
