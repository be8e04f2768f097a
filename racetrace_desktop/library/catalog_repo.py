"""Cars and events: create, edit, list, delete (tombstones once synced)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from racetrace_desktop.library.base import SyncMixin, utcnow
from racetrace_desktop.library.errors import RecordNotFoundError
from racetrace_desktop.library.models import Car, Event, SessionRow
from racetrace_desktop.library.read_models import CarRecord, EventRecord

CAR_FIELDS = ("make", "model", "year", "category", "drivetrain", "power_hp", "weight_kg", "engine_cc", "notes")
EVENT_FIELDS = ("name", "event_date", "notes")
Synced = TypeVar("Synced", Car, Event)


def _car_record(car: Car) -> CarRecord:
    return CarRecord(car.uuid, updated_at=car.updated_at, **{field: getattr(car, field) for field in CAR_FIELDS})


def _event_record(event: Event) -> EventRecord:
    return EventRecord(event.uuid, updated_at=event.updated_at, **{f: getattr(event, f) for f in EVENT_FIELDS})


def _live(db: Session, model: type[Synced], record_uuid: uuid.UUID) -> Synced:
    row = db.scalars(sa.select(model).where(model.uuid == record_uuid, model.deleted_at.is_(None))).first()
    if row is None:
        raise RecordNotFoundError(model.__tablename__.rstrip("s"), record_uuid)
    return row


def _check_range(name: str, value: Any, low: float, high: float) -> None:
    if value is not None and not low <= value <= high:
        raise ValueError(f"{name} {value} is out of range ({low}..{high})")


def _validate_car(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(CAR_FIELDS)
    if unknown:
        raise ValueError(f"unknown car field(s): {', '.join(sorted(unknown))}")
    _check_range("year", fields.get("year"), 1885, 2100)
    _check_range("power_hp", fields.get("power_hp"), 0, 10_000)
    _check_range("weight_kg", fields.get("weight_kg"), 0, 100_000)
    _check_range("engine_cc", fields.get("engine_cc"), 0, 100_000)


def _validate_event(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"unknown event field(s): {', '.join(sorted(unknown))}")
    if "name" in fields and not str(fields["name"]).strip():
        raise ValueError("an event needs a name")
    if fields.get("event_date") is not None and not isinstance(fields["event_date"], date):
        raise ValueError(f"event_date must be a date, not {fields['event_date']!r}")


def list_cars(db: Session) -> list[CarRecord]:
    cars = db.scalars(sa.select(Car).where(Car.deleted_at.is_(None)).order_by(Car.make, Car.model, Car.year))
    return [_car_record(car) for car in cars]


def get_car(db: Session, car_uuid: uuid.UUID) -> CarRecord:
    return _car_record(_live(db, Car, car_uuid))


def car_id(db: Session, car_uuid: uuid.UUID) -> int:
    return _live(db, Car, car_uuid).id


def create_car(db: Session, **fields: Any) -> CarRecord:
    _validate_car(fields)
    car = Car(**fields)
    db.add(car)
    db.flush()
    return _car_record(car)


def update_car(db: Session, car_uuid: uuid.UUID, **changes: Any) -> CarRecord:
    _validate_car(changes)
    car = _live(db, Car, car_uuid)
    _apply(car, changes)
    return _car_record(car)


def list_events(db: Session) -> list[EventRecord]:
    query = sa.select(Event).where(Event.deleted_at.is_(None))
    events = db.scalars(query.order_by(Event.event_date.desc().nulls_last(), Event.name))
    return [_event_record(event) for event in events]


def get_event(db: Session, event_uuid: uuid.UUID) -> EventRecord:
    return _event_record(_live(db, Event, event_uuid))


def event_id(db: Session, event_uuid: uuid.UUID) -> int:
    return _live(db, Event, event_uuid).id


def create_event(db: Session, **fields: Any) -> EventRecord:
    _validate_event({"name": "", **fields})
    event = Event(**fields)
    db.add(event)
    db.flush()
    return _event_record(event)


def update_event(db: Session, event_uuid: uuid.UUID, **changes: Any) -> EventRecord:
    _validate_event(changes)
    event = _live(db, Event, event_uuid)
    _apply(event, changes)
    return _event_record(event)


def _apply(row: SyncMixin, changes: dict[str, Any]) -> None:
    if any(getattr(row, field) != value for field, value in changes.items()):
        for field, value in changes.items():
            setattr(row, field, value)
        row.touch()


def delete_car(db: Session, car_uuid: uuid.UUID) -> list[uuid.UUID]:
    """Delete a car; its sessions keep their laps but lose the car. Returns those sessions' UUIDs."""
    car = _live(db, Car, car_uuid)
    return _delete_referenced(db, car, SessionRow.car_id)


def delete_event(db: Session, event_uuid: uuid.UUID) -> list[uuid.UUID]:
    event = _live(db, Event, event_uuid)
    return _delete_referenced(db, event, SessionRow.event_id)


def _delete_referenced(
    db: Session, row: Car | Event, reference: sa.orm.InstrumentedAttribute[int | None]
) -> list[uuid.UUID]:
    sessions = list(db.scalars(sa.select(SessionRow).where(reference == row.id)))
    for session in sessions:
        setattr(session, reference.key, None)
        if session.deleted_at is None:
            session.touch()
    if row.server_rev is None:
        db.delete(row)  # the server never saw it: nothing to tell it
    else:
        row.deleted_at = utcnow()
        row.touch()
    return [session.uuid for session in sessions if session.deleted_at is None]
