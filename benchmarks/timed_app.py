"""The sync server's app with its own answer time in a `Server-Timing` header (load benchmarks only).

The time runs from the request's arrival in the app until its answer starts: with the client's latency it tells
queueing in the server apart from time lost in the load generator or on the way."""

from __future__ import annotations

import time
from typing import Any

from sync_server.app import create_app as create_sync_app

Scope = dict[str, Any]


class ServerTiming:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                timing = f"app;dur={(time.perf_counter() - started) * 1000:.1f}".encode()
                message["headers"] = [*message.get("headers", []), (b"server-timing", timing)]
            await send(message)

        await self.app(scope, receive, timed_send)


def create_app() -> ServerTiming:
    return ServerTiming(create_sync_app())
