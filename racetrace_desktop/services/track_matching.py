"""Which track configuration a file belongs to, creating a local one when the library knows none nearby."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from racetrace_desktop.library import LibrarySession, tracks_repo
from racetrace_desktop.library.read_models import ConfigurationRecord
from racetrace_desktop.services.known_tracks import known_track_near
from racetrace_desktop.telemetry.model import GeoPoint, RawSession, TrackDefinition

# Loggers place the start/finish where the driver tapped: S1's fixes pass 70-110 m from its End Point.
MATCH_TOLERANCE_M = 150.0
MAX_PATH_POINTS = 4000  # enough to find a start line on the path, cheap for any session length


@dataclass(frozen=True)
class TrackPlan:
    """Either an existing configuration, or the start/finish and name of a new local one, or no track at all."""

    configuration: ConfigurationRecord | None = None
    new_start: GeoPoint | None = None
    new_track_name: str | None = None
    file_name: str | None = None  # the name the file gives (or a known circuit nearby), for unnamed tracks

    @property
    def key(self) -> tuple[object, ...]:
        if self.configuration is not None:
            return ("existing", self.configuration.id, self.configuration.version)
        return ("new", self.new_start) if self.new_start else ("none",)

    @property
    def definition(self) -> TrackDefinition | None:
        if self.configuration is not None:
            return self.configuration.definition()
        return TrackDefinition(start_finish=self.new_start) if self.new_start else None


def _file_start(raw: RawSession) -> GeoPoint | None:
    start = raw.metadata.start_finish
    if start is None or not (np.isfinite(start.lat) and np.isfinite(start.lon)):
        return None
    heading = start.heading_deg
    unknown_heading = heading is None or not np.isfinite(heading) or heading < 0  # TrackAddict writes -1
    return GeoPoint(start.lat, start.lon, None if unknown_heading else heading)


def _path_points(raw: RawSession) -> tuple[np.ndarray, np.ndarray]:
    fixes = raw.gps_fix.astype(bool)
    lats, lons = raw.lat[fixes], raw.lon[fixes]
    step = max(1, lats.size // MAX_PATH_POINTS)
    return lats[::step], lons[::step]


AUTO_NAME_PREFIX = "Track near "


def file_track_name(raw: RawSession, start: GeoPoint | None) -> str | None:
    """The track's name as the file tells it (TrackAddict file names carry it), else a known circuit nearby."""
    name = " ".join((raw.metadata.track_name or "").split())
    if name:
        return name
    known = known_track_near(start.lat, start.lon) if start is not None else None
    return known.name if known is not None else None


def new_track_name(raw: RawSession, start: GeoPoint) -> str:
    return file_track_name(raw, start) or f"{AUTO_NAME_PREFIX}{start.lat:.4f}, {start.lon:.4f}"


def _first_point(lats: np.ndarray, lons: np.ndarray) -> GeoPoint | None:
    known = np.flatnonzero(np.isfinite(lats) & np.isfinite(lons))
    return GeoPoint(float(lats[known[0]]), float(lons[known[0]])) if known.size else None


def _name_if_unnamed(db: LibrarySession, configuration: ConfigurationRecord, name: str | None
                     ) -> ConfigurationRecord:
    """A track still called "Track near ..." takes the name a later file gives it (the driver never named it)."""
    if not (name and configuration.origin == "local" and configuration.track_name.startswith(AUTO_NAME_PREFIX)):
        return configuration
    tracks_repo.rename_track(db, configuration.track_id, name)
    return tracks_repo.get_configuration(db, configuration.id)


def plan_track(db: LibrarySession, raw: RawSession) -> TrackPlan:
    """Match by the file's start/finish point; a file without one is matched by where its GPS path went."""
    start = _file_start(raw)
    if start is not None:
        lats, lons = np.array([start.lat]), np.array([start.lon])
    else:
        lats, lons = _path_points(raw)
    configuration = tracks_repo.nearest_configuration(db, lats, lons, MATCH_TOLERANCE_M)
    if configuration is not None:
        point = start or _first_point(lats, lons)
        return TrackPlan(configuration=configuration, file_name=file_track_name(raw, point))
    if start is not None:
        return TrackPlan(new_start=start, new_track_name=new_track_name(raw, start))
    return TrackPlan()


def resolve_configuration(db: LibrarySession, plan: TrackPlan) -> tuple[ConfigurationRecord | None, bool]:
    """The configuration to store the session under, creating the planned local one. Second value: created."""
    if plan.configuration is not None:
        return _name_if_unnamed(db, plan.configuration, plan.file_name), False
    if plan.new_start is None or plan.new_track_name is None:
        return None, False
    defaults = TrackDefinition(start_finish=plan.new_start)
    created = tracks_repo.create_local_configuration(
        db, plan.new_track_name, plan.new_start, defaults.num_sectors, defaults.gate_width_m
    )
    return created, True


def name_unnamed_tracks(db: LibrarySession) -> list[int]:
    """Local tracks still called "Track near ..." (imported before their circuit was known) take the name of a
    known circuit at their start/finish. Returns the renamed tracks' ids."""
    renamed: list[int] = []
    for track in tracks_repo.list_tracks(db):
        if track.origin != "local" or not track.name.startswith(AUTO_NAME_PREFIX):
            continue
        known = next((k for c in track.configurations if (k := known_track_near(c.start_lat, c.start_lon))), None)
        if known is not None:
            tracks_repo.rename_track(db, track.id, known.name, known.country, track.city)
            renamed.append(track.id)
    return renamed

