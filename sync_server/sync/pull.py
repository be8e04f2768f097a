"""Pull: every change visible to a user with cursor < rev <= the committed top, merged in revision order."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync_server.errors import ResyncRequiredError
from sync_server.models import LapTelemetry, Track, TrackConfiguration
from sync_server.sync import revisions
from sync_server.sync.engine import server_record
from sync_server.sync.kinds import KINDS
from sync_server.sync.schemas import PullResponse, ServerRecord
from sync_server.tracks.schemas import configuration_data, track_data

Source = tuple[Any, bool, Callable[[Any], ServerRecord]]  # (model, owned by the user?, row -> record)


def _shared(kind: str, to_data: Callable[[Any], dict[str, Any]]) -> Callable[[Any], ServerRecord]:
    def convert(row: Any) -> ServerRecord:
        return ServerRecord(
            kind=kind,  # type: ignore[arg-type]
            id=row.id,
            rev=row.rev,
            deleted=row.deleted_at is not None,
            updated_at=row.updated_at,
            data=to_data(row),
        )

    return convert


def _telemetry_record(row: LapTelemetry) -> ServerRecord:
    return ServerRecord(
        kind="lap_telemetry",
        id=row.lap_id,
        rev=row.rev,
        deleted=False,
        updated_at=row.updated_at,
        data={
            "lap_id": str(row.lap_id),
            "content_sha256": row.content_sha256,
            "sample_count": row.sample_count,
            "channel_keys": row.channel_keys,
            "size_bytes": row.size_bytes,
        },
    )


def _sources() -> list[Source]:
    owned: list[Source] = [
        (kind.model, True, lambda row, kind=kind: server_record(kind, row)) for kind in KINDS.values()
    ]
    return [
        (Track, False, _shared("track", track_data)),
        (TrackConfiguration, False, _shared("track_configuration", configuration_data)),
        *owned,
        (LapTelemetry, True, _telemetry_record),
    ]


def pull(db: Session, user_id: uuid.UUID, cursor: int, limit: int) -> PullResponse:
    top, min_cursor = revisions.state(db)
    if cursor > top:
        raise ResyncRequiredError(
            f"cursor {cursor} is ahead of the server (current revision {top}): the server's data was reset; "
            "pull again from cursor 0",
            current_rev=top,
        )
    if 0 < cursor < min_cursor:
        raise ResyncRequiredError(
            f"cursor {cursor} is older than the oldest kept change ({min_cursor}); pull again from cursor 0",
            current_rev=top,
        )
    candidates: list[tuple[int, ServerRecord]] = []
    for model, owned, convert in _sources():
        statement = select(model).where(model.rev > cursor, model.rev <= top)
        if owned:
            statement = statement.where(model.owner_id == user_id)
        for row in db.scalars(statement.order_by(model.rev).limit(limit + 1)):
            candidates.append((row.rev, convert(row)))
    candidates.sort(key=lambda item: item[0])
    page = [record for _, record in candidates[:limit]]
    has_more = len(candidates) > limit
    next_cursor = page[-1].rev if has_more else top
    return PullResponse(changes=page, next_cursor=next_cursor, has_more=has_more, current_rev=top)
