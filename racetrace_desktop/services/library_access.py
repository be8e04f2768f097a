"""The library file as the window and the CLI hold it: open it, pass the handle to the use cases, report its
errors. Re-exported from `library` so that ui and cli reach the library only through the services."""

from racetrace_desktop.library import Library, LibraryBusyError, LibraryError, open_library

__all__ = ["Library", "LibraryBusyError", "LibraryError", "open_library"]
