"""Qt-free sync engine and HTTP client for the RaceTrace sync server.

Entry point: `SyncService(library)` (account, sync, status, leaderboard, downloaded laps). Errors are the typed
`SyncError` subclasses of `sync.errors`; progress arrives as `SyncProgress` through a callback.

Names are imported lazily (PEP 562) so that importing `racetrace_desktop.sync.errors` (the CLI does, for every
command) does not load httpx and keyring.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "SyncCounts": "context", "SyncProgress": "context", "SyncReport": "engine",
    "AccountMismatch": "errors", "AuthFailed": "errors", "ClockIncorrect": "errors", "Conflict": "errors",
    "Interrupted": "errors", "NotSignedIn": "errors", "ResyncRequired": "errors", "ServerMessage": "errors",
    "ServerUnreachable": "errors", "SyncError": "errors", "SyncInProgress": "errors", "UploadTooLarge": "errors",
    "DownloadedLap": "leaderboard", "LeaderboardView": "leaderboard",
    "AccountInfo": "service", "SyncService": "service", "SyncStatus": "service", "SyncSettings": "settings",
}  # fmt: skip
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
