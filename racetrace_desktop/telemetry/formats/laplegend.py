"""Lap Legend CSV (Android app, often with a RaceBox Mini GPS and an OBD adapter).

A preamble of `#` lines (`# Lap Legend CSV Data Export (25 Hz Interpolated)`, a web address, `# Track:`,
`# App Name:`, `# App Version:`, `# Device Model:`, `# Device OS:`, `# GPS Device:`, `# GPS Rate:`, ...), a
blank line, a quoted header `"Time","Lap","GPS Latitude (deg)",...` with units in parentheses, then rows.
At a glance it looks like TrackAddict (a `#` preamble, a quoted header starting with "Time") but it has no
`# RaceRender Data` line and no `# Lap N:` lines: the registry asks this reader first. Laps come from the `Lap`
column (rows are 25 Hz, so lap times are within one row interval, 40 ms); `Lap Number` is checked against it.
"""

from __future__ import annotations

import numpy as np

from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats import canonical as cn
from racetrace_desktop.telemetry.formats.text_table import (
    Line,
    body_from,
    csv_cells,
    lines_until,
    normalise_newlines,
    parse_table,
)
from racetrace_desktop.telemetry.formats.trackaddict_columns import split_name
from racetrace_desktop.telemetry.model import RawSession, SessionMetadata

FORMAT_NAME = "Lap Legend CSV"
_SIGNATURE = b"# lap legend"
_CHANNELS = {  # lower-case base name -> canonical key
    "gps altitude": "altitude", "gps heading": "heading", "gps speed": "speed", "gps accuracy": "gps_accuracy",
    "gps distance 2d": "distance", "accel x": "accel_x", "accel y": "accel_y", "accel z": "accel_z",
    "gyro x": "gyro_x", "gyro y": "gyro_y", "gyro z": "gyro_z", "engine rpm": "rpm", "rpm": "rpm",
    "engine speed": "rpm", "throttle position": "throttle", "throttle": "throttle",
    "vehicle speed": "obd_speed", "obd speed": "obd_speed", "coolant temperature": "coolant_temp",
    "engine coolant temperature": "coolant_temp", "intake air temperature": "intake_temp",
    "intake manifold pressure": "manifold_pressure", "braking": "brake_flag",
}
_STRUCTURAL = ("time", "lap", "gps latitude", "gps longitude")
_META = {"track": "track_name", "app version": "app_version", "device model": "device", "device os": "os_name",
         "gps device": "logger", "app name": "app_name", "driver": "driver", "vehicle": "vehicle"}


def detect(head: bytes, name: str) -> bool:
    return normalise_newlines(head).lstrip()[:64].lower().startswith(_SIGNATURE)


def parse(data: bytes, name: str) -> RawSession:
    data = normalise_newlines(data)
    preamble = lines_until(data, lambda line: bool(line) and not line.startswith(b"#"), limit=500)
    header = preamble[-1]
    names = csv_cells(header.text(data))
    parsed = [split_name(n) for n in names]
    bases = [p.base.lower() for p in parsed]
    if "time" not in bases:
        raise TelemetryFormatError(name, "missing required column 'Time'", header.number)
    metadata = _metadata(data, preamble[:-1], name)
    body, first_line = body_from(data, header.end + 1, header.number + 1)
    table = parse_table(body, names, first_line, name, required=[i for i, b in enumerate(bases) if b in _STRUCTURAL])
    time_s = table.values[bases.index("time")]
    bad = np.flatnonzero(~np.isfinite(time_s) | np.concatenate(([False], np.diff(time_s) < 0)))
    if bad.size:
        raise TelemetryFormatError(name, "column 'Time' is empty or goes backwards", table.line_of_row(int(bad[0])))
    rows = time_s.size
    if "gps latitude" in bases and "gps longitude" in bases:
        lat, lon = table.values[bases.index("gps latitude")], table.values[bases.index("gps longitude")]
        fix = np.isfinite(lat) & np.isfinite(lon) & ((lat != 0) | (lon != 0))
        lat, lon = np.where(fix, lat, np.nan), np.where(fix, lon, np.nan)
    else:
        lat, lon, fix = np.full(rows, np.nan), np.full(rows, np.nan), np.zeros(rows, dtype=bool)
    obd = [i for i, p in enumerate(parsed) if _CHANNELS.get(p.base.lower()) in ("rpm", "throttle", "obd_speed")]
    obd_update = np.any([np.isfinite(table.values[i]) for i in obd], axis=0) if obd else None
    session = RawSession(metadata, time_s - time_s[0], None, None, fix, lat, lon, {}, {}, obd_update=obd_update,
                         warnings=list(table.warnings))
    for position, column in enumerate(parsed):
        if bases[position] in _STRUCTURAL:
            continue
        key = _CHANNELS.get(bases[position]) or cn.other_key(names[position], position)
        label = None if key in cn.CANONICAL else column.base
        values, _ = cn.hold(table.values[position])
        cn.add_channel(session, key, values, column.unit or "", label)
    if "lap" in bases:
        _laps(session, table.values[bases.index("lap")], bases, table.values, table.first_line, name)
    return session


def _metadata(data: bytes, lines: list[Line], name: str) -> SessionMetadata:
    metadata = SessionMetadata(source_name=name, format_name=FORMAT_NAME, app_name="Lap Legend")
    for line in lines:
        text = line.text(data).lstrip("#").strip()
        key, separator, value = text.partition(":")
        if not separator or key.lower().startswith(("http", "www")):
            if text:
                metadata.extra.setdefault("Export", text)
            continue
        key, value = key.strip(), value.strip()
        metadata.extra[key] = value
        field = _META.get(key.lower())
        if field and value:
            setattr(metadata, field, value)
    return metadata


def _laps(session: RawSession, lap: np.ndarray, bases: list[str], values: np.ndarray, first_line: int,
          name: str) -> None:
    held, _ = cn.hold(lap)
    if np.isnan(held).all():
        return
    held = np.where(np.isnan(held), 0, held)
    bad = np.flatnonzero((held != np.floor(held)) | (held < 0))
    if bad.size:
        raise TelemetryFormatError(name, f"column 'Lap': {float(held[bad[0]])!r} is not a lap number",
                                   first_line + int(bad[0]))
    boundaries, warning = cn.lap_column_boundaries(session.time_s, held, first_line)
    if warning:
        session.warnings.append(warning)
    session.lap_column = cn.running_lap_count(held)
    session.lap_markers = cn.markers_from_boundaries(session.time_s, boundaries, cn.LAP_COLUMN)
    if boundaries:
        row = int(np.searchsorted(session.time_s, boundaries[0]))
        session.metadata.start_finish = cn.point_at(session.lat, session.lon, row, session.channels.get("heading"))
    if "lap number" in bases:
        number, _ = cn.hold(values[bases.index("lap number")])
        number_rows = np.flatnonzero(np.diff(np.where(np.isnan(number), -1, number)) != 0) + 1
        lap_rows = np.flatnonzero(np.diff(held) != 0) + 1
        if number_rows.size != lap_rows.size or np.any(np.abs(number_rows - lap_rows) > 1):
            session.warnings.append(
                f"the 'Lap Number' column changes at {number_rows.size} rows and 'Lap' at {lap_rows.size}: "
                "laps follow 'Lap'")
