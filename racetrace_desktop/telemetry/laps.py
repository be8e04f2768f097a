"""Lap boundaries and lap flags.

Stated lap times (`# Lap N:` lines) are authoritative and exact to the millisecond: the start crossing of lap k
is the recording start plus the stated durations of laps 0..k-1, keyed by lap number (a repeated line is used
once, never counted twice). A lap whose line is missing or unreadable is timed from the GPS crossing of the
start/finish line next to the row where the Lap column changes (or from that row). The logger's Lap column
only assigns rows to laps (it flips on the first fix after the line, up to about a second late). Without lap
lines the Lap column still says where laps begin: its changes are timed from the GPS crossing next to them,
and what a GPS re-lap would have found differently is reported, never silently applied. Without either, laps
come from the interpolated start/finish crossings; without any, the whole recording is one untimed lap 0.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

import numpy as np

from .model import Lap, LapMarker, RawSession

GPS_MATCH_TOLERANCE_S = 3.0
FLIP_LATE_S = 3.0  # the Lap column flips on the first fix after the line: at most this much after the crossing
FLIP_EARLY_S = 1.0  # ...or, when the line was set at a fix, slightly before it
UNREADABLE_LAP = "lap_unreadable"  # DataEvent kind of a `# Lap N:` line whose time cannot be read
TIME_SOURCE_TEXT = {  # Lap.time_source -> what the lap table and leaderboard say
    "stated": "stated by the logger",
    "beacon": "logger's beacon markers (exact to the ms)",
    "lap_column": "row where the file's lap number changes (within one sample)",
    "gps": "line crossing (GPS)",
    "none": "untimed",
}
RECORDING_GAP_S = 60.0  # a lap with no row for this long joins two recordings (laps exported one by one)


def has_lap_lines(raw: RawSession) -> bool:
    return bool(raw.lap_markers) or bool(_unreadable_laps(raw))


def lap_column_flips(raw: RawSession) -> np.ndarray | None:
    """Rows where the Lap column starts a new lap, or None when it is not a running count that ever changes."""
    col = raw.lap_column
    if col is None or col.size < 2:
        return None
    steps = np.diff(col)
    if (steps < 0).any() or not steps.any():
        return None
    return np.flatnonzero(steps) + 1


def laps_from_markers(raw: RawSession, warnings: list[str], crossings: np.ndarray | None = None) -> list[Lap]:
    stated = _stated_durations(raw, warnings)
    unreadable = _unreadable_laps(raw)
    last_col = int(raw.lap_column.max()) if raw.lap_column is not None and raw.row_count else 0
    completed = max([*stated, *unreadable, last_col - 1]) + 1
    t0 = float(raw.time_s[0])
    ends: list[float] = []
    durations: list[int | None] = []
    sources: list[str] = []
    end_ms: int | None = 0  # milliseconds since t0 (stated laps add up exactly); None once a lap end is unknown
    row_timed: list[bool] = []  # the lap's end is a row time, not a crossing
    for number in range(completed):
        duration, source, by_row = None, "none", False
        if end_ms is not None:
            duration, source, by_row = _duration_of(raw, number, end_ms, stated, unreadable, crossings, warnings)
        if end_ms is None or duration is None or duration <= 0:
            end_ms, duration = None, None  # no anchor: this lap and the ones after it stay untimed
        else:
            end_ms += duration
        sources.append(source)
        row_timed.append(by_row)
        durations.append(duration)
        ends.append(t0 + end_ms / 1000.0 if end_ms is not None else float("nan"))
    starts = [t0, *ends[:-1]]
    if not ends or not raw.time_s[-1] <= ends[-1]:  # the in-lap (NaN compares false: keep it)
        starts.append(ends[-1] if ends else t0)
        durations.append(None)
        sources.append("none")
    lap_numbers = list(range(len(starts)))
    rows = _row_ranges(raw, lap_numbers, ends, warnings)
    row_times = [float(raw.time_s[min(r[0], raw.row_count - 1)]) for r in rows]
    laps = [_make_lap(n, starts[n], durations[n], sources[n], rows[n], row_times[n]) for n in lap_numbers]
    _mark_row_timed(laps, row_timed)
    return laps


def _mark_row_timed(laps: list[Lap], row_timed_ends: list[bool]) -> None:
    """A lap with a row time at either end has an approximate time (never a best)."""
    for index, row_timed in enumerate(row_timed_ends):
        if row_timed:
            for lap in laps[index : index + 2]:
                lap.approximate_time = lap.lap_time_ms is not None


def _duration_of(
    raw: RawSession, number: int, start_ms: int, stated: dict[int, int], unreadable: dict[int, int],
    crossings: np.ndarray | None, warnings: list[str],
) -> tuple[int | None, str, bool]:  # fmt: skip
    """(duration in ms, time source, timed from a row) of lap `number`, which starts `start_ms` after t0."""
    if number in stated:
        source = next(m.time_source for m in raw.lap_markers if m.lap_number == number)  # stated, beacon, ...
        return stated[number], source, False
    end, by_row = _crossing_closing(raw, number, unreadable.get(number), crossings, warnings)
    if end is None:
        return None, "none", False
    return round((end - float(raw.time_s[0])) * 1000.0) - start_ms, "gps", by_row


def _stated_durations(raw: RawSession, warnings: list[str]) -> dict[int, int]:
    """Lap number -> stated duration; of repeated lines for one lap, the one where the Lap column changes."""
    name = raw.metadata.source_name
    by_number: dict[int, list[LapMarker]] = defaultdict(list)
    for marker in raw.lap_markers:
        by_number[marker.lap_number].append(marker)
    stated: dict[int, int] = {}
    for number, markers in sorted(by_number.items()):
        chosen = markers[0]
        if len(markers) > 1:
            chosen = next((m for m in markers if _at_flip(raw, m.row_index, number)), markers[0])
            lines = ", ".join(str(m.line_no) for m in markers)
            if len({m.duration_ms for m in markers}) == 1:
                warnings.append(f"{name}: lines {lines} all state lap {number}; its time is counted once")
            else:
                warnings.append(f"{name}: lines {lines} state different times for lap {number}; "
                                f"the one on line {chosen.line_no} (where the Lap column changes) is used")
        stated[number] = chosen.duration_ms
    missing = sorted(set(range(max(stated, default=-1) + 1)) - set(stated) - set(_unreadable_laps(raw)))
    for number in missing:
        warnings.append(f"{name}: no '# Lap {number}:' line; lap {number} is timed from its start/finish crossing")
    return stated


def _at_flip(raw: RawSession, row: int, number: int) -> bool:
    col = raw.lap_column
    return col is not None and 0 < row < col.size and int(col[row - 1]) == number and int(col[row]) > number


def _unreadable_laps(raw: RawSession) -> dict[int, int]:
    """Lap number -> row index of each unreadable `# Lap` line (the number from the Lap column if unreadable)."""
    found: dict[int, int] = {}
    col = raw.lap_column
    for event in raw.events:
        if event.kind != UNREADABLE_LAP:
            continue
        number = event.number
        if number is None and col is not None and 0 < event.row_index <= col.size:
            number = int(col[event.row_index - 1])
        if number is not None:
            found.setdefault(number, event.row_index)
    return found


def _crossing_closing(raw: RawSession, number: int, line_row: int | None, crossings: np.ndarray | None,
                      warnings: list[str]) -> tuple[float | None, bool]:
    """Session time at which lap `number` ended, for a lap without a readable time: the GPS crossing next to
    the row where the Lap column leaves it (or next to its `# Lap` line), else that row's time (then True)."""
    flip = _first_row_after(raw, number)
    row = flip if flip is not None else line_row
    name = raw.metadata.source_name
    if row is None or row >= raw.row_count:
        warnings.append(f"{name}: the end of lap {number} is unknown (no lap time, no Lap column change)")
        return None, False
    crossing = _matching_crossing(float(raw.time_s[row]), crossings)
    if crossing is None:
        warnings.append(f"{name}: no GPS crossing of the start/finish line near the end of lap {number}; "
                        "timed from the row where the next lap begins (up to about 1 s late)")
        return float(raw.time_s[row]), True
    return crossing, False


