"""`GET /leaderboard` (public) and `GET /teams` (public list for its team filter)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from sync_server.db import Database
from sync_server.deps import DbSession
from sync_server.errors import error_responses
from sync_server.leaderboard.bests import BestLapsPage, best_per_configuration
from sync_server.leaderboard.cache import WRITE_EPOCH, PageCache
from sync_server.leaderboard.query import LeaderboardPage, leaderboard
from sync_server.seed_paths import add_trailing_slash_aliases
from sync_server.sync.revisions import state
from sync_server.users import repository as teams
from sync_server.users.schemas import TeamRef

router = APIRouter(tags=["leaderboard"])


@router.get("/leaderboard", response_model=LeaderboardPage | BestLapsPage, responses=error_responses(404, 422))
async def get_leaderboard(
    request: Request,
    track_configuration_id: Annotated[
        uuid.UUID | None, Query(description="Without it: the best lap of every configuration (BestLapsPage)")
    ] = None,
    car_category: Annotated[str | None, Query(max_length=64, description="Case-insensitive car class")] = None,
    event_id: Annotated[uuid.UUID | None, Query()] = None,
    team_id: Annotated[uuid.UUID | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """Best valid public lap per driver on one track configuration, ranked (ties share a rank), paginated.
    Without a configuration: the best lap of every configuration that has one, by track name, paginated."""
    params = (track_configuration_id, car_category, event_id, team_id, page, page_size)
    cache: PageCache = request.app.state.leaderboard_cache
    if (recent := cache.recently_checked(params)) is not None:  # no thread pool, no database
        return Response(recent, media_type="application/json")
    # The hottest public endpoint: one trip to the thread pool with a read-only session, instead of the request
    # unit of work (three trips and a COMMIT), halves its CPU cost per request.
    body = await run_in_threadpool(_cached_page, request.app.state.database, cache, params)
    return Response(body, media_type="application/json")


def _cached_page(database: Database, cache: PageCache, params: tuple[Any, ...]) -> bytes:
    epoch = WRITE_EPOCH.value  # read before the revision: a write committing in between is not missed
    with database.sessions() as db:
        key = (*params, state(db)[0])
        return cache.get_or_compute(key, lambda: _page(db, *params).model_dump_json().encode(), params, epoch)


def _page(db: Session, config_id: uuid.UUID | None, *filters: Any) -> LeaderboardPage | BestLapsPage:
    if config_id is None:
        return best_per_configuration(db, *filters)
    return leaderboard(db, config_id, *filters)


@router.get("/teams", response_model=list[TeamRef])
def list_teams(db: DbSession) -> list[TeamRef]:
    """Team names and ids, for the leaderboard's team filter (public)."""
    return [TeamRef(id=team.id, name=team.name) for team in teams.all_teams(db)]


add_trailing_slash_aliases(router, "/leaderboard")
