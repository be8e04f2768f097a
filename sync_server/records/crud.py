"""REST CRUD over the synced kinds (cars, events, sessions, laps), owner-only.

Every write goes through the sync engine, so a web edit gets a revision and reaches the desktop on its next
pull, and the leaderboard stays exact. Another account's record answers 404, exactly like a missing one.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic.fields import FieldInfo
from sqlalchemy.orm import Session

from sync_server.errors import InvalidError, NotFoundError
from sync_server.models import User
from sync_server.records import repository
from sync_server.sync.engine import Write, apply_writes
from sync_server.sync.kinds import RecordData, RecordKind


class RecordMeta(BaseModel):
    id: uuid.UUID
    rev: int
    created_at: datetime
    updated_at: datetime


def output_model(kind: RecordKind) -> type[BaseModel]:
    """`<Kind>Out`: the data fields plus id, rev and timestamps."""
    return create_model(
        f"{kind.schema.__name__.removesuffix('Data')}Out",
        __base__=(kind.schema, RecordMeta),
        __config__=None,
    )


def create_model_for(kind: RecordKind) -> type[BaseModel]:
    """`<Kind>Create`: the data fields plus an optional client-chosen id."""
    return create_model(
        f"{kind.schema.__name__.removesuffix('Data')}Create",
        __base__=kind.schema,
        id=(uuid.UUID | None, Field(default=None, description="Client UUID; the server generates one if absent")),
    )


def patch_model(kind: RecordKind) -> type[BaseModel]:
    """`<Kind>Patch`: every data field optional, plus the optional base_rev for optimistic concurrency."""
    fields: dict[str, Any] = {
        name: (info.annotation | None, FieldInfo.merge_field_infos(info, default=None, default_factory=None))
        for name, info in kind.schema.model_fields.items()
    }
    fields["base_rev"] = (
        int | None,
        Field(default=None, ge=0, description="Refuse the edit with 409 if the record changed since this rev"),
    )
    return create_model(
        f"{kind.schema.__name__.removesuffix('Data')}Patch",
        __config__=ConfigDict(extra="forbid", allow_inf_nan=False),
        **fields,
    )


def to_output(kind: RecordKind, out_model: type[BaseModel], row: Any) -> BaseModel:
    data = kind.data_of(row).model_dump()
    return out_model(**data, id=row.id, rev=row.rev, created_at=row.created_at, updated_at=row.updated_at)


def owned_row(db: Session, kind: RecordKind, user: User, record_id: uuid.UUID, *, live: bool = True) -> Any:
    row = db.get(kind.model, record_id)
    if row is None or row.owner_id != user.id or (live and row.deleted_at is not None):
        raise NotFoundError(f"{kind.name.capitalize()} {record_id} not found")
    return row


def list_rows(db: Session, kind: RecordKind, user: User) -> list[Any]:
    return repository.live_rows_of(db, kind.model, user.id)


def create_row(db: Session, kind: RecordKind, user: User, body: BaseModel) -> Any:
    values = body.model_dump()
    record_id = values.pop("id") or uuid.uuid4()
    data = kind.schema.model_validate(values)
    apply_writes(db, user, [Write(kind, record_id, None, False, data)])
    return owned_row(db, kind, user, record_id)


def patch_row(db: Session, kind: RecordKind, user: User, record_id: uuid.UUID, patch: BaseModel) -> Any:
    row = owned_row(db, kind, user, record_id)
    changes = patch.model_dump(exclude_unset=True)
    base_rev = changes.pop("base_rev", None)
    merged = {**kind.data_of(row).model_dump(), **changes}
    data = _validated(kind.schema, merged)
    apply_writes(db, user, [Write(kind, record_id, row.rev if base_rev is None else base_rev, False, data)])
    return owned_row(db, kind, user, record_id)


def delete_row(db: Session, kind: RecordKind, user: User, record_id: uuid.UUID) -> None:
    row = owned_row(db, kind, user, record_id)
    apply_writes(db, user, [Write(kind, record_id, row.rev, True, None)])


def _validated(schema: type[RecordData], values: dict[str, Any]) -> RecordData:
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InvalidError(problems) from exc
