"""One sync at a time per library, across threads and programs (the app and the CLI).

An OS file lock (fcntl/msvcrt) on a file next to the library: the OS drops it when the process dies, so a killed
sync never leaves a stale lock behind.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from types import TracebackType

from racetrace_desktop.sync.errors import SyncInProgress

_held_in_process: set[str] = set()
_guard = threading.Lock()


class SyncLock:
    def __init__(self, library_path: Path) -> None:
        self.path = library_path.with_name(library_path.name + ".sync-lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        key = str(self.path.resolve())
        with _guard:
            if key in _held_in_process:
                raise SyncInProgress("a sync of this library is already running")
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            if not _try_lock(fd):
                os.close(fd)
                raise SyncInProgress("a sync of this library is already running in another RaceTrace program")
            _held_in_process.add(key)
            self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        with _guard:
            _unlock(self._fd)
            os.close(self._fd)
            self._fd = None
            _held_in_process.discard(str(self.path.resolve()))

    def __enter__(self) -> SyncLock:
        self.acquire()
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _value: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.release()


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
