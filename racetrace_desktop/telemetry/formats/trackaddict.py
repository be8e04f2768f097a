"""TrackAddict CSV reader (RaceRender Data dialect), every quirk of docs/trackaddict-format.md.

detect(head, name) -> bool and parse(data, name) -> RawSession are the registry's interface. The pieces:
trackaddict_layout (where the header, rows and comment lines are), numeric_rows (exact, fast numbers),
trackaddict_rows (rows damaged although they read as numbers), trackaddict_columns (names -> channels, SI
units, sentinels), trackaddict_meta (comment lines, file name).

A damaged file keeps what it still holds: a cut last row, an unreadable or implausible row is dropped with a
warning naming the file and the line, comment lines keep pointing at the rows that follow them, and only a file
with at least half of its rows damaged is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats import trackaddict_meta as meta
from racetrace_desktop.telemetry.formats.numeric_rows import damage_report, drop_rows, parse_rows_keeping_damaged
from racetrace_desktop.telemetry.formats.trackaddict_columns import channel_values, plan_columns, unit_system_of
from racetrace_desktop.telemetry.formats.trackaddict_layout import DataComment, FileLayout, scan
from racetrace_desktop.telemetry.formats.trackaddict_rows import implausible_rows
from racetrace_desktop.telemetry.model import LapMarker, RawSession, SessionMetadata
from racetrace_desktop.telemetry.units import METRIC

FORMAT_NAME = "TrackAddict"
_BOM = b"\xef\xbb\xbf"


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
    values, comments, damage = _rows(data, layout, columns.structural, name)
    session = _session(values, columns.structural, metadata)
    for plan in columns.channels:
        session.channels[plan.info.key] = channel_values(plan, values[plan.column])
        session.channel_info[plan.info.key] = plan.info
    _add_comments(session, comments, name)
    duplicates = [f"column '{column}' appears twice; the first one is used" for column in columns.duplicates]
    session.warnings[:0] = preamble.warnings + duplicates + layout.warnings + damage
    return session


def _rows(
    data: bytes, layout: FileLayout, structural: dict[str, int], name: str
) -> tuple[np.ndarray, list[DataComment], list[str]]:
    """The values of every sound row, the comment lines re-pointed at the rows kept, and what was dropped."""
    parsed = parse_rows_keeping_damaged(data, layout.blocks, layout.columns, layout.newlines)
    damaged = parsed.damaged + implausible_rows(parsed.values, structural, layout, name, parsed.damaged)
    if not damaged:
        return parsed.values, layout.comments, []
    damaged.sort(key=lambda row: row.row)
    warnings = damage_report(damaged, layout.row_count, name)  # refuses a file that is mostly damaged
    dropped = np.array([row.row for row in damaged])
    comments = [
        DataComment(c.line_no, c.row_index - int(np.searchsorted(dropped, c.row_index)), c.text)
        for c in layout.comments
    ]
    return drop_rows(parsed.values, dropped), comments, warnings


def _session(values: np.ndarray, structural: dict[str, int], metadata: SessionMetadata) -> RawSession:
    time_s = values[structural["time"]]
    utc_s = values[structural["utc"]] if "utc" in structural else None
    metadata.session_start_utc = _start_utc(time_s, utc_s)
    rows = time_s.shape[0]
    fix = values[structural["gps_update"]] != 0 if "gps_update" in structural else np.ones(rows, dtype=bool)
    lat, lon, warnings = _positions(values, structural, fix)
    return RawSession(
        metadata=metadata,
        time_s=time_s,
        utc_s=utc_s,
        lap_column=values[structural["lap"]].astype(np.int32) if "lap" in structural else None,
        gps_fix=fix,
        lat=lat,
        lon=lon,
        channels={},
        channel_info={},
        obd_update=values[structural["obd_update"]] != 0 if "obd_update" in structural else None,
        warnings=warnings,
    )


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


def _add_comments(session: RawSession, comments: list[DataComment], name: str) -> None:
    for comment in comments:
        item = meta.data_comment(meta.comment_text(comment.text), comment.row_index, comment.line_no)
        if isinstance(item, LapMarker):
            session.lap_markers.append(item)
            continue
        session.events.append(item)
        if item.kind == meta.UNREADABLE_LAP:
            lap = f"lap {item.number}" if item.number is not None else "that lap"
            session.warnings.append(
                f"{name}, line {item.line_no}: cannot read the lap time in {comment.text!r}; "
                f"{lap} is timed from its start/finish crossing instead"
            )
    if session.metadata.start_finish is None:
        starts = [meta.start_point_of(e) for e in session.events if e.kind == "start_point"]
        session.metadata.start_finish = next((p for p in reversed(starts) if p is not None), None)
    if not any(event.kind == "session_end" for event in session.events):
        session.warnings.append(
            "no '# Session End' line: the recording may have stopped early (phone off or app closed); "
            "every complete row was imported"
        )

