"""Per-lap channel arrays and the original files: the bulky part of the library."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from racetrace_desktop.library import arrays, codec
from racetrace_desktop.library.errors import RecordNotFoundError
from racetrace_desktop.library.models import Lap, LapChannel, SourceFile
from racetrace_desktop.telemetry.model import ChannelInfo, LapData

AXIS = "axis"
CHANNEL = "channel"
AXIS_KEYS = ("time_s", "distance_m", "lat", "lon", "gps_fix")


def compress_original(data: bytes) -> tuple[str, bytes]:
    """(codec, compressed bytes). Runs outside the write transaction, overlapping parsing on a worker thread."""
    return codec.DEFAULT_CODEC, codec.compress(data)


# Column order of the rows handed to executemany (plain tuples: thousands of arrays per long session).
_INSERT_COLUMNS = (
    "lap_id", "role", "key", "label", "unit", "display_unit", "source", "encoding", "compression",
    "sample_count", "data",
)  # fmt: skip
_INSERT_SQL = (  # constant text, built from the column names above
    f"INSERT INTO lap_channels ({', '.join(_INSERT_COLUMNS)}) VALUES ({', '.join('?' * len(_INSERT_COLUMNS))})"  # noqa: S608
)
_UNDESCRIBED = ChannelInfo(key="", label="", unit="", display_unit="", source="derived")


@dataclass(frozen=True)
class EncodedLap:
    """A lap's arrays, encoded and compressed, waiting for the lap's row id (encoding needs no database)."""

    rows: tuple[tuple[Any, ...], ...]  # _INSERT_COLUMNS without the leading lap_id


def _row(role: str, key: str, info: ChannelInfo, values: np.ndarray) -> tuple[Any, ...]:
    encoded = arrays.encode_array(key, values)
    return (
        role, key, info.label or key, info.unit, info.display_unit, info.source, encoded.encoding, encoded.codec,
        int(values.shape[0]), encoded.data,
    )  # fmt: skip


def encode_lap(data: LapData, infos: dict[str, ChannelInfo]) -> EncodedLap:
    """Encode outside the write transaction, so the writer is held only for the inserts."""
    axes = [_row(AXIS, key, ChannelInfo(key, key, "", "", "file"), getattr(data, key)) for key in AXIS_KEYS]
    channels = [_row(CHANNEL, key, infos.get(key, _UNDESCRIBED), values) for key, values in data.channels.items()]
    return EncodedLap(tuple(axes + channels))


def store_encoded_laps(db: Session, laps: Iterable[tuple[int, EncodedLap]]) -> int:
    """Insert the arrays of many laps in one executemany. Returns the number of arrays written."""
    rows = [(lap_id, *row) for lap_id, encoded in laps for row in encoded.rows]
    if rows:
        db.connection().exec_driver_sql(_INSERT_SQL, rows)
    return len(rows)


def store_lap_arrays(db: Session, laps: Iterable[tuple[int, LapData]], infos: dict[str, ChannelInfo]) -> int:
    return store_encoded_laps(db, ((lap_id, encode_lap(data, infos)) for lap_id, data in laps))


def delete_lap_arrays(db: Session, lap_ids: list[int]) -> None:
    if lap_ids:
        db.execute(sa.delete(LapChannel).where(LapChannel.lap_id.in_(lap_ids)))


def load_lap_arrays(db: Session, lap_uuid: uuid.UUID) -> tuple[LapData, dict[str, ChannelInfo]]:
    """Decode one lap's arrays; the channel infos keep the file's label, units and source."""
    lap_id = db.scalar(sa.select(Lap.id).where(Lap.uuid == lap_uuid, Lap.deleted_at.is_(None)))
    if lap_id is None:
        raise RecordNotFoundError("lap", lap_uuid)
    stored = db.execute(
        sa.select(LapChannel.role, LapChannel.key, LapChannel.label, LapChannel.unit, LapChannel.display_unit,
                  LapChannel.source, LapChannel.encoding, LapChannel.compression, LapChannel.sample_count,
                  LapChannel.data)
        .where(LapChannel.lap_id == lap_id).order_by(LapChannel.id)
    ).all()  # fmt: skip
    axes: dict[str, np.ndarray] = {}
    channels: dict[str, np.ndarray] = {}
    infos: dict[str, ChannelInfo] = {}
    for role, key, label, unit, display_unit, source, encoding, compression, count, blob in stored:
        values = arrays.decode_array(blob, encoding, compression, count)
        if role == AXIS:
            axes[key] = values
        else:
            channels[key] = values
            infos[key] = ChannelInfo(key=key, label=label, unit=unit, display_unit=display_unit, source=source)
    missing = [key for key in AXIS_KEYS if key not in axes]
    if missing:
        raise RecordNotFoundError(f"arrays {', '.join(missing)} of lap", lap_uuid)
    data = LapData(axes["time_s"], axes["distance_m"], axes["lat"], axes["lon"], axes["gps_fix"], channels)
    return data, infos


def store_original(
    db: Session, session_id: int, sha256: str, name: str, size: int, compressed: tuple[str, bytes]
) -> None:
    compression, blob = compressed
    db.add(
        SourceFile(
            session_id=session_id, sha256=sha256, original_name=name, size_bytes=size,
            compression=compression, data=blob,
        )
    )  # fmt: skip


def load_original(db: Session, session_id: int) -> tuple[str, bytes]:
    """The original file's name and exact bytes."""
    row = db.execute(
        sa.select(SourceFile.original_name, SourceFile.compression, SourceFile.data, SourceFile.size_bytes)
        .where(SourceFile.session_id == session_id)
    ).first()  # fmt: skip
    if row is None:
        raise RecordNotFoundError("original file of session", session_id)
    name, compression, blob, size = row
    data = codec.decompress(blob, compression)
    if len(data) != size:
        raise ValueError(f"original file {name!r} is damaged in the library ({len(data)} bytes, expected {size})")
    return name, data
