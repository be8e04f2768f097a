"""Leaderboards per server track configuration: fetched when the server answers, cached for offline viewing; a
leaderboard lap can be downloaded into the library as a read-only lap to compare against one's own."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from racetrace_desktop.library import Library, remote_repo, sessions_repo
from racetrace_desktop.library.remote_repo import ForeignLap
from racetrace_desktop.sync import protocol
from racetrace_desktop.sync.client import ApiClient
from racetrace_desktop.sync.errors import ServerMessage, ServerUnreachable
from racetrace_desktop.telemetry import lap_document


@dataclass(frozen=True)
class LeaderboardView:
    """A leaderboard page; `stale` when it comes from the cache because the server could not be asked."""

    configuration_server_id: str
    payload: dict[str, Any]  # the server's answer: track_configuration_version, total, entries, ...
    fetched_at: datetime
    stale: bool
    problem: str | None = None  # why the cached copy is shown

    @property
    def entries(self) -> list[dict[str, Any]]:
        return list(self.payload.get("entries") or [])


def cache_key(configuration_server_id: str, car_category: str | None, event_id: str | None, page: int) -> str:
    return f"{configuration_server_id}|{(car_category or '').strip().casefold()}|{event_id or ''}|{page}"


def leaderboard(
    client: ApiClient | None,
    library: Library,
    configuration_server_id: str,
    car_category: str | None = None,
    event_id: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> LeaderboardView | None:
    """The page from the server (and into the cache), else the cached copy; None when neither exists."""
    key = cache_key(configuration_server_id, car_category, event_id, page)
    problem = "not signed in to a sync server"
    if client is not None:
        params = {"track_configuration_id": configuration_server_id, "page": page, "page_size": page_size,
                  "car_category": car_category, "event_id": event_id}  # fmt: skip
        try:
            payload = client.get("/leaderboard", auth=False, params={k: v for k, v in params.items() if v})
        except (ServerUnreachable, ServerMessage) as error:
            problem = error.message
        else:
            with library.write() as db:
                fetched = remote_repo.store_leaderboard(db, key, configuration_server_id, payload)
            return LeaderboardView(configuration_server_id, payload, fetched, stale=False)
    with library.read() as db:
        cached = remote_repo.cached_leaderboard(db, key)
    if cached is None:
        return None
    return LeaderboardView(configuration_server_id, cached[1], cached[0], stale=True, problem=problem)


def cached_entry(library: Library, lap_text: str) -> dict[str, Any] | None:
    """A cached leaderboard entry whose lap id is `lap_text` or starts with it (None: none or ambiguous)."""
    wanted = lap_text.strip().lower()
    with library.read() as db:
        boards = remote_repo.cached_leaderboards(db)
    found = {
        entry["lap_id"]: {**entry, "track_configuration_id": payload["track_configuration_id"]}
        for _at, payload in boards
        for entry in payload.get("entries") or []
        if entry["lap_id"].startswith(wanted)
    }
    return next(iter(found.values())) if len(found) == 1 and wanted else None


@dataclass(frozen=True)
class DownloadedLap:
    lap_uuid: uuid.UUID
    session_uuid: uuid.UUID
    already_there: bool  # the lap was in the library before (one's own lap, or downloaded earlier)


def download_entry_lap(client: ApiClient, library: Library, entry: dict[str, Any]) -> DownloadedLap:
    """Store a leaderboard entry's lap with its arrays as a read-only local session (once)."""
    lap_uuid = uuid.UUID(entry["lap_id"])
    config_server_id = str(entry["track_configuration_id"])
    with library.read() as db:
        if remote_repo.lap_exists(db, lap_uuid):
            return DownloadedLap(lap_uuid, sessions_repo.lap_record(db, lap_uuid).session_uuid, True)
        configuration = remote_repo.configuration_by_server_id(db, config_server_id)
    if configuration is None:
        raise ServerMessage(
            f"track configuration {config_server_id} is not in the library yet: sync first, then download the lap"
        )
    lap = client.get(f"/laps/{lap_uuid}")
    document = client.get(f"/sync/laps/{lap_uuid}/telemetry")
    data, infos = lap_document.decode(document)
    foreign = _foreign_lap(entry, lap, configuration.id, config_server_id)
    with library.write() as db:
        session_uuid = remote_repo.store_downloaded_lap(db, foreign, data, infos)
    return DownloadedLap(lap_uuid, session_uuid, False)


def _foreign_lap(entry: dict[str, Any], lap: dict[str, Any], configuration_id: int, server_id: str) -> ForeignLap:
    provenance = entry.get("provenance") or {}
    driver = entry.get("driver") or {}
    car = entry.get("car") or {}
    car_name = " ".join(str(part) for part in (car.get("year"), car.get("make"), car.get("model")) if part) or None
    name = driver.get("display_name") or "another driver"
    lap_fields = protocol.from_wire("lap", lap)
    return ForeignLap(
        lap_uuid=uuid.UUID(entry["lap_id"]),
        configuration_id=configuration_id,
        configuration_version=provenance.get("track_configuration_version"),
        driver_id=str(driver.get("id") or ""),
        driver_name=name,
        session_fields={
            "source_name": f"{name} - leaderboard lap {lap_fields['number']}",
            "recorded_at_utc": protocol.parse_utc(entry.get("achieved_at")),
            "format_name": provenance.get("format_name") or "", "app_version": provenance.get("app_version"),
            "device": provenance.get("device"), "os_name": provenance.get("os_name"),
            "gps_source": provenance.get("gps_source"), "gps_rate_hz": provenance.get("gps_rate_hz"),
            "vehicle": car_name, "notes": f"Downloaded from the leaderboard: {name}, rank {entry.get('rank')}",
        },
        lap_fields={
            "number": lap_fields["number"], "lap_time_ms": lap_fields["lap_time_ms"],
            "time_source": lap_fields["time_source"], "gps_time_ms": lap_fields["gps_time_ms"],
            "is_outlap": lap_fields["is_outlap"], "is_inlap": lap_fields["is_inlap"], "is_pit": lap_fields["is_pit"],
            "is_valid": lap_fields["valid"], "invalid_reason": lap_fields["reason"], "length_m": lap_fields["length_m"],
            "sector_times_ms": lap_fields["sector_times_ms"], "stats": lap_fields["stats"],
            "is_public": True,
        },
        entry=entry,
        configuration_server_id=server_id,
    )
