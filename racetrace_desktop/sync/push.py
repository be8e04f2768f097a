"""Push: dirty cars, events, sessions, laps (tombstones included) in chunks. A record's dirty flag is cleared
only when the server acknowledged that very version (and the row was not edited meanwhile); a chunk that the
server stored but whose answer was lost is simply sent again: the server answers "unchanged".

Conflicts (409) are merged per field with the server copies and the chunk is sent again.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from racetrace_desktop.library import sync_repo
from racetrace_desktop.library.sync_repo import RECORD_KINDS, LocalRecord, ServerCopy
from racetrace_desktop.sync import protocol
from racetrace_desktop.sync.context import SyncContext
from racetrace_desktop.sync.errors import Conflict, ServerMessage
from racetrace_desktop.sync.protocol import InvalidRecordError
from racetrace_desktop.sync.pull import apply_change, apply_own, server_copy_of

MAX_ROUNDS = 5
REFUSED_POSITION = re.compile(r"records(?:\[(\d+)\]|\.(\d+)\.)")  # records[3].data.x or body.records.3.car.data.x
REFERENCE_KINDS = {"car_uuid": "car", "event_uuid": "event", "session_uuid": "session"}
STORED = ("created", "updated", "deleted")


@dataclass(frozen=True)
class Item:
    record: LocalRecord
    data: dict[str, Any]

    def wire(self) -> dict[str, Any]:
        rev = self.record.server_rev
        entry: dict[str, Any] = {"kind": self.record.kind, "id": str(self.record.uuid),
                                 "base_rev": rev if rev else None, "deleted": self.record.deleted}  # fmt: skip
        if not self.record.deleted:
            entry["data"] = self.data
        return entry


def push(ctx: SyncContext) -> None:
    held: set[tuple[str, uuid.UUID]] = set()
    for kind in RECORD_KINDS:
        for _round in range(MAX_ROUNDS):
            items = _collect(ctx, kind, held)
            if not _push_items(ctx, kind, items, held):
                break
        else:
            raise Conflict(f"{kind}s kept conflicting with the server after {MAX_ROUNDS} merges; sync again", [])


def _label(record: LocalRecord) -> str:
    fields = record.fields
    name = fields.get("name") or fields.get("source_name") or " ".join(
        str(fields.get(k) or "") for k in ("make", "model")).strip()  # fmt: skip
    if record.kind == "lap":
        name = f"lap {fields.get('number')}"
    return f"{record.kind} {name or record.uuid} ({record.uuid})"


def _collect(ctx: SyncContext, kind: str, held: set[tuple[str, uuid.UUID]]) -> list[Item]:
    with ctx.library.read() as db:
        records = sync_repo.dirty_records(db, kind)
        bases = sync_repo.server_copies(db, kind, [r.uuid for r in records])
    items = []
    for record in records:
        if (kind, record.uuid) in held:
            continue  # refused earlier in this sync: stays dirty, reported once
        blocked = [f for f, k in REFERENCE_KINDS.items() if (k, record.fields.get(f)) in held]
        try:
            if blocked and not record.deleted:
                raise InvalidRecordError(f"{_label(record)}: waits for the {REFERENCE_KINDS[blocked[0]]} it belongs to")
            protocol.check_limits(record, _label(record))
        except InvalidRecordError as error:
            held.add((kind, record.uuid))
            ctx.counts.held_back.append(str(error))
            continue
        base = bases.get(record.uuid)
        items.append(Item(record, protocol.to_wire(record, base.data if base and not base.pending else None)))
    return items


def _push_items(ctx: SyncContext, kind: str, items: list[Item], held: set[tuple[str, uuid.UUID]]) -> bool:
    """Push in chunks. Returns True when a conflict was merged (the caller collects and pushes again)."""
    size = ctx.settings.push_chunk_size
    for start in range(0, len(items), size):
        chunk = items[start : start + size]
        ctx.report("pushing", start, len(items), f"{kind}s")
        with ctx.library.write() as db:
            sync_repo.mark_sent(db, kind, [item.record.uuid for item in chunk if item.record.server_rev is None])
        try:
            answer = ctx.client.request(
                "POST", "/sync/push", idempotent=True, json={"records": [item.wire() for item in chunk]}
            ).json()
        except Conflict as conflict:
            _resolve(ctx, conflict.conflicts)
            return True
        except ServerMessage as error:
            if not _hold_back_refused(ctx, chunk, error, held):
                raise
            return True  # push the rest of the chunk again without the refused records
        _acknowledge(ctx, kind, chunk, answer["results"])
    return False


def _hold_back_refused(
    ctx: SyncContext, chunk: list[Item], error: ServerMessage, held: set[tuple[str, uuid.UUID]]
) -> bool:
    """A 422 names the refused records (`records[i].data.field: reason`): keep them here with the server's reason
    so that one bad record never blocks the others. False when the answer names none."""
    if error.status != 422:
        return False
    found = (int(a or b) for a, b in REFUSED_POSITION.findall(error.message))
    positions = {position for position in found if position < len(chunk)}
    for position in sorted(positions):
        record = chunk[position].record
        held.add((record.kind, record.uuid))
        ctx.counts.held_back.append(f"{_label(record)}: refused by the server ({error.message})")
    return bool(positions)


def _acknowledge(ctx: SyncContext, kind: str, chunk: list[Item], results: list[dict[str, Any]]) -> None:
    with ctx.library.write() as db:
        for item, result in zip(chunk, results, strict=True):
            record = item.record
            sync_repo.acknowledge(db, kind, record.uuid, result["rev"], record.updated_at)
            if result["status"] in STORED:
                ctx.counts.pushed += 1
            copy = ServerCopy(kind, record.uuid, result["rev"], record.deleted, record.updated_at, item.data)
            sync_repo.store_server_copy(db, copy)


def _resolve(ctx: SyncContext, conflicts: list[dict[str, Any]]) -> None:
    """Merge each conflicting record with the server's copy (or take a new identity) before pushing again."""
    same_file = [c for c in conflicts if c["reason"] == "same_file"]
    with ctx.library.write() as db:
        for conflict in conflicts:
            record_uuid = uuid.UUID(conflict["id"])
            if conflict["reason"] == "id_in_use":
                sync_repo.rekey(db, conflict["kind"], record_uuid, uuid.uuid4())  # the UUID is another account's
            elif conflict["reason"] in ("edited_on_server", "deleted_on_server"):
                copy = server_copy_of(conflict["server"])
                apply_own(ctx, db, copy, sync_repo.local_record(db, copy.kind, copy.uuid))
                sync_repo.store_server_copy(db, copy)
    for conflict in same_file:
        _adopt_server_session(ctx, uuid.UUID(conflict["id"]), conflict["server"])


def _adopt_server_session(ctx: SyncContext, local_uuid: uuid.UUID, server: dict[str, Any]) -> None:
    """Another device pushed the same file first: this session takes the server's UUID, and its laps those of the
    server's laps with the same numbers, then both sides merge."""
    server_uuid = uuid.UUID(server["id"])
    laps = ctx.client.get(f"/sessions/{server_uuid}/laps")
    with ctx.library.write() as db:
        sync_repo.rekey(db, "session", local_uuid, server_uuid)
        apply_change(ctx, db, server_copy_of(server))
        for lap in laps:
            apply_change(ctx, db, lap_copy_from_rest(lap))


def lap_copy_from_rest(lap: dict[str, Any]) -> ServerCopy:
    """A lap as GET /sessions/{id}/laps shows it, in the shape of a pulled change."""
    meta = ("id", "rev", "created_at", "updated_at")
    change = {"kind": "lap", "id": lap["id"], "rev": lap["rev"], "deleted": False, "updated_at": lap["updated_at"],
              "data": {k: v for k, v in lap.items() if k not in meta}}  # fmt: skip
    return server_copy_of(change)
