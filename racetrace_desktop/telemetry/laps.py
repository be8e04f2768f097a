"""Lap boundaries and lap flags.

Stated lap times (`# Lap N:` lines) are authoritative and exact to the millisecond: the start crossing of lap k
is the recording start plus the stated durations of laps 0..k-1. The logger's Lap column only assigns rows to
laps (it flips on the first fix after the line, up to about a second late). Without stated times, laps come
from the interpolated start/finish crossings; without either, the whole recording is one untimed lap 0.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from .model import Lap, RawSession

GPS_MATCH_TOLERANCE_S = 3.0
TIME_SOURCE_TEXT = {  # Lap.time_source -> what the lap table and leaderboard say
    "stated": "stated by the logger",
    "beacon": "logger's beacon markers (exact to the ms)",
    "lap_column": "row where the file's lap number changes (within one sample)",
    "gps": "line crossing (GPS)",
    "none": "untimed",
}
RECORDING_GAP_S = 60.0  # a lap with no row for this long joins two recordings (laps exported one by one)


def laps_from_markers(raw: RawSession, warnings: list[str]) -> list[Lap]:
    markers = sorted(raw.lap_markers, key=lambda m: m.lap_number)
    numbers = [m.lap_number for m in markers]
    if numbers != list(range(len(numbers))):
        warnings.append(f"{raw.metadata.source_name}: lap lines are numbered {numbers}, expected 0..{len(numbers) - 1}")
    t0 = float(raw.time_s[0])
    cum_ms = np.cumsum([m.duration_ms for m in markers])
    ends = [t0 + float(ms) / 1000.0 for ms in cum_ms]
    starts = [t0, *ends[:-1]]
    durations: list[int | None] = [m.duration_ms for m in markers]
    last_col = int(raw.lap_column.max()) if raw.lap_column is not None and raw.row_count else -1
    extra = max(last_col, len(markers)) - len(markers) + 1 if raw.time_s[-1] > ends[-1] else 0
    for k in range(extra):  # the in-lap, and any lap the file counted without a time line
        starts.append(ends[-1] if k == 0 else float("nan"))
        durations.append(None)
    lap_numbers = list(range(len(starts)))
    rows = _row_ranges(raw, lap_numbers, ends, warnings)
    row_times = [float(raw.time_s[min(r[0], raw.row_count - 1)]) for r in rows]
    sources = [m.time_source for m in markers] + ["none"] * extra
    return [_make_lap(n, starts[n], durations[n], sources[n], rows[n], row_times[n]) for n in lap_numbers]


def laps_from_crossings(raw: RawSession, crossings: np.ndarray, warnings: list[str]) -> list[Lap]:
    t0 = float(raw.time_s[0])
    crossings = crossings[crossings > t0]
    cross_ms = np.round((crossings - t0) * 1000.0).astype(np.int64)
    durations: list[int | None] = [int(v) for v in np.diff(np.concatenate(([0], cross_ms)))]
    ends = [t0 + int(ms) / 1000.0 for ms in cross_ms]  # on the millisecond, like stated laps
    starts = [t0, *ends]
    durations.append(None)
    rows = _rows_by_time(raw, ends)
    return [_make_lap(n, starts[n], durations[n], "gps", rows[n], t0) for n in range(len(starts))]


def single_lap(raw: RawSession) -> list[Lap]:
    t0 = float(raw.time_s[0]) if raw.row_count else 0.0
    return [_make_lap(0, t0, None, "none", (0, raw.row_count), t0)]


def _make_lap(number: int, start_s: float, duration_ms: int | None, source: str,
              rows: tuple[int, int], row_time: float) -> Lap:
    if not np.isfinite(start_s):  # a lap the file counted without a time line: it starts at its first row
        start_s = row_time
    end_s = None if duration_ms is None else start_s + duration_ms / 1000.0
    return Lap(number=number, lap_time_ms=duration_ms, time_source=source if duration_ms is not None else "none",
               start_s=start_s, end_s=end_s, row_start=rows[0], row_end=rows[1])


def _row_ranges(raw: RawSession, lap_numbers: list[int], ends: list[float],
                warnings: list[str]) -> list[tuple[int, int]]:
    col = raw.lap_column
    stated = len(ends)
    if (col is not None and col.size and np.all(np.diff(col) >= 0) and int(col[0]) == 0
            and (int(col[-1]) >= stated or raw.time_s[-1] <= ends[-1])):  # every stated crossing has a flip
        lo = np.searchsorted(col, lap_numbers, side="left")
        hi = np.searchsorted(col, lap_numbers, side="right")
        return [(int(a), int(b)) for a, b in zip(lo, hi, strict=True)]
    if col is not None:
        warnings.append(f"{raw.metadata.source_name}: the Lap column is not a running count; rows assigned by time")
    ranges = _rows_by_time(raw, ends)
    return ranges + [(raw.row_count, raw.row_count)] * (len(lap_numbers) - len(ranges))


def _rows_by_time(raw: RawSession, ends: list[float]) -> list[tuple[int, int]]:
    cuts = np.searchsorted(raw.time_s, np.asarray(ends, dtype=np.float64), side="left")
    bounds = np.concatenate(([0], cuts, [raw.row_count]))
    return [(int(a), int(b)) for a, b in pairwise(bounds)]


def apply_flags(laps: list[Lap], raw: RawSession) -> None:
    """Out-lap, in-lap and pit flags; such laps are invalid for bests with a reason."""
    if not laps:
        return
    laps[0].is_outlap = True
    if laps[-1].lap_time_ms is None:
        laps[-1].is_inlap = True
    pit_intervals = _pit_row_intervals(raw)
    for lap in laps:
        lap.is_pit = any(a < max(lap.row_end, lap.row_start + 1) and b > lap.row_start for a, b in pit_intervals)
        reason = None
        if lap.is_outlap:
            reason = "out-lap"
        elif lap.is_inlap:
            reason = "in-lap"
        elif lap.is_pit:
            reason = "pit lane"
        elif _recording_gap(raw, lap) is not None:
            reason = f"recording gap of {_recording_gap(raw, lap):.0f} s"
        elif lap.lap_time_ms is None:
            reason = "untimed"
        lap.is_valid = reason is None
        lap.invalid_reason = reason


def _recording_gap(raw: RawSession, lap: Lap) -> float | None:
    """The longest stretch without rows inside a timed lap, when it is longer than RECORDING_GAP_S."""
    if lap.lap_time_ms is None or lap.row_end - lap.row_start < 2:
        return None
    longest = float(np.max(np.diff(raw.time_s[lap.row_start : lap.row_end])))
    return longest if longest > RECORDING_GAP_S else None


def _pit_row_intervals(raw: RawSession) -> list[tuple[int, int]]:
    """Row spans spent in the pit lane: each entry up to the next exit (or the end of the file).
    An exit with no entry before it means the recording started in the pit lane."""
    intervals: list[tuple[int, int]] = []
    open_at: int | None = None
    for event in sorted(raw.events, key=lambda e: e.row_index):
        if event.kind == "pit_entry" and open_at is None:
            open_at = event.row_index
        elif event.kind == "pit_exit":
            if open_at is None:  # no entry seen: started in the pit lane (or a stray marker)
                open_at = 0 if not intervals else event.row_index
            intervals.append((open_at, event.row_index + 1))
            open_at = None
    if open_at is not None:
        intervals.append((open_at, max(raw.row_count, open_at + 1)))
    return intervals


def attach_gps_times(laps: list[Lap], gps_crossings: np.ndarray, t0: float, warnings: list[str]) -> None:
    """Lap times from the GPS crossings matched to the stated crossings, so the two can be compared."""
    timed = [lap for lap in laps if lap.lap_time_ms is not None and lap.end_s is not None]
    if not timed or gps_crossings.size == 0:
        return
    def match(t: float) -> float | None:
        i = int(np.argmin(np.abs(gps_crossings - t)))
        return float(gps_crossings[i]) if abs(gps_crossings[i] - t) <= GPS_MATCH_TOLERANCE_S else None
    matched = 0
    for lap in timed:
        start = t0 if lap.number == 0 else match(lap.start_s)
        end = match(lap.end_s) if lap.end_s is not None else None
        if start is not None and end is not None:
            lap.gps_time_ms = round((end - start) * 1000.0)
            matched += 1
    if matched == 0:
        nearest = min(float(np.min(np.abs(gps_crossings - lap.end_s))) for lap in timed if lap.end_s is not None)
        warnings.append(f"GPS crossings of the start/finish line do not match the stated lap times "
                        f"(nearest {nearest:.1f} s away): the file's line is elsewhere")
