"""Typed sync errors, named after the sync design (Anki's error kinds), hence no Error suffix.

Every message is meant for the user and says what to do; the UI maps the kind to its
behaviour (AuthFailed -> sign-in dialog, ServerUnreachable -> "offline" status, Interrupted -> silent, ...)."""

from __future__ import annotations

from typing import Any


class SyncError(Exception):
    """Base of every error the sync package raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotSignedIn(SyncError):  # noqa: N818 - the names of the sync protocol design
    """No account on this computer (or its refresh token could not be kept): sign in first."""


class AuthFailed(SyncError):  # noqa: N818 - the names of the sync protocol design
    """The server refused the credentials or the session expired: sign in again."""


class ServerUnreachable(SyncError):  # noqa: N818 - the names of the sync protocol design
    """Network down, server stopped, DNS or TLS failure, or timeouts after the retries."""


class ServerMessage(SyncError):  # noqa: N818 - the names of the sync protocol design
    """The server answered with an error; `status` and `code` are its HTTP status and stable error code."""

    def __init__(self, message: str, status: int = 0, code: str | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.body = body


class UploadTooLarge(ServerMessage):
    """413: the request (a file or telemetry upload) is larger than the server accepts."""


class ResyncRequired(ServerMessage):
    """410 on pull: the cursor is unknown to the server; the engine pulls everything again (not shown)."""


class Conflict(ServerMessage):
    """409 on push that could not be resolved automatically; `conflicts` lists the records."""

    def __init__(self, message: str, conflicts: list[dict[str, Any]], status: int = 409) -> None:
        super().__init__(message, status, "conflict", {"conflicts": conflicts})
        self.conflicts = conflicts


class ClockIncorrect(SyncError):  # noqa: N818 - the names of the sync protocol design
    """The computer's clock is far from the server's: newest-wins merging would pick the wrong edits."""


class AccountMismatch(SyncError):  # noqa: N818 - the names of the sync protocol design
    """The library is linked to another account or server than the one signed in."""


class SyncInProgress(SyncError):  # noqa: N818 - the names of the sync protocol design
    """Another sync of this library is running (in this or another program)."""


class Interrupted(SyncError):  # noqa: N818 - the names of the sync protocol design
    """The user cancelled the sync; what was acknowledged so far is kept."""
