"""Track suggestions: public laps driven where no configuration exists, grouped by where they start, so an admin
can turn a place into a track with one click. The sessions then adopt the new configuration on their next sync
(the desktop moves sessions onto a server configuration within the matching tolerance) and reach its leaderboard.
Nothing is stored: suggestions are computed from the sessions each time (lap places are cached in memory)."""

from __future__ import annotations

import statistics
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from racetrace_desktop.telemetry.formats.trackaddict_meta import apply_file_name
from racetrace_desktop.telemetry.geo import haversine_m
from racetrace_desktop.telemetry.model import SessionMetadata
from sync_server.errors import NotFoundError
from sync_server.session_upload import relap
from sync_server.suggestions import repository
from sync_server.suggestions.places import PLACES, LapPlace, group_places, mean_heading, place_of
from sync_server.tracks import service as tracks
from sync_server.tracks.matching import MATCH_TOLERANCE_M, live_configurations
from sync_server.tracks.schemas import ConfigurationFields, TrackCreate, TrackOut

SUGGESTION_NAMESPACE = uuid.UUID("0b6f3f5e-55c7-4d0e-9a1b-6c2a3a1d9e47")


class SuggestedSession(BaseModel):
    id: uuid.UUID
    driver: str
    file_name: str | None
    recorded_at: datetime | None
    best_lap_ms: int
    timed_laps: int


class TrackSuggestion(BaseModel):
    id: uuid.UUID = Field(description="Stable while its first session exists")
    name: str = Field(description="Proposed track name, from the sessions' file names or the place")
    start_finish_lat: float
    start_finish_lon: float
    start_finish_heading_deg: float | None = Field(description="Direction of travel over the line, from the laps")
    length_m: float | None = Field(description="Median length of the sessions' reference laps")
    drivers: list[str]
    best_lap_ms: int
    reference_lap_id: uuid.UUID = Field(description="The fastest of the sessions' reference laps")
    reference_path: list[tuple[float, float]] = Field(description="(lat, lon) of the reference lap, for a map")
    sessions: list[SuggestedSession]


class AcceptSuggestion(BaseModel):
    track_name: str | None = Field(default=None, min_length=1, max_length=128, description="Default: the proposal")
    configuration_name: str = Field(default="Main", min_length=1, max_length=128)
    country: str | None = Field(default=None, max_length=64)
    city: str | None = Field(default=None, max_length=64)


def list_suggestions(db: Session, tolerance_m: float = MATCH_TOLERANCE_M) -> list[TrackSuggestion]:
    """Most sessions first."""
    configured = [(c.lat, c.lon) for c in live_configurations(db)]
    placed: list[tuple[repository.Candidate, LapPlace]] = []
    for candidate in repository.candidates(db):
        place = _place(db, candidate)
        if place is not None and not _near_any(place, configured, tolerance_m):
            placed.append((candidate, place))  # near a configuration: adopted on its next sync, no suggestion
    groups = group_places([place for _, place in placed], tolerance_m)
    suggestions = [_suggestion([placed[i] for i in group.members]) for group in groups]
    return sorted(suggestions, key=lambda s: (-len(s.sessions), s.best_lap_ms))


@dataclass(frozen=True)
class Accepted:
    track: TrackOut
    relap_on_server: list[uuid.UUID]  # sessions whose original is here: the server re-laps them (see relap.py)


def accept(db: Session, suggestion_id: uuid.UUID, choice: AcceptSuggestion) -> Accepted:
    """Create the track and its configuration at the proposed line (admin; revision-counted like any track write).
    Sessions whose original file is on the server (uploads) are to be re-lapped by the caller after the commit;
    the others move on their desktop's next sync."""
    suggestion = next((s for s in list_suggestions(db) if s.id == suggestion_id), None)
    if suggestion is None:
        raise NotFoundError(
            f"Track suggestion {suggestion_id} not found: its sessions now match a configuration, or went private",
            code="suggestion_not_found",
        )
    configuration = ConfigurationFields(
        name=choice.configuration_name,
        start_finish_lat=suggestion.start_finish_lat,
        start_finish_lon=suggestion.start_finish_lon,
        start_finish_heading_deg=suggestion.start_finish_heading_deg,
        length_m=suggestion.length_m,
        is_default=True,
    )
    name = choice.track_name or suggestion.name
    track = tracks.create_track(
        db, TrackCreate(name=name, country=choice.country, city=choice.city, configurations=[configuration])
    )
    return Accepted(track, relap.with_original(db, [session.id for session in suggestion.sessions]))


def _place(db: Session, candidate: repository.Candidate) -> LapPlace | None:
    key = (candidate.lap_id, candidate.telemetry_sha256)
    known, place = PLACES.get(key)
    if known:
        return place
    document = repository.telemetry_document(db, candidate.lap_id)
    place = place_of(document) if document is not None else None
    PLACES.put(key, place)
    return place


def _near_any(place: LapPlace, points: list[tuple[float, float]], tolerance_m: float) -> bool:
    return any(float(haversine_m(place.lat, place.lon, lat, lon)) <= tolerance_m for lat, lon in points)


def _suggestion(members: list[tuple[repository.Candidate, LapPlace]]) -> TrackSuggestion:
    first = members[0][0]
    reference, reference_place = min(members, key=lambda m: (m[0].lap_time_ms, m[0].lap_id))
    lat = statistics.median(place.lat for _, place in members)
    lon = statistics.median(place.lon for _, place in members)
    lengths = [c.length_m for c, _ in members if c.length_m]
    return TrackSuggestion(
        id=uuid.uuid5(SUGGESTION_NAMESPACE, str(first.session_id)),
        name=_name([c.file_name for c, _ in members], lat, lon),
        start_finish_lat=round(lat, 7),
        start_finish_lon=round(lon, 7),
        start_finish_heading_deg=mean_heading([place.heading_deg for _, place in members]),
        length_m=round(statistics.median(lengths), 1) if lengths else None,
        drivers=sorted({c.driver for c, _ in members}),
        best_lap_ms=reference.lap_time_ms,
        reference_lap_id=reference.lap_id,
        reference_path=list(reference_place.path),
        sessions=[_session(candidate) for candidate, _ in members],
    )


def _session(candidate: repository.Candidate) -> SuggestedSession:
    return SuggestedSession(
        id=candidate.session_id,
        driver=candidate.driver,
        file_name=candidate.file_name,
        recorded_at=candidate.recorded_at,
        best_lap_ms=candidate.lap_time_ms,
        timed_laps=candidate.lap_count,
    )


def _name(file_names: list[str | None], lat: float, lon: float) -> str:
    """The track name most of the files carry (TrackAddict names them 'Log-<date>-<time> <Track> - <best>.csv'),
    else the desktop's name for a local track at this place."""
    names = Counter(name for name in map(_track_in_file_name, file_names) if name)
    if names:
        return names.most_common(1)[0][0][:128]
    return f"Track near {lat:.4f}, {lon:.4f}"


def _track_in_file_name(file_name: str | None) -> str | None:
    if not file_name:
        return None
    metadata = SessionMetadata(source_name=file_name, format_name="")
    apply_file_name(metadata, file_name)
    return metadata.track_name
