"""The repository that stores a session: writes an analysed session into the library (import) and replaces its
laps (re-lap)."""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from racetrace_desktop.library import lapdata_repo
from racetrace_desktop.library.base import TimeSource, utcnow
from racetrace_desktop.library.models import Lap, SessionRow
from racetrace_desktop.library.read_models import ConfigurationRecord
from racetrace_desktop.telemetry.model import AnalysedSession, ChannelInfo, GeoPoint, RawSession
from racetrace_desktop.telemetry.model import Lap as AnalysedLap
from racetrace_desktop.telemetry.session import derived_channel_info

# Lap columns computed by analysis; everything else on a lap (override, public flag, identity) is the driver's.
COMPUTED_LAP_FIELDS = (
    "number", "lap_time_ms", "time_source", "gps_time_ms", "start_s", "end_s", "row_start", "row_end",
    "is_outlap", "is_inlap", "is_pit", "is_valid", "invalid_reason", "sector_times_ms", "stats", "length_m",
)  # fmt: skip
MIN_LAP_OVERLAP = 0.5  # a re-computed lap is "the same lap" when the time spans overlap by half
_BOM = b"\xef\xbb\xbf"
_LF = ord("\n")


@dataclass(frozen=True)
class SourceInfo:
    """The original file as it is about to be stored."""

    sha256: str
    name: str
    size: int
    compressed: tuple[str, bytes]  # (codec, bytes)
    recording_key: str | None = None  # recording_key(data); None = matched by sha256 only


@dataclass(frozen=True)
class StoredSession:
    session_id: int
    session_uuid: uuid.UUID
    lap_uuids: tuple[uuid.UUID, ...]
    revived: bool  # True when the file re-creates a session the driver had deleted (same identity)


def session_by_sha(db: Session, sha256: str) -> SessionRow | None:
    return db.scalars(sa.select(SessionRow).where(SessionRow.source_sha256 == sha256)).first()


def recording_key(data: bytes, sha256: str | None = None) -> str:
    """SHA-256 of the file with a UTF-8 BOM removed, CRLF/CR line ends made LF and exactly one final LF: the
    same recording saved again by another editor or OS has the same key. `sha256` (of `data`) is reused when
    the file is already in that form. Stored keys depend on this definition: never change it."""
    canonical = not data.startswith(_BOM) and b"\r" not in data and data.endswith(b"\n") and not data.endswith(b"\n\n")
    if canonical:
        return sha256 or hashlib.sha256(data).hexdigest()
    text = data.removeprefix(_BOM).replace(b"\r\n", b"\n")
    if b"\r" in text:  # old Mac line ends
        text = text.replace(b"\r", b"\n")
    end = len(text)
    while end and text[end - 1] == _LF:
        end -= 1
    digest = hashlib.sha256(memoryview(text)[:end])  # no copy of a whole file for its last newlines
    digest.update(b"\n")
    return digest.hexdigest()


def live_session_by_recording(db: Session, key: str) -> SessionRow | None:
    """A session the driver has not deleted that holds the same recording."""
    query = sa.select(SessionRow).where(SessionRow.recording_key == key, SessionRow.deleted_at.is_(None))
    return db.scalars(query.order_by(SessionRow.id)).first()


def _point(point: GeoPoint | None) -> list[float | None] | None:
    return None if point is None else [point.lat, point.lon, point.heading_deg]


def _gps_rate_hz(raw: RawSession) -> float | None:
    fix_times = raw.time_s[raw.gps_fix.astype(bool)]
    if fix_times.size < 2 or fix_times[-1] <= fix_times[0]:
        return None
    return float((fix_times.size - 1) / (fix_times[-1] - fix_times[0]))


