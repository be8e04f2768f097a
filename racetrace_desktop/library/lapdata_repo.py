"""Per-lap channel arrays and the original files: the bulky part of the library."""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from racetrace_desktop.library import arrays
from racetrace_desktop.library.errors import RecordNotFoundError
from racetrace_desktop.library.models import Lap, LapChannel, SourceFile
from racetrace_desktop.telemetry.model import ChannelInfo, LapData

AXIS = "axis"
CHANNEL = "channel"
AXIS_KEYS = ("time_s", "distance_m", "lat", "lon", "gps_fix")
ORIGINAL_COMPRESSION = "zlib"


def compress_original(data: bytes) -> bytes:
    """Runs outside the write transaction (zlib releases the GIL, so an import overlaps it with parsing)."""
    return zlib.compress(data, arrays.COMPRESSION_LEVEL)


def _axis_rows(lap_id: int, data: LapData) -> Iterator[dict[str, Any]]:
    for key in AXIS_KEYS:
        values = getattr(data, key)
        encoding = arrays.choose_encoding(key, values)
        yield {
            "lap_id": lap_id, "role": AXIS, "key": key, "label": key, "unit": "", "display_unit": "",
            "source": "file", "encoding": encoding, "sample_count": int(values.shape[0]),
            "data": arrays.encode(values, encoding),
        }  # fmt: skip


def _channel_rows(lap_id: int, data: LapData, infos: dict[str, ChannelInfo]) -> Iterator[dict[str, Any]]:
    for key, values in data.channels.items():
        info = infos.get(key) or ChannelInfo(key=key, label=key, unit="", display_unit="", source="derived")
        encoding = arrays.choose_encoding(key, values)
        yield {
            "lap_id": lap_id, "role": CHANNEL, "key": key, "label": info.label, "unit": info.unit,
            "display_unit": info.display_unit, "source": info.source, "encoding": encoding,
            "sample_count": int(values.shape[0]), "data": arrays.encode(values, encoding),
        }  # fmt: skip


def store_lap_arrays(db: Session, laps: Iterable[tuple[int, LapData]], infos: dict[str, ChannelInfo]) -> int:
    """Insert the arrays of many laps in one executemany. Returns the number of arrays written."""
    rows: list[dict[str, Any]] = []
    for lap_id, data in laps:
        rows.extend(_axis_rows(lap_id, data))
        rows.extend(_channel_rows(lap_id, data, infos))
    if rows:
        db.execute(sa.insert(LapChannel), rows)
    return len(rows)


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
                  LapChannel.source, LapChannel.encoding, LapChannel.sample_count, LapChannel.data)
        .where(LapChannel.lap_id == lap_id).order_by(LapChannel.id)
    ).all()  # fmt: skip
    axes: dict[str, np.ndarray] = {}
    channels: dict[str, np.ndarray] = {}
    infos: dict[str, ChannelInfo] = {}
    for role, key, label, unit, display_unit, source, encoding, count, blob in stored:
        values = arrays.decode(blob, encoding, count)
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


def store_original(db: Session, session_id: int, sha256: str, name: str, size: int, compressed: bytes) -> None:
    db.add(
        SourceFile(
            session_id=session_id, sha256=sha256, original_name=name, size_bytes=size,
            compression=ORIGINAL_COMPRESSION, data=compressed,
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
    if compression != ORIGINAL_COMPRESSION:
        raise ValueError(f"original file {name!r} is stored with unknown compression {compression!r}")
    data = zlib.decompress(blob)
    if len(data) != size:
        raise ValueError(f"original file {name!r} is damaged in the library ({len(data)} bytes, expected {size})")
    return name, data
