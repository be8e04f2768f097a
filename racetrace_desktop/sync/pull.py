"""Pull: apply the server's changes after the saved cursor, page by page; the cursor moves only with a page's
changes, in the same transaction, so a kill at any point repeats at most one page (applying is idempotent)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from racetrace_desktop.library import LibrarySession, sync_apply_repo, sync_repo
from racetrace_desktop.library.sync_repo import LocalRecord, ServerCopy
from racetrace_desktop.sync import protocol
from racetrace_desktop.sync.context import SyncContext
from racetrace_desktop.sync.errors import ResyncRequired
from racetrace_desktop.sync.merge import merge_fields

PAGE_SIZE = 500
SHARED_KINDS = ("track", "track_configuration", "lap_telemetry")
KIND_ORDER = {kind: i for i, kind in enumerate(("track", "track_configuration", "car", "event", "session", "lap"))}
REFERENCES = ("car_id", "event_id", "track_configuration_id", "session_id")


def pull(ctx: SyncContext) -> None:
    with ctx.library.read() as db:
        cursor = sync_repo.get_state(db).cursor
    try:
        _pull_from(ctx, cursor)
    except ResyncRequired:
        ctx.counts.full_resync = True
        with ctx.library.write() as db:
            sync_repo.set_cursor(db, 0)
            sync_repo.forget_server_copies(db)
        _pull_from(ctx, 0)
        with ctx.library.write() as db:
            sync_repo.requeue_unknown(db)
    resolve_pending(ctx)


def _pull_from(ctx: SyncContext, cursor: int) -> None:
    done = 0
    while True:
        ctx.report("pulling", done, 0, "fetching changes")
        page = ctx.client.get("/sync/pull", params={"cursor": cursor, "limit": PAGE_SIZE})
        changes = sorted(page["changes"], key=lambda change: KIND_ORDER.get(change["kind"], 99))
        with ctx.library.write() as db:
            for change in changes:
                apply_change(ctx, db, server_copy_of(change))
            sync_repo.set_cursor(db, page["next_cursor"])
        done += len(changes)
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return


def server_copy_of(change: dict[str, Any]) -> ServerCopy:
    kind = change["kind"]
    return ServerCopy(
        kind, uuid.UUID(change["id"]), change["rev"], bool(change["deleted"]),
        protocol.parse_utc(change["updated_at"]), protocol.canonical(kind, change["data"] or {}),
    )  # fmt: skip


def apply_change(ctx: SyncContext, db: LibrarySession, copy: ServerCopy) -> None:
    if copy.kind in SHARED_KINDS:
        _apply_shared(ctx, db, copy)
        return
    local = sync_repo.local_record(db, copy.kind, copy.uuid) or _adopt(db, copy)
    if local is not None and (local.server_rev or 0) > (copy.rev or 0):
        sync_repo.requeue(db, copy.kind, copy.uuid, copy.rev)  # the server was restored to an older state: ours wins
        sync_repo.store_server_copy(db, copy)
        return
    if local is not None and local.server_rev == copy.rev and not local.dirty:
        sync_repo.store_server_copy(db, copy)  # our own push coming back
        return
    missing = apply_own(ctx, db, copy, local)
    sync_repo.store_server_copy(db, _with_pending(copy, bool(missing)))


def _with_pending(copy: ServerCopy, pending: bool) -> ServerCopy:
    return ServerCopy(copy.kind, copy.uuid, copy.rev, copy.deleted, copy.updated_at, copy.data, pending)


def _apply_shared(ctx: SyncContext, db: LibrarySession, copy: ServerCopy) -> None:
    missing: list[str] = []
    if copy.kind == "track":
        sync_apply_repo.apply_track(db, str(copy.uuid), protocol.track_fields(copy.data), copy.deleted)
    elif copy.kind == "track_configuration":
        fields = protocol.configuration_fields(copy.data)
        missing = sync_apply_repo.apply_configuration(db, str(copy.uuid), fields, copy.deleted)
    if copy.kind != "lap_telemetry":
        ctx.counts.pulled += 1
    previous = sync_repo.server_copy(db, copy.kind, copy.uuid)
    if copy.kind == "lap_telemetry" and previous is not None:  # keep what this device knows about its upload
        copy = ServerCopy(copy.kind, copy.uuid, copy.rev, False, copy.updated_at, {**previous.data, **copy.data})
    sync_repo.store_server_copy(db, _with_pending(copy, bool(missing)))


def _adopt(db: LibrarySession, copy: ServerCopy) -> LocalRecord | None:
    """The same file imported here under another UUID: take the server's identity for the session, for its
    laps with the same numbers, and for the car its Vehicle line created."""
    if copy.deleted:
        return None
    if copy.kind == "car" and copy.data.get("make"):
        other = sync_apply_repo.unsynced_car_like(db, copy.data["make"], copy.data.get("model") or "",
                                                  copy.data.get("year"))
        if other is not None and other != copy.uuid:
            sync_repo.rekey(db, "car", other, copy.uuid)
            return sync_repo.local_record(db, "car", copy.uuid)
    if copy.kind == "session" and copy.data.get("file_sha256"):
        other = sync_apply_repo.session_uuid_by_sha(db, copy.data["file_sha256"])
        if other is not None and other != copy.uuid:
            sync_repo.rekey(db, "session", other, copy.uuid)
            return sync_repo.local_record(db, "session", copy.uuid)
    if copy.kind == "lap":
        session_uuid = uuid.UUID(copy.data["session_id"])
        other = sync_apply_repo.unsynced_lap_with_number(db, session_uuid, copy.data["lap_number"])
        if other is not None:
            sync_repo.rekey(db, "lap", other, copy.uuid)
            return sync_repo.local_record(db, "lap", copy.uuid)
    return None


def apply_own(ctx: SyncContext, db: LibrarySession, copy: ServerCopy, local: LocalRecord | None) -> list[str]:
    """Bring one own record to the server's version, merging with local edits. Returns missing references."""
    assert copy.updated_at is not None
    if copy.deleted:
        if local is None or local.deleted:
            return []
        if local.dirty and _edit_beats_delete(copy.kind, local.updated_at, copy.updated_at):
            sync_repo.set_server_rev(db, copy.kind, copy.uuid, copy.rev)  # edited here after the delete: revive
        else:
            sync_apply_repo.apply_tombstone(db, copy.kind, copy.uuid, copy.rev)
            ctx.counts.pulled += 1
        return []
    deleted_here = local is not None and local.dirty and local.deleted
    if deleted_here and not _edit_beats_delete(copy.kind, copy.updated_at, local.updated_at):  # type: ignore[union-attr]
        sync_repo.set_server_rev(db, copy.kind, copy.uuid, copy.rev)  # the deletion here goes up
        return []
    if local is None or not local.dirty or local.deleted:
        ctx.counts.pulled += 1
        fields = protocol.from_wire(copy.kind, copy.data)
        return sync_apply_repo.apply_record(db, copy.kind, copy.uuid, fields, copy.rev, copy.updated_at, False)
    return _merge(ctx, db, copy, local)


