"""AiM Race Studio CSV export (`Format,AiM CSV File`).

A key/value preamble, one key per line padded with commas (cells may be quoted): Session, Vehicle, Racer,
Championship, Comment, Date (`"Saturday, July 13, 2026"`), Time (`2:35 PM`, local), Sample Rate, Duration,
Segment, `Beacon Markers,<t1>,<t2>,...` (seconds from the start at each line crossing, ms precision) and
`Segment Times,<m:ss.s>,...` (lap times rounded to 0.1 s). Then an empty row, the channel names, the units,
an empty row and the data. Lap times are the differences of the beacon markers (the first from 0), exact to
the ms; the segment times are checked against them. An export cut to a part of the session may end before
the last beacons: those are dropped with a warning.
"""

from __future__ import annotations

import re
from datetime import datetime

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
from racetrace_desktop.telemetry.model import LapMarker, RawSession, SessionMetadata

FORMAT_NAME = "AiM CSV"
_SIGNATURE = re.compile(rb'^"?format"?\s*,\s*"?aim csv file', re.IGNORECASE)
_SEGMENT_TOLERANCE_MS = 51  # segment times are rounded to 0.1 s
_LAP_TIME = re.compile(r"^(?:(?P<h>\d+):)??(?:(?P<m>\d+):)?(?P<s>\d+(?:\.\d+)?)$")
_CHANNELS = {  # lower-case channel name -> canonical key
    "gps speed": "speed", "gps nsat": "satellites", "gps latacc": "lat_g", "gps lonacc": "long_g",
    "gps heading": "heading", "gps altitude": "altitude", "gps posaccuracy": "gps_accuracy",
    "engine rpm": "rpm", "rpm": "rpm", "throttle": "throttle", "tps": "throttle", "pps": "throttle",
    "throttle pos": "throttle", "brake pos": "brake", "gear": "gear", "water temp": "coolant_temp",
    "coolant temp": "coolant_temp", "intake air temp": "intake_temp", "speed": "obd_speed",
    "accelerometerx": "accel_x", "accelerometery": "accel_y", "accelerometerz": "accel_z",
    "inlinetacc": "long_g", "lateralacc": "lat_g", "verticalacc": "accel_z",
    "gyrox": "gyro_x", "gyroy": "gyro_y", "gyroz": "gyro_z", "rollrate": "gyro_x", "pitchrate": "gyro_y",
    "yawrate": "gyro_z",
}
_STRUCTURAL = ("time", "gps latitude", "gps longitude")
_CLOCK = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?\s*(?:AM|PM)?$", re.IGNORECASE)


def detect(head: bytes, name: str) -> bool:
    return bool(_SIGNATURE.match(normalise_newlines(head).lstrip()))


def parse(data: bytes, name: str) -> RawSession:
    data = normalise_newlines(data)
    preamble = lines_until(data, _is_channel_row)
    header = preamble[-1]
    names = csv_cells(header.text(data))
    if not names or names[0].lower() != "time":
        raise TelemetryFormatError(name, "no channel row starting with 'Time' after the AiM preamble")
    keys = _preamble(data, preamble[:-1])
    units_end = data.find(b"\n", header.end + 1)
    units_end = len(data) if units_end < 0 else units_end
    units = csv_cells(data[header.end + 1 : units_end].decode("utf-8", "replace")) + [""] * len(names)
    offset, line = _skip_empty_rows(data, units_end + 1, header.number + 2)
    body, first_line = body_from(data, offset, line)
    lowered = [n.lower() for n in names]
    required = [i for i, n in enumerate(lowered) if n in _STRUCTURAL]
    table = parse_table(body, names, first_line, name, required=required)
    time_s = table.values[0]
    bad = np.flatnonzero(~np.isfinite(time_s) | np.concatenate(([False], np.diff(time_s) < 0)))
    if bad.size:
        raise TelemetryFormatError(name, "column 'Time' is empty or goes backwards", table.line_of_row(int(bad[0])))
    session = _session(table.values, names, units, time_s, _metadata(keys, name))
    session.warnings[:0] = table.warnings
    _laps(session, keys, first_line)
    return session


def _is_channel_row(line: bytes) -> bool:
    """`Time,GPS Speed,...`, not the preamble's `Time,2:35 PM,,,`."""
    cells = csv_cells(line.decode("utf-8", "replace"))
    return len(cells) > 1 and cells[0].lower() == "time" and not _CLOCK.match(cells[1])


def _skip_empty_rows(data: bytes, offset: int, line: int) -> tuple[int, int]:
    """Past the empty rows between the units and the data (`,,,,` or `"",""` count as empty)."""
    while offset < len(data):
        end = data.find(b"\n", offset)
        end = len(data) if end < 0 else end
        if data[offset:end].strip(b' \t,"'):
            break
        offset, line = end + 1, line + 1
    return offset, line


def _preamble(data: bytes, lines: list[Line]) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for line in lines:
        cells = csv_cells(line.text(data))
        if cells and cells[0]:
            keys[cells[0].lower()] = [cell for cell in cells[1:] if cell]
    return keys


