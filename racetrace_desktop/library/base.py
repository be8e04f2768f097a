"""Declarative base, column types and mixins shared by every table of the local library."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names: batch migrations on SQLite recreate tables and must find constraints by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """An aware UTC datetime on every backend. SQLite drops offsets, so store naive UTC and re-tag on read."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: the library stores aware UTC datetimes only")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UTCDateTime(),
        dict[str, Any]: sa.JSON(),
        list[Any]: sa.JSON(),
    }


def enum_column(enum_class: type[enum.Enum], name: str) -> sa.Enum:
    """VARCHAR + CHECK on every backend; values (not member names) are stored."""
    return sa.Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )


class Origin(enum.StrEnum):
    LOCAL = "local"
    SERVER = "server"


class SessionType(enum.StrEnum):
    PRACTICE = "practice"
    QUALIFYING = "qualifying"
    RACE = "race"
    TRACK_DAY = "track_day"
    TEST = "test"
    OTHER = "other"


class TimeSource(enum.StrEnum):
    """Where a lap time comes from (the lap table shows it)."""

    STATED = "stated"  # the logger's own lap time: TrackAddict "# Lap" lines, RaceChrono trap rows
    BEACON = "beacon"  # AiM beacon markers, exact to the millisecond
    LAP_COLUMN = "lap_column"  # row times where the file's Lap column changes (within one sample interval)
    GPS = "gps"  # interpolated start/finish line crossing
    NONE = "none"


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncMixin(TimestampMixin):
    """Change tracking of a record that travels to the sync server (see racetrace_desktop/sync/SYNC.md).

    `uuid` is the identity on every device; `dirty` stays True until the server acknowledged this version;
    `server_rev` is the last server revision seen; a set `deleted_at` is a tombstone waiting to be pushed.
    """

    uuid: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4, unique=True)
    deleted_at: Mapped[datetime | None]
    server_rev: Mapped[int | None]
    dirty: Mapped[bool] = mapped_column(default=True)

    def touch(self) -> None:
        """Mark a local edit: bumps updated_at and flags the record for the next push."""
        self.updated_at = utcnow()
        self.dirty = True
