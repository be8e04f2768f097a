"""VBO (Racelogic VBOX / Circuit Tools; also written by RaceChrono, RaceBox and Harry's LapTimer).

Sections `[header]`, `[comments]`, `[session data]`, `[laptiming]`, `[column names]`, `[data]`, in any order,
LF or CRLF. Rows are space-separated; `time` is UTC `HHMMSS.SS` (wrapping at midnight); `lat`/`long` are
minutes with the Racelogic sign convention, longitude positive = WEST. `[laptiming]` gates are two points
each; Racelogic and Harry's write longitude first, RaceBox latitude first, so the order that puts the gate on
the driven path wins. Laps are the crossings of the Start gate (or Start to Finish when they differ),
interpolated between rows; a satellite count of 0 or a position of 0 marks a row without a fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats import canonical as cn
from racetrace_desktop.telemetry.formats.text_table import body_from, normalise_newlines, parse_table, spaces_to_commas
from racetrace_desktop.telemetry.formats.timecodes import (
    day_of_start,
    hhmmss_seconds,
    start_datetime,
    unwrap_midnight,
    utc_epoch,
)
from racetrace_desktop.telemetry.formats.vbo_gates import Gate, crossings, place_gate
from racetrace_desktop.telemetry.model import GeoPoint, RawSession, SessionMetadata

FORMAT_NAME = "VBO"
FAR_GATE_M = 500.0  # a Start line farther than this from the whole path belongs to another venue
_SECTION = re.compile(rb"^\[(?P<name>[a-z ]+)\][ \t]*$", re.IGNORECASE | re.MULTILINE)
_DATA_MARK = re.compile(rb"^\[data\][ \t]*$", re.IGNORECASE | re.MULTILINE)
_CREATED = re.compile(
    r"File created on (?P<date>\d{1,2}/\d{1,2}/\d{4})\s*(?:at|@)\s*(?P<time>\d{1,2}:\d{2}(?::\d{2})?)", re.IGNORECASE
)
_COMMENT = re.compile(r"^(?P<key>[^:]+?)\s*:\s*(?P<value>.*)$")
_NUMBER = r"[-+]?\d+(?:\.\d*)?"
_GATE = re.compile(rf"^(?P<kind>Start|Finish|Split)\s+(?P<a>{_NUMBER})\s+(?P<b>{_NUMBER})\s+(?P<c>{_NUMBER})\s+"
                   rf"(?P<d>{_NUMBER})\s*¬?\s*(?P<name>.*)$", re.IGNORECASE)
_CHANNELS = {  # lower-case column name -> (key, unit); [column names] abbreviations and [header] long names
    "sats": ("satellites", ""), "satellites": ("satellites", ""), "velocity": ("speed", "km/h"),
    "velocity kmh": ("speed", "km/h"), "heading": ("heading", "deg"), "height": ("altitude", "m"),
    "longacc": ("long_g", "g"), "long accel g": ("long_g", "g"), "latacc": ("lat_g", "g"),
    "lat accel g": ("lat_g", "g"), "vertacc": ("accel_z", "g"), "x-rotation-gyroscope": ("gyro_x", "deg/s"),
    "y-rotation-gyroscope": ("gyro_y", "deg/s"), "z-rotation-gyroscope": ("gyro_z", "deg/s"),
    "enginespeed": ("rpm", "rpm"), "gaspedalposition": ("throttle", "%"), "rpm": ("rpm", "rpm"),
}
_TIME, _LAT, _LON = ("time",), ("lat", "latitude"), ("long", "lng", "longitude")
_GENERATORS = (("racebox", "RaceBox"), ("laptimer", "Harry's LapTimer"), ("racechrono", "RaceChrono"),
               ("circuit tools", "Racelogic Circuit Tools"), ("vbox", "Racelogic VBOX"))


def detect(head: bytes, name: str) -> bool:
    """`File created on ...` first, or (first line lost) a `[header]` line and a `[column names]` or `[data]` line."""
    text = normalise_newlines(head).lstrip()
    if text[:80].lower().startswith(b"file created on"):
        return True
    sections = {m["name"].lower() for m in _SECTION.finditer(text)}
    return b"header" in sections and bool(sections & {b"column names", b"data"})


@dataclass
class _Sections:
    lines: dict[str, list[str]] = field(default_factory=dict)
    data_offset: int = -1
    data_line: int = 0


def parse(data: bytes, name: str) -> RawSession:
    data = normalise_newlines(data)
    sections = _sections(data, name)
    metadata = _metadata(data, sections, name)
    columns = _columns(sections, name)
    body, first_line = body_from(data, sections.data_offset, sections.data_line)
    index = {column.lower(): i for i, column in enumerate(columns)}
    required = [i for key, i in index.items() if key in (*_TIME, *_LAT, *_LON)]
    table = parse_table(spaces_to_commas(body, len(columns)), columns, first_line, name, required=required)
    time_at = _find(index, _TIME, "time", name, sections)
    seconds, days = unwrap_midnight(hhmmss_seconds(table.values[time_at]))
    _check_time(seconds, table.first_line, name)
    day = day_of_start(_start_day(metadata), float(seconds[0]))
    utc_s = utc_epoch(day, seconds) if day is not None else None
    metadata.session_start_utc = start_datetime(utc_s)
    if days:
        metadata.extra["Crosses midnight"] = "yes"
    lat_at, lon_at = _find(index, _LAT, "lat", name, sections), _find(index, _LON, "long", name, sections)
    lat, lon = table.values[lat_at] / 60.0, -table.values[lon_at] / 60.0  # minutes; longitude positive west
    fix = np.isfinite(lat) & np.isfinite(lon) & ((lat != 0) | (lon != 0))
    sats = next((table.values[index[k]] for k in ("sats", "satellites") if k in index), None)
    if sats is not None:
        fix &= sats != 0
    lat, lon = np.where(fix, lat, np.nan), np.where(fix, lon, np.nan)
    session = RawSession(metadata, seconds - seconds[0], utc_s, None, fix, lat, lon, {}, {},
                         warnings=list(table.warnings))
    for position, column in enumerate(columns):
        if position in (time_at, lat_at, lon_at):
            continue
        key, unit = _CHANNELS.get(column.lower(), (cn.other_key(column, position), ""))
        cn.add_channel(session, key, table.values[position], unit, None if column.lower() in _CHANNELS else column)
    _laps(session, sections)
    return session


def _sections(data: bytes, name: str) -> _Sections:
    found = _Sections()
    data_mark = _DATA_MARK.search(data)  # [data] comes last: the regex below never scans the rows
    marks = list(_SECTION.finditer(data, 0, data_mark.end() if data_mark else len(data)))
    if not marks:
        raise TelemetryFormatError(name, "no [section] lines: not a VBO file")
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        section = mark["name"].decode().lower()
        start = mark.end() + 1
        if section == "data":
            found.data_offset = start
            found.data_line = data.count(b"\n", 0, start) + 1
            continue
        end = following.start() if following is not None else len(data)
        text = data[start:end].decode("utf-8", "replace")
        found.lines[section] = [line.strip() for line in text.split("\n") if line.strip()]
    if found.data_offset < 0:
        raise TelemetryFormatError(name, "no [data] section")
    return found


def _metadata(data: bytes, sections: _Sections, name: str) -> SessionMetadata:
    metadata = SessionMetadata(source_name=name, format_name=FORMAT_NAME)
    created = _CREATED.search(data[:200].decode("utf-8", "replace"))
    if created:
        metadata.extra["File created"] = f"{created['date']} {created['time']}"
    comments = sections.lines.get("comments", [])
    for line in comments:
        match = _COMMENT.match(line)
        if match is None:
            if line.lower().startswith("generated by"):
                _generator(metadata, line[len("generated by") :].strip())
            continue
        key, value = match["key"].strip(), match["value"].strip()
        metadata.extra[key] = value
        lowered = key.lower()
        if lowered == "venue":
            metadata.track_name = value or None
        elif lowered in ("serial number", "serial"):
            metadata.logger = f"{metadata.logger or 'logger'} #{value}" if metadata.logger else f"#{value}"
        elif lowered == "software version":
            _generator(metadata, value)
    for line in sections.lines.get("session data", []):
        key, _, value = line.partition(" ")
        value = value.strip()
        metadata.extra[f"session {key}"] = value
        if key.lower() == "vehicle":
            metadata.vehicle = value or None
        elif key.lower() == "name" and metadata.track_name is None:
            metadata.track_name = value or None
        elif key.lower() in ("driver", "racer"):
            metadata.driver = value or None
    return metadata


def _generator(metadata: SessionMetadata, text: str) -> None:
    lowered = text.lower()
    app = next((app for needle, app in _GENERATORS if needle in lowered), text)
    version = re.search(r"v(\d[\w.]*)", text)
    metadata.app_name = app
    metadata.app_version = version[1] if version else metadata.app_version
    if app in ("RaceBox", "Racelogic VBOX"):
        metadata.logger = app + (metadata.logger[len("logger") :] if metadata.logger else "")


def _start_day(metadata: SessionMetadata) -> datetime | None:
    for key in ("UTC Date Started", "File created"):
        text = metadata.extra.get(key, "")
        for pattern in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"):
            try:
                return datetime.strptime(text.strip(), pattern)
            except ValueError:
                continue
    return None


def _columns(sections: _Sections, name: str) -> list[str]:
    names = " ".join(sections.lines.get("column names", [])).split()
    if not names:
        names = sections.lines.get("header", [])
    if not names:
        raise TelemetryFormatError(name, "no [column names] or [header] section: the columns are unknown")
    return names


def _find(index: dict[str, int], names: tuple[str, ...], shown: str, file: str, sections: _Sections) -> int:
    found = next((index[n] for n in names if n in index), None)
    if found is None:
        raise TelemetryFormatError(file, f"no '{shown}' column in [column names]", sections.data_line)
    return found


def _check_time(seconds: np.ndarray, first_line: int, name: str) -> None:
    backwards = np.flatnonzero(seconds[1:] < seconds[:-1])
    if backwards.size:
        row = int(backwards[0]) + 1
        raise TelemetryFormatError(name, f"time goes backwards ({seconds[row]:.2f} s of day after "
                                   f"{seconds[row - 1]:.2f} s)", first_line + row)


def _laps(session: RawSession, sections: _Sections) -> None:
    gates: dict[str, list[Gate]] = {}
    for line in sections.lines.get("laptiming", []):
        match = _GATE.match(line)
        if match is None:
            session.warnings.append(f"[laptiming]: cannot read the line {line!r}")
            continue
        gate = place_gate([float(match[k]) for k in "abcd"], session.lat, session.lon, match["name"].strip())
        if gate is None:
            session.warnings.append(f"[laptiming]: the {match['kind']} line {line!r} is not a position")
            continue
        gates.setdefault(match["kind"].lower(), []).append(gate)
    session.metadata.split_points = [GeoPoint(g.centre_lat, g.centre_lon) for g in gates.get("split", [])]
    start = next(iter(gates.get("start") or gates.get("finish") or []), None)
    if start is None:
        return
    away = start.distance_from_path_m(session.lat, session.lon)
    if away is not None and away > FAR_GATE_M:
        session.warnings.append(f"[laptiming]: the {start.name or 'Start'} line is {away / 1000:.1f} km from every "
                                "recorded position (another venue's line): no laps from it")
        return
    session.metadata.start_finish = GeoPoint(start.centre_lat, start.centre_lon)
    finish = next(iter(gates.get("finish", [])), None)
    if finish is not None and not finish.same_place(start):
        session.warnings.append("the Start and Finish lines differ (a point-to-point stage): laps are timed "
                                "from Start crossing to Start crossing")
    times, turned = crossings(session.time_s, session.lat, session.lon, start)
    if turned:
        session.warnings.append(f"[laptiming]: the {start.name or 'Start'} line runs along the track; "
                                "it was taken as a point and a direction of travel")
    session.lap_markers = cn.markers_from_boundaries(session.time_s, times.tolist(), "gps")
