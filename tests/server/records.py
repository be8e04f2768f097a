"""Builders for sync records and telemetry documents, as the desktop client would send them."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import numpy as np

from sync_server.sync.telemetry_format import encode_channel


def new_id() -> str:
    return str(uuid.uuid4())


def car(car_id: str | None = None, base_rev: int | None = None, **data: Any) -> dict[str, Any]:
    fields = {"make": "Mazda", "model": "MX-5", "year": 2019, "category": "Cup", **data}
    return {"kind": "car", "id": car_id or new_id(), "base_rev": base_rev, "data": fields}


def event(event_id: str | None = None, base_rev: int | None = None, **data: Any) -> dict[str, Any]:
    return {"kind": "event", "id": event_id or new_id(), "base_rev": base_rev, "data": {"name": "Trackday", **data}}


def session(session_id: str | None = None, base_rev: int | None = None, **data: Any) -> dict[str, Any]:
    content = data.pop("file_content", None) or f"file of {session_id or uuid.uuid4()}".encode()
    fields = {
        "file_sha256": hashlib.sha256(content).hexdigest(),
        "file_name": "Session 1.csv",
        "recorded_at": "2026-05-01T10:00:00Z",
        "format_name": "TrackAddict",
        "app_version": "4.9.2",
        "device": "iPhone 15",
        "gps_rate_hz": 10.0,
        **data,
    }
    return {"kind": "session", "id": session_id or new_id(), "base_rev": base_rev, "data": fields}


def lap(session_id: str, lap_number: int = 1, lap_time_ms: int = 90_000, lap_id: str | None = None,
        base_rev: int | None = None, **data: Any) -> dict[str, Any]:
    fields = {"session_id": session_id, "lap_number": lap_number, "lap_time_ms": lap_time_ms, **data}
    return {"kind": "lap", "id": lap_id or new_id(), "base_rev": base_rev, "data": fields}


def tombstone(record: dict[str, Any], base_rev: int | None) -> dict[str, Any]:
    return {"kind": record["kind"], "id": record["id"], "base_rev": base_rev, "deleted": True}


def edited(record: dict[str, Any], base_rev: int | None, **changes: Any) -> dict[str, Any]:
    return {**record, "base_rev": base_rev, "data": {**record["data"], **changes}}


def telemetry_document(lap_time_s: float = 90.0, length_m: float = 2000.0, samples: int = 400,
                       speed_profile: np.ndarray | None = None) -> dict[str, Any]:
    """A lap driven at varying speed over `length_m`, ending exactly at `lap_time_s`."""
    time_s = np.linspace(0.0, lap_time_s, samples)
    shape = speed_profile if speed_profile is not None else 1.0 + 0.3 * np.sin(np.linspace(0, 6 * np.pi, samples))
    distance = np.concatenate([[0.0], np.cumsum((shape[1:] + shape[:-1]) / 2 * np.diff(time_s))])
    distance *= length_m / distance[-1]
    speed = np.gradient(distance, time_s)
    radius = length_m / (2 * np.pi)  # driven round a circle, so compare can place it by its GPS positions
    angle = distance / radius

    def channel(key: str, values: np.ndarray, unit: str, dtype: str = "float32", scale: float | None = None):
        return {"key": key, "label": key.replace("_", " ").title(), "unit": unit, "display_unit": unit,
                "source": "derived", "dtype": dtype, "scale": scale, "data": encode_channel(values, dtype, scale)}

    return {
        "format": "racetrace.lap-telemetry",
        "version": 1,
        "sample_count": samples,
        "channels": [
            channel("time_s", time_s, "s", "float64"),
            channel("distance_m", distance, "m", "float64"),
            channel("speed", speed, "m/s"),
            channel("lat", 52.0701 + radius * np.cos(angle) / 111_195.0, "deg", "int32", 1e-7),
            channel("lon", 13.2 + radius * np.sin(angle) / (111_195.0 * np.cos(np.radians(52.0701))), "deg", "int32",
                    1e-7),
            channel("gps_fix", np.ones(samples), "", "uint8"),
        ],
    }
