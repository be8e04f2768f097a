"""Lap arrays <-> the server's telemetry document ("racetrace.lap-telemetry", version 1; see sync_server/API.md):
the desktop uploads and downloads it, the server encodes what it parses from an uploaded file the same way.

Each channel: little-endian samples of `dtype`, one complete zlib stream, standard base64. Positions travel as
int32 of 1e-7 degree (float64 when a fix is missing: NaN exists in float dtypes only); the GPS-fix flags as
uint8; time and distance as float64; every other channel as float32 (what the library stores anyway).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import zlib
from typing import Any

import numpy as np

from racetrace_desktop.telemetry.model import ChannelInfo, LapData

FORMAT = "racetrace.lap-telemetry"
VERSION = 1
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
DTYPES = {"float64": "<f8", "float32": "<f4", "int32": "<i4", "int16": "<i2", "uint8": "u1"}
MAX_CHANNELS = 128
ZLIB_LEVEL = 6
AXES = {
    "time_s": ChannelInfo("time_s", "Time", "s", "s", "derived"),
    "distance_m": ChannelInfo("distance_m", "Distance", "m", "m", "derived"),
    "lat": ChannelInfo("lat", "Latitude", "deg", "deg", "gps"),
    "lon": ChannelInfo("lon", "Longitude", "deg", "deg", "gps"),
    "gps_fix": ChannelInfo("gps_fix", "GPS fix", "", "", "gps"),
}


class TelemetryDocumentError(ValueError):
    """A document this client cannot turn into lap arrays; the message names the channel."""


def _channel(info: ChannelInfo, values: np.ndarray, dtype: str, scale: float | None = None) -> dict[str, Any]:
    stored = values / scale if scale is not None else values
    if dtype.startswith(("int", "uint")):
        stored = np.rint(stored)
    raw = np.ascontiguousarray(stored, dtype=DTYPES[dtype]).tobytes()
    return {
        "key": info.key, "label": (info.label or info.key)[:64], "unit": info.unit[:16],
        "display_unit": info.display_unit[:16], "source": (info.source or "file")[:16], "dtype": dtype,
        "scale": scale, "data": base64.b64encode(zlib.compress(raw, ZLIB_LEVEL)).decode("ascii"),
    }  # fmt: skip


def _position(info: ChannelInfo, values: np.ndarray) -> dict[str, Any]:
    if np.isnan(values).any():
        return _channel(info, values, "float64")
    return _channel(info, values, "int32", 1e-7)


def encode(data: LapData, infos: dict[str, ChannelInfo]) -> dict[str, Any]:
    """The document for one lap. Channels whose key the server would refuse are left out."""
    channels = [
        _channel(AXES["time_s"], data.time_s, "float64"),
        _channel(AXES["distance_m"], data.distance_m, "float64"),
        _position(AXES["lat"], data.lat),
        _position(AXES["lon"], data.lon),
        _channel(AXES["gps_fix"], data.gps_fix.astype(np.uint8), "uint8"),
    ]
    for key, values in data.channels.items():
        if KEY_PATTERN.match(key) and key not in AXES and len(channels) < MAX_CHANNELS:
            info = infos.get(key) or ChannelInfo(key, key, "", "", "file")
            channels.append(_channel(info, np.asarray(values, dtype=np.float64), "float32"))
    return {"format": FORMAT, "version": VERSION, "sample_count": data.row_count, "channels": channels}


def digest(document: dict[str, Any]) -> str:
    """A fingerprint of the encoded arrays (encoding is deterministic), to skip uploads that changed nothing."""
    sha = hashlib.sha256()
    for channel in document["channels"]:
        sha.update(f"{channel['key']}|{channel['label']}|{channel['unit']}|{channel['dtype']}|".encode())
        sha.update(channel["data"].encode("ascii"))
    return sha.hexdigest()


def _values(channel: dict[str, Any], count: int) -> np.ndarray:
    key = channel.get("key")
    dtype = DTYPES.get(channel.get("dtype", ""))
    if dtype is None:
        raise TelemetryDocumentError(f"channel {key}: unknown dtype {channel.get('dtype')!r}")
    try:
        raw = zlib.decompress(base64.b64decode(channel["data"], validate=True))
    except (binascii.Error, zlib.error, KeyError, TypeError) as error:
        raise TelemetryDocumentError(f"channel {key}: damaged data ({error})") from error
    values = np.frombuffer(raw, dtype=dtype).astype(np.float64)
    if values.size != count:
        raise TelemetryDocumentError(f"channel {key}: {values.size} samples, the document says {count}")
    scale = channel.get("scale")
    return values * scale if scale is not None else values


def decode(document: dict[str, Any]) -> tuple[LapData, dict[str, ChannelInfo]]:
    """Lap arrays and channel infos from a document (as the server serves it)."""
    if document.get("format") != FORMAT or document.get("version") != VERSION:
        raise TelemetryDocumentError(f"not a {FORMAT} version {VERSION} document")
    count = int(document["sample_count"])
    arrays: dict[str, np.ndarray] = {}
    infos: dict[str, ChannelInfo] = {}
    for channel in document["channels"]:
        key = channel["key"]
        arrays[key] = _values(channel, count)
        infos[key] = ChannelInfo(key, channel.get("label") or key, channel.get("unit") or "",
                                 channel.get("display_unit") or "", channel.get("source") or "file")  # fmt: skip
    for required in ("time_s", "distance_m"):
        if required not in arrays:
            raise TelemetryDocumentError(f"the document has no {required} channel")
    nan = np.full(count, np.nan)
    fix = arrays.pop("gps_fix", None)
    lat, lon = arrays.pop("lat", nan), arrays.pop("lon", nan)
    gps_fix = fix.astype(bool) if fix is not None else ~(np.isnan(lat) | np.isnan(lon))
    data = LapData(arrays.pop("time_s"), arrays.pop("distance_m"), lat, lon, gps_fix, arrays)
    return data, {key: info for key, info in infos.items() if key in arrays}
