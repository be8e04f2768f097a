"""Apply a chunk of record writes atomically: idempotent upserts, tombstones, optimistic concurrency.

Rules per record (server row S, incoming R with base_rev b):
- S missing: create (a tombstone for a missing record is a no-op, status "absent").
- S owned by another account: conflict "id_in_use" (nothing about S is revealed).
- R identical to S (data and deleted flag): "unchanged", no new revision. A retried chunk is therefore a no-op.
- b == S.rev: the edit applies and gets a new revision.
- otherwise: conflict ("edited_on_server", or "deleted_on_server" when S is a tombstone).
Any conflict rejects the whole chunk with 409 and nothing is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sync_server.db import reading, utcnow
from sync_server.errors import ConflictError, InvalidError
from sync_server.leaderboard.maintain import add_new_laps, refresh_for_changes
from sync_server.models import DrivingSession, Lap, TrackConfiguration, User
from sync_server.sync import revisions
from sync_server.sync.kinds import KINDS, LAP, SESSION, RecordData, RecordKind
from sync_server.sync.schemas import ConflictItem, PushResult, ServerRecord


@dataclass
class Write:
    """One requested write, already validated by its pydantic schema."""

    kind: RecordKind
    id: uuid.UUID
    base_rev: int | None
    deleted: bool
    data: RecordData | None
    position: int = 0  # index in the request, for messages and result order


@dataclass
class _Plan:
    write: Write
    row: Any | None
    status: str  # created / updated / deleted / unchanged / absent
    rev: int | None = None  # the new revision of a written record


@dataclass
class _Affected:
    session_ids: set[uuid.UUID] = field(default_factory=set)
    car_ids: set[uuid.UUID] = field(default_factory=set)
    configuration_ids: set[uuid.UUID] = field(default_factory=set)


def server_record(kind: RecordKind, row: Any) -> ServerRecord:
    return ServerRecord(
        kind=kind.name,  # type: ignore[arg-type]
        id=row.id,
        rev=row.rev,
        deleted=row.deleted_at is not None,
        updated_at=row.updated_at,
        data=kind.data_of(row).model_dump(mode="json"),
    )


def apply_writes(db: Session, user: User, writes: list[Write]) -> list[PushResult]:
    """Apply all writes or none. Raises ConflictError (409) or InvalidError (422).

    Called outside a transaction (a push), planning and checking read outside any write lock; the write
    transaction then takes the writers' turn and the revision-counter lock, re-reads only the revisions of the
    chunk's records (plans again in the rare case a concurrent writer changed one meanwhile) and stamps, inserts
    and updates the leaderboard. Called inside the caller's transaction (an upload that checked duplicates under
    the counter lock), everything happens in that transaction."""
    _refuse_duplicates(writes)
    if db.in_transaction():
        revisions.lock_counter(db)
        plans = _checked_plans(db, user, writes)
    else:
        with reading(db):
            plans = _checked_plans(db, user, writes)
        revisions.lock_counter(db)
        if _changed_since_planned(db, plans) or _same_file_conflicts(db, user, plans):
            plans = _checked_plans(db, user, writes)
    # Kind order (cars, events, sessions, laps) for both revisions and inserts: references resolve in a pull
    # and foreign keys hold at every flush.
    changing = sorted(
        (plan for plan in plans if plan.status in ("created", "updated", "deleted")),
        key=lambda plan: (plan.write.kind.order, plan.write.position),
    )
    affected = _Affected()
    for plan, rev in zip(changing, revisions.allocate(db, len(changing)), strict=True):
        plan.rev = rev
        if plan.status == "created":
            _note_created(plan.write, affected)
    for name in sorted({plan.write.kind.name for plan in changing}, key=lambda name: KINDS[name].order):
        of_kind = [plan for plan in changing if plan.write.kind.name == name]
        for plan in of_kind:
            if plan.status != "created":
                plan.row = _write_row(db, user, plan, plan.rev or 0, affected)
        db.flush()  # this kind's edits before the next kind's rows: foreign keys hold at every statement
        _insert_created(db, user, [plan for plan in of_kind if plan.status == "created"])
    deleted_sessions = [p.write.id for p in changing if p.write.kind is SESSION and p.status == "deleted"]
    _tombstone_laps_of_deleted_sessions(db, deleted_sessions)
    if all(plan.status == "created" for plan in changing):  # only new records: bests can only improve
        add_new_laps(db, user.id, [plan.write.id for plan in changing if plan.write.kind is LAP])
    else:
        refresh_for_changes(db, user.id, affected.session_ids, affected.car_ids, affected.configuration_ids)
    return [PushResult(kind=p.write.kind.name, id=p.write.id, status=p.status, rev=_rev(p)) for p in plans]  # type: ignore[arg-type]


def _checked_plans(db: Session, user: User, writes: list[Write]) -> list[_Plan]:
    existing = _load_existing(db, writes)
    plans, conflicts = _plan(db, user, writes, existing)
    if conflicts:
        raise ConflictError(
            f"{len(conflicts)} record(s) changed on the server since the client's base revision; "
            "nothing from this chunk was applied",
            conflicts=[item.model_dump(mode="json") for item in conflicts],
        )
    _check_references(db, user, writes)
    return plans


def _changed_since_planned(db: Session, plans: list[_Plan]) -> bool:
    """Whether a record of the chunk was created or written by someone else since it was planned."""
    for kind in KINDS.values():
        planned = {plan.write.id: plan.row.rev if plan.row is not None else None
                   for plan in plans if plan.write.kind is kind}
        if planned:
            statement = select(kind.model.id, kind.model.rev).where(kind.model.id.in_(list(planned)))
            now = {row.id: row.rev for row in db.execute(statement)}
            if any(now.get(record_id) != rev for record_id, rev in planned.items()):
                return True
    return False


def _rev(plan: _Plan) -> int | None:
    if plan.rev is not None:
        return plan.rev
    return plan.row.rev if plan.row is not None else None


def _insert_created(db: Session, user: User, plans: list[_Plan]) -> None:
    """New rows of one kind as one multi-row INSERT: ORM objects cost ~0.4 ms each, and a push runs while the
    revision-counter lock keeps every other writer waiting."""
    if not plans:
        return
    now = utcnow()
    rows = []
    for plan in plans:
        assert plan.write.data is not None
        rows.append({**plan.write.data.model_dump(), "id": plan.write.id, "owner_id": user.id, "rev": plan.rev,
                     "deleted_at": None, "created_at": now, "updated_at": now})
    db.execute(insert(plans[0].write.kind.model), rows)


def _note_created(write: Write, affected: _Affected) -> None:
    if write.kind is SESSION:
        affected.session_ids.add(write.id)
    elif write.kind is LAP:
        affected.session_ids.add(write.data.session_id)  # type: ignore[union-attr]
    elif write.kind.name == "car":
        affected.car_ids.add(write.id)


def _refuse_duplicates(writes: list[Write]) -> None:
    seen: dict[tuple[str, uuid.UUID], int] = {}
    for write in writes:
        key = (write.kind.name, write.id)
        if key in seen:
            raise InvalidError(f"records[{write.position}]: {write.kind.name} {write.id} appears twice in the chunk")
        seen[key] = write.position


def _load_existing(db: Session, writes: list[Write]) -> dict[tuple[str, uuid.UUID], Any]:
    found: dict[tuple[str, uuid.UUID], Any] = {}
    for kind in KINDS.values():
        ids = [w.id for w in writes if w.kind is kind]
        if ids:
            # populate_existing: rows loaded before the counter lock (REST edits) must be re-read now.
            statement = select(kind.model).where(kind.model.id.in_(ids)).execution_options(populate_existing=True)
            for row in db.scalars(statement):
                found[(kind.name, row.id)] = row
    return found


def _plan(
    db: Session, user: User, writes: list[Write], existing: dict[tuple[str, uuid.UUID], Any]
) -> tuple[list[_Plan], list[ConflictItem]]:
    plans: list[_Plan] = []
    conflicts: list[ConflictItem] = []
    for write in writes:
        row = existing.get((write.kind.name, write.id))
        if row is not None and row.owner_id != user.id:
            conflicts.append(ConflictItem(kind=write.kind.name, id=write.id, reason="id_in_use", server=None))
            continue
        status = _decide(write, row)
        if status == "conflict":
            reason = "deleted_on_server" if row.deleted_at is not None else "edited_on_server"
            conflicts.append(
                ConflictItem(kind=write.kind.name, id=write.id, reason=reason, server=server_record(write.kind, row))
            )
            continue
        plans.append(_Plan(write, row, status))
    conflicts.extend(_same_file_conflicts(db, user, plans))
    return plans, conflicts


def _decide(write: Write, row: Any | None) -> str:
    if row is None:
        return "absent" if write.deleted else "created"
    server_deleted = row.deleted_at is not None
    if write.deleted and server_deleted:
        return "unchanged"
    if not write.deleted and not server_deleted and _same_content(write, row):
        return "unchanged"
    if write.base_rev == row.rev:
        return "deleted" if write.deleted else "updated"
    return "conflict"


def _same_content(write: Write, row: Any) -> bool:
    assert write.data is not None
    return write.data.model_dump(mode="json") == write.kind.data_of(row).model_dump(mode="json")


def _same_file_conflicts(db: Session, user: User, plans: list[_Plan]) -> list[ConflictItem]:
    """A session written with a file another session of this account already has: the server's UUID wins."""
    files: dict[str, uuid.UUID] = {}
    for plan in plans:
        data = plan.write.data
        if plan.write.kind is not SESSION or plan.status not in ("created", "updated") or not data:
            continue
        sha = data.file_sha256  # type: ignore[attr-defined]
        if sha and sha in files:
            raise InvalidError(f"records[{plan.write.position}].data.file_sha256: two sessions in the chunk have it")
        if sha:
            files[sha] = plan.write.id
    if not files:
        return []
    rows = db.scalars(
        select(DrivingSession).where(DrivingSession.owner_id == user.id, DrivingSession.file_sha256.in_(list(files)))
    )
    return [
        ConflictItem(kind="session", id=files[row.file_sha256], reason="same_file", server=server_record(SESSION, row))
        for row in rows
        if row.file_sha256 is not None and row.id != files[row.file_sha256]
    ]


