"""`GET /laps/{id}/telemetry` and `POST /laps/compare`."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sync_server.analysis.compare import CompareError, LapTrace, compare
from sync_server.deps import CurrentUser, DbSession
from sync_server.errors import ErrorBody, InvalidError, error_responses
from sync_server.sync import telemetry_format, uploads
from sync_server.sync.telemetry_format import LapTelemetryDocument

router = APIRouter(prefix="/laps", tags=["laps"], responses=error_responses(401))


class CompareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lap_ids: list[uuid.UUID] = Field(min_length=2, max_length=8, description="My laps or public laps")
    reference_lap_id: uuid.UUID | None = Field(default=None, description="Defaults to the first lap")
    points: int = Field(default=500, ge=10, le=5000)
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
    delta_s: list[float] = Field(description="Time minus the reference's time at the same grid point")
    channels: dict[str, list[float | None] | None]


class CompareResponse(BaseModel):
    reference_lap_id: uuid.UUID
    fraction: list[float] = Field(description="Common grid: 0 = start line, 1 = finish line")
    distance_m: list[float] = Field(description="The grid in metres of the reference lap")
    laps: list[ComparedLapOut]


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
    """Compare 2-8 laps on a common length-normalised distance grid with delta-T against a reference lap."""
    traces = []
    for lap_id in request.lap_ids:
        lap = uploads.readable_lap(db, user, lap_id)
        document = uploads.load_document(db, lap)
        traces.append(LapTrace(lap.id, lap.lap_time_ms, telemetry_format.decode(document)))
    try:
        result = compare(traces, request.reference_lap_id or request.lap_ids[0], request.points, request.channels)
    except CompareError as exc:
        raise InvalidError(str(exc), code="not_comparable") from exc
    return CompareResponse(
        reference_lap_id=result.reference_lap_id,
        fraction=result.fraction.tolist(),
        distance_m=result.distance_m.tolist(),
        laps=[
            ComparedLapOut(
                lap_id=lap.lap_id,
                lap_time_s=lap.lap_time_s,
                length_m=lap.length_m,
                time_s=lap.time_s.tolist(),
                delta_s=lap.delta_s.tolist(),
                channels={k: (_floats(v) if v is not None else None) for k, v in lap.channels.items()},
            )
            for lap in result.laps
        ],
    )
