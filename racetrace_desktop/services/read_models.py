"""The records the window and the CLI show, re-exported from `library.read_models` (where the repositories build
them) so that ui and cli reach the library only through the services (an import-linter contract)."""

from racetrace_desktop.library.base import SessionType
from racetrace_desktop.library.read_models import (
    CarRecord,
    ConfigurationRecord,
    EventRecord,
    LapRecord,
    LoadedLap,
    SessionDetail,
    SessionGroup,
    SessionRef,
    SessionSummary,
    TrackRecord,
)

__all__ = [
    "CarRecord", "ConfigurationRecord", "EventRecord", "LapRecord", "LoadedLap", "SessionDetail", "SessionGroup",
    "SessionRef", "SessionSummary", "SessionType", "TrackRecord",
]  # fmt: skip
