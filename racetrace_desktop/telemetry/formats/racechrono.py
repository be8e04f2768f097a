"""RaceChrono CSV (Pro "Format,2"/"Format,3" dynamic columns, and the free app's export, v10).

First line `This file is created using RaceChrono <edition> v<version> ...`, key/value lines (track, driver,
`Created,DD/MM/YYYY,HH:MM` in UTC), then the channel header: `<name> (<unit>) [*calc|*obd|*acc|*gyro]`.
Format 3 may follow the header with a unit row and a source row; they are folded into the names.
Time is `Time (s)` (Unix seconds) or `Timestamp (s)` (seconds of the UTC day, wrapping at midnight).
Cells are empty where a sensor had no update: values are held from their last update. `Elapsed time` and
`Distance` restart per recording fragment, so only the clock orders rows. Laps: the `Trap name` rows where
`Lap #` changes are the start/finish crossings (rows RaceChrono inserts at the crossing time); without
traps, the changes of `Lap #` (blank or N/A before the first lap).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from racetrace_desktop.telemetry import units
from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats import canonical as cn
from racetrace_desktop.telemetry.formats.text_table import (
    Line,
    Table,
    body_from,
    csv_cells,
    lines_until,
    normalise_newlines,
    parse_table,
)
from racetrace_desktop.telemetry.formats.timecodes import (
    DAY_S,
    day_of_start,
    start_datetime,
    unwrap_midnight,
    utc_epoch,
)
from racetrace_desktop.telemetry.formats.trackaddict_columns import split_name
from racetrace_desktop.telemetry.model import RawSession, SessionMetadata

FORMAT_NAME = "RaceChrono CSV"
_BANNER = re.compile(r"created using (?P<app>RaceChrono(?: \w+)?) v(?P<version>[\d.]+)", re.IGNORECASE)
_TIME_NAMES = ("time", "timestamp")
_STRUCTURAL = {"lap #", "trap name", "latitude", "longitude", "session fragment #", "fragment id", "elapsed time",
               *_TIME_NAMES}
_KEYS = {  # (lower-case base name, source tag) -> canonical key; tag None = any tag not listed
    ("speed", None): "speed", ("speed", "*obd"): "obd_speed",
    ("altitude", None): "altitude", ("bearing", None): "heading", ("accuracy", None): "gps_accuracy",
    ("satellites", None): "satellites", ("locked satellites", None): "satellites", ("distance", None): "distance",
    ("lateral acceleration", None): "lat_g", ("longitudinal acceleration", None): "long_g",
    ("x acceleration", None): "accel_x", ("y acceleration", None): "accel_y", ("z acceleration", None): "accel_z",
    ("x rate of rotation", None): "gyro_x", ("y rate of rotation", None): "gyro_y",
    ("z rate of rotation", None): "gyro_z",
    ("rpm", None): "rpm", ("engine rpm", None): "rpm", ("throttle position", None): "throttle",
    ("accelerator position", None): "throttle", ("brake position", None): "brake", ("gear", None): "gear",
    ("lean angle", None): "lean_angle", ("coolant temperature", None): "coolant_temp",
    ("intake air temperature", None): "intake_temp",
}
_TRAP_TOLERANCE_ROWS = 1


def detect(head: bytes, name: str) -> bool:
    first = normalise_newlines(head).lstrip()[:200].lower()
    return first.startswith(b"this file is created using racechrono")


@dataclass
class _Column:
    index: int
    name: str
    base: str  # lower case
    unit: str
    tag: str  # lower case, "" without


def parse(data: bytes, name: str) -> RawSession:
    data = normalise_newlines(data)
    preamble = lines_until(data, lambda line: _is_header(line.decode("utf-8", "replace")))
    header = preamble[-1]
    if not _is_header(header.text(data)):
        raise TelemetryFormatError(name, "no channel header (a line with 'Time (s)' or 'Timestamp (s)')")
    metadata = _metadata(data, preamble[:-1], name)
    names, body_start, first_line = _names(data, header)
    columns = [_column(i, n) for i, n in enumerate(names)]
    by_base = {c.base: c for c in reversed(columns) if not c.tag}
    text = [c.index for c in columns if c.base in ("lap #", "trap name")]
    body, first_line = body_from(data, body_start, first_line)
    required = [c.index for c in columns if not c.tag and c.base in ("latitude", "longitude", *_TIME_NAMES)]
    table = parse_table(body, names, first_line, name, text, required)
    time_s, utc_s = _clock(table, by_base, metadata, name)
    session = _session(table, columns, by_base, time_s, utc_s, metadata)
    _laps(session, table, by_base)
    return session


def _is_header(line: str) -> bool:
    return any(split_name(cell).base.lower() in _TIME_NAMES and split_name(cell).unit in ("s", None)
               for cell in csv_cells(line)) and line.count(",") >= 2


def _metadata(data: bytes, lines: list[Line], name: str) -> SessionMetadata:
    metadata = SessionMetadata(source_name=name, format_name=FORMAT_NAME, app_name="RaceChrono")
    banner = _BANNER.search(lines[0].text(data)) if lines else None
    if banner:
        metadata.app_name, metadata.app_version = banner["app"], banner["version"]
    for line in lines[1:]:
        cells = csv_cells(line.text(data))
        if not cells or not cells[0]:
            continue
        key, values = cells[0], [c for c in cells[1:] if c]
        value = ",".join(values) if key.lower() != "format" else (values[0] if values else "")
        lowered = key.lower()
        if lowered == "track name":
            metadata.track_name = value or None
        elif lowered == "driver name":
            metadata.driver = value or None
        elif lowered == "vehicle" or lowered == "vehicle name":
            metadata.vehicle = value or None
        elif lowered == "created" and len(values) >= 2:
            metadata.extra["Created (UTC)"] = f"{values[0]} {values[1]}"
            continue
        if value:
            metadata.extra[key] = value
    return metadata


def _created(metadata: SessionMetadata) -> datetime | None:
    text = metadata.extra.get("Created (UTC)")
    try:
        return datetime.strptime(text, "%d/%m/%Y %H:%M") if text else None
    except ValueError:
        return None


def _names(data: bytes, header: Line) -> tuple[list[str], int, int]:
    """Channel names (Format 3's unit and source rows folded in), the offset and line of the first data row."""
    names = csv_cells(header.text(data))
    time_at = next(i for i, n in enumerate(names) if split_name(n).base.lower() in _TIME_NAMES)
    offset, line = header.end + 1, header.number + 1
    extra_rows: list[list[str]] = []
    while len(extra_rows) < 2 and offset < len(data):
        end = data.find(b"\n", offset)
        end = len(data) if end < 0 else end
        cells = csv_cells(data[offset:end].decode("utf-8", "replace"))
        if not cells or len(cells) <= time_at or _is_number(cells[time_at]) or not any(cells):
            break
        extra_rows.append(cells)
        offset, line = end + 1, line + 1
    if extra_rows:
        units = extra_rows[0] + [""] * len(names)
        sources = (extra_rows[1] if len(extra_rows) > 1 else []) + [""] * len(names)
        names = [_fold(n, units[i], sources[i]) for i, n in enumerate(names)]
    return names, offset, line


def _fold(name: str, unit: str, source: str) -> str:
    folded = f"{name} ({unit})" if unit and "(" not in name else name
    return f"{folded} *{source.lstrip('*')}" if source and "*" not in name else folded


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _column(index: int, name: str) -> _Column:
    parsed = split_name(name)
    tag = (parsed.tag or "").lower()
    return _Column(index, name, parsed.base.lower(), parsed.unit or "", "" if tag == "*gps" else tag)  # GPS = untagged


def _clock(table: Table, by_base: dict[str, _Column], metadata: SessionMetadata,
           name: str) -> tuple[np.ndarray, np.ndarray | None]:
    column = by_base.get("time") or by_base.get("timestamp")
    if column is None:
        raise TelemetryFormatError(name, "missing the 'Time (s)' or 'Timestamp (s)' column", table.first_line - 1)
    clock = table.values[column.index]
    missing = np.flatnonzero(~np.isfinite(clock))
    if missing.size:
        raise TelemetryFormatError(name, f"empty cell in column '{column.name}'", table.line_of_row(int(missing[0])))
    if float(np.nanmax(clock)) < 2 * DAY_S:  # seconds of the UTC day
        clock, days = unwrap_midnight(clock)
        if days:
            metadata.extra["Crosses midnight"] = "yes"
        day = day_of_start(_created(metadata), float(clock[0]))
        utc_s = utc_epoch(day, clock) if day is not None else None
    else:
        utc_s = clock
    backwards = np.flatnonzero(clock[1:] < clock[:-1])
    if backwards.size:
        row = int(backwards[0]) + 1
        message = f"'{column.name}' goes backwards ({clock[row]:.3f} after {clock[row - 1]:.3f})"
        raise TelemetryFormatError(name, message, table.line_of_row(row))
    metadata.session_start_utc = start_datetime(utc_s)
    return clock - clock[0], utc_s


def _session(table: Table, columns: list[_Column], by_base: dict[str, _Column], time_s: np.ndarray,
             utc_s: np.ndarray | None, metadata: SessionMetadata) -> RawSession:
    rows = table.rows
    if "latitude" in by_base and "longitude" in by_base:
        lat_raw, lon_raw = table.values[by_base["latitude"].index], table.values[by_base["longitude"].index]
        fix = np.isfinite(lat_raw) & np.isfinite(lon_raw) & ((lat_raw != 0) | (lon_raw != 0))
        lat, _ = cn.hold(np.where(fix, lat_raw, np.nan))
        lon, _ = cn.hold(np.where(fix, lon_raw, np.nan))
        warnings: list[str] = list(table.warnings)
    else:
        lat = lon = np.full(rows, np.nan)
        fix = np.zeros(rows, dtype=bool)
        warnings = [*table.warnings, "no Latitude/Longitude columns: no map and no GPS distance"]
    obd = [c for c in columns if c.tag == "*obd"]
    obd_update = np.any([np.isfinite(table.values[c.index]) for c in obd], axis=0) if obd else None
    session = RawSession(metadata, time_s, utc_s, None, fix, lat, lon, {}, {}, obd_update=obd_update,
                         warnings=warnings)
    _channels(session, table, columns)
    return session


def _channels(session: RawSession, table: Table, columns: list[_Column]) -> None:
    """Canonical channels. Twins in other units ("Speed (km/h)" beside "Speed (m/s)") are folded into one; a
    quantity the app derived (`*calc`) keeps the plain key only when no sensor measured it."""
    used: dict[tuple[str, str], str] = {}  # (base name, tag) -> key of the channel read from it
    for column in sorted(columns, key=lambda c: c.tag == "*calc"):  # measured before derived
        if column.base in _STRUCTURAL and not column.tag:
            continue
        twin_of = used.get((column.base, column.tag))
        if twin_of is not None:
            _show_in(session, twin_of, column.unit)
            continue
        key = _KEYS.get((column.base, column.tag or None)) or _KEYS.get((column.base, None))
        label = None if key is not None else column.name
        key = key or cn.other_key(column.name, column.index)
        if column.tag == "*calc" and key in session.channels:
            key, label = f"{key}_calc", f"{session.channel_info[key].label} (calculated)"
        values, _ = cn.hold(table.values[column.index])
        cn.add_channel(session, key, values, column.unit, label, _SOURCES.get(column.tag))
        used[(column.base, column.tag)] = next(reversed(session.channels))


def _show_in(session: RawSession, key: str, unit_text: str) -> None:
    """A twin column in another unit: the channel keeps its values and is shown in the twin's unit when that
    is the one drivers read (km/h, mph) rather than the SI unit."""
    info = session.channel_info[key]
    twin = units.lookup(unit_text)
    if twin is not None and twin.quantity == "speed" and twin.symbol in ("km/h", "mph") and info.display_unit == "m/s":
        session.channel_info[key] = replace(info, display_unit=twin.symbol)


_SOURCES = {"*obd": "obd", "*calc": "derived", "*acc": "accelerometer", "*gyro": "gyroscope", "": None}


def _laps(session: RawSession, table: Table, by_base: dict[str, _Column]) -> None:
    lap_col, trap_col = by_base.get("lap #"), by_base.get("trap name")
    if lap_col is None:
        return
    keys = table.short_keys(lap_col.index)
    starts = table.cell_bounds[lap_col.index][0]
    first = np.frombuffer(table.body, dtype=np.uint8)[np.minimum(starts, len(table.body) - 1)]
    keys[(first < ord("0")) | (first > ord("9"))] = 0  # blank and "N/A" alike: before the first lap
    changes = (np.flatnonzero(keys[1:] != keys[:-1]) + 1).tolist()
    traps = table.filled_rows(trap_col.index).tolist() if trap_col is not None else []
    boundaries, unmatched = _trap_boundaries(changes, traps)
    source = cn.STATED
    if not boundaries and changes:
        boundaries, source = changes, cn.LAP_COLUMN
    elif unmatched:
        lines = ", ".join(str(table.line_of_row(row)) for row in unmatched[:5])
        session.warnings.append(
            f"the 'Lap #' column changes without a start/finish trap row at line(s) {lines}: "
            "laps follow the trap rows")
    times = [float(session.time_s[row]) for row in boundaries]
    session.lap_markers = cn.markers_from_boundaries(session.time_s, times, source)
    rows = np.arange(table.rows)
    session.lap_column = np.searchsorted(np.asarray(boundaries, dtype=np.int64), rows, side="right").astype(np.int32)
    if boundaries:
        session.metadata.start_finish = cn.point_at(session.lat, session.lon, boundaries[0],
                                                    session.channels.get("heading"))


def _trap_boundaries(changes: list[int], traps: list[int]) -> tuple[list[int], list[int]]:
    """Trap rows where the lap number changes on that row or the next one; lap changes with no trap near."""
    change_set = set(changes)
    boundaries = [row for row in traps if row in change_set or row + 1 in change_set]
    near = {row + offset for row in boundaries for offset in range(-_TRAP_TOLERANCE_ROWS, _TRAP_TOLERANCE_ROWS + 2)}
    unmatched = [row for row in changes if row not in near] if boundaries else []
    return boundaries, unmatched
