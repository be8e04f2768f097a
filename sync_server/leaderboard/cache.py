"""A small per-process cache of serialised leaderboard pages, keyed by the data revision.

Every write that can change a leaderboard takes a new server revision, so a page cached under the current
revision is exact; the TTL only bounds how long a display-name edit can lag behind.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable


class PageCache:
    def __init__(self, max_entries: int = 1024, ttl_s: float = 5.0) -> None:
        self._entries: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self._ttl_s = ttl_s

    def get_or_compute(self, key: Hashable, compute: Callable[[], bytes]) -> bytes:
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and now - hit[0] < self._ttl_s:
                self._entries.move_to_end(key)
                return hit[1]
        body = compute()
        with self._lock:
            self._entries[key] = (now, body)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return body
