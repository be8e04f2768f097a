"""Qt-free sync engine and HTTP client for the RaceTrace sync server.

Entry point: `SyncService(library)` (account, sync, status, leaderboard, downloaded laps). Errors are the typed
`SyncError` subclasses of `sync.errors`; progress arrives as `SyncProgress` through a callback.
"""

from racetrace_desktop.sync.context import SyncCounts, SyncProgress
from racetrace_desktop.sync.engine import SyncReport
from racetrace_desktop.sync.errors import (
    AccountMismatch,
    AuthFailed,
    ClockIncorrect,
    Conflict,
    Interrupted,
    NotSignedIn,
    ResyncRequired,
    ServerMessage,
    ServerUnreachable,
    SyncError,
    SyncInProgress,
    UploadTooLarge,
)
from racetrace_desktop.sync.leaderboard import DownloadedLap, LeaderboardView
from racetrace_desktop.sync.service import AccountInfo, SyncService, SyncStatus
from racetrace_desktop.sync.settings import SyncSettings

__all__ = [
    "AccountInfo",
    "AccountMismatch",
    "AuthFailed",
    "ClockIncorrect",
    "Conflict",
    "DownloadedLap",
    "Interrupted",
    "LeaderboardView",
    "NotSignedIn",
    "ResyncRequired",
    "ServerMessage",
    "ServerUnreachable",
    "SyncCounts",
    "SyncError",
    "SyncInProgress",
    "SyncProgress",
    "SyncReport",
    "SyncService",
    "SyncSettings",
    "SyncStatus",
    "UploadTooLarge",
]
