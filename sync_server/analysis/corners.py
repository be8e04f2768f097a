"""Corners of a shared track configuration detected on the server from its fastest lap with telemetry, with the
desktop app's detection (racetrace_desktop.telemetry.corners), so every driver of the track gets one numbering.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from racetrace_desktop.telemetry.compare import compare_laps
from racetrace_desktop.telemetry.corners import ReferencePath, detect_corners
from sync_server.analysis import repository
from sync_server.analysis.compare import CompareError, LapTrace, compare_input
from sync_server.errors import InvalidError
from sync_server.sync import telemetry_format, uploads


def detected_corners(db: Session, configuration_id: uuid.UUID) -> list[dict[str, Any]]:
    """Corners (as stored on the configuration) from its fastest lap; InvalidError when there is no such lap."""
    lap = repository.fastest_lap_with_telemetry(db, configuration_id)
    if lap is None:
        raise InvalidError(f"track configuration {configuration_id} has no valid timed lap with telemetry to find "
                           "corners on", code="no_reference_lap")
    arrays = telemetry_format.decode(uploads.load_document(db, lap))
    trace = LapTrace(lap.id, lap.lap_number, lap.lap_time_ms, lap.is_valid, lap.length_m, lap.session_id, arrays)
    try:
        result = compare_laps([compare_input(trace)], channels=["speed"])
        speed = result.channels[result.reference_key].get("speed")
        corners = detect_corners(ReferencePath.of(result.distance_m, result.lat, result.lon, speed))
    except (CompareError, ValueError) as exc:
        raise InvalidError(f"lap {lap.id}: {exc}", code="no_reference_lap") from exc
    return [corner.to_json() for corner in corners]