def _check_references(db: Session, user: User, writes: list[Write]) -> None:
    """References must point at this account's records (in the chunk or already stored) or at a known track."""
    in_chunk = {(w.kind.name, w.id) for w in writes if not w.deleted}
    wanted: dict[str, set[uuid.UUID]] = {}
    for write in writes:
        for field_name, target in write.kind.references.items():
            ref = getattr(write.data, field_name) if write.data is not None else None
            if ref is not None and (target, ref) not in in_chunk:
                wanted.setdefault(target, set()).add(ref)
    known = {  # one query per referenced kind, not one per record: this runs under the revision-counter lock
        target: set(db.scalars(select(KINDS[target].model.id).where(
            KINDS[target].model.id.in_(ids), KINDS[target].model.owner_id == user.id)))
        for target, ids in wanted.items()
    }
    for write in writes:
        if write.data is None:
            continue
        for field_name, target in write.kind.references.items():
            ref = getattr(write.data, field_name)
            if ref is not None and (target, ref) not in in_chunk and ref not in known[target]:
                raise InvalidError(
                    f"records[{write.position}].data.{field_name}: unknown {target} {ref} "
                    f"(push it in this chunk or an earlier one)"
                )
        config_id = getattr(write.data, "track_configuration_id", None)
        if config_id is not None and db.get(TrackConfiguration, config_id) is None:
            raise InvalidError(
                f"records[{write.position}].data.track_configuration_id: unknown track configuration {config_id}"
            )


