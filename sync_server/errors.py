"""Status-coded errors and the one handler that turns them into `{"detail": ..., "code": ...}` responses."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

MAX_REPORTED_ERRORS = 20
MAX_ERROR_TEXT = 200
RETRY_AFTER_S = 2
BUSY_MESSAGE = "The server is busy; nothing was written. Retry in a few seconds"


class ErrorBody(BaseModel):
    """Every error answer: a human-readable `detail` and a stable machine `code`."""

    detail: str
    code: str
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="For code 'validation_error': one entry per invalid field (loc, msg, type)"
    )


class AppError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        keep_writes: bool = False,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.headers = headers
        # True: the request's unit of work commits what it wrote before answering with this error (state that
        # must persist although the request fails, e.g. a token family revoked on reuse).
        self.keep_writes = keep_writes
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"detail": self.message, "code": self.code, **self.extra}


class UnauthorizedError(AppError):
    status_code = 401
    code = "not_authenticated"

    def __init__(self, message: str = "Not authenticated", **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(message, **kwargs)


class ForbiddenError(AppError):
    status_code = 403
    code = "forbidden"


class NotFoundError(AppError):
    status_code = 404
    code = "not_found"


class ConflictError(AppError):
    status_code = 409
    code = "conflict"


class ResyncRequiredError(AppError):
    status_code = 410
    code = "resync_required"


class PayloadTooLargeError(AppError):
    status_code = 413
    code = "payload_too_large"


class InvalidError(AppError):
    status_code = 422
    code = "invalid"


class LockedError(AppError):
    status_code = 423
    code = "account_locked"


class ServiceUnavailableError(AppError):
    status_code = 503
    code = "busy"

    def __init__(self, message: str = BUSY_MESSAGE, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": str(RETRY_AFTER_S)})
        super().__init__(message, **kwargs)


def _describe(status: int) -> str:
    return {
        400: "Malformed request",
        401: "Missing, expired or invalid credentials",
        403: "Authenticated but not allowed",
        404: "No such resource, or not yours",
        409: "Conflict with the server's state",
        410: "Sync cursor no longer valid: resync required",
        413: "Request body over the size limit",
        422: "Invalid input (the message names the field)",
        423: "Account locked after too many failed sign-ins",
        503: "Busy: nothing was written; retry after the Retry-After seconds",
    }.get(status, "Error")


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the given error statuses."""
    return {status: {"model": ErrorBody, "description": _describe(status)} for status in statuses}


def _short(value: Any, limit: int = MAX_ERROR_TEXT) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _location(loc: tuple[Any, ...]) -> str:
    return _short(".".join(_short(part, 64) for part in loc) or "request")


def validation_body(raw_errors: list[Any]) -> dict[str, Any]:
    """A 422 body naming at most MAX_REPORTED_ERRORS fields, each message cut short: a hostile body with a
    million bad keys gets a small answer."""
    shown = raw_errors[:MAX_REPORTED_ERRORS]
    errors = [
        {"loc": [_short(part, 64) for part in e.get("loc", ())], "msg": _short(e.get("msg", "")), "type": e.get("type")}
        for e in shown
    ]
    detail = "; ".join(f"{_location(tuple(e['loc']))}: {e['msg']}" for e in errors)
    if len(raw_errors) > len(shown):
        detail += f"; and {len(raw_errors) - len(shown)} more errors"
    return {"detail": detail, "code": "validation_error", "errors": jsonable_encoder(errors)}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_body(list(exc.errors())), status_code=422)

    @app.exception_handler(HTTPException)
    async def _http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        body = {"detail": str(exc.detail), "code": f"http_{exc.status_code}"}
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))
