"""Public pages: the track list and a leaderboard per track configuration, with filters and pagination."""

from __future__ import annotations

import math
import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from sync_server.deps import DbSession
from sync_server.leaderboard.query import leaderboard
from sync_server.tracks import service as tracks
from sync_server.web import board_options
from sync_server.web.admin_session import PageError
from sync_server.web.pages import PageRoute
from sync_server.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)
PAGE_SIZE = 25
MAX_PAGE = 100_000
OptionalText = Annotated[str | None, Query(max_length=64)]


@router.get("/", response_class=HTMLResponse, name="web_home")
def home(request: Request, db: DbSession) -> HTMLResponse:
    return render(request, "index.html", {"tracks": tracks.list_tracks(db)})


@router.get("/leaderboard/{configuration_id}", response_class=HTMLResponse, name="web_leaderboard")
def leaderboard_page(
    request: Request,
    configuration_id: uuid.UUID,
    db: DbSession,
    car_category: OptionalText = None,
    event_id: OptionalText = None,
    team_id: OptionalText = None,
    page: Annotated[str | None, Query(max_length=8)] = None,
) -> HTMLResponse:
    filters = {
        "car_category": (car_category or "").strip() or None,
        "event_id": _optional_id(event_id, "event"),
        "team_id": _optional_id(team_id, "team"),
    }
    number = min(max(_page_number(page), 1), MAX_PAGE)
    config = tracks.get_configuration(db, configuration_id)
    track = tracks.get_track(db, config.track_id)
    board = leaderboard(
        db, configuration_id, filters["car_category"], filters["event_id"], filters["team_id"], number, PAGE_SIZE
    )
    pages = max(1, math.ceil(board.total / PAGE_SIZE))
    active = {key: str(value) for key, value in filters.items() if value}
    return render(
        request,
        "leaderboard.html",
        {
            "track": track,
            "config": config,
            "board": board,
            "leader_ms": board.entries[0].lap_time_ms if board.entries and number == 1 else None,
            "filters": active,
            "categories": board_options.category_choices(db, configuration_id),
            "events": board_options.event_choices(db, configuration_id),
            "teams": board_options.team_choices(db),
            "pages": pages,
            "prev_url": _page_url(request, active, number - 1) if number > 1 else None,
            "next_url": _page_url(request, active, number + 1) if number < pages else None,
        },
    )


def _optional_id(value: str | None, what: str) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise PageError(422, "Invalid filter", f"The {what} filter '{value}' is not a valid id.") from None


def _page_number(value: str | None) -> int:
    try:
        return int(value) if value else 1
    except ValueError:
        raise PageError(422, "Invalid page", f"Page '{value}' is not a number.") from None


def _page_url(request: Request, filters: dict[str, str], page: int) -> str:
    return f"{request.url.path}?{urlencode({**filters, 'page': page})}"
