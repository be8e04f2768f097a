"""`GET /laps/{id}/telemetry` and `POST /laps/compare`."""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sync_server.analysis.compare import CompareError, LapTrace, compare, corner_report, resampled
from sync_server.deps import CurrentUser, DbSession
from sync_server.errors import ErrorBody, InvalidError, error_responses
from sync_server.models import DrivingSession, TrackConfiguration
from sync_server.sync import telemetry_format, uploads
from sync_server.sync.telemetry_format import LapTelemetryDocument

router = APIRouter(prefix="/laps", tags=["laps"], responses=error_responses(401))


class CompareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lap_ids: list[uuid.UUID] = Field(min_length=2, max_length=8, description="My laps or public laps")
    reference_lap_id: uuid.UUID | None = Field(default=None, description="Defaults to the fastest valid lap")
    points: int | None = Field(
        default=500, ge=10, le=5000,
        description="Evenly spaced distances to return; null = the compare's own 1 m grid (as the desktop app)",
    )
    channels: list[str] = Field(default_factory=lambda: ["speed"], max_length=10)

    @model_validator(mode="after")
    def _consistent(self) -> CompareRequest:
        if len(set(self.lap_ids)) != len(self.lap_ids):
            raise ValueError("lap_ids: each lap may appear only once")
        if self.reference_lap_id is not None and self.reference_lap_id not in self.lap_ids:
            raise ValueError("reference_lap_id: must be one of lap_ids")
        return self


class ComparedLapOut(BaseModel):
    lap_id: uuid.UUID
    lap_time_s: float
    length_m: float
    time_s: list[float]
    delta_s: list[float] = Field(description="Time minus the reference's time at the same place on the track")
    delta_sigma_s: list[float] | None = Field(default=None, description="Uncertainty of delta_s (s), when known")
    channels: dict[str, list[float | None] | None]


class CompareResponse(BaseModel):
    reference_lap_id: uuid.UUID
    fraction: list[float] = Field(description="Common grid: 0 = start line, 1 = finish line")
    distance_m: list[float] = Field(description="The grid in metres along the reference lap")
    laps: list[ComparedLapOut]
    corners: list[dict[str, Any]] = Field(
        default_factory=list,
        description="The track configuration's corners with each lap's figures (as `racetrace compare --json`)",
    )
    hints: dict[str, list[str]] = Field(default_factory=dict, description="At most three hints per lap id")


def _floats(values: Any) -> list[float | None]:
    return [float(v) if v == v else None for v in values]  # NaN -> null (JSON has no NaN)


@router.get(
    "/{lap_id}/telemetry",
    response_model=LapTelemetryDocument,
    responses={404: {"model": ErrorBody, "description": "No such lap, not readable, or no telemetry"}},
)
def lap_telemetry(lap_id: uuid.UUID, user: CurrentUser, db: DbSession) -> Response:
    """The telemetry document of one of my laps or of a public lap (format in API.md)."""
    lap = uploads.readable_lap(db, user, lap_id)
    return Response(uploads.telemetry_bytes(db, lap), media_type="application/json")


@router.post("/compare", response_model=CompareResponse, responses=error_responses(404, 422))
def compare_laps(request: CompareRequest, user: CurrentUser, db: DbSession) -> CompareResponse:
    """Compare 2-8 laps with delta-T against a reference lap, with the desktop app's compare: every lap is placed
    on the reference lap's path by its GPS positions, and each lap's time at the finish is its lap time."""
    traces = []
    for lap_id in request.lap_ids:
        lap = uploads.readable_lap(db, user, lap_id)
        document = uploads.load_document(db, lap)
        traces.append(LapTrace(lap.id, lap.lap_number, lap.lap_time_ms, lap.is_valid, lap.length_m, lap.session_id,
                               telemetry_format.decode(document)))
    try:
        result = compare(traces, request.reference_lap_id, request.channels)
    except CompareError as exc:
        raise InvalidError(str(exc), code="not_comparable") from exc
    report = corner_report(result, _shared_corners(db, traces), traces)
    sigma = result.delta_sigma_s
    distance = resampled(result, result.distance_m, request.points)
    length = float(result.distance_m[-1])
    lengths = {str(t.lap_id): t.length_m or float(np.nanmax(t.arrays["distance_m"])) for t in traces}
    return CompareResponse(
        reference_lap_id=uuid.UUID(result.reference_key),
        fraction=(distance / length).tolist(),
        distance_m=distance.tolist(),
        laps=[
            ComparedLapOut(
                lap_id=uuid.UUID(key),
                lap_time_s=result.lap_time_ms[key] / 1000,
                length_m=lengths[key],
                time_s=resampled(result, result.time_s[key], request.points).tolist(),
                delta_s=resampled(result, result.delta_s[key], request.points).tolist(),
                delta_sigma_s=resampled(result, sigma[key], request.points).tolist() if key in sigma else None,
                channels={
                    name: (_floats(resampled(result, values, request.points)) if (
                        values := result.channels[key].get(name)) is not None and np.isfinite(values).any() else None)
                    for name in request.channels
                },
            )
            for key in result.keys
        ],
        corners=report["corners"],
        hints=report["hints"],
    )


def _shared_corners(db: DbSession, traces: list[LapTrace]) -> list[dict[str, Any]]:
    """The corners of the track configuration all the laps were timed on ([] when none, or several)."""
    configurations = {session.track_configuration_id if (session := db.get(DrivingSession, t.session_id)) else None
                      for t in traces}
    if len(configurations) != 1 or None in configurations:
        return []
    config = db.get(TrackConfiguration, configurations.pop())
    return list(config.corners) if config is not None and config.deleted_at is None else []