def _write_row(db: Session, user: User, plan: _Plan, rev: int, affected: _Affected) -> Any:
    write, row = plan.write, plan.row
    if row is None:
        row = write.kind.model(id=write.id, owner_id=user.id)
        db.add(row)
    else:
        _note_old_configuration(write.kind, row, affected)
    if write.data is not None and not write.deleted:
        for name, value in write.data.model_dump().items():
            setattr(row, name, value)
    row.deleted_at = utcnow() if write.deleted else None
    row.rev = rev
    row.updated_at = utcnow()
    _note_affected(write, row, affected)
    return row


def _tombstone_laps_of_deleted_sessions(db: Session, session_ids: list[uuid.UUID]) -> None:
    """Deleting a session deletes its laps: each gets a tombstone with its own revision for other devices."""
    if not session_ids:
        return
    laps = db.scalars(
        select(Lap).where(Lap.session_id.in_(session_ids), Lap.deleted_at.is_(None)).order_by(Lap.lap_number, Lap.id)
    ).all()
    now = utcnow()
    for lap, rev in zip(laps, revisions.allocate(db, len(laps)), strict=True):
        lap.deleted_at, lap.updated_at, lap.rev = now, now, rev
    db.flush()


def _note_old_configuration(kind: RecordKind, row: Any, affected: _Affected) -> None:
    """Remember what the row pointed at before the write: a moved session or lap changes the old board too."""
    if kind is SESSION and row.track_configuration_id is not None:
        affected.configuration_ids.add(row.track_configuration_id)
    if kind is LAP:
        affected.session_ids.add(row.session_id)


def _note_affected(write: Write, row: Any, affected: _Affected) -> None:
    name = write.kind.name
    if name == "session":
        affected.session_ids.add(row.id)
    elif name == "lap":
        affected.session_ids.add(row.session_id)
    elif name == "car":
        affected.car_ids.add(row.id)


def writes_from(records: Iterable[Any]) -> list[Write]:
    """Turn validated push records into writes."""
    return [
        Write(KINDS[r.kind], r.id, r.base_rev, r.deleted, r.data, position=i) for i, r in enumerate(records)
    ]
