"""What every window part shares: the library (once open), the task runner, settings, errors, the map set-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from racetrace_desktop.ui.errors import ErrorFunnel
from racetrace_desktop.ui.settings import AppSettings
from racetrace_desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from racetrace_desktop.services.library_access import Library


@dataclass
class AppContext:
    runner: TaskRunner
    settings: AppSettings
    errors: ErrorFunnel
    cache_folder: Path  # map page and tile cache live below it
    library: Library | None = None
    sync_settings_file: Path | None = None  # None: sync.json in the data folder (the demo has its own)

    @property
    def units(self) -> str:
        return self.settings.units
