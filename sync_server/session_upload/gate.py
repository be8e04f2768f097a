"""Bounds on the CPU an upload may take: one upload at a time per account (a second one is refused at once, before
its body is read) and at most PARALLEL_PARSES files parsed at once in this process (others wait, bounded)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sync_server.errors import AppError

PARALLEL_PARSES = 2  # the server's cores: parsing is numpy-heavy and holds the GIL for long stretches
PARSE_WAIT_S = 60.0
RETRY_AFTER_S = 5


class UploadInProgressError(AppError):
    status_code = 429
    code = "upload_in_progress"


class UploadsBusyError(AppError):
    status_code = 503
    code = "uploads_busy"


class ParseGate:
    def __init__(self, parallel: int = PARALLEL_PARSES, wait_s: float = PARSE_WAIT_S) -> None:
        self._slots = threading.BoundedSemaphore(parallel)
        self._wait_s = wait_s
        self._uploading: set[uuid.UUID] = set()
        self._lock = threading.Lock()

    @contextmanager
    def for_user(self, user_id: uuid.UUID) -> Iterator[None]:
        with self._lock:
            if user_id in self._uploading:
                raise UploadInProgressError(
                    "Another upload of this account is still being processed: send files one after the other",
                    headers={"Retry-After": str(RETRY_AFTER_S)},
                )
            self._uploading.add(user_id)
        try:
            yield
        finally:
            with self._lock:
                self._uploading.discard(user_id)

    @contextmanager
    def parsing(self) -> Iterator[None]:
        """Call on the worker thread that parses."""
        if not self._slots.acquire(timeout=self._wait_s):
            raise UploadsBusyError(
                "The server is busy parsing other uploads: try again shortly",
                headers={"Retry-After": str(RETRY_AFTER_S)},
            )
        try:
            yield
        finally:
            self._slots.release()


GATE = ParseGate()
