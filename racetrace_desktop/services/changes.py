"""What a use case changed in the library, so views refresh only the affected rows (Anki's OpChanges idea)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Set
from dataclasses import dataclass, fields


def ids(values: Iterable[uuid.UUID] = ()) -> frozenset[uuid.UUID]:
    return frozenset(values)


@dataclass(frozen=True)
class Changes:
    sessions_added: frozenset[uuid.UUID] = frozenset()
    sessions_updated: frozenset[uuid.UUID] = frozenset()
    sessions_removed: frozenset[uuid.UUID] = frozenset()
    laps_changed: frozenset[uuid.UUID] = frozenset()  # added, recomputed, edited or removed
    tracks_changed: frozenset[int] = frozenset()  # track ids (new, renamed, or a configuration edited)
    configurations_changed: frozenset[int] = frozenset()
    cars_changed: frozenset[uuid.UUID] = frozenset()
    events_changed: frozenset[uuid.UUID] = frozenset()

    def __or__(self, other: Changes) -> Changes:
        merged = {f.name: getattr(self, f.name) | getattr(other, f.name) for f in fields(self)}
        return Changes(**merged)

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


NO_CHANGES = Changes()


def changes_after_sync(shown: Set[uuid.UUID], now: Set[uuid.UUID]) -> Changes:
    """What the library list must redraw after a sync, from the sessions it showed before and those in the library
    now: sessions pulled from other devices are added, deleted ones removed, and every other one may have been
    edited or re-lapped."""
    before, after = ids(shown), ids(now)
    return Changes(sessions_added=after - before, sessions_removed=before - after, sessions_updated=after & before)
