"""Where RaceTrace keeps its data. `RACETRACE_HOME` overrides the platform default."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "RaceTrace"


def data_dir() -> Path:
    """The library folder: the SQLite file, original files and caches live below it."""
    override = os.environ.get("RACETRACE_HOME")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """Disposable files (map pages, tile cache). Inside RACETRACE_HOME when it is set."""
    override = os.environ.get("RACETRACE_HOME")
    base = Path(override) / "cache" if override else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    base.mkdir(parents=True, exist_ok=True)
    return base
