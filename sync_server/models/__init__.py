"""ORM models. Importing this package registers every table on `Base.metadata`."""

from sync_server.models.accounts import RefreshToken, Team, TeamMember, User
from sync_server.models.blobs import LapTelemetry, SessionFile
from sync_server.models.leaderboard import BestLap
from sync_server.models.oauth import DesktopLoginCode, OAuthAccount
from sync_server.models.records import Car, DrivingSession, Event, Lap
from sync_server.models.sync_state import SyncState
from sync_server.models.tracks import Track, TrackConfiguration

__all__ = [
    "BestLap",
    "Car",
    "DesktopLoginCode",
    "DrivingSession",
    "Event",
    "Lap",
    "LapTelemetry",
    "OAuthAccount",
    "RefreshToken",
    "SessionFile",
    "SyncState",
    "Team",
    "TeamMember",
    "Track",
    "TrackConfiguration",
    "User",
]
