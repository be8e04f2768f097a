"""Shared test fixtures: paths to the real sample files and an isolated RACETRACE_HOME per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("RACETRACE_SHARED", REPO_ROOT.parent / "shared"))
TRACKADDICT_SAMPLES = SHARED_DIR / "samples" / "trackaddict"
OTHER_SAMPLES = SHARED_DIR / "samples" / "other"


@pytest.fixture(scope="session")
def trackaddict_samples() -> Path:
    """The real TrackAddict exports. Missing samples fail the run: they are never skipped."""
    if not (TRACKADDICT_SAMPLES / "sample_01.csv").is_file():
        pytest.fail(f"sample files not found in {TRACKADDICT_SAMPLES} (set RACETRACE_SHARED)")
    return TRACKADDICT_SAMPLES


@pytest.fixture(scope="session")
def other_samples() -> Path:
    if not OTHER_SAMPLES.is_dir():
        pytest.fail(f"other loggers' sample files not found in {OTHER_SAMPLES} (set RACETRACE_SHARED)")
    return OTHER_SAMPLES


@pytest.fixture
def racetrace_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty data folder for the app under test."""
    home = tmp_path / "racetrace-home"
    home.mkdir()
    monkeypatch.setenv("RACETRACE_HOME", str(home))
    return home
