"""Tracks and configurations: listing, matching a file to a configuration, creating and editing local ones."""

from __future__ import annotations

from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from racetrace_desktop.library.base import Origin, utcnow
from racetrace_desktop.library.errors import ReadOnlyError, RecordNotFoundError
from racetrace_desktop.library.models import ConfigurationCorners, SessionRow, Track, TrackConfiguration
from racetrace_desktop.library.read_models import ConfigurationRecord, TrackRecord
from racetrace_desktop.telemetry.corners import Corner
from racetrace_desktop.telemetry.geo import distance_m
from racetrace_desktop.telemetry.model import GeoPoint

GATE_FIELDS = ("start_lat", "start_lon", "start_heading_deg", "gate_width_m", "num_sectors", "sector_gates")
EDITABLE_FIELDS = (*GATE_FIELDS, "name", "length_m")


def _record(config: TrackConfiguration, track: Track, session_count: int = 0) -> ConfigurationRecord:
    return ConfigurationRecord(
        id=config.id,
        track_id=track.id,
        track_name=track.name,
        name=config.name,
        start_lat=config.start_lat,
        start_lon=config.start_lon,
        start_heading_deg=config.start_heading_deg,
        gate_width_m=config.gate_width_m,
        num_sectors=config.num_sectors,
        sector_gates=tuple((g[0], g[1], g[2] if len(g) > 2 else None) for g in config.sector_gates),
        length_m=config.length_m,
        version=config.version,
        origin=str(config.origin),
        server_id=config.server_id,
        session_count=session_count,
    )


def _session_counts(db: Session) -> dict[int, int]:
    query = (
        sa.select(SessionRow.track_configuration_id, sa.func.count())
        .where(SessionRow.deleted_at.is_(None), SessionRow.track_configuration_id.is_not(None))
        .group_by(SessionRow.track_configuration_id)
    )
    return {config_id: count for config_id, count in db.execute(query) if config_id is not None}


def _configurations_with_tracks(db: Session) -> list[tuple[TrackConfiguration, Track]]:
    query = sa.select(TrackConfiguration, Track).join(Track).order_by(Track.name, TrackConfiguration.name)
    return [(config, track) for config, track in db.execute(query)]


def list_tracks(db: Session) -> list[TrackRecord]:
    """Every track with its configurations and how many sessions use each, sorted by name."""
    counts = _session_counts(db)
    by_track: dict[int, list[ConfigurationRecord]] = {}
    for config, track in _configurations_with_tracks(db):
        by_track.setdefault(track.id, []).append(_record(config, track, counts.get(config.id, 0)))
    tracks = db.scalars(sa.select(Track).order_by(Track.name)).all()
    return [
        TrackRecord(t.id, t.name, t.country, t.city, str(t.origin), t.server_id, tuple(by_track.get(t.id, [])))
        for t in tracks
    ]


def configuration_row(db: Session, configuration_id: int) -> TrackConfiguration:
    config = db.get(TrackConfiguration, configuration_id)
    if config is None:
        raise RecordNotFoundError("track configuration", configuration_id)
    return config


def get_configuration(db: Session, configuration_id: int) -> ConfigurationRecord:
    config = configuration_row(db, configuration_id)
    track = db.get_one(Track, config.track_id)
    return _record(config, track, _session_counts(db).get(config.id, 0))


def nearest_configuration(
    db: Session, lats: np.ndarray, lons: np.ndarray, tolerance_m: float
) -> ConfigurationRecord | None:
    """The configuration whose start/finish lies closest to any of the given points, if within tolerance.

    A shared server configuration wins over a local one within tolerance: the leaderboard needs it.
    """
    lats, lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
    known = ~(np.isnan(lats) | np.isnan(lons))
    lats, lons = lats[known], lons[known]
    if lats.size == 0:
        return None
    best: tuple[tuple[bool, float], ConfigurationRecord] | None = None
    for config, track in _configurations_with_tracks(db):
        gap = float(np.min(distance_m(lats, lons, config.start_lat, config.start_lon)))
        rank = (config.origin != Origin.SERVER, gap)
        if gap <= tolerance_m and (best is None or rank < best[0]):
            best = (rank, _record(config, track))
    return best[1] if best else None


def track_by_name(db: Session, name: str) -> Track | None:
    return db.scalars(sa.select(Track).where(sa.func.lower(Track.name) == name.lower()).limit(1)).first()


