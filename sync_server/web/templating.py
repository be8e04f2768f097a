"""Jinja2 rendering for the server's HTML pages, with strict security headers (no scripts, no external assets)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from racetrace_desktop.telemetry.display import lap_time  # the lap-time format of the CLI and the window

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
templates = Jinja2Templates(directory=WEB_DIR / "templates")

# The pages use no JavaScript at all; everything comes from this server.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
# Pages with a map run this server's Leaflet and map script, nothing else (no inline script, no other origin).
MAP_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}


def lap_gap(ms: int | None, best: int | None) -> str:
    if ms is None or best is None or ms == best:
        return ""
    return f"+{(ms - best) / 1000:.3f}"


def day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "–"


templates.env.filters.update(lap_time=lap_time, lap_gap=lap_gap, day=day)


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response