def _finite_or_none(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _warnings(raw: RawSession, analysed: AnalysedSession) -> list[str]:
    """The reader's and the analysis' warnings, each once, in order."""
    return list(dict.fromkeys(str(w) for w in [*getattr(raw, "warnings", []), *analysed.warnings]))


def session_fields(analysed: AnalysedSession, configuration: ConfigurationRecord | None) -> dict[str, Any]:
    """The session columns that come from the file and the analysis (never the driver's edits)."""
    raw, meta = analysed.raw, analysed.raw.metadata
    duration = float(raw.time_s[-1] - raw.time_s[0]) if raw.row_count else 0.0
    return {
        "track_configuration_id": configuration.id if configuration else None,
        "configuration_version": configuration.version if configuration else None,
        "recorded_at_utc": meta.session_start_utc,
        "recorded_at_local": meta.local_start,
        "format_name": meta.format_name,
        "app_version": meta.app_version,
        "os_name": meta.os_name,
        "os_version": meta.os_version,
        "device": meta.device,
        "vehicle": meta.vehicle,
        "vehicle_tune": meta.vehicle_tune,
        "gps_source": meta.gps_source,
        "obd_adapter": meta.obd_adapter,
        "units": meta.units,
        "file_metadata": {
            "start_finish": _point(meta.start_finish),
            "split_points": [_point(p) for p in meta.split_points],
            "track_name": meta.track_name,
            "best_lap_ms": meta.best_lap_ms,
            "extra": dict(meta.extra),
            "mode": getattr(meta, "mode", None),
            "device_free_space_mb": getattr(meta, "device_free_space_mb", None),
            "app": getattr(meta, "app_name", None),
            "logger": getattr(meta, "logger", None),
            "driver": getattr(meta, "driver", None),
        },
        "row_count": raw.row_count,
        "duration_s": duration,
        "gps_rate_hz": _gps_rate_hz(raw),
        "theoretical_best_ms": analysed.theoretical_best_ms,
        "sector_boundaries_m": [float(b) for b in analysed.sector_boundaries_m],
        "analysis_warnings": _warnings(raw, analysed),
    }


def lap_fields(lap: AnalysedLap) -> dict[str, Any]:
    return {
        "number": int(lap.number),
        "lap_time_ms": None if lap.lap_time_ms is None else int(lap.lap_time_ms),
        "time_source": TimeSource(lap.time_source),
        "gps_time_ms": None if lap.gps_time_ms is None else int(lap.gps_time_ms),
        "start_s": float(lap.start_s),
        "end_s": None if lap.end_s is None else float(lap.end_s),
        "row_start": int(lap.row_start),
        "row_end": int(lap.row_end),
        "is_outlap": bool(lap.is_outlap),
        "is_inlap": bool(lap.is_inlap),
        "is_pit": bool(lap.is_pit),
        "is_valid": bool(lap.is_valid),
        "invalid_reason": lap.invalid_reason,
        "sector_times_ms": [None if t is None else int(t) for t in lap.sector_times_ms],
        "stats": {str(k): _finite_or_none(v) for k, v in lap.stats.items()},
        "length_m": None if lap.length_m is None else _finite_or_none(lap.length_m),
    }


def channel_infos(analysed: AnalysedSession) -> dict[str, ChannelInfo]:
    """Infos of the file's channels plus those the analysis derives (GPS g forces, ...)."""
    return {**derived_channel_info(), **analysed.raw.channel_info}


def encode_laps(analysed: AnalysedSession) -> list[lapdata_repo.EncodedLap | None]:
    """The laps' arrays ready to insert (None for a lap without data); CPU work that needs no transaction."""
    infos = channel_infos(analysed)
    return [None if lap.data is None else lapdata_repo.encode_lap(lap.data, infos) for lap in analysed.laps]


def insert_session(
    db: Session,
    analysed: AnalysedSession,
    source: SourceInfo,
    configuration: ConfigurationRecord | None,
    encoded: list[lapdata_repo.EncodedLap | None] | None = None,
) -> StoredSession:
    """Store a new session (or revive the driver's deleted one for the same file) with laps, arrays, original.

    `encoded` is `encode_laps(analysed)` computed beforehand (outside the writer), or None to encode here.
    """
    row = session_by_sha(db, source.sha256)
    revived = row is not None
    if row is None:
        row = SessionRow(source_sha256=source.sha256)
        db.add(row)
    else:
        row.deleted_at = None
        row.touch()
    row.source_name = source.name
    row.recording_key = source.recording_key
    for field, value in session_fields(analysed, configuration).items():
        setattr(row, field, value)
    db.flush()
    laps = [Lap(session_id=row.id, **lap_fields(lap)) for lap in analysed.laps]
    db.add_all(laps)
    db.flush()
    encoded = encode_laps(analysed) if encoded is None else encoded
    pairs = ((stored.id, arrays) for stored, arrays in zip(laps, encoded, strict=True) if arrays is not None)
    lapdata_repo.store_encoded_laps(db, pairs)
    lapdata_repo.store_original(db, row.id, source.sha256, source.name, source.size, source.compressed)
    return StoredSession(row.id, row.uuid, tuple(lap.uuid for lap in laps), revived)


def _overlap_fraction(old: Lap, new: AnalysedLap, session_end: float) -> float:
    old_end = old.end_s if old.end_s is not None else session_end
    new_end = new.end_s if new.end_s is not None else session_end
    overlap = min(old_end, new_end) - max(old.start_s, new.start_s)
    longest = max(old_end - old.start_s, new_end - new.start_s, 1e-9)
    return max(overlap, 0.0) / longest


def _match_laps(old_laps: list[Lap], new_laps: list[AnalysedLap], session_end: float) -> dict[int, Lap]:
    """Index of new lap -> the old lap it replaces: greatest time overlap, at least half of the longer lap."""
    matches: dict[int, Lap] = {}
    taken: set[int] = set()
    for index, new in enumerate(new_laps):
        candidates = [(_overlap_fraction(old, new, session_end), old) for old in old_laps if old.id not in taken]
        if not candidates:
            continue
        fraction, best = max(candidates, key=lambda pair: pair[0])
        if fraction >= MIN_LAP_OVERLAP:
            matches[index] = best
            taken.add(best.id)
    return matches


@dataclass(frozen=True)
class Relapped:
    session_changed: bool  # the session's own computed fields or any of its laps changed
    laps_changed: frozenset[uuid.UUID]  # added, recomputed or removed laps


def replace_laps(
    db: Session, session_id: int, analysed: AnalysedSession, configuration: ConfigurationRecord | None
) -> Relapped:
    """Swap a session's laps for freshly computed ones, keeping the identity and driver edits of matching laps."""
    row = db.get_one(SessionRow, session_id)
    fields = session_fields(analysed, configuration)
    fields_changed = any(getattr(row, name) != value for name, value in fields.items())
    for name, value in fields.items():
        setattr(row, name, value)
    old_laps = list(db.scalars(sa.select(Lap).where(Lap.session_id == row.id, Lap.deleted_at.is_(None))))
    kept, changed = _update_matching_laps(db, row.id, old_laps, analysed)
    for old in old_laps:
        if old not in kept:
            _drop_lap(db, old)
            changed.add(old.uuid)
    db.flush()
    lapdata_repo.delete_lap_arrays(db, [lap.id for lap in kept])
    pairs = ((lap.id, new.data) for lap, new in zip(kept, analysed.laps, strict=True) if new.data is not None)
    lapdata_repo.store_lap_arrays(db, pairs, channel_infos(analysed))
    if fields_changed or changed:
        row.touch()
    return Relapped(fields_changed or bool(changed), frozenset(changed))


def _update_matching_laps(
    db: Session, session_id: int, old_laps: list[Lap], analysed: AnalysedSession
) -> tuple[list[Lap], set[uuid.UUID]]:
    """New laps take over the rows (identity, override, public flag) of the old laps they match."""
    session_end = float(analysed.raw.time_s[-1]) if analysed.raw.row_count else 0.0  # end of an untimed lap
    matches = _match_laps(old_laps, analysed.laps, session_end)
    changed: set[uuid.UUID] = set()
    kept: list[Lap] = []
    for index, new in enumerate(analysed.laps):
        lap = matches.get(index)
        if lap is None:
            lap = Lap(session_id=session_id, uuid=uuid.uuid4())
            db.add(lap)
        fields = lap_fields(new)
        if lap.id is None or any(getattr(lap, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(lap, name, value)
            lap.touch()
            changed.add(lap.uuid)
        kept.append(lap)
    return kept, changed


def _drop_lap(db: Session, lap: Lap) -> None:
    """A lap the server never saw disappears; a synced one stays as a tombstone for the next push."""
    if lap.server_rev is None:
        db.delete(lap)
    else:
        lapdata_repo.delete_lap_arrays(db, [lap.id])
        lap.deleted_at = utcnow()
        lap.touch()
