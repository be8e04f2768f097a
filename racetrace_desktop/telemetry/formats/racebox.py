"""RaceBox CSV: no preamble, `Record,Time,Latitude,Longitude,...,Lap,...`, time as seconds or ISO-8601 UTC.

Names differ by export: `Speed,GForceX,GForceY,GForceZ` (app) or RaceRender-style `KPH,X,Y,Z`. The app's
"Speed" and "Altitude" columns are in the unit set in the app (no unit in the header): the speed unit is found
from the positions, the altitude follows the same unit system. Laps come from the `Lap` column (0 before the
first crossing).
"""

from __future__ import annotations

import numpy as np

from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats import canonical as cn
from racetrace_desktop.telemetry.formats.text_table import Table, body_from, csv_cells, normalise_newlines, parse_table
from racetrace_desktop.telemetry.formats.timecodes import iso_fixed_width_micros, iso_utc_micros, start_datetime
from racetrace_desktop.telemetry.model import RawSession, SessionMetadata

FORMAT_NAME = "RaceBox CSV"
_SIGNATURE = b"record,time,latitude,longitude"
_CHANNELS = {  # lower-case header -> (key, unit in the file)
    "kph": ("speed", "km/h"), "speed": ("speed", None), "altitude": ("altitude", None),
    "x": ("accel_x", "g"), "y": ("accel_y", "g"), "z": ("accel_z", "g"),
    "gforcex": ("accel_x", "g"), "gforcey": ("accel_y", "g"), "gforcez": ("accel_z", "g"),
    "gyrox": ("gyro_x", "deg/s"), "gyroy": ("gyro_y", "deg/s"), "gyroz": ("gyro_z", "deg/s"),
    "heading": ("heading", "deg"), "satellites": ("satellites", ""),
}
_STRUCTURAL = ("record", "time", "latitude", "longitude", "lap")


def detect(head: bytes, name: str) -> bool:
    first = normalise_newlines(head).lstrip().split(b"\n", 1)[0].replace(b" ", b"").replace(b'"', b"").lower()
    return first.startswith(_SIGNATURE)


def parse(data: bytes, name: str) -> RawSession:
    data = normalise_newlines(data)
    header_end = data.find(b"\n")
    if header_end < 0:
        raise TelemetryFormatError(name, "the file ends after the column header: no data rows", 1)
    columns = csv_cells(data[:header_end].decode("utf-8", "replace"))
    index = {column.lower(): i for i, column in enumerate(columns)}
    body, first_line = body_from(data, header_end + 1, 2)
    iso = _is_iso_time(body, index["time"])
    required = [index[c] for c in _STRUCTURAL if c in index]
    table = parse_table(body, columns, first_line, name, [index["time"]] if iso else [], required)
    time_s, utc_s = _times(table, index["time"], iso, name)
    metadata = SessionMetadata(source_name=name, format_name=FORMAT_NAME, app_name="RaceBox", logger="RaceBox")
    metadata.session_start_utc = start_datetime(utc_s)
    lat, lon = table.values[index["latitude"]], table.values[index["longitude"]]
    no_fix = (lat == 0) & (lon == 0)
    lat, lon = np.where(no_fix, np.nan, lat), np.where(no_fix, np.nan, lon)
    session = RawSession(metadata, time_s, utc_s, None, ~no_fix & np.isfinite(lat), lat, lon, {}, {},
                         warnings=list(table.warnings))
    _add_channels(session, table, columns, index)
    if "lap" in index:
        _add_laps(session, table.values[index["lap"]], table, name)
    return session


def _is_iso_time(body: bytes, column: int) -> bool:
    line_end = body.find(b"\n")  # not split(b"\n", 1): that copies the whole rest of the body
    first_row = (body if line_end < 0 else body[:line_end]).split(b",")
    return len(first_row) > column and b"T" in first_row[column] and b"-" in first_row[column]


def _times(table: Table, column: int, iso: bool, name: str) -> tuple[np.ndarray, np.ndarray | None]:
    if not iso:
        time_s = table.values[column]
        _check_time(time_s, table, name)
        return time_s, None
    cells = table.fixed_width(column)
    micros = iso_fixed_width_micros(cells) if cells is not None else None
    if micros is None:
        micros = iso_utc_micros(table.text(column), name, table.first_line)
    time_s = (micros - micros[0]) / 1e6  # exact to the microsecond: epoch seconds would lose the last digits
    _check_time(time_s, table, name)
    return time_s, micros / 1e6


def _check_time(time_s: np.ndarray, table: Table, name: str) -> None:
    bad = np.flatnonzero(~np.isfinite(time_s))
    if bad.size:
        raise TelemetryFormatError(name, "empty cell in column 'Time'", table.line_of_row(int(bad[0])))
    backwards = np.flatnonzero(time_s[1:] < time_s[:-1])
    if backwards.size:
        row = int(backwards[0]) + 1
        message = f"Time goes backwards: {time_s[row]:.3f} s after {time_s[row - 1]:.3f} s"
        raise TelemetryFormatError(name, message, table.line_of_row(row))


def _add_channels(session: RawSession, table: Table, columns: list[str], index: dict[str, int]) -> None:
    speed_unit = "km/h"
    if "speed" in index:
        found = cn.speed_unit_from_positions(session.time_s, session.lat, session.lon, table.values[index["speed"]])
        speed_unit = found or "km/h"
        if found is None:
            session.warnings.append("the unit of the 'Speed' column could not be told from the positions: km/h assumed")
    length_unit = "ft" if speed_unit == "mph" else "m"
    for position, column in enumerate(columns):
        lowered = column.lower()
        if lowered in _STRUCTURAL:
            continue
        key, unit = _CHANNELS.get(lowered, (cn.other_key(column, position), ""))
        if unit is None:
            unit = speed_unit if key == "speed" else length_unit
        label = None if lowered in _CHANNELS else column
        cn.add_channel(session, key, table.values[position], unit, label)


def _add_laps(session: RawSession, lap: np.ndarray, table: Table, name: str) -> None:
    bad = np.flatnonzero(~np.isfinite(lap) | (lap != np.floor(lap)) | (lap < 0))
    if bad.size:
        raise TelemetryFormatError(name, f"column 'Lap': {float(lap[bad[0]])!r} is not a lap number",
                                   table.line_of_row(int(bad[0])))
    boundaries, warning = cn.lap_column_boundaries(session.time_s, lap, table.first_line)
    if warning:
        session.warnings.append(warning)
    session.lap_column = cn.running_lap_count(lap)
    session.lap_markers = cn.markers_from_boundaries(session.time_s, boundaries, cn.LAP_COLUMN)
    if boundaries:
        first = int(np.searchsorted(session.time_s, boundaries[0]))
        session.metadata.start_finish = cn.point_at(session.lat, session.lon, first, session.channels.get("heading"))