def _metadata(keys: dict[str, list[str]], name: str) -> SessionMetadata:
    def first(key: str) -> str | None:
        values = keys.get(key)
        return values[0] if values else None

    metadata = SessionMetadata(source_name=name, format_name=FORMAT_NAME, app_name="AiM Race Studio",
                               logger="AiM", vehicle=first("vehicle"), driver=first("racer"))
    metadata.track_name = first("venue") or first("session")
    metadata.driver = metadata.driver or first("driver") or first("user")
    for key in ("session", "venue", "championship", "comment", "sample rate", "duration", "segment", "data source"):
        if first(key):
            metadata.extra[key.title()] = ", ".join(keys[key])
    metadata.local_start = _local_start(", ".join(keys.get("date", [])), first("time"))
    return metadata


def _local_start(date_text: str, time_text: str | None) -> datetime | None:
    """`Saturday, July 13, 2026` + `2:35 PM` (or 24-hour `14:35`) -> naive local datetime."""
    day = date_text.split(",", 1)[1].strip() if date_text.count(",") >= 2 else date_text.strip()
    for pattern in ("%B %d, %Y %I:%M %p", "%B %d, %Y %H:%M", "%B %d, %Y %I:%M:%S %p", "%B %d, %Y %H:%M:%S"):
        try:
            return datetime.strptime(f"{day} {time_text or ''}".strip(), pattern)
        except ValueError:
            continue
    return None


def _session(values: np.ndarray, names: list[str], units: list[str], time_s: np.ndarray,
             metadata: SessionMetadata) -> RawSession:
    lowered = [n.lower() for n in names]
    rows = time_s.size
    if "gps latitude" in lowered and "gps longitude" in lowered:
        lat, lon = values[lowered.index("gps latitude")], values[lowered.index("gps longitude")]
        fix = np.isfinite(lat) & np.isfinite(lon) & ((lat != 0) | (lon != 0))
        lat, lon = np.where(fix, lat, np.nan), np.where(fix, lon, np.nan)
        warnings: list[str] = []
    else:
        lat, lon, fix = np.full(rows, np.nan), np.full(rows, np.nan), np.zeros(rows, dtype=bool)
        warnings = ["no GPS Latitude/Longitude channels: no map and no GPS distance"]
    session = RawSession(metadata, time_s - time_s[0], None, None, fix, lat, lon, {}, {}, warnings=warnings)
    for position, name in enumerate(names):
        if lowered[position] in _STRUCTURAL:
            continue
        key = _CHANNELS.get(lowered[position]) or cn.other_key(name, position)
        label = None if lowered[position] in _CHANNELS else name
        source = "gps" if lowered[position].startswith("gps") else ("obd" if key in ("rpm", "throttle") else None)
        cn.add_channel(session, key, values[position], units[position], label, source)
    return session


def _laps(session: RawSession, keys: dict[str, list[str]], first_line: int) -> None:
    try:
        beacons_ms = [round(float(v) * 1000) for v in keys.get("beacon markers", [])]
    except ValueError:
        session.warnings.append(f"the Beacon Markers line is not a list of times {keys['beacon markers']!r}: "
                                "no lap times from it")
        return
    end_ms = round(float(session.time_s[-1]) * 1000)
    inside = [ms for ms in beacons_ms if 0 < ms <= end_ms]
    if len(inside) < len(beacons_ms):
        session.warnings.append(f"{len(beacons_ms) - len(inside)} beacon marker(s) lie after the end of the data "
                                "(an export cut to part of the session): their laps are not imported")
    markers, previous = [], 0
    for number, ms in enumerate(inside):
        row = int(np.searchsorted(session.time_s, ms / 1000.0, side="left"))
        markers.append(LapMarker(number, ms - previous, row, -1, cn.BEACON))
        previous = ms
    session.lap_markers = markers
    if markers:
        session.metadata.start_finish = cn.point_at(session.lat, session.lon, markers[0].row_index,
                                                    session.channels.get("heading"))
    _check_segments(session, [m.duration_ms for m in markers], keys.get("segment times", []))


def _check_segments(session: RawSession, beacon_laps_ms: list[int], segments: list[str]) -> None:
    differing = []
    for number, (lap_ms, text) in enumerate(zip(beacon_laps_ms, segments, strict=False)):
        stated = _lap_time_ms(text)
        if stated is None:
            session.warnings.append(f"Segment Times: cannot read {text!r}")
        elif abs(stated - lap_ms) > _SEGMENT_TOLERANCE_MS:
            differing.append(f"lap {number}: beacons {lap_ms / 1000:.3f} s, segment time {text}")
    if differing:
        session.warnings.append("the Segment Times differ from the beacon markers (laps use the beacons): "
                                + "; ".join(differing))


def _lap_time_ms(text: str) -> int | None:
    match = _LAP_TIME.match(text.strip())
    if match is None:
        return None
    seconds = float(match["s"]) + 60 * int(match["m"] or 0) + 3600 * int(match["h"] or 0)
    return round(seconds * 1000)
