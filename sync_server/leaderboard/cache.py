"""A small per-process cache of serialised leaderboard pages, keyed by the data revision.

Every write that can change a leaderboard takes a new server revision, so a page cached under the current
revision is exact; the TTL only bounds how long a display-name edit can lag behind.

The hottest public endpoint should not touch the database at all when nothing changed: a page checked against
the revision less than REVALIDATE_S ago is served straight from memory, unless this process committed a
revision since (`note_committed_write`). Writes through another worker show up within REVALIDATE_S.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

REVALIDATE_S = 0.5


class _WriteEpoch:
    """Counts revision-taking commits made by this process."""

    def __init__(self) -> None:
        self.value = 0

    def bump(self, *_args: object) -> None:
        self.value += 1


WRITE_EPOCH = _WriteEpoch()


def note_committed_write(*_args: object) -> None:
    """SQLAlchemy after_commit hook for transactions that allocated revisions."""
    WRITE_EPOCH.bump()


class PageCache:
    def __init__(self, max_entries: int = 1024, ttl_s: float = 5.0) -> None:
        self._entries: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
        self._checked: dict[Hashable, tuple[float, int, bytes]] = {}  # params -> (checked at, epoch, page)
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self._ttl_s = ttl_s

    def recently_checked(self, params: Hashable) -> bytes | None:
        """The page for `params` if it was checked against the revision moments ago and no local write followed."""
        hit = self._checked.get(params)
        if hit is None or hit[1] != WRITE_EPOCH.value or time.monotonic() - hit[0] >= REVALIDATE_S:
            return None
        return hit[2]

    def get_or_compute(self, key: Hashable, compute: Callable[[], bytes], params: Hashable | None = None,
                       epoch: int | None = None) -> bytes:
        """The page cached under `key` (params + revision) or a fresh one; remembered as checked for `params`."""
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and now - hit[0] < self._ttl_s:
                self._entries.move_to_end(key)
                body = hit[1]
            else:
                body = None
        if body is None:
            body = compute()
            with self._lock:
                self._entries[key] = (now, body)
                self._entries.move_to_end(key)
                while len(self._entries) > self._max_entries:
                    self._entries.popitem(last=False)
        if params is not None and epoch is not None:
            with self._lock:
                if len(self._checked) >= self._max_entries:
                    self._checked.clear()
                self._checked[params] = (now, epoch, body)
        return body
