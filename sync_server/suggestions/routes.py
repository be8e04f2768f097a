"""`/admin/track-suggestions` (admin token): the places where public laps were driven on no configured track, and
turning one into a track configuration."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Body, Request, status

from sync_server.deps import AdminUser, DbSession
from sync_server.errors import error_responses
from sync_server.session_upload.relap import relap_all
from sync_server.suggestions import service
from sync_server.suggestions.service import AcceptSuggestion, TrackSuggestion
from sync_server.tracks.schemas import TrackOut

router = APIRouter(prefix="/admin/track-suggestions", tags=["admin"], responses=error_responses(401, 403))


@router.get("", response_model=list[TrackSuggestion])
def list_track_suggestions(_admin: AdminUser, db: DbSession) -> list[TrackSuggestion]:
    """Public sessions on no configured track, grouped where their start/finish lines lie within the matching
    tolerance (150 m): place, sessions, drivers, proposed line and direction, the reference lap's path."""
    return service.list_suggestions(db)


@router.post(
    "/{suggestion_id}/accept",
    status_code=status.HTTP_201_CREATED,
    response_model=TrackOut,
    responses=error_responses(404, 422),
)
def accept_track_suggestion(
    suggestion_id: uuid.UUID,
    request: Request,
    background: BackgroundTasks,
    _admin: AdminUser,
    db: DbSession,
    choice: Annotated[AcceptSuggestion | None, Body()] = None,
) -> TrackOut:
    """Create a track with one configuration at the suggestion's start/finish line and direction. Its sessions
    adopt it on their next sync (uploaded ones are re-timed by the server right after this answer), and their laps
    reach its leaderboard."""
    accepted = service.accept(db, suggestion_id, choice or AcceptSuggestion())
    if accepted.relap_on_server:  # after the commit: the configuration must be visible, and parsing is slow
        background.add_task(relap_all, request.app.state.database, accepted.relap_on_server)
    return accepted.track