def create_local_configuration(
    db: Session, track_name: str, start: GeoPoint, num_sectors: int, gate_width_m: float
) -> ConfigurationRecord:
    """A new local configuration; joins an existing track of the same name (another layout of it)."""
    track = track_by_name(db, track_name)
    if track is None:
        track = Track(name=track_name, origin=Origin.LOCAL)
        db.add(track)
        db.flush()
    layouts = db.scalar(sa.select(sa.func.count()).where(TrackConfiguration.track_id == track.id)) or 0
    config = TrackConfiguration(
        track_id=track.id,
        name="Default" if layouts == 0 else f"Layout {layouts + 1}",
        start_lat=start.lat,
        start_lon=start.lon,
        start_heading_deg=start.heading_deg,
        gate_width_m=gate_width_m,
        num_sectors=num_sectors,
        sector_gates=[],
        origin=Origin.LOCAL,
    )
    db.add(config)
    db.flush()
    return _record(config, track)


def update_configuration(db: Session, configuration_id: int, changes: dict[str, Any]) -> bool:
    """Apply edits to a local configuration. Returns True when the gate or sectors changed (laps must be redone)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable on a track configuration: {', '.join(sorted(unknown))}")
    config = configuration_row(db, configuration_id)
    if config.origin != Origin.LOCAL:
        raise ReadOnlyError(f"track configuration {config.name!r} comes from the sync server and cannot be edited")
    changes = _normalised(changes)
    gate_changed = any(field in changes and getattr(config, field) != changes[field] for field in GATE_FIELDS)
    for field, value in changes.items():
        setattr(config, field, value)
    if gate_changed:
        config.version += 1
    config.updated_at = utcnow()
    return gate_changed


def _normalised(changes: dict[str, Any]) -> dict[str, Any]:
    """Validated edits in stored form (JSON lists for gates), so unchanged values compare equal."""
    _validate(changes)
    result = dict(changes)
    if "sector_gates" in result:
        gates = [list(gate) for gate in result["sector_gates"]]
        if any(len(gate) not in (2, 3) for gate in gates):
            raise ValueError("each sector gate is (lat, lon) or (lat, lon, heading)")
        result["sector_gates"] = [[float(g[0]), float(g[1]), None if len(g) < 3 or g[2] is None else float(g[2])]
                                  for g in gates]  # fmt: skip
    if "num_sectors" in result:
        result["num_sectors"] = int(result["num_sectors"])
    return result


def _validate(changes: dict[str, Any]) -> None:
    if "start_lat" in changes and not -90 <= changes["start_lat"] <= 90:
        raise ValueError(f"start_lat {changes['start_lat']} is not a latitude (-90..90)")
    if "start_lon" in changes and not -180 <= changes["start_lon"] <= 180:
        raise ValueError(f"start_lon {changes['start_lon']} is not a longitude (-180..180)")
    if "num_sectors" in changes and not 1 <= int(changes["num_sectors"]) <= 50:
        raise ValueError(f"num_sectors {changes['num_sectors']} must be between 1 and 50")
    if "gate_width_m" in changes and not changes["gate_width_m"] > 0:
        raise ValueError(f"gate_width_m {changes['gate_width_m']} must be positive")


def rename_track(db: Session, track_id: int, name: str, country: str | None = None, city: str | None = None) -> None:
    track = db.get(Track, track_id)
    if track is None:
        raise RecordNotFoundError("track", track_id)
    if track.origin != Origin.LOCAL:
        raise ReadOnlyError(f"track {track.name!r} comes from the sync server and cannot be edited")
    if not name.strip():
        raise ValueError("a track needs a name")
    track.name, track.country, track.city = name.strip(), country, city
    track.updated_at = utcnow()


def set_length_if_unknown(db: Session, configuration_id: int, length_m: float | None) -> None:
    config = configuration_row(db, configuration_id)
    if config.length_m is None and length_m:
        config.length_m = float(length_m)


def configuration_corners(db: Session, configuration_id: int) -> list[Corner]:
    """The stored corners ([] until detected or given by the server)."""
    configuration_row(db, configuration_id)
    row = db.get(ConfigurationCorners, configuration_id)
    return [Corner.from_json(c) for c in row.corners] if row is not None else []


def set_corners(db: Session, configuration_id: int, corners: list[Corner], *, edit: bool) -> None:
    """Store a configuration's corners. A detection result may be stored on any configuration (it only caches what
    the server did not give); an edit by the driver only on a local one."""
    config = configuration_row(db, configuration_id)
    if edit and config.origin != Origin.LOCAL:
        raise ReadOnlyError(f"the corners of {config.name!r} come from the sync server and cannot be edited here")
    store_corners(db, configuration_id, [c.to_json() for c in corners])


def store_corners(db: Session, configuration_id: int, corners: list[dict[str, Any]]) -> None:
    row = db.get(ConfigurationCorners, configuration_id)
    if row is None:
        row = ConfigurationCorners(configuration_id=configuration_id)
        db.add(row)
    row.corners, row.updated_at = list(corners), utcnow()
