"""Admin dashboard: tracks and their configurations (create, edit, delete)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from sync_server.deps import DbSession
from sync_server.tracks import service as tracks
from sync_server.tracks.schemas import ConfigurationFields, ConfigurationUpdate, TrackCreate, TrackUpdate
from sync_server.web import forms
from sync_server.web.admin_pages import Notice, back_to, notice_text
from sync_server.web.admin_session import Admin, AdminPost, AdminSession, PostedForm
from sync_server.web.forms import FormErrors
from sync_server.web.pages import PageRoute
from sync_server.web.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=PageRoute)
NOTICES = {
    "track_created": "Track created.",
    "track_saved": "Track saved.",
    "track_deleted": "Track deleted.",
    "configuration_added": "Configuration added.",
    "configuration_saved": "Configuration saved; its version went up by one.",
    "configuration_deleted": "Configuration deleted.",
}
NEW_CONFIGURATION = {"name": "", "gate_width_m": "60", "num_sectors": "3", "is_default": False, "sector_gates": ""}


def _notice(key: str | None) -> str | None:
    return NOTICES.get(key or "") or notice_text(key)


@router.get("/tracks", response_class=HTMLResponse, name="admin_tracks")
def tracks_page(request: Request, admin: Admin, db: DbSession, notice: Notice = None) -> Response:
    return _tracks_view(request, admin, db, notice=_notice(notice))


def _tracks_view(request: Request, admin: AdminSession, db: DbSession, status: int = 200, **extra: Any) -> Response:
    context = {"admin": admin, "section": "tracks", "tracks": tracks.list_tracks(db), "values": {}, "errors": {}}
    return render(request, "admin/tracks.html", {**context, **extra}, status)


@router.post("/tracks")
def create_track(request: Request, admin: AdminPost, db: DbSession, form: PostedForm) -> Response:
    values = forms.track_data(form)
    try:
        track = tracks.create_track(db, forms.parse(TrackCreate, values))
    except FormErrors as exc:
        return _tracks_view(request, admin, db, 422, values=values, errors=exc.errors)
    return back_to(f"/admin/tracks/{track.id}", notice="track_created")


@router.get("/tracks/{track_id}", response_class=HTMLResponse, name="admin_track")
def track_page(request: Request, track_id: uuid.UUID, admin: Admin, db: DbSession, notice: Notice = None) -> Response:
    return _track_view(request, admin, db, track_id, notice=_notice(notice))


def _track_view(
    request: Request, admin: AdminSession, db: DbSession, track_id: uuid.UUID, status: int = 200, **extra: Any
) -> Response:
    track = tracks.get_track(db, track_id)
    context = {
        "admin": admin,
        "section": "tracks",
        "track": track,
        "track_values": {"name": track.name, "country": track.country or "", "city": track.city or ""},
        "config_values": NEW_CONFIGURATION,
        "track_errors": {},
        "config_errors": {},
    }
    return render(request, "admin/track.html", {**context, **extra}, status)


@router.post("/tracks/{track_id}")
def update_track(request: Request, track_id: uuid.UUID, admin: AdminPost, db: DbSession, form: PostedForm) -> Response:
    values = forms.track_data(form)
    try:
        tracks.update_track(db, track_id, forms.parse(TrackUpdate, values))
    except FormErrors as exc:
        return _track_view(request, admin, db, track_id, 422, track_values=values, track_errors=exc.errors)
    return back_to(f"/admin/tracks/{track_id}", notice="track_saved")


@router.post("/tracks/{track_id}/delete")
def delete_track(track_id: uuid.UUID, _admin: AdminPost, db: DbSession) -> Response:
    tracks.delete_track(db, track_id)
    return back_to("/admin/tracks", notice="track_deleted")


@router.post("/tracks/{track_id}/configurations")
def add_configuration(
    request: Request, track_id: uuid.UUID, admin: AdminPost, db: DbSession, form: PostedForm
) -> Response:
    try:
        tracks.add_configuration(db, track_id, forms.parse(ConfigurationFields, forms.configuration_data(form)))
    except FormErrors as exc:
        values = {**forms.values_of(form, (*forms.CONFIG_FIELDS, "sector_gates")), "is_default": "is_default" in form}
        return _track_view(request, admin, db, track_id, 422, config_values=values, config_errors=exc.errors)
    return back_to(f"/admin/tracks/{track_id}", notice="configuration_added")


@router.get("/configurations/{configuration_id}", response_class=HTMLResponse, name="admin_configuration")
def configuration_page(request: Request, configuration_id: uuid.UUID, admin: Admin, db: DbSession) -> Response:
    config = tracks.get_configuration(db, configuration_id)
    values = {name: _shown(getattr(config, name)) for name in forms.CONFIG_FIELDS}
    values |= {"is_default": config.is_default, "sector_gates": forms.gates_text(config.sector_gates)}
    return _configuration_view(request, admin, db, configuration_id, values)


def _configuration_view(
    request: Request,
    admin: AdminSession,
    db: DbSession,
    config_id: uuid.UUID,
    values: dict[str, Any],
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> Response:
    config = tracks.get_configuration(db, config_id)
    track = tracks.get_track(db, config.track_id)
    context = {
        "admin": admin,
        "section": "tracks",
        "track": track,
        "config": config,
        "values": values,
        "errors": errors or {},
    }
    return render(request, "admin/configuration.html", context, status)


def _shown(value: object) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


@router.post("/configurations/{configuration_id}")
def update_configuration(
    request: Request, configuration_id: uuid.UUID, admin: AdminPost, db: DbSession, form: PostedForm
) -> Response:
    try:
        changes = forms.parse(ConfigurationUpdate, forms.configuration_data(form))
    except FormErrors as exc:
        values = {**forms.values_of(form, (*forms.CONFIG_FIELDS, "sector_gates")), "is_default": "is_default" in form}
        return _configuration_view(request, admin, db, configuration_id, values, 422, exc.errors)
    config = tracks.update_configuration(db, configuration_id, changes)
    return back_to(f"/admin/tracks/{config.track_id}", notice="configuration_saved")


@router.post("/configurations/{configuration_id}/delete")
def delete_configuration(configuration_id: uuid.UUID, _admin: AdminPost, db: DbSession) -> Response:
    track_id = tracks.get_configuration(db, configuration_id).track_id
    tracks.delete_configuration(db, configuration_id)
    return back_to(f"/admin/tracks/{track_id}", notice="configuration_deleted")
