"""`/sync`: push, pull, lap telemetry and original-file transfer for the desktop client."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from sync_server.db import reading
from sync_server.deps import AppSettings, CurrentUser, DbSession, UnitOfWorkRoute
from sync_server.errors import ErrorBody, error_responses
from sync_server.sync import engine, uploads
from sync_server.sync.pull import pull
from sync_server.sync.revisions import state
from sync_server.sync.schemas import ConflictBody, PullResponse, PushRequest, PushResponse, ResyncBody
from sync_server.sync.telemetry_format import LapTelemetryDocument

router = APIRouter(prefix="/sync", tags=["sync"], responses=error_responses(401), route_class=UnitOfWorkRoute)

TELEMETRY_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such lap, not yours, or no telemetry"},
    409: {"model": ErrorBody, "description": "Different telemetry already stored (append-only)"},
    **error_responses(413, 422),
}


class TelemetryStored(BaseModel):
    lap_id: uuid.UUID
    content_sha256: str
    sample_count: int
    rev: int
    status: str


class FileStored(BaseModel):
    session_id: uuid.UUID
    sha256: str
    size_bytes: int
    status: str


@router.post(
    "/push",
    response_model=PushResponse,
    responses={
        409: {"model": ConflictBody, "description": "Conflicting edits; nothing from the chunk was applied"},
        **error_responses(413, 422),
    },
)
def push(request: PushRequest, user: CurrentUser, db: DbSession) -> PushResponse:
    """Apply a chunk of upserts and tombstones (at most 500) in one transaction. Idempotent."""
    results = engine.apply_writes(db, user, engine.writes_from(request.records))
    return PushResponse(results=results, current_rev=state(db)[0])


@router.get(
    "/pull",
    response_model=PullResponse,
    responses={410: {"model": ResyncBody, "description": "Cursor unknown or too new: pull again from 0"}},
)
def pull_changes(
    user: CurrentUser,
    db: DbSession,
    settings: AppSettings,
    cursor: Annotated[int, Query(ge=0, description="next_cursor of the previous pull; 0 for everything")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> Response:
    """Changes to the user's records and to shared data (tracks, configurations) after `cursor`, in revision
    order, tombstones included."""
    changes = pull(db, user.id, cursor, min(limit, settings.sync_max_pull_limit))
    # Serialised here: FastAPI would validate the page of up to 1000 records once more in another thread hop.
    return Response(changes.model_dump_json(), media_type="application/json")


@router.put("/laps/{lap_id}/telemetry", response_model=TelemetryStored, responses=TELEMETRY_RESPONSES)
def upload_telemetry(
    lap_id: uuid.UUID,
    document: LapTelemetryDocument,
    user: CurrentUser,
    db: DbSession,
    replace: Annotated[bool, Query(description="Overwrite different telemetry already stored")] = False,
) -> TelemetryStored:
    """Upload a lap's telemetry arrays. Identical content again is a no-op (status "unchanged"). Bounded before
    decoding: at most the lap's duration at 100 Hz (an hour for untimed laps) and 128 MB decoded in all."""
    with reading(db):  # no transaction stays open while the arrays are decoded
        lap = uploads.owned_lap(db, user, lap_id)
    checked = uploads.check_telemetry(lap, document)
    stored = uploads.store_telemetry(db, user, lap, document, checked, replace)
    return TelemetryStored(**stored.__dict__)


@router.get("/laps/{lap_id}/telemetry", response_model=LapTelemetryDocument, responses=TELEMETRY_RESPONSES)
def download_telemetry(lap_id: uuid.UUID, user: CurrentUser, db: DbSession) -> Response:
    """The telemetry document of one of the user's laps, or of anyone's public lap."""
    lap = uploads.readable_lap(db, user, lap_id)
    return Response(uploads.telemetry_bytes(db, lap), media_type="application/json")


@router.put(
    "/sessions/{session_id}/file",
    response_model=FileStored,
    responses=error_responses(404, 413, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def upload_file(
    session_id: uuid.UUID, request: Request, user: CurrentUser, db: DbSession, settings: AppSettings
) -> FileStored:
    """Upload the session's original logger file (raw bytes). Its SHA-256 must equal the session's
    `file_sha256`; bodies over MAX_UPLOAD_SIZE_MB are refused with 413 while streaming."""
    # End the authentication read's transaction first: on SQLite it holds the write lock while the body streams.
    await run_in_threadpool(db.commit)
    received = await uploads.receive_file(request.stream(), settings.max_upload_bytes)
    status = await run_in_threadpool(uploads.store_file, db, user, session_id, received)
    return FileStored(session_id=session_id, sha256=received.sha256, size_bytes=received.size, status=status)


@router.get(
    "/sessions/{session_id}/file",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}, **error_responses(404)},
)
def download_file(session_id: uuid.UUID, user: CurrentUser, db: DbSession) -> StreamingResponse:
    """The original file of one of the user's sessions."""
    name, chunks = uploads.file_chunks(db, user, session_id)
    headers = {"Content-Disposition": content_disposition(name or "session")}
    return StreamingResponse(chunks, media_type="application/octet-stream", headers=headers)


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback name and the real one as RFC 5987 `filename*` (UTF-8, percent-encoded):
    headers are Latin-1, so a CJK file name sent raw made the download fail."""
    fallback = "".join(ch for ch in name if ch.isascii() and (ch.isalnum() or ch in "._- ")).strip() or "session"
    suffix = Path(name).suffix
    if fallback.startswith(".") or (suffix.isascii() and fallback == suffix.lstrip(".")):
        fallback = f"session{suffix if suffix.isascii() else ''}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
