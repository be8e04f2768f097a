"""Keep `best_laps` exact inside the same transaction as the writes that change it (SQL in repository.py).

Recomputing one (configuration, driver) pair reads only that driver's laps on that configuration, so a push
costs a few small queries and a leaderboard page is an index range scan whatever the number of laps.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from sync_server.leaderboard import repository
from sync_server.models.leaderboard import ANY

MAX_LAP_SPEED_MS = 400 / 3.6  # no lap averages more than 400 km/h: a faster lap time is a logging error or a lie
MIN_TRACK_LENGTH_M = 400.0  # for configurations without a length: the shortest kart tracks
TELEMETRY_TIME_TOLERANCE = (1.0, 0.02)  # telemetry duration vs lap time: within 1 s or 2 %, whichever is larger
TELEMETRY_DISTANCE_RANGE = (0.7, 1.3)  # telemetry distance vs configuration length

Candidate = tuple[int, datetime, uuid.UUID]  # (lap_time_ms, achieved_at, lap_id): smaller is better


def category_key(category: str | None) -> str | None:
    """Case- and space-insensitive key of a car category (None = no category)."""
    if category is None or not category.strip():
        return None
    return " ".join(category.split()).casefold()[:64]


def refresh_for_changes(
    db: Session,
    user_id: uuid.UUID,
    session_ids: Iterable[uuid.UUID],
    car_ids: Iterable[uuid.UUID],
    configuration_ids: Iterable[uuid.UUID],
) -> None:
    """Recompute the best laps of `user_id` on every configuration the changed records touch."""
    session_ids, car_ids = list(session_ids), list(car_ids)
    configs = set(configuration_ids)
    if session_ids or car_ids:
        configs.update(repository.configurations_of_sessions_or_cars(db, user_id, session_ids, car_ids))
    for config_id in configs:
        recompute(db, config_id, user_id)


def min_lap_time_ms(length_m: float | None) -> int:
    return int((length_m or MIN_TRACK_LENGTH_M) / MAX_LAP_SPEED_MS * 1000)


def telemetry_implausibility(
    lap_time_ms: int | None, length_m: float | None, duration_s: float, distance_m: float
) -> str | None:
    """Why a lap's telemetry contradicts its lap time or the configuration's length, or None."""
    if lap_time_ms is not None:
        lap_s = lap_time_ms / 1000
        tolerance = max(TELEMETRY_TIME_TOLERANCE[0], TELEMETRY_TIME_TOLERANCE[1] * lap_s)
        if abs(duration_s - lap_s) > tolerance:
            return f"telemetry lasts {duration_s:.1f} s but the lap time is {lap_s:.3f} s"
    if length_m:
        low, high = (factor * length_m for factor in TELEMETRY_DISTANCE_RANGE)
        if not low <= distance_m <= high:
            return f"telemetry covers {distance_m:.0f} m but the configuration is {length_m:.0f} m long"
    return None


def flag_implausible_times(
    db: Session, config_id: uuid.UUID, user_id: uuid.UUID, lap_ids: list[uuid.UUID] | None = None
) -> None:
    """Flag the driver's laps on the configuration (or only `lap_ids` of them) that are faster than its length
    allows. Flagged laps stay stored (and synced) but never reach the leaderboard."""
    length = repository.configuration_length(db, config_id)
    limit_ms = min_lap_time_ms(length)
    where = f"{length:.0f} m" if length else f"a {MIN_TRACK_LENGTH_M:.0f} m track (length unknown)"
    reason = f"lap time under {limit_ms / 1000:.1f} s: faster than {where} at 400 km/h"
    repository.flag_laps_faster_than(db, config_id, user_id, limit_ms, reason, lap_ids)


def recompute(db: Session, config_id: uuid.UUID, user_id: uuid.UUID) -> None:
    flag_implausible_times(db, config_id, user_id)
    best = _best_by_grain(repository.qualifying_laps(db, config_id, user_id))
    repository.delete_bests(db, config_id, user_id)
    _insert(db, best)


def add_new_laps(db: Session, user_id: uuid.UUID, lap_ids: list[uuid.UUID]) -> None:
    """Laps just created can only improve their driver's bests: merge them into the stored `best_laps` rows
    instead of re-reading every lap of the driver (the push holds the revision-counter lock meanwhile, and a
    driver with thousands of laps made each push re-read all of them)."""
    if not lap_ids:
        return
    configs = repository.configurations_of_laps(db, lap_ids)
    for config_id in configs:
        flag_implausible_times(db, config_id, user_id, lap_ids)  # the new laps only: a push reads no old lap
    candidates = _best_by_grain(repository.qualifying_laps(db, user_id=user_id, lap_ids=lap_ids))
    if not candidates:
        return
    stored = {
        (row.track_configuration_id, row.user_id, row.category_key, row.event_key): row
        for row in repository.stored_bests(db, user_id, configs)
    }
    fresh: dict[BestKey, Candidate] = {}
    for key, candidate in candidates.items():
        row = stored.get(key)
        if row is None:
            fresh[key] = candidate
        elif candidate < (row.lap_time_ms, row.achieved_at, row.lap_id):
            row.lap_time_ms, row.achieved_at, row.lap_id = candidate
    _insert(db, fresh)
    db.flush()


def rebuild_all(db: Session) -> int:
    """Recompute the whole table from the laps in one streamed pass (after a bulk import or a restore).
    Returns the number of rows written."""
    best = _best_by_grain(repository.qualifying_laps(db, streamed=True))
    repository.delete_all_bests(db)
    _insert(db, best)
    return len(best)


BestKey = tuple[uuid.UUID, uuid.UUID, str, str]  # (configuration, user, category_key, event_key)


def _best_by_grain(rows: Iterable[Any]) -> dict[BestKey, Candidate]:
    best: dict[BestKey, Candidate] = {}
    for config_id, user_id, lap_time, achieved_at, lap_id, category, event_id in rows:
        candidate: Candidate = (lap_time, achieved_at, lap_id)
        for cat, event in _grains(category_key(category), event_id):
            key = (config_id, user_id, cat, event)
            if key not in best or candidate < best[key]:
                best[key] = candidate
    return best


def _insert(db: Session, best: dict[BestKey, Candidate]) -> None:
    rows = [
        {
            "track_configuration_id": config_id,
            "user_id": user_id,
            "category_key": cat,
            "event_key": event,
            "lap_id": lap_id,
            "lap_time_ms": lap_time,
            "achieved_at": achieved_at,
        }
        for (config_id, user_id, cat, event), (lap_time, achieved_at, lap_id) in best.items()
    ]
    repository.insert_bests(db, rows)


def _grains(category: str | None, event_id: uuid.UUID | None) -> list[tuple[str, str]]:
    event = event_id.hex if event_id is not None else None
    keys = [(ANY, ANY)]
    if category:
        keys.append((category, ANY))
    if event:
        keys.append((ANY, event))
    if category and event:
        keys.append((category, event))
    return keys
