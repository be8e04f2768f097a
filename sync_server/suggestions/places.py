"""Where a lap starts and which way it goes, from its stored telemetry document; and the grouping of such starts
into places. Pure numpy: a lap's first sample is its start/finish crossing (or the logger's own lap line)."""

from __future__ import annotations

import base64
import json
import math
import threading
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from racetrace_desktop.telemetry.geo import LocalFrame, haversine_m

HEADING_AFTER_M = 25.0  # the direction of travel is measured over the first metres after the line
MAP_POINTS = 600  # enough for a lap's shape at admin-page size
CACHE_ENTRIES = 4096
DTYPES = {"float64": "<f8", "float32": "<f4", "int32": "<i4", "int16": "<i2", "uint8": "u1"}
NEEDED = ("lat", "lon", "distance_m")


@dataclass(frozen=True)
class LapPlace:
    lat: float
    lon: float
    heading_deg: float | None
    path: tuple[tuple[float, float], ...]  # (lat, lon), thinned to MAP_POINTS


def _channel_values(channel: dict[str, Any], count: int) -> np.ndarray | None:
    dtype = DTYPES.get(str(channel.get("dtype")))
    if dtype is None:
        return None
    expected = count * np.dtype(dtype).itemsize
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(base64.b64decode(channel["data"], validate=True), expected)
    except (ValueError, zlib.error, KeyError, TypeError):
        return None
    if len(raw) != expected:
        return None
    values = np.frombuffer(raw, dtype=dtype).astype(np.float64)
    scale = channel.get("scale")
    return values * float(scale) if scale is not None else values


def place_of(document: bytes) -> LapPlace | None:
    """The lap's start point, heading and map path; None when the document has no usable positions. Decodes only
    the three channels it needs (documents were validated when they were stored)."""
    parsed = json.loads(document)
    count = int(parsed.get("sample_count") or 0)
    channels = {c.get("key"): c for c in parsed.get("channels", []) if c.get("key") in NEEDED}
    arrays = {key: _channel_values(channels[key], count) for key in NEEDED if key in channels}
    lat, lon, distance = (arrays.get(key) for key in NEEDED)
    if lat is None or lon is None:
        return None
    fixed = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    if not fixed.any():
        return None
    lat, lon = lat[fixed], lon[fixed]
    along = distance[fixed] if distance is not None else None
    step = max(1, lat.size // MAP_POINTS)
    path = tuple((round(float(a), 6), round(float(o), 6)) for a, o in zip(lat[::step], lon[::step], strict=True))
    return LapPlace(float(lat[0]), float(lon[0]), _heading(lat, lon, along), path)


def _heading(lat: np.ndarray, lon: np.ndarray, along: np.ndarray | None) -> float | None:
    """Compass bearing from the start to the first position HEADING_AFTER_M further on."""
    if along is not None and np.isfinite(along).all():
        ahead = np.nonzero(along - along[0] >= HEADING_AFTER_M)[0]
    else:
        ahead = np.nonzero(haversine_m(lat[0], lon[0], lat, lon) >= HEADING_AFTER_M)[0]
    if ahead.size == 0:
        return None
    frame = LocalFrame(float(lat[0]), float(lon[0]))
    x, y = frame.to_xy(lat[ahead[0]], lon[ahead[0]])
    return round(math.degrees(math.atan2(float(x), float(y))) % 360.0, 1)


def mean_heading(headings: Sequence[float | None]) -> float | None:
    """Circular mean (350 and 10 average to 0, not 180); None when the laps do not agree on a direction."""
    known = np.radians([h for h in headings if h is not None])
    if known.size == 0:
        return None
    x, y = float(np.sin(known).sum()), float(np.cos(known).sum())
    if math.hypot(x, y) < 0.5 * known.size:  # directions spread all round: no proposal
        return None
    return round(math.degrees(math.atan2(x, y)) % 360.0, 1) % 360.0


@dataclass
class Group:
    """Starts within the tolerance of the group's first start (its anchor)."""

    anchor: LapPlace
    members: list[int] = field(default_factory=list)  # indexes into the places given to group_places


def group_places(places: Sequence[LapPlace], tolerance_m: float) -> list[Group]:
    """Greedy, in the order given (oldest first): each start joins the first group whose anchor lies within the
    tolerance, else starts a new group. Stable: a new session never reshuffles older groups."""
    groups: list[Group] = []
    for index, place in enumerate(places):
        home = next(
            (g for g in groups if haversine_m(g.anchor.lat, g.anchor.lon, place.lat, place.lon) <= tolerance_m), None
        )
        if home is None:
            home = Group(place)
            groups.append(home)
        home.members.append(index)
    return groups


class PlaceCache:
    """Lap places by (lap id, content hash): a lap's telemetry is decoded once per process, not per page view."""

    def __init__(self, max_entries: int = CACHE_ENTRIES) -> None:
        self._entries: OrderedDict[tuple[uuid.UUID, str], LapPlace | None] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries

    def get(self, key: tuple[uuid.UUID, str]) -> tuple[bool, LapPlace | None]:
        with self._lock:
            if key not in self._entries:
                return False, None
            self._entries.move_to_end(key)
            return True, self._entries[key]

    def put(self, key: tuple[uuid.UUID, str], place: LapPlace | None) -> None:
        with self._lock:
            self._entries[key] = place
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)


PLACES = PlaceCache()
