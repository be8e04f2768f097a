"""Wire shapes of /sync: push, pull, conflicts. Mirrored by the desktop client's sync protocol module."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sync_server.sync.kinds import CarData, EventData, LapData, SessionData

MAX_CHUNK = 500


class _PushBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID = Field(description="Client-generated UUID, the same on every device")
    base_rev: int | None = Field(
        default=None, ge=0, description="Server revision this edit was based on; null or 0 for a new record"
    )
    deleted: bool = Field(default=False, description="true = tombstone (data may be omitted)")

    @model_validator(mode="after")
    def _data_unless_deleted(self) -> _PushBase:
        if not self.deleted and getattr(self, "data", None) is None:
            raise ValueError("data is required unless deleted is true")
        return self


class PushCar(_PushBase):
    kind: Literal["car"]
    data: CarData | None = None


class PushEvent(_PushBase):
    kind: Literal["event"]
    data: EventData | None = None


class PushSession(_PushBase):
    kind: Literal["session"]
    data: SessionData | None = None


class PushLap(_PushBase):
    kind: Literal["lap"]
    data: LapData | None = None


PushRecord = Annotated[PushCar | PushEvent | PushSession | PushLap, Field(discriminator="kind")]


class PushRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    records: list[PushRecord] = Field(min_length=1, max_length=MAX_CHUNK)


PushStatus = Literal["created", "updated", "deleted", "unchanged", "absent"]


class PushResult(BaseModel):
    kind: str
    id: uuid.UUID
    status: PushStatus = Field(
        description="created/updated/deleted: written now; unchanged: identical to the server copy (e.g. a "
        "retried chunk); absent: tombstone for a record the server never had (nothing to do)"
    )
    rev: int | None = Field(description="The record's server revision now: store it as the client's server_rev")


class PushResponse(BaseModel):
    results: list[PushResult]
    current_rev: int


class ServerRecord(BaseModel):
    kind: Literal["car", "event", "session", "lap", "track", "track_configuration", "lap_telemetry"]
    id: uuid.UUID
    rev: int
    deleted: bool
    updated_at: datetime
    data: dict[str, Any]


ConflictReason = Literal["edited_on_server", "deleted_on_server", "id_in_use", "same_file"]


class ConflictItem(BaseModel):
    kind: str
    id: uuid.UUID
    reason: ConflictReason
    server: ServerRecord | None = Field(description="The server's copy; null when it belongs to another account")


class ConflictBody(BaseModel):
    detail: str
    code: Literal["conflict"]
    conflicts: list[ConflictItem]


class ResyncBody(BaseModel):
    detail: str
    code: Literal["resync_required"]
    current_rev: int


class PullResponse(BaseModel):
    changes: list[ServerRecord]
    next_cursor: int = Field(description="Pass as `cursor` next time (and store it once the changes are applied)")
    has_more: bool
    current_rev: int
