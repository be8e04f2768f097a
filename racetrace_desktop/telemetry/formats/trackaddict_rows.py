"""Rows of a parsed TrackAddict file that are damaged although every cell reads as a number.

A damaged cell that still scans as a number shows as a position off the globe, a Lap that is not a whole
number, or a Time out of order. Such a row is dropped like an unreadable one (its line goes into a warning)
when the damage is local; a Time that goes backwards for good (two recordings glued together) is refused.
"""

from __future__ import annotations

import numpy as np

from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats.numeric_rows import DamagedRow
from racetrace_desktop.telemetry.formats.trackaddict_layout import FileLayout

LAP_LIMIT = 2**31 - 1  # the lap number is stored as int32
CLOCK_TOLERANCE_S = 1.0  # UTC Time is start + Time within a millisecond; a row off by more is damaged
CLOCK_OUTLIER_SHARE = 0.01  # ...unless so many rows are off that the file's clock itself moved


def implausible_rows(
    values: np.ndarray, structural: dict[str, int], layout: FileLayout, file: str, unreadable: list[DamagedRow]
) -> list[DamagedRow]:
    """Rows (besides the `unreadable` ones) to drop; raises TelemetryFormatError when Time really goes back."""
    readable = np.ones(values.shape[1], dtype=bool)
    readable[[row.row for row in unreadable]] = False
    found: list[DamagedRow] = []
    # Positions only count on fix rows (others hold the last fix; whatever they say is never used).
    fix = values[structural["gps_update"]] != 0 if "gps_update" in structural else np.ones_like(readable)
    for role, limit, column in (("lat", 90.0, "Latitude"), ("lon", 180.0, "Longitude")):
        if role in structural:
            degrees = values[structural[role]]
            for row in np.flatnonzero(readable & fix & (np.abs(degrees) > limit)).tolist():
                reason = f"column '{column}': {float(degrees[row])!r} is outside -{limit:g}..{limit:g} degrees"
                found.append(_damaged(row, reason, layout, readable))
    if "lap" in structural:
        lap = values[structural["lap"]]
        bad = readable & ((lap != np.floor(lap)) | (lap < 0) | (lap > LAP_LIMIT))
        for row in np.flatnonzero(bad).tolist():
            found.append(_damaged(row, f"column 'Lap': {float(lap[row])!r} is not a lap number", layout, readable))
    found += _time_glitches(values[structural["time"]], readable, layout, file)
    if "utc" in structural:
        found += _clock_outliers(values[structural["time"]], values[structural["utc"]], readable, layout)
    return found


def _clock_outliers(
    time_s: np.ndarray, utc_s: np.ndarray, readable: np.ndarray, layout: FileLayout
) -> list[DamagedRow]:
    """Rows whose UTC Time disagrees with Time by more than CLOCK_TOLERANCE_S (a damaged digit)."""
    offset = utc_s - time_s
    valid = readable & (utc_s > 0)
    if not valid.any():
        return []
    off = valid & (np.abs(offset - np.median(offset[valid])) > CLOCK_TOLERANCE_S)
    rows = np.flatnonzero(off)
    if rows.size > CLOCK_OUTLIER_SHARE * valid.sum():
        return []
    reason = "column 'UTC Time': {:.3f} does not match Time {:.3f} s (the other rows agree)"
    return [_damaged(row, reason.format(utc_s[row], time_s[row]), layout, readable) for row in rows.tolist()]


def _damaged(row: int, reason: str, layout: FileLayout, readable: np.ndarray) -> DamagedRow:
    readable[row] = False
    return DamagedRow(row, layout.line_of_row(row), reason)


def _time_glitches(time_s: np.ndarray, readable: np.ndarray, layout: FileLayout, file: str) -> list[DamagedRow]:
    """Single rows whose Time breaks the order of their neighbours (a spike or a dip)."""
    rows = np.flatnonzero(readable)
    times = time_s[rows]
    backwards = np.flatnonzero(times[1:] < times[:-1]) + 1  # positions in `rows`
    dropped: set[int] = set()
    for at in backwards.tolist():
        if at - 1 in dropped or at in dropped:
            continue
        glitch = _glitch_at(times, at, dropped)
        if glitch is None:
            row = int(rows[at])
            message = f"Time goes backwards: {times[at]:.3f} s after {times[at - 1]:.3f} s"
            raise TelemetryFormatError(file, message, layout.line_of_row(row))
        dropped.add(glitch)
    kept = np.delete(np.arange(times.size), sorted(dropped))
    still = np.flatnonzero(times[kept][1:] < times[kept][:-1])
    if still.size:  # the neighbours of a dropped row disagree too: not a single damaged cell
        at = int(kept[still[0] + 1])
        message = f"Time goes backwards: {times[at]:.3f} s after {times[kept[still[0]]]:.3f} s"
        raise TelemetryFormatError(file, message, layout.line_of_row(int(rows[at])))
    found = []
    for at in sorted(dropped):
        neighbour = times[at - 1] if at else times[at + 1]
        reason = f"Time {times[at]:.3f} s is out of order next to {neighbour:.3f} s"
        found.append(_damaged(int(rows[at]), reason, layout, readable))
    return found


def _glitch_at(times: np.ndarray, at: int, dropped: set[int]) -> int | None:
    """Which of positions at-1 (a spike up) and at (a dip) to drop so that Time is ordered again, or None.
    When both would do, the one that leaves the shorter step between its neighbours."""
    before = at - 2 if at - 2 not in dropped else at - 3
    spike_ok = before < 0 or times[before] <= times[at]
    dip_ok = at + 1 >= times.size or times[at - 1] <= times[at + 1]
    if spike_ok and dip_ok:
        spike_gap = times[at] - times[before] if before >= 0 else 0.0
        dip_gap = times[at + 1] - times[at - 1] if at + 1 < times.size else 0.0
        return at - 1 if spike_gap < dip_gap else at
    if spike_ok:
        return at - 1
    return at if dip_ok else None
