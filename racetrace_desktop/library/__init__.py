"""The local SQLite library: schema, migrations, repositories. The only package that touches SQL.

Services open a unit of work with `library.read()` / `library.write()` and call the repository modules
(`sessions_repo`, `edits_repo`, `catalog_repo`, `tracks_repo`, `lapdata_repo`, `session_store_repo`) inside it; the
repositories hand back the plain records of `library.read_models`.
"""

from sqlalchemy.orm import Session as LibrarySession

from racetrace_desktop.library.base import Origin, SessionType, TimeSource
from racetrace_desktop.library.db import Library, LibraryBusyError, default_library_path, open_library
from racetrace_desktop.library.errors import LibraryError, MigrationError, ReadOnlyError, RecordNotFoundError

__all__ = [
    "Library",
    "LibraryBusyError",
    "LibraryError",
    "LibrarySession",
    "MigrationError",
    "Origin",
    "ReadOnlyError",
    "RecordNotFoundError",
    "SessionType",
    "TimeSource",
    "default_library_path",
    "open_library",
]
