"""TrackAddict comment lines and file names: preamble metadata, in-data events, `Log-...` file names.

Every regex here is tolerant by design (trackaddict-parsers.md, checklist 9): negative coordinates, any number
of decimals, any spacing around `@`, quotes, commas and slashes in values. A line that does not match is
kept verbatim (metadata.extra or an "other" event), never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from racetrace_desktop.telemetry.model import DataEvent, GeoPoint, LapMarker, SessionMetadata
from racetrace_desktop.telemetry.units import IMPERIAL, METRIC

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_FIRST_LINE = re.compile(
    r"RaceRender Data:\s*(?P<app>.*?)\s+(?P<version>\d\S*)\s+on\s+(?P<os>.+?)\s+(?P<os_version>\S+)\s*"
    r"\[(?P<device>.*)\]\s*(?:\(Mode:\s*(?P<mode>[^)]*)\))?\s*$"
)
_POINT = re.compile(
    rf"^\s*(?P<lat>{_NUMBER})\s*,\s*(?P<lon>{_NUMBER})\s*(?:@\s*(?P<heading>{_NUMBER})\s*(?:deg)?)?\s*$", re.IGNORECASE
)
# Digit counts are bounded so that a damaged line cannot make an integer no database column holds; seconds
# always have two digits, so a line cut after "00:01:4" is unreadable rather than a lap of 1:04.
_DURATION = r"(?:(?P<hours>\d{1,4}):)?(?P<minutes>\d{1,4}):(?P<seconds>\d{2})(?:\.(?P<fraction>\d{1,9}))?"
_LAP = re.compile(rf"^Lap\s+(?P<number>\d{{1,6}})\s*:\s*{_DURATION}\s*$", re.IGNORECASE)
_LAP_LIKE = re.compile(r"^Lap(?:\s*(?P<number>\d{1,6})(?!\d))?(?![a-z])", re.IGNORECASE)  # for lines _LAP refuses
_SECTOR = re.compile(rf"^Sector\s+(?P<number>\d{{1,6}})\s*:\s*{_DURATION}(?:\s+.*)?$", re.IGNORECASE)
_START_POINT = re.compile(r"^Start Point\s*:\s*(?P<point>.*)$", re.IGNORECASE)
_SPLIT_POINT = re.compile(r"^Split Point\s*(?P<number>\d*)$", re.IGNORECASE)
_FREE_SPACE = re.compile(r"^\s*(?P<mb>\d{1,12})\s*MB\s*$", re.IGNORECASE)
_UNITS_SETTING = re.compile(r"(?:^|;)\s*U(?P<flag>[01])\s*(?:;|$)")
_FILE_NAME = re.compile(
    r"^Log-(?P<date>\d{8})-(?P<time>\d{6})(?:\s+(?P<rest>.*?))?\.csv$",
    re.IGNORECASE,
)
_BEST_LAP_SUFFIX = re.compile(r"^(?P<track>.*?)\s+-\s+(?P<minutes>\d{1,4})\.(?P<seconds>\d{2})\.(?P<millis>\d{3})$")
UNREADABLE_LAP = "lap_unreadable"  # a "# Lap N:" line whose time cannot be read: the lap is timed otherwise
_EVENT_KINDS = {"pit lane entry": "pit_entry", "pit lane exit": "pit_exit", "session end": "session_end"}


def comment_text(line: str) -> str:
    """The text of a comment line without its leading '#' and surrounding blanks."""
    return line.lstrip()[1:].strip()


def parse_duration_ms(match: re.Match[str]) -> int:
    """Exact milliseconds of a `hh:mm:ss.mmm` match (more than 3 fraction digits are rounded)."""
    fraction = match["fraction"] or ""
    millis = int((fraction + "000")[:3])
    if len(fraction) > 3 and int(fraction[3]) >= 5:
        millis += 1
    seconds = int(match["hours"] or 0) * 3600 + int(match["minutes"]) * 60 + int(match["seconds"])
    return seconds * 1000 + millis


def parse_point(text: str) -> GeoPoint | None:
    """`lat, lon  @ heading deg` -> GeoPoint; a negative heading (-1.00) means "no direction"."""
    match = _POINT.match(text)
    if match is None:
        return None
    lat, lon = float(match["lat"]), float(match["lon"])
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    heading = float(match["heading"]) if match["heading"] else None
    return GeoPoint(lat, lon, heading if heading is not None and heading >= 0 else None)


@dataclass
class PreambleResult:
    metadata: SessionMetadata
    units_from_settings: bool
    warnings: list[str]


def apply_preamble(metadata: SessionMetadata, lines: list[tuple[int, str]]) -> PreambleResult:
    """Fill `metadata` from the `#` lines before the header; returns whether the units setting was stated."""
    result = PreambleResult(metadata, False, [])
    for line_no, line in lines:
        text = comment_text(line)
        if not text:
            continue
        if text.lower().startswith("racerender data"):
            _apply_first_line(metadata, text)
            continue
        key, _, value = text.partition(":")
        _apply_key(result, key.strip(), value.strip(), line_no)
    return result


def _apply_first_line(metadata: SessionMetadata, text: str) -> None:
    match = _FIRST_LINE.match(text)
    if match is None:
        metadata.extra["RaceRender Data"] = text.partition(":")[2].strip()
        return
    metadata.app_version = match["version"]
    metadata.os_name = match["os"]
    metadata.os_version = match["os_version"]
    metadata.device = match["device"].strip() or None
    metadata.mode = match["mode"].strip() if match["mode"] is not None else None
    if match["app"] and match["app"].lower() != "trackaddict":
        metadata.extra["App"] = match["app"]


def _apply_key(result: PreambleResult, key: str, value: str, line_no: int) -> None:
    metadata, lowered = result.metadata, key.lower()
    if lowered == "vehicle":
        metadata.vehicle = value or None
    elif lowered == "vehicle tune":
        metadata.vehicle_tune = value or None
    elif lowered in ("end point", "start point"):
        point = parse_point(value)
        if point is None:
            result.warnings.append(f"line {line_no}: cannot read the {key} {value!r}")
        elif lowered == "end point" or metadata.start_finish is None:
            metadata.start_finish = point
    elif lowered == "gps":
        metadata.gps_source = value or None
    elif lowered == "obd mode":
        metadata.obd_adapter = value or None
    elif _SPLIT_POINT.match(key):
        point = parse_point(value)
        if point is not None:
            metadata.split_points.append(point)
        else:
            result.warnings.append(f"line {line_no}: cannot read the {key} {value!r}")
    else:
        _apply_other(result, key, value)


def _apply_other(result: PreambleResult, key: str, value: str) -> None:
    metadata, lowered = result.metadata, key.lower()
    if lowered == "user settings":
        units = _UNITS_SETTING.search(value)
        if units is not None:
            metadata.units = METRIC if units["flag"] == "1" else IMPERIAL
            result.units_from_settings = True
    elif lowered == "device free space":
        free = _FREE_SPACE.match(value)
        metadata.device_free_space_mb = int(free["mb"]) if free else None
    unique = key
    while unique in metadata.extra:
        unique += "'"
    metadata.extra[unique] = value


def data_comment(text: str, row_index: int, line_no: int) -> LapMarker | DataEvent:
    """Classify a comment line found among the data rows."""
    lap = _LAP.match(text)
    if lap is not None:
        return LapMarker(int(lap["number"]), parse_duration_ms(lap), row_index, line_no)
    damaged_lap = _LAP_LIKE.match(text)
    if damaged_lap is not None:
        number = int(damaged_lap["number"]) if damaged_lap["number"] else None
        return DataEvent(UNREADABLE_LAP, row_index, line_no, text, number=number)
    sector = _SECTOR.match(text)
    if sector is not None:
        return DataEvent(
            "sector", row_index, line_no, text, duration_ms=parse_duration_ms(sector), number=int(sector["number"])
        )
    if _START_POINT.match(text):
        return DataEvent("start_point", row_index, line_no, text)
    return DataEvent(_EVENT_KINDS.get(text.lower(), "other"), row_index, line_no, text)


def start_point_of(event: DataEvent) -> GeoPoint | None:
    match = _START_POINT.match(event.text)
    return parse_point(match["point"]) if match else None


def apply_file_name(metadata: SessionMetadata, name: str) -> None:
    """`Log-YYYYMMDD-HHMMSS <Track> - <m.ss.mmm>.csv` -> local start, track name, best lap (all optional)."""
    match = _FILE_NAME.match(PurePath(name.replace("\\", "/")).name)
    if match is None:
        return
    try:
        metadata.local_start = datetime.strptime(match["date"] + match["time"], "%Y%m%d%H%M%S")
    except ValueError:
        return  # digits that are not a date: not a TrackAddict name after all
    rest = (match["rest"] or "").strip()
    best = _BEST_LAP_SUFFIX.match(rest)
    if best is not None:
        rest = best["track"].strip()
        metadata.best_lap_ms = (int(best["minutes"]) * 60 + int(best["seconds"])) * 1000 + int(best["millis"])
    metadata.track_name = rest or None
