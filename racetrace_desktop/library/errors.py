"""Errors the library raises for requests it cannot honour (never for bugs)."""

from __future__ import annotations


class LibraryError(Exception):
    """Base of the library's user-facing errors; the message is meant for the user."""


class RecordNotFoundError(LibraryError, LookupError):
    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key} not found in the library (deleted?)")
        self.kind = kind
        self.key = key


class ReadOnlyError(LibraryError):
    """An edit of a record that the sync server owns (e.g. a server track configuration)."""


class MigrationError(RuntimeError):
    """The library file cannot be brought to this program's schema."""
