"""`POST /sessions/upload` (the seed's upload): multipart/form-data with one logger file in the field `file` and
optionally `is_public`. 201 with the new session and its laps, 200 with the existing session for a recording
this account already has."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sync_server.db import Database
from sync_server.deps import AppSettings, CurrentUser, DbSession
from sync_server.errors import ErrorBody, InvalidError, error_responses
from sync_server.models import User
from sync_server.session_upload import recording, service
from sync_server.session_upload.gate import GATE
from sync_server.session_upload.multipart import ReceivedForm, receive_form
from sync_server.session_upload.recording import PreparedUpload
from sync_server.session_upload.service import UploadResult
from sync_server.tracks.matching import live_configurations

router = APIRouter(prefix="/sessions", tags=["sessions"], responses=error_responses(401))

FILE_FIELD = "file"
TRUE_WORDS, FALSE_WORDS = {"true", "1", "on", "yes"}, {"false", "0", "off", "no", ""}
UPLOAD_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FILE_FIELD],
                    "properties": {
                        FILE_FIELD: {"type": "string", "format": "binary", "description": "One logger export"},
                        "is_public": {"type": "boolean", "default": False},
                    },
                }
            }
        },
    }
}


@router.post(
    "/upload",
    status_code=201,
    response_model=UploadResult,
    openapi_extra=UPLOAD_FORM,
    responses={
        200: {"model": UploadResult, "description": "This recording is already stored: its session"},
        409: {"model": ErrorBody, "description": "This recording's session was deleted"},
        429: {"model": ErrorBody, "description": "Another upload of this account is still being processed"},
        503: {"model": ErrorBody, "description": "Too many uploads being parsed: retry after Retry-After"},
        **error_responses(413, 422),
    },
)
async def upload_session(request: Request, user: CurrentUser, db: DbSession, settings: AppSettings) -> JSONResponse:
    """Upload one logger file (any format the desktop app reads). The server parses it, times its laps on the
    matching track configuration, and stores the session, laps, lap telemetry and original file: it then syncs
    to the owner's desktops like any pushed session. A bad file is a 422 naming the file and line; a file over
    MAX_UPLOAD_SIZE_MB is refused with 413 while it streams in."""
    # No transaction is open while the body streams: `CurrentUser` ended its read (SQLite would hold its lock).
    with GATE.for_user(user.id):
        form = await receive_form(
            request.headers.get("content-type"), request.stream(), FILE_FIELD, settings.max_upload_bytes
        )
        is_public = _flag(form, "is_public")
        database: Database = request.app.state.database
        known = await run_in_threadpool(_already_stored, database, user, form)
        if known is not None:
            return JSONResponse(known.model_dump(mode="json"), status_code=200)
        prepared = await run_in_threadpool(_prepare, database, form, is_public)
        stored = await run_in_threadpool(service.store, db, user, prepared)
    return JSONResponse(stored.result.model_dump(mode="json"), status_code=201 if stored.created else 200)


def _flag(form: ReceivedForm, name: str) -> bool:
    value = form.fields.get(name, "").strip().lower()
    if value not in TRUE_WORDS | FALSE_WORDS:
        raise InvalidError(f"form field {name!r}: expected true or false, got {value[:20]!r}", code="invalid_upload")
    return value in TRUE_WORDS


def _already_stored(database: Database, user: User, form: ReceivedForm) -> UploadResult | None:
    """Checked before parsing: the same file again costs a hash, not a parse."""
    hashes = recording.recording_hashes(form.data)
    with database.sessions() as db:
        return service.existing_recording(db, user, hashes)


def _prepare(database: Database, form: ReceivedForm, is_public: bool) -> PreparedUpload:
    with database.sessions() as db:  # a short read, finished before the parse
        configurations = live_configurations(db)
    with GATE.parsing():
        return recording.prepare(form.data, form.file_name, configurations, is_public=is_public)