def _first_row_after(raw: RawSession, number: int) -> int | None:
    col = raw.lap_column
    if col is None or lap_column_flips(raw) is None:
        return None
    row = int(np.searchsorted(col, number, side="right"))
    return row if 0 < row < col.size and int(col[row - 1]) == number else None


def _matching_crossing(flip_time: float, crossings: np.ndarray | None) -> float | None:
    """The GPS crossing a Lap column change at `flip_time` belongs to (it comes just before the change)."""
    if crossings is None or crossings.size == 0:
        return None
    near = crossings[(crossings >= flip_time - FLIP_LATE_S) & (crossings <= flip_time + FLIP_EARLY_S)]
    return float(near[np.argmin(np.abs(near - flip_time))]) if near.size else None


def laps_from_lap_column(raw: RawSession, crossings: np.ndarray | None, warnings: list[str]) -> list[Lap]:
    """Laps where the file's Lap column changes, each timed from the GPS crossing next to the change (else the
    changing row's time); the difference from a GPS re-lap is reported."""
    flips = lap_column_flips(raw)
    assert flips is not None and raw.lap_column is not None
    t0 = float(raw.time_s[0])
    flip_times = raw.time_s[flips]
    matched = [_matching_crossing(float(t), crossings) for t in flip_times]
    bounds_ms = [round(((c if c is not None else float(t)) - t0) * 1000.0) for c, t in zip(matched, flip_times,
                                                                                           strict=True)]
    ends = [t0 + ms / 1000.0 for ms in bounds_ms]
    starts = [t0, *ends]
    durations: list[int | None] = [b - a for a, b in pairwise([0, *bounds_ms])]
    durations.append(None)
    sources = ["gps"] * len(ends) + ["none"]
    row_bounds = [0, *flips.tolist(), raw.row_count]
    numbers = [int(raw.lap_column[row]) for row in row_bounds[:-1]]
    warnings.append(_column_report(raw, flip_times, matched, crossings))
    laps = [_make_lap(numbers[k], starts[k], durations[k], sources[k], (row_bounds[k], row_bounds[k + 1]), t0)
            for k in range(len(starts))]
    _mark_row_timed(laps, [crossing is None for crossing in matched])
    return laps


