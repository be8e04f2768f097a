"""The seed's collection paths end with a slash (`/tracks/`, `/sessions/`, ...). Both spellings answer directly:
a 307 to the other form is not followed for POST by many clients. The slash form stays out of the OpenAPI
document, so each operation is listed once."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute


def add_trailing_slash_aliases(router: APIRouter, *paths: str) -> None:
    """For each route of `router` whose path (prefix included) is one of `paths`, serve `path + "/"` too."""
    for route in list(router.routes):
        if not isinstance(route, APIRoute) or route.path not in paths:
            continue
        router.add_api_route(
            f"{route.path.removeprefix(router.prefix)}/",
            route.endpoint,
            methods=sorted(route.methods or ()),
            response_model=route.response_model,
            status_code=route.status_code,
            responses=route.responses,
            name=f"{route.name}_slash",
            include_in_schema=False,
        )
