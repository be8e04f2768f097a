"""`/admin/*` routes (admin token required)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from sync_server.admin import service
from sync_server.admin.schemas import AdminUserOut, AdminUserPage, AdminUserUpdate, TeamCreate, TeamOut
from sync_server.analysis import corners as corner_analysis
from sync_server.deps import AdminUser, DbSession
from sync_server.errors import error_responses
from sync_server.tracks import service as tracks
from sync_server.tracks.schemas import (
    ConfigurationFields,
    ConfigurationOut,
    ConfigurationUpdate,
    CornerFields,
    TrackOut,
    TrackUpdate,
)

router = APIRouter(prefix="/admin", tags=["admin"], responses=error_responses(401, 403))
NOT_FOUND = error_responses(404, 422)


@router.get("/users", response_model=AdminUserPage, responses=error_responses(422))
def list_users(
    _admin: AdminUser,
    db: DbSession,
    q: Annotated[str | None, Query(max_length=64, description="Part of a username or email")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AdminUserPage:
    """All accounts, by username."""
    return service.list_users(db, q, page, page_size)


@router.patch("/users/{user_id}", response_model=AdminUserOut, responses=error_responses(404, 409, 422))
def update_user(user_id: uuid.UUID, changes: AdminUserUpdate, admin: AdminUser, db: DbSession) -> AdminUserOut:
    """Deactivate/reactivate, grant/revoke admin, clear a lockout."""
    return service.update_user(db, admin, user_id, changes)


@router.get("/teams", response_model=list[TeamOut])
def list_teams(_admin: AdminUser, db: DbSession) -> list[TeamOut]:
    """Teams with their members."""
    return service.list_teams(db)


@router.post(
    "/teams", response_model=TeamOut, status_code=status.HTTP_201_CREATED, responses=error_responses(409, 422)
)
def create_team(body: TeamCreate, _admin: AdminUser, db: DbSession) -> TeamOut:
    """Create a team."""
    return service.create_team(db, body.name)


@router.delete("/teams/{team_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def delete_team(team_id: uuid.UUID, _admin: AdminUser, db: DbSession) -> None:
    """Delete a team (its members' accounts stay)."""
    service.delete_team(db, team_id)


@router.put("/teams/{team_id}/members/{user_id}", response_model=TeamOut, responses=NOT_FOUND)
def add_member(team_id: uuid.UUID, user_id: uuid.UUID, _admin: AdminUser, db: DbSession) -> TeamOut:
    """Add a user to a team (idempotent)."""
    return service.add_member(db, team_id, user_id)


@router.delete("/teams/{team_id}/members/{user_id}", response_model=TeamOut, responses=NOT_FOUND)
def remove_member(team_id: uuid.UUID, user_id: uuid.UUID, _admin: AdminUser, db: DbSession) -> TeamOut:
    """Remove a user from a team (idempotent)."""
    return service.remove_member(db, team_id, user_id)


@router.patch("/tracks/{track_id}", response_model=TrackOut, responses=NOT_FOUND)
def update_track(track_id: uuid.UUID, changes: TrackUpdate, _admin: AdminUser, db: DbSession) -> TrackOut:
    """Rename or relocate a track."""
    return tracks.update_track(db, track_id, changes)


@router.delete("/tracks/{track_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
def delete_track(track_id: uuid.UUID, _admin: AdminUser, db: DbSession) -> None:
    """Delete a track and its configurations (tombstones clients pull)."""
    tracks.delete_track(db, track_id)


@router.post(
    "/tracks/{track_id}/configurations",
    response_model=ConfigurationOut,
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND,
)
def add_configuration(
    track_id: uuid.UUID, fields: ConfigurationFields, _admin: AdminUser, db: DbSession
) -> ConfigurationOut:
    """Add a configuration (layout) to a track."""
    return tracks.add_configuration(db, track_id, fields)


@router.patch("/track-configurations/{configuration_id}", response_model=ConfigurationOut, responses=NOT_FOUND)
def update_configuration(
    configuration_id: uuid.UUID, changes: ConfigurationUpdate, _admin: AdminUser, db: DbSession
) -> ConfigurationOut:
    """Edit a configuration; its version increments when anything changes."""
    return tracks.update_configuration(db, configuration_id, changes)


@router.post("/track-configurations/{configuration_id}/detect-corners", response_model=ConfigurationOut,
             responses=NOT_FOUND)
def detect_corners(configuration_id: uuid.UUID, _admin: AdminUser, db: DbSession) -> ConfigurationOut:
    """Replace the configuration's corners with those found on its fastest valid lap with telemetry (any
    driver's); clients pull them like any configuration edit. The timing version does not change."""
    tracks.get_configuration(db, configuration_id)
    found = [CornerFields.model_validate(c) for c in corner_analysis.detected_corners(db, configuration_id)]
    return tracks.update_configuration(db, configuration_id, ConfigurationUpdate(corners=found))


@router.delete(
    "/track-configurations/{configuration_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND
)
def delete_configuration(configuration_id: uuid.UUID, _admin: AdminUser, db: DbSession) -> None:
    """Delete a configuration (a tombstone clients pull)."""
    tracks.delete_configuration(db, configuration_id)
