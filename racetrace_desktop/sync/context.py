"""What every step of a sync shares: the library, the client, the settings, progress and cancellation, counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from racetrace_desktop.library import Library
from racetrace_desktop.sync.client import ApiClient
from racetrace_desktop.sync.errors import Interrupted
from racetrace_desktop.sync.settings import SyncSettings


@dataclass(frozen=True)
class SyncProgress:
    """stage: connecting, pulling, matching tracks, re-lapping sessions, pushing, uploading telemetry, uploading
    files, downloading telemetry, leaderboards, done. `total` is 0 when unknown."""

    stage: str
    done: int = 0
    total: int = 0
    message: str = ""

    @property
    def fraction(self) -> float | None:
        return self.done / self.total if self.total else None


ProgressCallback = Callable[[SyncProgress], None]


@dataclass
class SyncCounts:
    pushed: int = 0  # records the server stored (created, updated, deleted)
    pulled: int = 0  # records from other devices applied here (tracks and configurations included)
    conflicts: int = 0  # records edited on both sides and merged
    telemetry_uploaded: int = 0
    telemetry_downloaded: int = 0
    files_uploaded: int = 0
    leaderboards: int = 0
    sessions_moved: int = 0  # own sessions moved from a local track onto a server configuration
    sessions_relapped: int = 0  # re-lapped on an edited server configuration, or as another device re-lapped them
    track_changes: list[str] = field(default_factory=list)  # those moves in words, per configuration
    full_resync: bool = False
    held_back: list[str] = field(default_factory=list)  # records the server would refuse, with the reason
    problems: list[str] = field(default_factory=list)  # uploads refused by the server, with the reason

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class SyncContext:
    library: Library
    client: ApiClient
    settings: SyncSettings
    progress: ProgressCallback
    cancelled: Callable[[], bool]
    counts: SyncCounts = field(default_factory=SyncCounts)

    def report(self, stage: str, done: int = 0, total: int = 0, message: str = "") -> None:
        if self.cancelled():
            raise Interrupted("sync cancelled; everything the server acknowledged so far is kept")
        self.progress(SyncProgress(stage, done, total, message))
