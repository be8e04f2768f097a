"""TrackAddict CSV reader (RaceRender Data dialect), every quirk of docs/trackaddict-format.md.

detect(head, name) -> bool and parse(data, name) -> RawSession are the registry's interface. The pieces:
trackaddict_layout (where the header, rows and comment lines are), numeric_rows (exact, fast numbers),
trackaddict_columns (names -> channels, SI units, sentinels), trackaddict_meta (comment lines, file name).
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats import trackaddict_meta as meta
from racetrace_desktop.telemetry.formats.numeric_rows import parse_rows
from racetrace_desktop.telemetry.formats.trackaddict_columns import channel_values, plan_columns, unit_system_of
from racetrace_desktop.telemetry.formats.trackaddict_layout import FileLayout, scan
from racetrace_desktop.telemetry.model import LapMarker, RawSession, SessionMetadata
from racetrace_desktop.telemetry.units import METRIC

FORMAT_NAME = "TrackAddict"
_BOM = b"\xef\xbb\xbf"
_LAP_LIMIT = 2**31 - 1


def detect(head: bytes, name: str) -> bool:
    """A RaceRender Data preamble, or (preamble deleted) a quoted header starting with "Time"."""
    text = head.removeprefix(_BOM).lstrip()
    if text.startswith(b"# RaceRender Data"):
        return True
    for line in text.split(b"\n")[:64]:
        line = line.strip()
        if line and not line.startswith(b"#"):
            return line.lower().startswith(b'"time",')
    return False


def parse(data: bytes, name: str) -> RawSession:
    data = data.removeprefix(_BOM)
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    layout = scan(data, name)
    metadata = SessionMetadata(source_name=name, format_name=FORMAT_NAME)
    preamble = meta.apply_preamble(metadata, layout.preamble)
    meta.apply_file_name(metadata, name)
    if not preamble.units_from_settings:
        metadata.units = unit_system_of(layout.columns) or METRIC
    columns = plan_columns(layout.columns, metadata.units)
    if "time" not in columns.structural:
        raise TelemetryFormatError(name, "missing required column 'Time'", layout.header_line)
    values = parse_rows(data, layout.blocks, layout.columns, name, layout.newlines)
    session = _session(values, columns.structural, metadata, layout, name)
    for plan in columns.channels:
        session.channels[plan.info.key] = channel_values(plan, values[plan.column])
        session.channel_info[plan.info.key] = plan.info
    _add_comments(session, layout)
    duplicates = [f"column '{column}' appears twice; the first one is used" for column in columns.duplicates]
    session.warnings[:0] = preamble.warnings + duplicates
    return session


def _session(
    values: np.ndarray, structural: dict[str, int], metadata: SessionMetadata, layout: FileLayout, name: str
) -> RawSession:
    time_s = values[structural["time"]]
    _check_time(time_s, layout, name)
    utc_s = values[structural["utc"]] if "utc" in structural else None
    metadata.session_start_utc = _start_utc(time_s, utc_s)
    rows = time_s.shape[0]
    fix = values[structural["gps_update"]] != 0 if "gps_update" in structural else np.ones(rows, dtype=bool)
    lat, lon, warnings = _positions(values, structural, fix)
    _check_range(lat, 90.0, "Latitude", layout, name)
    _check_range(lon, 180.0, "Longitude", layout, name)
    return RawSession(
        metadata=metadata,
        time_s=time_s,
        utc_s=utc_s,
        lap_column=_laps(values[structural["lap"]], layout, name) if "lap" in structural else None,
        gps_fix=fix,
        lat=lat,
        lon=lon,
        channels={},
        channel_info={},
        obd_update=values[structural["obd_update"]] != 0 if "obd_update" in structural else None,
        warnings=warnings,
    )


def _check_time(time_s: np.ndarray, layout: FileLayout, name: str) -> None:
    backwards = np.flatnonzero(time_s[1:] < time_s[:-1])
    if backwards.size:
        row = int(backwards[0]) + 1
        message = f"Time goes backwards: {time_s[row]:.3f} s after {time_s[row - 1]:.3f} s"
        raise TelemetryFormatError(name, message, layout.line_of_row(row))


def _check_range(degrees: np.ndarray, limit: float, column: str, layout: FileLayout, name: str) -> None:
    outside = np.flatnonzero(np.abs(degrees) > limit)
    if outside.size:
        row = int(outside[0])
        message = f"column '{column}': {float(degrees[row])!r} is outside -{limit:g}..{limit:g} degrees"
        raise TelemetryFormatError(name, message, layout.line_of_row(row))


def _laps(lap: np.ndarray, layout: FileLayout, name: str) -> np.ndarray:
    bad = np.flatnonzero((lap != np.floor(lap)) | (lap < 0) | (lap > _LAP_LIMIT))
    if bad.size:
        row = int(bad[0])
        raise TelemetryFormatError(
            name, f"column 'Lap': {float(lap[row])!r} is not a lap number", layout.line_of_row(row)
        )
    return lap.astype(np.int32)


def _start_utc(time_s: np.ndarray, utc_s: np.ndarray | None) -> datetime | None:
    if utc_s is None:
        return None
    valid = np.flatnonzero(utc_s > 0)
    if valid.size == 0:
        return None
    start = float(utc_s[valid[0]] - time_s[valid[0]])
    try:
        return datetime.fromtimestamp(round(start, 3), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _positions(
    values: np.ndarray, structural: dict[str, int], fix: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Latitude/longitude held from the last GPS fix row (NaN before the first fix)."""
    rows = fix.shape[0]
    if "lat" not in structural or "lon" not in structural:
        nan = np.full(rows, np.nan)
        return nan, nan.copy(), ["no Latitude/Longitude columns: no map and no GPS distance"]
    lat, lon = values[structural["lat"]], values[structural["lon"]]
    if fix.all():
        return lat, lon, []
    last_fix = np.maximum.accumulate(np.where(fix, np.arange(rows), -1))
    held_lat, held_lon = lat[last_fix], lon[last_fix]
    before_first = last_fix < 0
    held_lat[before_first] = np.nan
    held_lon[before_first] = np.nan
    warnings = [] if fix.any() else ["no row has GPS_Update = 1: no GPS position in this file"]
    return held_lat, held_lon, warnings


def _add_comments(session: RawSession, layout: FileLayout) -> None:
    for comment in layout.comments:
        item = meta.data_comment(meta.comment_text(comment.text), comment.row_index, comment.line_no)
        if isinstance(item, LapMarker):
            session.lap_markers.append(item)
        else:
            session.events.append(item)
    if session.metadata.start_finish is None:
        starts = [meta.start_point_of(e) for e in session.events if e.kind == "start_point"]
        session.metadata.start_finish = next((p for p in reversed(starts) if p is not None), None)
    if not any(event.kind == "session_end" for event in session.events):
        session.warnings.append(
            "no '# Session End' line: the recording may have stopped early (phone off or app closed); "
            "every complete row was imported"
        )

