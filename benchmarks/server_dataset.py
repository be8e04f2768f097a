"""Bulk-load a large, realistic sync-server dataset into PostgreSQL with COPY (used by bench_server).

Drivers frequent a few track configurations, drive sessions of ten laps (out-lap, timed laps, in-lap) in one car,
some at events, most sessions public, a few laps invalid. `best_laps` is then filled with one SQL statement that
applies the same rules as `sync_server.leaderboard.maintain` (checked against it on a sample).
"""

from __future__ import annotations

import hashlib
import io
import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from sync_server.leaderboard.maintain import recompute
from sync_server.models import BestLap

CATEGORIES = ["Cup", "GT4", "TCR", "Street", "Formula", "Historic"]
NOW = datetime(2026, 6, 1, tzinfo=UTC)


@dataclass
class Dataset:
    drivers: int = 2_000
    configurations: int = 10
    configs_per_driver: int = 5
    sessions_per_config: int = 10
    laps_per_session: int = 10
    events: int = 60
    teams: int = 20
    seed: int = 11
    config_ids: list[uuid.UUID] = field(default_factory=list)
    event_ids: list[uuid.UUID] = field(default_factory=list)
    team_ids: list[uuid.UUID] = field(default_factory=list)
    driver_ids: list[uuid.UUID] = field(default_factory=list)

    @property
    def laps(self) -> int:
        return self.drivers * self.configs_per_driver * self.sessions_per_config * self.laps_per_session


class _Rev:
    def __init__(self) -> None:
        self.value = 0

    def next(self) -> int:
        self.value += 1
        return self.value