def _column_report(raw: RawSession, flip_times: np.ndarray, matched: list[float | None],
                   crossings: np.ndarray | None) -> str:
    name = raw.metadata.source_name
    intro = f"{name}: no '# Lap' lines; laps follow the file's Lap column ({len(matched)} lap changes)"
    if crossings is None:
        return f"{intro}, timed from the rows where it changes (up to about 1 s late): no start/finish line to re-lap"
    t0 = float(raw.time_s[0])
    gps = crossings[crossings > t0]
    used = {c for c in matched if c is not None}
    extra = [float(c) for c in gps if float(c) not in used]
    lonely = [float(t) for t, c in zip(flip_times, matched, strict=True) if c is None]
    if not extra and not lonely:
        return f"{intro}; the GPS re-lap of the start/finish line agrees ({gps.size} crossings)"
    parts = [f"the GPS re-lap of the start/finish line would give {gps.size + 1} laps instead of {len(matched) + 1}"]
    if extra:
        parts.append(f"crossings the Lap column does not count at {_times(extra)}")
    if lonely:
        parts.append(f"Lap column changes without a crossing at {_times(lonely)} (timed from their rows)")
    return f"{intro}; " + "; ".join(parts)


def _times(seconds: list[float], shown: int = 6) -> str:
    text = ", ".join(f"{t:.1f} s" for t in seconds[:shown])
    return text + (f" and {len(seconds) - shown} more" if len(seconds) > shown else "")


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
              rows: tuple[int, int], row_time: float) -> Lap:  # fmt: skip
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
        elif lap.approximate_time:
            reason = "approximate time"
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
