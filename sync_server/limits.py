"""Request body size caps, enforced while the body streams in (never after reading it all)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import anyio
import numpy as np

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]


class BodySizeLimitMiddleware:
    """Answers 413 as soon as Content-Length or the bytes received exceed `limit_for(path)`.

    Once the 413 is sent the app sees a client disconnect and whatever it tries to send is dropped."""

    def __init__(self, app: Any, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _send_413(send, limit)
            return
        state = {"received": 0, "rejected": False, "started": False}

        async def limited_receive() -> Message:
            if state["rejected"]:
                return {"type": "http.disconnect"}
            message: Message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["rejected"] = True
                    if not state["started"]:
                        state["started"] = True
                        await _send_413(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if state["rejected"]:
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not state["rejected"]:
                raise
            # The client already has its 413; the app merely noticed the body ended early.


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_413(send: Send, limit: int) -> None:
    size = f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit / 1024:g} KB"
    detail = f"Request body is larger than the limit of {size}"
    await _send_json(send, 413, {"detail": detail, "code": "payload_too_large"})


MAX_JSON_DEPTH = 32  # the deepest real body (a push) nests 5 levels
MAX_JSON_KEYS = 100_000  # a full push chunk (500 laps with 64 stats each) has about 50,000
INLINE_SCAN_BYTES = 64 * 1024  # smaller bodies are checked on the event loop, larger ones in a worker thread
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')


def json_shape_error(body: bytes) -> str | None:
    """Why a JSON body is too deep or has too many keys to validate, or None. Linear C-speed scans only (no
    parse, no objects per key), so a hostile body costs milliseconds and a few copies of its size."""
    skeleton = _JSON_STRING.sub(b'""', body)  # strings may hold brackets and colons
    keys = skeleton.count(b":")
    if keys > MAX_JSON_KEYS:
        return f"body: JSON with {keys:,} keys; at most {MAX_JSON_KEYS:,} are accepted"
    if skeleton.count(b"{") + skeleton.count(b"[") <= MAX_JSON_DEPTH:
        return None
    codes = np.frombuffer(skeleton, dtype=np.uint8)
    brackets = codes[np.isin(codes, np.frombuffer(b"{[}]", dtype=np.uint8))]
    steps = np.where(np.isin(brackets, np.frombuffer(b"{[", dtype=np.uint8)), 1, -1).astype(np.int32)
    depth = int(np.cumsum(steps).max(initial=0))
    if depth > MAX_JSON_DEPTH:
        return f"body: JSON nested {depth} levels deep; at most {MAX_JSON_DEPTH} are accepted"
    return None


class JsonShapeMiddleware:
    """Refuses JSON bodies too deep or with too many keys before anything parses or validates them (422).

    Sits inside BodySizeLimitMiddleware, so the body it buffers is already capped."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS") or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        parts: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away, or the size cap answered already
                return
            parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(parts)
        parts.clear()
        if len(body) <= INLINE_SCAN_BYTES:
            problem = json_shape_error(body)
        else:
            problem = await anyio.to_thread.run_sync(json_shape_error, body)
        if problem is not None:
            await _send_json(send, 422, {"detail": problem, "code": "json_too_complex"})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                message: Message = await receive()  # after the body: only a disconnect can come
                return message
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return b"json" in value.lower()
    return False


async def _send_json(send: Send, status: int, payload: dict[str, str]) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
