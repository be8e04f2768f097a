"""Server-rendered pages (Jinja2, no external assets; JavaScript only for the admin maps): public leaderboards
and the admin dashboard."""

from __future__ import annotations

import xstatic.pkg.leaflet as xstatic_leaflet
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from sync_server.web import admin_pages, admin_suggestions, admin_tracks, public
from sync_server.web.templating import STATIC_DIR


def mount_web(app: FastAPI) -> None:
    """Add the HTML pages and their stylesheet. They stay out of the OpenAPI schema."""
    app.include_router(public.router)
    app.include_router(admin_pages.router)
    app.include_router(admin_tracks.router)
    app.include_router(admin_suggestions.router)
    # Leaflet from the XStatic package the desktop map uses too (no CDN); mounted before /static, which would
    # otherwise answer its paths.
    app.mount("/static/leaflet", StaticFiles(directory=xstatic_leaflet.BASE_DIR), name="leaflet")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
