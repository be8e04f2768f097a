"""Admin dashboard: sign-in, overview, users (deactivate, admin rights, unlock) and teams."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from sync_server.admin import service as admin_service
from sync_server.admin.schemas import AdminUserUpdate
from sync_server.auth.service import authenticate
from sync_server.deps import AppSettings, DbSession, Passwords, Tokens
from sync_server.errors import AppError, ConflictError, NotFoundError
from sync_server.security import ROLE_ADMIN
from sync_server.web import admin_session as sessions
from sync_server.web.admin_session import Admin, AdminPost, PageError
from sync_server.web.pages import PageRoute
from sync_server.web.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False, route_class=PageRoute)
USERS_PAGE_SIZE = 25
NOTICES = {
    "signed_out": "You have been signed out.",
    "deactivate": "Account deactivated; its sign-ins have been revoked.",
    "activate": "Account reactivated.",
    "grant_admin": "Administrator rights granted.",
    "revoke_admin": "Administrator rights revoked.",
    "unlock": "Sign-in lockout cleared.",
    "team_created": "Team created.",
    "team_deleted": "Team deleted.",
    "member_added": "Member added.",
    "member_removed": "Member removed.",
}
USER_ACTIONS = {
    "deactivate": AdminUserUpdate(is_active=False),
    "activate": AdminUserUpdate(is_active=True),
    "grant_admin": AdminUserUpdate(is_admin=True),
    "revoke_admin": AdminUserUpdate(is_admin=False),
    "unlock": AdminUserUpdate(unlock=True),
}
Notice = Annotated[str | None, Query(max_length=32)]


def notice_text(key: str | None) -> str | None:
    return NOTICES.get(key or "")


def back_to(path: str, **params: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode(params)}" if params else path, status_code=303)


@router.get("/login", response_class=HTMLResponse, name="admin_login")
def login_page(request: Request, settings: AppSettings, notice: Notice = None) -> Response:
    return _login_form(request, settings, notice=notice_text(notice))


def _login_form(request: Request, settings: AppSettings, status: int = 200, **context: object) -> Response:
    nonce, token = sessions.new_login_nonce(settings)
    response = render(request, "admin/login.html", {"username": "", **context, "csrf_token": token}, status)
    sessions.set_login_cookie(response, settings, nonce)
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    tokens: Tokens,
    passwords: Passwords,
    username: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=128)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    if not sessions.login_form_is_genuine(request, settings, csrf_token):
        raise PageError(
            403,
            "Form check failed",
            "The sign-in form expired or did not come from this site. Reload the sign-in page and try again.",
        )
    try:
        user = authenticate(db, passwords, settings, username, password)
    except AppError as exc:
        return _login_form(request, settings, exc.status_code, error=exc.message, username=username)
    if not user.is_admin:
        return _login_form(request, settings, 403, error="This account is not an administrator.", username=username)
    token, ttl = tokens.create_access_token(user.id, ROLE_ADMIN)
    response = RedirectResponse("/admin", status_code=303)
    sessions.open_session(response, settings, token, ttl)
    return response


@router.post("/logout")
def logout(_admin: AdminPost, settings: AppSettings) -> Response:
    response = back_to("/admin/login", notice="signed_out")
    sessions.close_session(response, settings)
    return response


@router.get("", response_class=HTMLResponse, name="admin_dashboard")
def dashboard(request: Request, admin: Admin, db: DbSession) -> Response:
    stats = admin_service.dashboard_counts(db)
    return render(request, "admin/dashboard.html", {"admin": admin, "stats": stats, "section": "overview"})


@router.get("/users", response_class=HTMLResponse, name="admin_users")
def users_page(
    request: Request,
    admin: Admin,
    db: DbSession,
    q: Annotated[str | None, Query(max_length=64)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    notice: Notice = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    result = admin_service.list_users(db, (q or "").strip() or None, page, USERS_PAGE_SIZE)
    pages = max(1, -(-result.total // USERS_PAGE_SIZE))
    return render(
        request,
        "admin/users.html",
        {
            "admin": admin,
            "section": "users",
            "result": result,
            "q": q or "",
            "page": page,
            "pages": pages,
            "notice": notice_text(notice),
            "error": error,
        },
    )


@router.post("/users/{user_id}")
def change_user(
    user_id: uuid.UUID,
    admin: AdminPost,
    db: DbSession,
    action: Annotated[str, Form(max_length=32)],
    q: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    changes = USER_ACTIONS.get(action)
    if changes is None:
        raise PageError(422, "Unknown action", f"'{action}' is not something this page can do to an account.")
    try:
        admin_service.update_user(db, admin.user, user_id, changes)
    except ConflictError as exc:
        return back_to("/admin/users", q=q, error=exc.message)
    return back_to("/admin/users", q=q, notice=action)


@router.get("/teams", response_class=HTMLResponse, name="admin_teams")
def teams_page(
    request: Request,
    admin: Admin,
    db: DbSession,
    notice: Notice = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    return render(
        request,
        "admin/teams.html",
        {
            "admin": admin,
            "section": "teams",
            "teams": admin_service.list_teams(db),
            "notice": notice_text(notice),
            "error": error,
        },
    )


@router.post("/teams")
def create_team(_admin: AdminPost, db: DbSession, name: Annotated[str, Form(max_length=200)] = "") -> Response:
    name = name.strip()
    if not name or len(name) > 64:
        return back_to("/admin/teams", error="A team name needs 1 to 64 characters.")
    try:
        admin_service.create_team(db, name)
    except ConflictError as exc:
        return back_to("/admin/teams", error=exc.message)
    return back_to("/admin/teams", notice="team_created")


@router.post("/teams/{team_id}/delete")
def delete_team(team_id: uuid.UUID, _admin: AdminPost, db: DbSession) -> Response:
    admin_service.delete_team(db, team_id)
    return back_to("/admin/teams", notice="team_deleted")


@router.post("/teams/{team_id}/members")
def add_member(
    team_id: uuid.UUID, _admin: AdminPost, db: DbSession, username: Annotated[str, Form(max_length=254)] = ""
) -> Response:
    user_id = admin_service.user_id_by_username(db, username)
    if user_id is None:
        return back_to("/admin/teams", error=f"No user named '{username.strip()}'.")
    try:
        admin_service.add_member(db, team_id, user_id)
    except NotFoundError as exc:
        return back_to("/admin/teams", error=exc.message)
    return back_to("/admin/teams", notice="member_added")


@router.post("/teams/{team_id}/members/{user_id}/remove")
def remove_member(team_id: uuid.UUID, user_id: uuid.UUID, _admin: AdminPost, db: DbSession) -> Response:
    admin_service.remove_member(db, team_id, user_id)
    return back_to("/admin/teams", notice="member_removed")
