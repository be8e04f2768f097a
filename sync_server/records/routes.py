"""`/cars`, `/events`, `/sessions`, `/laps`: the seed's CRUD endpoints, owner-only.

No `from __future__ import annotations` here: the endpoints are built per kind and FastAPI must see the real
(dynamically created) model classes in their signatures.
"""

import uuid

from fastapi import APIRouter, status

from sync_server.deps import CurrentUser, DbSession
from sync_server.errors import error_responses
from sync_server.records import crud
from sync_server.seed_paths import add_trailing_slash_aliases
from sync_server.sync.kinds import CAR, EVENT, LAP, SESSION, RecordKind
from sync_server.sync.uploads import readable_lap

WRITE_ERRORS = error_responses(404, 409, 422)


def kind_router(kind: RecordKind, path: str, *, creatable: bool = True) -> APIRouter:
    """List / create / read / patch / delete for one kind."""
    router = APIRouter(prefix=path, tags=[path.strip("/")], responses=error_responses(401))
    out_model = crud.output_model(kind)
    create_body = crud.create_model_for(kind)
    patch_body = crud.patch_model(kind)
    label = kind.name

    def list_records(user: CurrentUser, db: DbSession) -> list[out_model]:  # type: ignore[valid-type]
        return [crud.to_output(kind, out_model, row) for row in crud.list_rows(db, kind, user)]

    def create_record(body: create_body, user: CurrentUser, db: DbSession) -> out_model:  # type: ignore[valid-type]
        return crud.to_output(kind, out_model, crud.create_row(db, kind, user, body))

    def read_record(record_id: uuid.UUID, user: CurrentUser, db: DbSession) -> out_model:  # type: ignore[valid-type]
        return crud.to_output(kind, out_model, crud.owned_row(db, kind, user, record_id))

    def patch_record(
        record_id: uuid.UUID,
        body: patch_body,  # type: ignore[valid-type]
        user: CurrentUser,
        db: DbSession,
    ) -> out_model:  # type: ignore[valid-type]
        return crud.to_output(kind, out_model, crud.patch_row(db, kind, user, record_id, body))

    def delete_record(record_id: uuid.UUID, user: CurrentUser, db: DbSession) -> None:
        crud.delete_row(db, kind, user, record_id)

    router.add_api_route("", list_records, methods=["GET"], name=f"list_{label}s", response_model=list[out_model],
                         summary=f"List my {label}s")
    if creatable:
        router.add_api_route("", create_record, methods=["POST"], name=f"create_{label}", response_model=out_model,
                             status_code=status.HTTP_201_CREATED, responses=WRITE_ERRORS, summary=f"Create a {label}")
    router.add_api_route("/{record_id}", read_record, methods=["GET"], name=f"read_{label}", response_model=out_model,
                         responses=error_responses(404), summary=f"One of my {label}s")
    router.add_api_route("/{record_id}", patch_record, methods=["PATCH"], name=f"update_{label}",
                         response_model=out_model, responses=WRITE_ERRORS,
                         summary=f"Edit one of my {label}s (optional base_rev for optimistic concurrency)")
    router.add_api_route("/{record_id}", delete_record, methods=["DELETE"], name=f"delete_{label}",
                         status_code=status.HTTP_204_NO_CONTENT, responses=WRITE_ERRORS,
                         summary=f"Delete one of my {label}s (a tombstone other devices pull)")
    add_trailing_slash_aliases(router, path)
    return router


cars_router = kind_router(CAR, "/cars")
events_router = kind_router(EVENT, "/events")
sessions_router = kind_router(SESSION, "/sessions")
laps_router = APIRouter(prefix="/laps", tags=["laps"], responses=error_responses(401))
LapOut = crud.output_model(LAP)
LapPatch = crud.patch_model(LAP)


@sessions_router.get("/{record_id}/laps", response_model=list[LapOut], responses=error_responses(404))
def list_session_laps(record_id: uuid.UUID, user: CurrentUser, db: DbSession) -> list[LapOut]:  # type: ignore[valid-type]
    """The laps of one of my sessions, by lap number."""
    crud.owned_row(db, SESSION, user, record_id)
    rows = [row for row in crud.list_rows(db, LAP, user) if row.session_id == record_id]
    return [crud.to_output(LAP, LapOut, row) for row in sorted(rows, key=lambda row: row.lap_number)]


@laps_router.get("/{lap_id}", response_model=LapOut, responses=error_responses(404))
def read_lap(lap_id: uuid.UUID, user: CurrentUser, db: DbSession) -> LapOut:  # type: ignore[valid-type]
    """One of my laps, or anyone's public lap."""
    return crud.to_output(LAP, LapOut, readable_lap(db, user, lap_id))


@laps_router.patch("/{lap_id}", response_model=LapOut, responses=WRITE_ERRORS)
def update_lap(lap_id: uuid.UUID, body: LapPatch, user: CurrentUser, db: DbSession) -> LapOut:  # type: ignore[valid-type]
    """Edit one of my laps (e.g. is_public, or a validity override with its reason)."""
    return crud.to_output(LAP, LapOut, crud.patch_row(db, LAP, user, lap_id, body))


@laps_router.delete("/{lap_id}", status_code=status.HTTP_204_NO_CONTENT, responses=WRITE_ERRORS)
def delete_lap(lap_id: uuid.UUID, user: CurrentUser, db: DbSession) -> None:
    """Delete one of my laps (a tombstone other devices pull)."""
    crud.delete_row(db, LAP, user, lap_id)