def _copy(engine: Engine, table: str, columns: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> None:
    """COPY rows in text format, streamed in chunks."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    raw = engine.raw_connection()
    try:
        cursor: Any = raw.cursor()  # psycopg's cursor: COPY is not in the DB-API the engine's types describe
        with cursor, cursor.copy(statement) as copy:
            for chunk in _chunks(rows):
                copy.write(chunk)
        raw.commit()
    finally:
        raw.close()


def _chunks(rows: Iterable[tuple[object, ...]], size: int = 20_000) -> Iterator[str]:
    buffer = io.StringIO()
    for n, row in enumerate(rows, start=1):
        buffer.write("\t".join(_field(v) for v in row))
        buffer.write("\n")
        if n % size == 0:
            yield buffer.getvalue()
            buffer = io.StringIO()
    yield buffer.getvalue()


def _field(value: object) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def load(engine: Engine, data: Dataset) -> None:
    rng = random.Random(data.seed)
    rev = _Rev()
    _load_accounts(engine, data, rng)
    _load_tracks(engine, data, rev)
    cars = _load_cars_and_events(engine, data, rng, rev)
    _load_sessions_and_laps(engine, data, rng, rev, cars)
    with engine.begin() as connection:
        connection.execute(text("UPDATE sync_state SET current_rev = :rev WHERE id = 1"), {"rev": rev.value})
    fill_best_laps(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def _load_accounts(engine: Engine, data: Dataset, rng: random.Random) -> None:
    data.driver_ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(data.drivers)]
    data.team_ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(data.teams)]
    columns = ("id", "username", "email", "display_name", "hashed_password", "is_active", "is_admin",
               "failed_login_attempts", "created_at", "updated_at")
    users = (
        (uid, f"driver{n:05d}", f"driver{n:05d}@example.com", f"Driver {n:05d}", None, n % 97 != 0, False, 0, NOW,
         NOW)
        for n, uid in enumerate(data.driver_ids)
    )
    _copy(engine, "users", columns, users)
    _copy(engine, "teams", ("id", "name", "created_at"),
          ((tid, f"Team {n:02d}", NOW) for n, tid in enumerate(data.team_ids)))
    members = ((data.team_ids[n % data.teams], uid, NOW) for n, uid in enumerate(data.driver_ids))
    _copy(engine, "team_members", ("team_id", "user_id", "added_at"), members)


def _load_tracks(engine: Engine, data: Dataset, rev: _Rev) -> None:
    track_ids = [uuid.uuid4() for _ in range(3)]
    _copy(engine, "tracks", ("id", "name", "country", "rev", "created_at", "updated_at"),
          ((tid, f"Bench Track {n}", "Nowhere", rev.next(), NOW, NOW) for n, tid in enumerate(track_ids)))
    data.config_ids = [uuid.uuid4() for _ in range(data.configurations)]
    columns = ("id", "track_id", "name", "start_finish_lat", "start_finish_lon", "gate_width_m", "num_sectors",
               "sector_gates", "length_m", "is_default", "version", "rev", "created_at", "updated_at")
    configs = (
        (cid, track_ids[n % 3], f"Layout {n}", 48.0 + n / 100, 11.0, 60.0, 3, "[]", 2000.0 + 300 * n, n < 3, 1,
         rev.next(), NOW, NOW)
        for n, cid in enumerate(data.config_ids)
    )
    _copy(engine, "track_configurations", columns, configs)


def _load_cars_and_events(engine: Engine, data: Dataset, rng: random.Random, rev: _Rev) -> list[uuid.UUID]:
    cars = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in data.driver_ids]
    car_columns = ("id", "owner_id", "make", "model", "year", "category", "rev", "created_at", "updated_at")
    _copy(engine, "cars", car_columns, (
        (car, owner, "Make", f"Model {n % 40}", 2000 + n % 25, CATEGORIES[n % len(CATEGORIES)], rev.next(), NOW, NOW)
        for n, (car, owner) in enumerate(zip(cars, data.driver_ids, strict=True))
    ))
    data.event_ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(data.events)]
    columns = ("id", "owner_id", "name", "event_date", "rev", "created_at", "updated_at")
    _copy(engine, "events", columns, (
        (eid, data.driver_ids[n], f"Race {n:02d}", (NOW - timedelta(days=n)).date(), rev.next(), NOW, NOW)
        for n, eid in enumerate(data.event_ids)
    ))
    return cars


def _load_sessions_and_laps(engine: Engine, data: Dataset, rng: random.Random, rev: _Rev,
                            cars: list[uuid.UUID]) -> None:
    sessions: list[tuple[Any, ...]] = []
    paces: list[float] = []
    for driver_index, owner in enumerate(data.driver_ids):
        skill = rng.gauss(0, 0.03)
        for config_index in rng.sample(range(data.configurations), data.configs_per_driver):
            for _ in range(data.sessions_per_config):
                session_id = uuid.UUID(int=rng.getrandbits(128), version=4)
                event = rng.choice(data.event_ids) if rng.random() < 0.2 else None
                when = NOW - timedelta(minutes=rng.randrange(0, 500_000))
                sha = hashlib.sha256(session_id.bytes).hexdigest()
                sessions.append((session_id, owner, data.config_ids[config_index], 1, cars[driver_index], event,
                                 rng.random() < 0.7, when, sha, "TrackAddict", "4.9.2", "iPhone 15", 10.0,
                                 rev.next(), when, when))
                paces.append((60_000 + 9_000 * config_index) * (1 + skill))
    columns = ("id", "owner_id", "track_configuration_id", "track_configuration_version", "car_id", "event_id",
               "is_public", "recorded_at", "file_sha256", "format_name", "app_version", "device", "gps_rate_hz",
               "rev", "created_at", "updated_at")
    _copy(engine, "sessions", columns, sessions)
    laps = (
        lap
        for session, pace in zip(sessions, paces, strict=True)
        for lap in _session_laps(data, rng, rev, session[0], session[1], pace, session[7])
    )
    columns = ("id", "session_id", "owner_id", "lap_number", "lap_time_ms", "time_source", "is_outlap", "is_inlap",
               "is_pit", "is_valid", "sector_times_ms", "stats", "is_public", "rev", "created_at", "updated_at")
    _copy(engine, "laps", columns, laps)


def _session_laps(data: Dataset, rng: random.Random, rev: _Rev, session_id: uuid.UUID, owner: uuid.UUID,
                  pace_ms: float, when: datetime) -> Iterator[tuple[object, ...]]:
    last = data.laps_per_session - 1
    for number in range(data.laps_per_session):
        out_or_in = number in (0, last)
        lap_ms = int(pace_ms * (1.25 if out_or_in else 1 + abs(rng.gauss(0, 0.015))))
        yield (uuid.UUID(int=rng.getrandbits(128), version=4), session_id, owner, number, lap_ms, "stated",
               number == 0, number == last, False, rng.random() > 0.05, "[]", "{}", False, rev.next(), when, when)


BEST_LAPS_SQL = """
WITH q AS (
    SELECT s.track_configuration_id AS cfg, l.owner_id AS uid, l.id AS lap_id, l.lap_time_ms,
           COALESCE(s.recorded_at, l.created_at) AS achieved_at,
           NULLIF(lower(regexp_replace(btrim(c.category), '\\s+', ' ', 'g')), '') AS cat,
           replace(s.event_id::text, '-', '') AS ev
    FROM laps l
    JOIN sessions s ON s.id = l.session_id
    LEFT JOIN cars c ON c.id = s.car_id AND c.deleted_at IS NULL
    WHERE s.track_configuration_id IS NOT NULL AND l.deleted_at IS NULL AND s.deleted_at IS NULL
      AND l.is_valid AND l.lap_time_ms IS NOT NULL AND NOT l.is_outlap AND NOT l.is_inlap AND NOT l.is_pit
      AND (l.is_public OR s.is_public)
), grains AS (
    SELECT cfg, uid, lap_id, lap_time_ms, achieved_at, '*' AS cat_key, '*' AS ev_key FROM q
    UNION ALL SELECT cfg, uid, lap_id, lap_time_ms, achieved_at, cat, '*' FROM q WHERE cat IS NOT NULL
    UNION ALL SELECT cfg, uid, lap_id, lap_time_ms, achieved_at, '*', ev FROM q WHERE ev IS NOT NULL
    UNION ALL SELECT cfg, uid, lap_id, lap_time_ms, achieved_at, cat, ev FROM q
        WHERE cat IS NOT NULL AND ev IS NOT NULL
)
INSERT INTO best_laps (track_configuration_id, category_key, event_key, user_id, lap_id, lap_time_ms, achieved_at)
SELECT DISTINCT ON (cfg, cat_key, ev_key, uid) cfg, cat_key, ev_key, uid, lap_id, lap_time_ms, achieved_at
FROM grains
ORDER BY cfg, cat_key, ev_key, uid, lap_time_ms, achieved_at, lap_id
"""


def fill_best_laps(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM best_laps"))
        connection.execute(text(BEST_LAPS_SQL))


def check_against_maintenance(engine: Engine, data: Dataset, samples: int = 25) -> None:
    """The bulk SQL must give exactly what the server's own per-driver maintenance computes."""
    rng = random.Random(data.seed + 1)
    with Session(engine) as db:
        pairs = db.execute(select(BestLap.track_configuration_id, BestLap.user_id).distinct()).all()
        for config_id, user_id in rng.sample(pairs, min(samples, len(pairs))):
            bulk = _best_rows(db, config_id, user_id)
            recompute(db, config_id, user_id)
            if _best_rows(db, config_id, user_id) != bulk:
                raise AssertionError(f"bulk best_laps differ from maintenance for {config_id}/{user_id}")
        db.rollback()


def _best_rows(db: Session, config_id: uuid.UUID, user_id: uuid.UUID) -> set[tuple[object, ...]]:
    rows = db.execute(
        select(BestLap.category_key, BestLap.event_key, BestLap.lap_id, BestLap.lap_time_ms)
        .where(BestLap.track_configuration_id == config_id, BestLap.user_id == user_id)
    )
    return {tuple(row) for row in rows}
