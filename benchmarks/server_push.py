"""A 1-hour 20 Hz session as the desktop client would push it: a session record, its laps, and each lap's
telemetry document (used by bench_server). The drive comes from the desktop's synthetic session generator."""

from __future__ import annotations

import hashlib
import itertools
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np

from racetrace_desktop.telemetry.synthetic import SyntheticSession, generate_session
from sync_server.sync.telemetry_format import encode_channel

SAMPLE_HZ = 20.0
PASSWORD = "bench password 123"  # noqa: S105 - throwaway accounts on a throwaway database


@dataclass
class PreparedPush:
    records: list[dict[str, Any]]
    telemetry: dict[str, bytes]  # lap id -> JSON document
    samples: int

    @property
    def telemetry_mb(self) -> float:
        return sum(len(doc) for doc in self.telemetry.values()) / 2**20


def one_hour_session(seed: int = 7) -> SyntheticSession:
    return generate_session(duration_s=3600, gps_hz=20, row_hz=SAMPLE_HZ, seed=seed)


def prepare(synthetic: SyntheticSession, config_id: uuid.UUID, salt: str) -> PreparedPush:
    """Records and encoded telemetry for one push (client-side work, not timed)."""
    truth = synthetic.truth
    session_id = str(uuid.uuid4())
    session = {
        "kind": "session", "id": session_id, "base_rev": None,
        "data": {
            "track_configuration_id": str(config_id), "track_configuration_version": 1, "is_public": True,
            "file_sha256": hashlib.sha256(synthetic.csv_bytes + salt.encode()).hexdigest(),
            "file_name": synthetic.file_name, "file_size": len(synthetic.csv_bytes), "format_name": "TrackAddict",
            "app_version": "4.8.0", "device": "Synthetic", "gps_rate_hz": truth.gps_hz,
            "recorded_at": "2025-06-14T08:00:00Z", "duration_s": float(truth.drive.t[-1]),
        },
    }
    records, telemetry, samples = [session], {}, 0
    bounds = [0.0, *truth.crossing_times_s, float(truth.drive.t[-1])]
    for number, (start, end) in enumerate(itertools.pairwise(bounds)):
        lap_id = str(uuid.uuid4())
        timed = 1 <= number < truth.inlap_number
        records.append({"kind": "lap", "id": lap_id, "base_rev": None, "data": {
            "session_id": session_id, "lap_number": number,
            "lap_time_ms": round((end - start) * 1000) if timed else None,
            "time_source": "stated", "is_outlap": number == 0, "is_inlap": number == truth.inlap_number,
            "is_valid": timed, "sector_times_ms": truth.sector_times_ms.get(number, []), "is_public": timed,
        }})
        document, count = _lap_document(synthetic, start, end)
        telemetry[lap_id] = document
        samples += count
    return PreparedPush(records, telemetry, samples)


def _lap_document(synthetic: SyntheticSession, start: float, end: float) -> tuple[bytes, int]:
    truth, drive = synthetic.truth, synthetic.truth.drive
    times = np.arange(start, end, 1 / SAMPLE_HZ)
    lat, lon = truth.frame.to_latlon(drive.at_times(times, drive.x), drive.at_times(times, drive.y))
    sigma = drive.at_times(times, drive.sigma)
    channels = [
        _channel("time_s", times - start, "s", "float64"),
        _channel("distance_m", sigma - sigma[0], "m", "float64"),
        _channel("speed", drive.at_times(times, drive.speed), "m/s"),
        _channel("lat", np.asarray(lat), "deg", "int32", 1e-7),
        _channel("lon", np.asarray(lon), "deg", "int32", 1e-7),
        _channel("heading", np.degrees(drive.at_times(times, drive.heading)) % 360, "deg"),
        _channel("long_accel", drive.at_times(times, drive.long_accel), "m/s^2"),
        _channel("lat_accel", drive.at_times(times, drive.lat_accel), "m/s^2"),
    ]
    document = {"format": "racetrace.lap-telemetry", "version": 1, "sample_count": int(times.size),
                "channels": channels}
    return json.dumps(document).encode(), int(times.size)


def _channel(key: str, values: np.ndarray, unit: str, dtype: str = "float32", scale: float | None = None) -> dict:
    return {"key": key, "label": key.replace("_", " ").title(), "unit": unit, "display_unit": unit,
            "source": "gps", "dtype": dtype, "scale": scale, "data": encode_channel(values, dtype, scale)}  # type: ignore[arg-type]


def sign_up(client: httpx.Client, username: str) -> dict[str, str]:
    register = client.post("/api/v1/auth/register",
                           json={"username": username, "email": f"{username}@example.com", "password": PASSWORD})
    register.raise_for_status()
    login = client.post("/api/v1/auth/login", data={"username": username, "password": PASSWORD, "client": "desktop"})
    login.raise_for_status()
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def push(client: httpx.Client, headers: dict[str, str], prepared: PreparedPush) -> float:
    """Seconds to push the records and upload every lap's telemetry, over one keep-alive connection."""
    started = time.perf_counter()
    response = client.post("/api/v1/sync/push", json={"records": prepared.records}, headers=headers)
    response.raise_for_status()
    upload_headers = {**headers, "Content-Type": "application/json"}
    for lap_id, document in prepared.telemetry.items():
        client.put(f"/api/v1/sync/laps/{lap_id}/telemetry", content=document, headers=upload_headers)\
            .raise_for_status()
    return time.perf_counter() - started