def _edit_beats_delete(kind: str, edited_at: datetime, deleted_at: datetime) -> bool:
    """Delete against edit: a deleted session or lap stays deleted (its laps and arrays are gone with it); a car
    or an event follows newest wins."""
    return kind in ("car", "event") and edited_at > deleted_at


def _merge(ctx: SyncContext, db: LibrarySession, copy: ServerCopy, local: LocalRecord) -> list[str]:
    assert copy.updated_at is not None
    base = sync_repo.server_copy(db, copy.kind, copy.uuid)
    base_data = base.data if base is not None and not base.pending else None
    mine = protocol.to_wire(local, base_data)
    for key in REFERENCES:  # a reference still unresolved here is not an edit
        if key in mine and mine[key] is None and base is not None and base.pending:
            mine[key] = copy.data.get(key)
    merged = merge_fields(copy.kind, base_data, mine, copy.data, local.updated_at, copy.updated_at)
    still_mine = merged != copy.data
    if mine != copy.data and (base_data is None or base_data != copy.data):
        ctx.counts.conflicts += 1
    moment = max(local.updated_at, copy.updated_at) if still_mine else copy.updated_at
    fields = protocol.from_wire(copy.kind, merged)
    return sync_apply_repo.apply_record(db, copy.kind, copy.uuid, fields, copy.rev, moment, still_mine)


def resolve_pending(ctx: SyncContext) -> None:
    """Records that pointed at something not pulled yet: apply them again now that every page is in."""
    with ctx.library.write() as db:
        for copy in sorted(sync_repo.pending_copies(db), key=lambda c: KIND_ORDER.get(c.kind, 99)):
            if copy.kind in SHARED_KINDS:
                _apply_shared(ctx, db, copy)
                continue
            local = sync_repo.local_record(db, copy.kind, copy.uuid)
            if local is None or not local.dirty:
                missing = apply_own(ctx, db, copy, local)
            else:
                missing = _merge(ctx, db, copy, local)
            sync_repo.store_server_copy(db, _with_pending(copy, bool(missing)))
