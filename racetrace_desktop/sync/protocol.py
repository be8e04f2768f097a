"""The wire format of /sync (mirrors the server's CarData, EventData, SessionData and LapData) and the mapping
between it and the library's records.

`to_wire` is the projection of a local record: comparing it with the last server copy tells which fields were
edited here. `from_wire` is its inverse on every field the library holds, so applying a server copy and
projecting again gives the same data.
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import UTC, date, datetime
from typing import Any

from racetrace_desktop.library.sync_repo import LocalRecord

DAY_MS = 24 * 60 * 60 * 1000
SHA256 = re.compile(r"^[0-9a-f]{64}$")
NOTES_MAX = 20_000
LIMITS = {  # text fields the driver types: refused (with a message) rather than cut
    "car": {"make": 64, "model": 64, "category": 64, "drivetrain": 16, "notes": NOTES_MAX},
    "event": {"name": 128, "notes": NOTES_MAX},
    "session": {"notes": NOTES_MAX},
    "lap": {},
}
TEXT_FIELDS = {"car": ("notes",), "event": ("notes",), "session": ("notes",), "lap": ()}


class InvalidRecordError(ValueError):
    """A local record the server would refuse; the message names the record and the field."""


def utc_text(moment: datetime | None) -> str | None:
    """The server's rendering of an aware datetime (UTC, 'Z')."""
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_utc(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _cut(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


def _finite(value: float | None, low: float, high: float) -> float | None:
    if value is None or not math.isfinite(value) or not low <= value <= high:
        return None
    return float(value)


def _ms(value: int | None, low: int = 1) -> int | None:
    return int(value) if value is not None and low <= value <= DAY_MS else None


def _ref(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def check_limits(record: LocalRecord, label: str) -> None:
    for name, limit in LIMITS[record.kind].items():
        value = record.fields.get(name)
        if value is not None and len(value) > limit:
            message = f"{label}: {name} is longer than the server accepts ({len(value)} > {limit} characters)"
            raise InvalidRecordError(message)


def to_wire(record: LocalRecord, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The record's `data` for a push. `base` (the last server copy) fills fields the library does not keep."""
    fields = record.fields
    if record.kind == "car":
        return {
            "make": fields["make"] or "Unknown", "model": fields["model"] or "Unknown", "year": fields["year"],
            "category": fields["category"], "drivetrain": fields["drivetrain"], "power_hp": fields["power_hp"],
            "weight_kg": fields["weight_kg"], "engine_cc": fields["engine_cc"], "notes": fields["notes"],
        }  # fmt: skip
    if record.kind == "event":
        day = fields["event_date"]
        location = base.get("location") if base else None
        return {"name": fields["name"], "event_date": day.isoformat() if day else None, "location": location,
                "notes": fields["notes"]}  # fmt: skip
    if record.kind == "session":
        return _session_wire(fields, base)
    return _lap_wire(fields)


def _session_wire(fields: dict[str, Any], base: dict[str, Any] | None) -> dict[str, Any]:
    config = fields["configuration_server_id"]
    sha = fields["source_sha256"]
    local_start = fields["recorded_at_local"]
    size = fields["source_size"] if fields["source_size"] is not None else (base or {}).get("file_size")
    return {
        "track_configuration_id": config,
        "track_configuration_version": fields["configuration_version"] if config else None,
        "car_id": _ref(fields["car_uuid"]), "event_id": _ref(fields["event_uuid"]),
        "session_type": fields["session_type"], "notes": fields["notes"], "is_public": bool(fields["is_public"]),
        "recorded_at": utc_text(fields["recorded_at_utc"]),
        "recorded_at_local": local_start.isoformat()[:32] if local_start else None,
        "file_sha256": sha if SHA256.match(sha or "") else None, "file_name": _cut(fields["source_name"], 255),
        "file_size": size, "format_name": _cut(fields["format_name"], 64),
        "app_version": _cut(fields["app_version"], 64), "device": _cut(fields["device"], 128),
        "os_name": _cut(fields["os_name"], 64), "os_version": _cut(fields["os_version"], 64),
        "gps_source": _cut(fields["gps_source"], 128), "obd_adapter": _cut(fields["obd_adapter"], 128),
        "vehicle_hint": _cut(fields["vehicle"], 128), "gps_rate_hz": _finite(fields["gps_rate_hz"], 0, 1000),
        "row_count": fields["row_count"], "duration_s": _finite(fields["duration_s"], 0, 1e9),
        "theoretical_best_ms": _ms(fields["theoretical_best_ms"], 0),
    }  # fmt: skip


def effective_validity(fields: dict[str, Any]) -> tuple[bool, str | None]:
    """The verdict that travels: the driver's override when set, else the analysis'."""
    if fields["valid_override"] is not None:
        return bool(fields["valid_override"]), fields["override_reason"]
    return bool(fields["is_valid"]), fields["invalid_reason"]


def _lap_wire(fields: dict[str, Any]) -> dict[str, Any]:
    valid, reason = effective_validity(fields)
    stats = {str(k)[:64]: float(v) for k, v in (fields["stats"] or {}).items()
             if v is not None and math.isfinite(v)}  # fmt: skip
    return {
        "session_id": str(fields["session_uuid"]), "lap_number": int(fields["number"]),
        "lap_time_ms": _ms(fields["lap_time_ms"]), "time_source": fields["time_source"],
        "gps_time_ms": _ms(fields["gps_time_ms"]), "is_outlap": bool(fields["is_outlap"]),
        "is_inlap": bool(fields["is_inlap"]), "is_pit": bool(fields["is_pit"]), "is_valid": valid,
        "invalid_reason": _cut(reason, 200), "length_m": _finite(fields["length_m"], 0, 1_000_000),
        "sector_times_ms": [_ms(t, 0) for t in (fields["sector_times_ms"] or [])][:64],
        "stats": dict(list(stats.items())[:64]), "is_public": bool(fields["is_public"]),
    }  # fmt: skip


def from_wire(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Library fields for a server copy (references as UUIDs / configuration server ids)."""
    if kind == "car":
        return {**{k: data.get(k) for k in ("make", "model", "year", "category", "drivetrain", "power_hp",
                                             "weight_kg", "engine_cc")}, "notes": data.get("notes") or ""}  # fmt: skip
    if kind == "event":
        day = data.get("event_date")
        return {"name": data["name"], "event_date": date.fromisoformat(day) if day else None,
                "notes": data.get("notes") or ""}  # fmt: skip
    if kind == "session":
        return _session_fields(data)
    return _lap_fields(data)


def _uuid(text: str | None) -> uuid.UUID | None:
    return uuid.UUID(text) if text else None


def _session_fields(data: dict[str, Any]) -> dict[str, Any]:
    local_start = data.get("recorded_at_local")
    return {
        "configuration_server_id": data.get("track_configuration_id"),
        "configuration_version": data.get("track_configuration_version"),
        "car_uuid": _uuid(data.get("car_id")), "event_uuid": _uuid(data.get("event_id")),
        "session_type": data.get("session_type"), "notes": data.get("notes") or "",
        "is_public": bool(data.get("is_public")), "recorded_at_utc": parse_utc(data.get("recorded_at")),
        "recorded_at_local": datetime.fromisoformat(local_start) if local_start else None,
        "source_sha256": data.get("file_sha256"), "source_name": data.get("file_name") or "",
        "format_name": data.get("format_name") or "", "app_version": data.get("app_version"),
        "device": data.get("device"), "os_name": data.get("os_name"), "os_version": data.get("os_version"),
        "gps_source": data.get("gps_source"), "obd_adapter": data.get("obd_adapter"),
        "vehicle": data.get("vehicle_hint"), "gps_rate_hz": data.get("gps_rate_hz"),
        "row_count": data.get("row_count") or 0, "duration_s": data.get("duration_s") or 0.0,
        "theoretical_best_ms": data.get("theoretical_best_ms"),
    }  # fmt: skip


def _lap_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "session_uuid": uuid.UUID(data["session_id"]), "number": data["lap_number"],
        "lap_time_ms": data.get("lap_time_ms"), "time_source": data.get("time_source"),
        "gps_time_ms": data.get("gps_time_ms"), "is_outlap": bool(data.get("is_outlap")),
        "is_inlap": bool(data.get("is_inlap")), "is_pit": bool(data.get("is_pit")),
        "valid": bool(data.get("is_valid", True)), "reason": data.get("invalid_reason"),
        "length_m": data.get("length_m"), "sector_times_ms": list(data.get("sector_times_ms") or []),
        "stats": dict(data.get("stats") or {}), "is_public": bool(data.get("is_public")),
    }  # fmt: skip


def canonical(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Server data with its datetimes in one rendering, so copies compare equal to projections."""
    if kind == "session" and data.get("recorded_at"):
        return {**data, "recorded_at": utc_text(parse_utc(data["recorded_at"]))}
    return dict(data)


def track_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {"name": data["name"], "country": data.get("country"), "city": data.get("city")}


def configuration_fields(data: dict[str, Any]) -> dict[str, Any]:
    gates = [[g["lat"], g["lon"], g.get("heading_deg")] for g in data.get("sector_gates") or []]
    return {
        "track_server_id": data["track_id"], "name": data["name"], "start_lat": data["start_finish_lat"],
        "start_lon": data["start_finish_lon"], "start_heading_deg": data.get("start_finish_heading_deg"),
        "gate_width_m": data.get("gate_width_m") or 60.0, "num_sectors": data.get("num_sectors") or 3,
        "sector_gates": gates, "length_m": data.get("length_m"), "version": data.get("version") or 1,
        "corners": list(data.get("corners") or []),
    }  # fmt: skip
