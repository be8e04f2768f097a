"""The app factory: `create_app(settings)` wires settings, database, security services, middleware and routers."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy import text
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from sync_server.admin.routes import router as admin_router
from sync_server.auth.routes import router as auth_router
from sync_server.db import READ_ONLY, Database
from sync_server.errors import BUSY_MESSAGE, RETRY_AFTER_S, error_responses, install_error_handlers
from sync_server.leaderboard.cache import PageCache
from sync_server.leaderboard.routes import router as leaderboard_router
from sync_server.limits import BodySizeLimitMiddleware, JsonShapeMiddleware
from sync_server.oauth import install_oauth
from sync_server.oauth.routes import router as oauth_router
from sync_server.records.laps_analysis import router as lap_analysis_router
from sync_server.records.routes import cars_router, events_router, laps_router, sessions_router
from sync_server.security import PasswordHasher, TokenService
from sync_server.session_upload.routes import router as session_upload_router
from sync_server.settings import Settings
from sync_server.suggestions.routes import router as track_suggestions_router
from sync_server.sync.routes import router as sync_router
from sync_server.tracks.routes import router as tracks_router
from sync_server.users.routes import router as users_router
from sync_server.web import mount_web

API_PREFIX = "/api/v1"
UPLOAD_PATH_SUFFIXES = ("/file", "/telemetry", "/sessions/upload")
AUTH_PREFIX = f"{API_PREFIX}/auth/"
MAX_AUTH_BODY_BYTES = 64 * 1024  # sign-in forms and registrations are tiny; anyone may send them


def server_version() -> str:
    try:
        return version("racetrace")
    except PackageNotFoundError:
        return "0.0.0"


def api_routers() -> list[APIRouter]:
    """Every JSON router mounted under /api/v1. New feature routers (e.g. OAuth) are added to this list."""
    return [
        leaderboard_router,  # first: routes are matched in order and this is the busiest public endpoint
        auth_router,
        users_router,
        tracks_router,
        sync_router,
        cars_router,
        events_router,
        session_upload_router,  # before sessions_router: /sessions/upload is not a session id
        sessions_router,
        lap_analysis_router,
        laps_router,
        admin_router,
        track_suggestions_router,
        oauth_router,  # after auth_router: its /auth/{provider}/... paths must not shadow /auth/admin/...
    ]


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """Build the ASGI app. Pass `database` to share one engine between several apps (tests)."""
    settings = settings or Settings()
    database = database or Database(settings.database_url, bounded=True)  # every request's wait is bounded
    app = FastAPI(
        title="RaceTrace sync server",
        version=server_version(),
        summary="Accounts, tracks, sync of sessions/laps/cars/events, public laps and the leaderboard.",
        generate_unique_id_function=_operation_id,
        responses=error_responses(400, 422, 503),
        # No CDN scripts in production: the interactive docs are for development; /openapi.json stays.
        docs_url=None if settings.environment == "production" else "/docs",
        redoc_url=None if settings.environment == "production" else "/redoc",
    )
    app.state.settings = settings
    app.state.database = database
    app.state.tokens = TokenService(settings)
    app.state.passwords = PasswordHasher(fast=settings.fast_password_hash)
    app.state.leaderboard_cache = PageCache()
    install_error_handlers(app)
    app.add_exception_handler(DataError, _database_refused_value)
    app.add_exception_handler(IntegrityError, _database_conflict)
    app.add_exception_handler(PoolTimeoutError, _database_busy)
    app.add_exception_handler(OperationalError, _database_busy)
    _add_middleware(app, settings)
    install_oauth(app, settings)
    api = APIRouter(prefix=API_PREFIX)
    for router in api_routers():
        api.include_router(router)
    app.include_router(api)
    app.add_api_route("/health", _health_endpoint(database), methods=["GET"], tags=["health"], name="health")
    mount_web(app)
    return app


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    def limit_for(path: str) -> int:
        if path.startswith(API_PREFIX) and path.endswith(UPLOAD_PATH_SUFFIXES):
            return settings.max_upload_bytes
        if path.startswith(AUTH_PREFIX):
            return min(MAX_AUTH_BODY_BYTES, settings.max_request_body_bytes)
        return settings.max_request_body_bytes

    app.add_middleware(JsonShapeMiddleware)  # inner: sees bodies already capped by the size limit
    app.add_middleware(BodySizeLimitMiddleware, limit_for=limit_for)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,  # never "*": Settings refuses it (credentials are allowed)
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-RaceTrace-Client"],
        )


async def _database_refused_value(_request: Any, _exc: Exception) -> JSONResponse:
    """Last line of defence: a value the schemas let through but the database refuses (e.g. a NUL character in
    text on PostgreSQL) is the client's error, not a server crash."""
    return JSONResponse(
        {"detail": "A value was refused by the database (out of range or NUL character in text)", "code": "invalid"},
        status_code=422,
    )


async def _database_conflict(_request: Any, _exc: Exception) -> JSONResponse:
    """A uniqueness or reference rule enforced by the database that a service check did not catch first (for
    instance two requests racing): the request is refused and nothing was written."""
    return JSONResponse(
        {
            "detail": "The change conflicts with data stored meanwhile; nothing was written: retry",
            "code": "conflict",
            "conflicts": [],
        },
        status_code=409,
    )


async def _database_busy(_request: Any, _exc: Exception) -> JSONResponse:
    """A bounded wait ran out (pool checkout, lock or statement timeout, SQLite busy timeout) or the database is
    unreachable: nothing was written (the transaction rolled back), so the client may simply retry."""
    return JSONResponse(
        {"detail": BUSY_MESSAGE, "code": "busy"}, status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)}
    )


def _health_endpoint(database: Database) -> Any:
    def health() -> JSONResponse:
        """Liveness plus a database round trip. 503 when the database does not answer."""
        try:
            with database.engine.connect() as connection:  # a reader: on SQLite it never waits for the writer
                connection.execution_options(**{READ_ONLY: True}).execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": database.dialect, "version": server_version()})

    return health
