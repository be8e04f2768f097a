"""Admin dashboard: track suggestions (places where public laps were driven on no configured track), each with a
map of its reference lap, and one button that turns it into a track configuration."""

from __future__ import annotations

import json
import uuid

from fastapi import APIRouter, BackgroundTasks, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from sync_server.deps import DbSession
from sync_server.session_upload.relap import relap_all
from sync_server.suggestions import service as suggestions
from sync_server.suggestions.service import AcceptSuggestion
from sync_server.web.admin_pages import Notice, back_to
from sync_server.web.admin_session import Admin, AdminPost, PageError, PostedForm
from sync_server.web.pages import PageRoute
from sync_server.web.templating import MAP_SECURITY_HEADERS, render

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=PageRoute)
NOTICES = {"accepted": "Track created from the suggestion: its sessions move onto it on their next sync."}


@router.get("/track-suggestions", response_class=HTMLResponse, name="admin_track_suggestions")
def suggestions_page(request: Request, admin: Admin, db: DbSession, notice: Notice = None) -> Response:
    found = suggestions.list_suggestions(db)
    context = {
        "admin": admin,
        "section": "suggestions",
        "suggestions": found,
        "paths": {str(s.id): json.dumps(s.reference_path, separators=(",", ":")) for s in found},
        "notice": NOTICES.get(notice or ""),
    }
    response = render(request, "admin/suggestions.html", context)
    response.headers.update(MAP_SECURITY_HEADERS)
    return response


@router.post("/track-suggestions/{suggestion_id}/accept")
def accept_suggestion(
    suggestion_id: uuid.UUID, request: Request, background: BackgroundTasks, _admin: AdminPost, db: DbSession,
    form: PostedForm,
) -> Response:
    values = {key: str(form.get(key) or "").strip() for key in ("track_name", "configuration_name")}
    try:
        choice = AcceptSuggestion(**{key: value for key, value in values.items() if value})
    except ValidationError as exc:
        fields = ", ".join(str(error["loc"][-1]) for error in exc.errors())
        raise PageError(422, "Invalid name", f"Check these values: {fields} (1 to 128 characters).") from exc
    accepted = suggestions.accept(db, suggestion_id, choice)
    if accepted.relap_on_server:
        background.add_task(relap_all, request.app.state.database, accepted.relap_on_server)
    return back_to(f"/admin/tracks/{accepted.track.id}", notice="track_created")
