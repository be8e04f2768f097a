"""The lap telemetry document (format "racetrace.lap-telemetry", version 1). See API.md for the full contract.

Each channel's samples are a little-endian array of `dtype`, zlib-compressed, then base64 (standard alphabet,
padded). Physical value = stored value * `scale` (scale null = 1). Every channel has `sample_count` samples.
`time_s` (seconds since the lap's start crossing, non-decreasing) and `distance_m` (metres since the start
crossing) are required.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sync_server.errors import InvalidError

FORMAT_NAME = "racetrace.lap-telemetry"
REQUIRED_CHANNELS = ("time_s", "distance_m")
MAX_SAMPLES = 2_000_000
MAX_SAMPLE_RATE_HZ = 100.0  # faster than any logger the desktop reads (GPS 1-25 Hz, OBD/IMU up to 100 Hz)
UNTIMED_LAP_MAX_S = 3600.0  # out-laps, in-laps and untimed laps: at most an hour of samples
SAMPLE_MARGIN = 1.1  # the last sample may lie a little past the crossing
MAX_DECODED_BYTES = 128 * 1024 * 1024  # all channels together, before any decoding
DTYPES = {"float64": "<f8", "float32": "<f4", "int32": "<i4", "int16": "<i2", "uint8": "u1"}
Dtype = Literal["float64", "float32", "int32", "int16", "uint8"]


class TelemetryChannel(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", description="Stable channel key, e.g. 'speed', 'rpm'")
    label: str = Field(max_length=64)
    unit: str = Field(max_length=16, description="SI unit of the physical values, e.g. 'm/s'")
    display_unit: str = Field(max_length=16, description="Unit the source file used, e.g. 'km/h'")
    source: str = Field(default="file", max_length=16, description="gps, obd, accelerometer, derived, file")
    dtype: Dtype
    scale: float | None = Field(default=None, gt=0, description="Physical value = stored value * scale")
    data: str = Field(description="base64(zlib(little-endian array of dtype))")


class LapTelemetryDocument(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["racetrace.lap-telemetry"]
    version: Literal[1]
    sample_count: int = Field(ge=1, le=MAX_SAMPLES)
    channels: list[TelemetryChannel] = Field(min_length=len(REQUIRED_CHANNELS), max_length=128)

    @model_validator(mode="after")
    def _keys_unique_and_required_present(self) -> LapTelemetryDocument:
        keys = [channel.key for channel in self.channels]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ValueError(f"duplicate channel keys: {', '.join(duplicates)}")
        missing = [key for key in REQUIRED_CHANNELS if key not in keys]
        if missing:
            raise ValueError(f"missing required channels: {', '.join(missing)}")
        return self


def decode_channel(channel: TelemetryChannel, sample_count: int) -> np.ndarray:
    """The channel's physical values as float64. Refuses bad base64, bad zlib, wrong lengths and zip bombs."""
    where = f"channels[{channel.key}].data"
    try:
        compressed = base64.b64decode(channel.data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidError(f"{where}: not valid base64 ({exc})", code="invalid_telemetry") from exc
    expected = sample_count * np.dtype(DTYPES[channel.dtype]).itemsize
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(compressed, expected)
    except zlib.error as exc:
        raise InvalidError(f"{where}: not valid zlib data ({exc})", code="invalid_telemetry") from exc
    if len(raw) != expected or inflater.unconsumed_tail or not inflater.eof:
        raise InvalidError(
            f"{where}: expected {sample_count} {channel.dtype} samples ({expected} bytes) in one complete zlib "
            f"stream",
            code="invalid_telemetry",
        )
    values = np.frombuffer(raw, dtype=DTYPES[channel.dtype]).astype(np.float64)
    return values * channel.scale if channel.scale is not None else values


@dataclass(frozen=True)
class CheckedTelemetry:
    content_sha256: str
    duration_s: float  # time_s of the last sample
    distance_m: float  # distance_m of the last sample


def max_samples_for(lap_time_ms: int | None) -> int:
    """The most samples a lap of this duration can have at MAX_SAMPLE_RATE_HZ."""
    seconds = lap_time_ms / 1000 if lap_time_ms is not None else UNTIMED_LAP_MAX_S
    return min(MAX_SAMPLES, int(seconds * SAMPLE_MARGIN * MAX_SAMPLE_RATE_HZ) + 100)


def check_bounds(document: LapTelemetryDocument, max_samples: int) -> None:
    """Refuse what would decode to too much, before decoding a byte."""
    if document.sample_count > max_samples:
        raise InvalidError(
            f"sample_count: {document.sample_count:,} samples for this lap; at most {max_samples:,} "
            f"(its duration at {MAX_SAMPLE_RATE_HZ:g} Hz)",
            code="invalid_telemetry",
        )
    decoded = sum(document.sample_count * np.dtype(DTYPES[c.dtype]).itemsize for c in document.channels)
    if decoded > MAX_DECODED_BYTES:
        raise InvalidError(
            f"channels: {decoded / 2**20:,.0f} MB of samples once decoded; at most "
            f"{MAX_DECODED_BYTES / 2**20:g} MB",
            code="invalid_telemetry",
        )


def check(document: LapTelemetryDocument, max_samples: int) -> CheckedTelemetry:
    """Bounds first, then one channel at a time (decoded, checked, hashed, dropped): memory stays one channel's
    worth whatever the number of channels."""
    check_bounds(document, max_samples)
    digest = hashlib.sha256()
    duration_s = distance_m = 0.0
    for channel in sorted(document.channels, key=lambda c: c.key):
        values = decode_channel(channel, document.sample_count)
        if channel.key == "time_s":
            _check_time(values)
            duration_s = float(values[-1])
        elif channel.key == "distance_m":
            _check_distance(values)
            distance_m = float(values[-1])
        _hash_channel(digest, channel, values)
        del values
    return CheckedTelemetry(digest.hexdigest(), duration_s, distance_m)


def _check_time(time_s: np.ndarray) -> None:
    if not np.all(np.isfinite(time_s)) or np.any(np.diff(time_s) < 0):
        raise InvalidError("channels[time_s]: must be finite and never decrease", code="invalid_telemetry")


def _check_distance(distance_m: np.ndarray) -> None:
    if not np.all(np.isfinite(distance_m)):
        raise InvalidError("channels[distance_m]: must be finite", code="invalid_telemetry")


def _hash_channel(digest: Any, channel: TelemetryChannel, values: np.ndarray) -> None:
    meta = channel.model_dump(exclude={"data", "dtype", "scale"})
    digest.update(json.dumps(meta, sort_keys=True).encode())
    digest.update(np.ascontiguousarray(values, dtype="<f8").tobytes())


def decode(document: LapTelemetryDocument) -> dict[str, np.ndarray]:
    """Every channel's physical values (stored documents, already checked on upload)."""
    check_bounds(document, MAX_SAMPLES)
    arrays = {channel.key: decode_channel(channel, document.sample_count) for channel in document.channels}
    _check_time(arrays["time_s"])
    _check_distance(arrays["distance_m"])
    return arrays


def content_sha256(document: LapTelemetryDocument, arrays: dict[str, np.ndarray]) -> str:
    """Hash of what the document means (metadata + decoded values), not of its bytes: re-encoding the same
    arrays with another zlib level is still "identical content"."""
    digest = hashlib.sha256()
    for channel in sorted(document.channels, key=lambda c: c.key):
        _hash_channel(digest, channel, arrays[channel.key])
    return digest.hexdigest()


def encode_channel(values: np.ndarray, dtype: Dtype = "float32", scale: float | None = None) -> str:
    """The reference encoder (used by tests and documentation examples)."""
    stored = values / scale if scale is not None else values
    if dtype.startswith(("int", "uint")):
        stored = np.round(stored)
    raw = np.ascontiguousarray(stored, dtype=DTYPES[dtype]).tobytes()
    return base64.b64encode(zlib.compress(raw, 6)).decode("ascii")
