"""A route class for HTML pages: API errors, validation errors and sign-in redirects become pages, never JSON."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from sync_server.errors import AppError
from sync_server.web.admin_session import LOGIN_PATH, PageError, SignInRequired
from sync_server.web.templating import render

Handler = Callable[[Request], Awaitable[Response]]


class PageRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return RedirectResponse(LOGIN_PATH, status_code=303)
            except PageError as exc:
                return error_page(request, exc.status_code, exc.title, exc.message)
            except AppError as exc:
                return error_page(request, exc.status_code, _title(exc.status_code), exc.message)
            except RequestValidationError as exc:
                fields = ", ".join(str(error["loc"][-1]) for error in exc.errors())
                return error_page(request, 422, "Invalid request", f"Check these values: {fields}.")

        return page_handler


def _title(status: int) -> str:
    return {403: "Not allowed", 404: "Not found", 409: "Conflict"}.get(status, "Something went wrong")


def error_page(request: Request, status: int, title: str, message: str) -> Response:
    return render(request, "error.html", {"title": title, "message": message}, status_code=status)
