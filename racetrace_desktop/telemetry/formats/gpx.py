"""GPX tracks (any GPS app or watch), position-only: latitude, longitude, elevation and time per point.

Read with gpxpy. Every track segment's points are joined in time order; points without a time are dropped
(a lap needs times). There is no lap information: laps come from the start/finish of the matching track.
"""

from __future__ import annotations

from datetime import UTC, datetime

import gpxpy
import gpxpy.gpx
import numpy as np

from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats import canonical as cn
from racetrace_desktop.telemetry.formats.timecodes import start_datetime
from racetrace_desktop.telemetry.model import RawSession, SessionMetadata

FORMAT_NAME = "GPX"


def detect(head: bytes, name: str) -> bool:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()[:4096].lower()
    return text.startswith(b"<") and b"<gpx" in text


def parse(data: bytes, name: str) -> RawSession:
    try:
        document = gpxpy.parse(data.decode("utf-8", "replace"))
    except gpxpy.gpx.GPXException as exc:
        raise TelemetryFormatError(name, f"not a readable GPX document: {exc}") from exc
    points = [p for track in document.tracks for segment in track.segments for p in segment.points]
    timed = [p for p in points if p.time is not None]
    if not timed:
        raise TelemetryFormatError(name, "the GPX file has no track point with a time: nothing to time laps with")
    timed.sort(key=lambda p: _utc(p.time))
    utc_s = np.array([_utc(p.time) for p in timed])
    lat = np.array([p.latitude for p in timed], dtype=np.float64)
    lon = np.array([p.longitude for p in timed], dtype=np.float64)
    elevation = np.array([np.nan if p.elevation is None else p.elevation for p in timed], dtype=np.float64)
    metadata = SessionMetadata(source_name=name, format_name=FORMAT_NAME, app_name=document.creator or None,
                               session_start_utc=start_datetime(utc_s))
    metadata.track_name = next((t.name for t in document.tracks if t.name), None) or document.name or None
    untimed = len(points) - len(timed)
    warnings = [f"{untimed} track points without a time were left out"] if untimed else []
    session = RawSession(metadata, utc_s - utc_s[0], utc_s, None, np.ones(lat.size, dtype=bool), lat, lon, {}, {},
                         warnings=warnings)
    if np.isfinite(elevation).any():
        cn.add_channel(session, "altitude", elevation, "m")
    return session


def _utc(moment: datetime | None) -> float:
    assert moment is not None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
