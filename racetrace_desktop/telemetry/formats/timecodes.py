"""Clock times as loggers write them -> seconds: ISO-8601 UTC, HHMMSS.SS of day (VBO), seconds of day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import numpy as np

from racetrace_desktop.telemetry.errors import TelemetryFormatError

DAY_S = 86_400.0


def iso_utc_micros(cells: Sequence[str], file: str, first_line: int) -> np.ndarray:
    """Unix microseconds (int64) of ISO-8601 UTC cells (`2026-07-26T19:18:58.880Z`)."""
    stripped = [cell.removesuffix("Z").removesuffix("+00:00") for cell in cells]
    try:
        stamps = np.array(stripped, dtype="datetime64[us]")
    except ValueError:
        for row, cell in enumerate(stripped):
            try:
                np.datetime64(cell, "us")
            except ValueError:
                raise TelemetryFormatError(file, f"column 'Time': {cells[row]!r} is not an ISO-8601 time",
                                           first_line + row) from None
        raise
    if np.isnat(stamps).any():
        row = int(np.flatnonzero(np.isnat(stamps))[0])
        raise TelemetryFormatError(file, "empty cell in column 'Time'", first_line + row)
    micros: np.ndarray = stamps.astype(np.int64)
    return micros


def hhmmss_seconds(values: np.ndarray) -> np.ndarray:
    """Seconds of day of `HHMMSS.SS` numbers (VBO `time`), exact to the written hundredths."""
    centis = np.round(values * 100.0).astype(np.int64)
    hours, rest = np.divmod(centis, 1_000_000)
    minutes, centiseconds = np.divmod(rest, 10_000)
    return hours * 3600.0 + minutes * 60.0 + centiseconds / 100.0


def unwrap_midnight(seconds_of_day: np.ndarray) -> tuple[np.ndarray, int]:
    """Seconds of day made continuous across midnight (a drop of more than half a day adds a day)."""
    drops = np.diff(seconds_of_day) < -DAY_S / 2
    if not drops.any():
        return seconds_of_day, 0
    days = np.concatenate(([0], np.cumsum(drops)))
    return seconds_of_day + days * DAY_S, int(days[-1])


def utc_epoch(day: date, seconds_of_day: np.ndarray) -> np.ndarray:
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
    return midnight + seconds_of_day


def start_datetime(utc_s: np.ndarray | None) -> datetime | None:
    """The aware UTC time of the first row."""
    if utc_s is None or utc_s.size == 0 or not np.isfinite(utc_s[0]):
        return None
    try:
        return datetime.fromtimestamp(round(float(utc_s[0]), 3), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def day_of_start(created: datetime | None, first_seconds_of_day: float) -> date | None:
    """The UTC date of a recording whose first row is at `first_seconds_of_day`, from a creation time
    written up to a day before or after it (a file created just before or after midnight)."""
    if created is None:
        return None
    created_s = created.hour * 3600 + created.minute * 60 + created.second
    day = created.date()
    if first_seconds_of_day - created_s > DAY_S / 2:
        day -= timedelta(days=1)
    elif created_s - first_seconds_of_day > DAY_S / 2:
        day += timedelta(days=1)
    return day


_ISO_DIGITS = (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18)  # YYYY-MM-DDTHH:MM:SS
_ISO_MARKS = ((4, b"-"), (7, b"-"), (10, b"T"), (13, b":"), (16, b":"))


def iso_fixed_width_micros(cells: np.ndarray) -> np.ndarray | None:
    """Unix microseconds (int64) of (rows, width) ISO-8601 UTC cells of one width (`2026-07-26T19:18:58.880Z`),
    by array arithmetic; None when the cells are not all of that shape (callers then parse them one by one)."""
    width = cells.shape[1]
    has_z = width > 19 and bool((cells[:, -1] == ord("Z")).all())
    fraction = cells[:, 20 : width - 1 if has_z else width]
    if width < 19 or fraction.shape[1] > 6 or any(not (cells[:, at] == ord(mark)).all() for at, mark in _ISO_MARKS):
        return None
    if width > 19 + has_z and not (cells[:, 19] == ord(".")).all():
        return None
    digits = cells[:, list(_ISO_DIGITS)].astype(np.int64) - ord("0")
    fraction_digits = fraction.astype(np.int64) - ord("0")
    if any(((d < 0) | (d > 9)).any() for d in (digits, fraction_digits)):
        return None
    days = _day_numbers(cells[:, :10])
    hh, mm, ss = (digits[:, 8 + 2 * k] * 10 + digits[:, 9 + 2 * k] for k in range(3))
    micros: np.ndarray = (days * 86_400 + hh * 3600 + mm * 60 + ss) * 1_000_000
    if fraction.shape[1]:
        scale = 10 ** np.arange(5, 5 - fraction.shape[1], -1)
        micros += fraction_digits @ scale
    return micros


_FEW_DAYS = 64  # runs of one date: a recording crosses midnight a few times at most


def _day_numbers(dates: np.ndarray) -> np.ndarray:
    """Days since 1970 of (rows, 10) `YYYY-MM-DD` cells. Dates come in runs (one per midnight crossed): each
    run is parsed once, without sorting every row's date as np.unique would."""
    texts = np.ascontiguousarray(dates).view("S10").ravel()
    starts = np.flatnonzero(texts[1:] != texts[:-1]) + 1
    if starts.size >= _FEW_DAYS:  # not runs: parse each distinct date once
        unique, inverse = np.unique(texts, return_inverse=True)
        return np.array([np.datetime64(day.decode(), "D") for day in unique]).astype(np.int64)[inverse]
    starts = np.concatenate(([0], starts))
    run_days = np.array([np.datetime64(texts[start].decode(), "D") for start in starts.tolist()])
    return np.repeat(run_days.astype(np.int64), np.diff(np.append(starts, texts.size)))
