"""Server-rendered pages (Jinja2, no JavaScript, no external assets): public leaderboards and the admin dashboard."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from sync_server.web import admin_pages, admin_tracks, public
from sync_server.web.templating import STATIC_DIR


def mount_web(app: FastAPI) -> None:
    """Add the HTML pages and their stylesheet. They stay out of the OpenAPI schema."""
    app.include_router(public.router)
    app.include_router(admin_pages.router)
    app.include_router(admin_tracks.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
