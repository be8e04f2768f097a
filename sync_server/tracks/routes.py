"""`/tracks`: public list and detail; creation with an admin token."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from sync_server.deps import AdminUser, DbSession
from sync_server.errors import error_responses
from sync_server.seed_paths import add_trailing_slash_aliases
from sync_server.tracks import service
from sync_server.tracks.schemas import ConfigurationOut, TrackCreate, TrackOut

router = APIRouter(tags=["tracks"])


@router.get("/tracks", response_model=list[TrackOut])
def list_tracks(db: DbSession) -> list[TrackOut]:
    """Every track with its configurations (public)."""
    return service.list_tracks(db)


@router.get("/tracks/{track_id}", response_model=TrackOut, responses=error_responses(404))
def get_track(track_id: uuid.UUID, db: DbSession) -> TrackOut:
    """One track with its configurations (public)."""
    return service.get_track(db, track_id)


@router.get(
    "/track-configurations/{configuration_id}", response_model=ConfigurationOut, responses=error_responses(404)
)
def get_configuration(configuration_id: uuid.UUID, db: DbSession) -> ConfigurationOut:
    """One configuration (public)."""
    return ConfigurationOut.model_validate(service.get_configuration(db, configuration_id))


@router.post(
    "/tracks",
    status_code=status.HTTP_201_CREATED,
    response_model=TrackOut,
    responses=error_responses(401, 403, 422),
)
def create_track(data: TrackCreate, _admin: AdminUser, db: DbSession) -> TrackOut:
    """Create a track, optionally with its configurations (admin token)."""
    return service.create_track(db, data)


add_trailing_slash_aliases(router, "/tracks")
