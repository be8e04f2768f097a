"""HTTP client for the sync server: timeouts, retries with backoff for idempotent requests, bearer tokens with one
refresh on 401, and server errors turned into the typed errors of sync.errors."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from racetrace_desktop import __version__
from racetrace_desktop.sync.errors import (
    AuthFailed,
    Conflict,
    NotSignedIn,
    ResyncRequired,
    ServerMessage,
    ServerUnreachable,
    SyncError,
    UploadTooLarge,
)
from racetrace_desktop.sync.tokens import TokenStore

API_PREFIX = "/api/v1"
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
RETRY_STATUSES = (502, 503, 504)
SIGN_IN_AGAIN = "sign in again"


@dataclass
class TrafficStats:
    """What went over the wire (for the status line and the benchmarks)."""

    requests: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0


class ApiClient:
    """One server. `tokens` is None for anonymous calls (register, public leaderboard)."""

    def __init__(
        self,
        server_url: str,
        tokens: TokenStore | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        retries: int = 4,
        backoff_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        timeout: httpx.Timeout = TIMEOUT,
    ) -> None:
        self.server_url = normalise_url(server_url)
        self.tokens = tokens
        self.retries = retries
        self.backoff_s = backoff_s
        self.sleep = sleep
        self.stats = TrafficStats()
        self.clock_offset_s: float | None = None  # server clock minus ours, from the last Date header
        headers = {"User-Agent": f"RaceTrace/{__version__}", "X-RaceTrace-Client": "desktop"}
        self._http = httpx.Client(
            base_url=self.server_url + API_PREFIX, timeout=timeout, transport=transport, headers=headers
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- requests ---------------------------------------------------------------------------------------------

    def get(self, path: str, *, auth: bool = True, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, auth=auth, params=params).json()

    def request(
        self, method: str, path: str, *, auth: bool = True, idempotent: bool | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Send with retries. `idempotent` (default: GET/PUT/DELETE) allows a retry after a lost answer; a request
        that never reached the server (connection refused) is retried either way."""
        retry_lost_answers = method in ("GET", "PUT", "DELETE", "HEAD") if idempotent is None else idempotent
        refreshed = False
        attempt = 0
        extra_headers = dict(kwargs.pop("headers", None) or {})
        while True:
            headers = dict(extra_headers)
            if auth:
                headers["Authorization"] = f"Bearer {self._access_token()}"
            try:
                response = self._send(method, path, headers, kwargs)
            except httpx.TransportError as error:
                never_sent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
                if attempt < self.retries and (never_sent or retry_lost_answers):
                    self._back_off(attempt)
                    attempt += 1
                    continue
                message = f"cannot reach the sync server at {self.server_url}: {_reason(error)}"
                raise ServerUnreachable(message) from error
            if response.status_code in RETRY_STATUSES and retry_lost_answers and attempt < self.retries:
                self._back_off(attempt)
                attempt += 1
                continue
            if response.status_code == 401 and auth and not refreshed and self.tokens is not None:
                refreshed = True
                self.refresh(failed_token=headers["Authorization"].removeprefix("Bearer "))
                continue
            if response.is_success:
                return response
            raise error_from(response, self.server_url)

    def _send(self, method: str, path: str, headers: dict[str, str], kwargs: dict[str, Any]) -> httpx.Response:
        self.stats.requests += 1
        response = self._http.request(method, path, headers=headers, **kwargs)
        with contextlib.suppress(httpx.RequestNotRead):  # a streamed body is not counted
            self.stats.bytes_sent += len(response.request.content)
        self.stats.bytes_received += len(response.content)
        self._note_clock(response)
        return response

    def _back_off(self, attempt: int) -> None:
        self.sleep(self.backoff_s * (2**attempt))

    def _note_clock(self, response: httpx.Response) -> None:
        date = response.headers.get("date")
        if date:
            with contextlib.suppress(TypeError, ValueError):
                self.clock_offset_s = (parsedate_to_datetime(date) - datetime.now(UTC)).total_seconds()

    # --- tokens -----------------------------------------------------------------------------------------------

    def _access_token(self) -> str:
        if self.tokens is None:
            raise NotSignedIn("not signed in: sign in to the sync server first")
        token = self.tokens.access_token()
        if token is None:
            self.refresh()
            token = self.tokens.current_access_token()
        assert token is not None
        return token

    def refresh(self, failed_token: str | None = None) -> None:
        """Exchange the refresh token (rotated on every use). Never retried after a lost answer: the server would
        see a reused token and revoke the sign-in. Any refusal means "sign in again"."""
        tokens = self.tokens
        if tokens is None:
            raise NotSignedIn("not signed in: sign in to the sync server first")
        with tokens.lock:
            if failed_token is not None and tokens.current_access_token() not in (failed_token, None):
                return  # another thread refreshed meanwhile
            refresh_token = tokens.refresh_token()
            if refresh_token is None:
                raise NotSignedIn(_not_signed_in(tokens))
            try:
                response = self.request(
                    "POST", "/auth/refresh", auth=False, idempotent=False, json={"refresh_token": refresh_token}
                )
            except AuthFailed:
                tokens.clear()  # a spent, revoked or expired refresh token never works again
                raise
            except ServerMessage as error:
                if error.status in (400, 403, 422):
                    tokens.clear()
                    message = f"the server no longer accepts this sign-in ({error.message}): {SIGN_IN_AGAIN}"
                    raise AuthFailed(message) from error
                raise
            body = response.json()
            tokens.store(body["access_token"], body["expires_in"], body.get("refresh_token"))


def _not_signed_in(tokens: TokenStore) -> str:
    if tokens.problem:
        return f"not signed in to {tokens.server_url}: {tokens.problem}"
    return f"not signed in to {tokens.server_url} as {tokens.username}: {SIGN_IN_AGAIN}"


def normalise_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if url.endswith(API_PREFIX):
        url = url[: -len(API_PREFIX)]
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"server URL {url!r} must start with http:// or https://")
    return url


def _reason(error: httpx.TransportError) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        return f"no answer in time ({text})"
    if isinstance(error, httpx.ConnectError):
        return f"connection failed ({text})"
    return text


def error_from(response: httpx.Response, server_url: str) -> SyncError:
    """The typed error for an answer that is not a success, with the server's message."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    detail = str(body.get("detail") or response.reason_phrase or f"HTTP {status}")
    code = body.get("code")
    if status == 401:
        return AuthFailed(f"the server refused the sign-in ({detail}): {SIGN_IN_AGAIN}")
    if status == 413:
        return UploadTooLarge(f"too large for the server: {detail}", status, code, body)
    if status == 409 and code == "conflict":
        return Conflict(detail, list(body.get("conflicts") or []))
    if status == 410 and code == "resync_required":
        return ResyncRequired(detail, status, code, body)
    if status in RETRY_STATUSES:
        return ServerUnreachable(f"the sync server at {server_url} is not available right now ({status} {detail})")
    if status >= 500:
        return ServerMessage(f"the sync server failed ({status}): {detail}", status, code, body)
    return ServerMessage(detail, status, code, body)
