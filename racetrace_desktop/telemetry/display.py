"""How lap times, lap flags and best sectors read everywhere: the CLI, the window and the server's web pages.

One format for a lap time, m:ss.mmm ("0:59.123", "1:47.089"), so the same lap reads the same in every view.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Protocol

NO_TIME = "–"  # an untimed lap (in-lap, a lap without a crossing)
OUT_LAP, IN_LAP, PIT = "out-lap", "in-lap", "pit"


def lap_time(ms: float | None) -> str:
    """90_123 -> '1:30.123', 59_123 -> '0:59.123'; '–' when there is no time."""
    if ms is None or not math.isfinite(ms):
        return NO_TIME
    whole = round(ms)
    minutes, rest = divmod(abs(whole), 60_000)
    return f"{'-' if whole < 0 else ''}{minutes}:{rest // 1000:02d}.{rest % 1000:03d}"


def lap_flags(is_outlap: bool, is_inlap: bool, is_pit: bool) -> list[str]:
    """The flags the analysis set on a lap, in a fixed order: out-lap, in-lap, pit."""
    return [name for name, on in ((OUT_LAP, is_outlap), (IN_LAP, is_inlap), (PIT, is_pit)) if on]


class LapWithSectors(Protocol):
    @property
    def is_valid(self) -> bool: ...
    @property
    def sector_times_ms(self) -> Sequence[int | None]: ...


def sector_bests(laps: Sequence[LapWithSectors]) -> list[int | None]:
    """Best valid time of each sector over these laps, one entry per sector any of them has."""
    count = max((len(lap.sector_times_ms) for lap in laps), default=0)
    return best_sector_times((lap.sector_times_ms for lap in laps if lap.is_valid), count)


def best_sector_times(sector_times: Iterable[Sequence[int | None]], count: int = 0) -> list[int | None]:
    """Best time of each sector over these laps' sector times (pass only the laps that count): at least `count`
    entries, None for a sector no lap has a time for."""
    bests: list[int | None] = [None] * count
    for times in sector_times:
        for i, value in enumerate(times):
            if i == len(bests):
                bests.append(None)
            best = bests[i]
            if value is not None and (best is None or value < best):
                bests[i] = value
    return bests
