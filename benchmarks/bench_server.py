"""Sync server at scale, on PostgreSQL (DATABASE_URL_PG from packaging/with-postgres.sh):

* leaderboard query time (p50/p95) with 1,000,000 laps bulk-loaded with COPY;
* push of a 1-hour 20 Hz session (session, laps, every lap's telemetry) over HTTP to the real server;
* leaderboard requests/s on 2 uvicorn workers under a bounded wrk load on loopback, with 0 errors.

Run: packaging/with-postgres.sh .venv/bin/python -m benchmarks server
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import time
import uuid
from urllib.parse import urlencode

import httpx
import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import make_url

from benchmarks.server_dataset import CATEGORIES, Dataset, check_against_maintenance, load
from benchmarks.server_load import Server, running_server, wrk
from benchmarks.server_push import one_hour_session, prepare, push, sign_up
from sync_server.db import Database
from sync_server.leaderboard.query import leaderboard
from sync_server.migrate import upgrade

BENCH_DB = "racetrace_bench"
QUERY_SAMPLES = 400
PUSH_REPEATS = 3
WRK_SECONDS = 10


def run() -> list[dict]:
    base_url = os.environ.get("DATABASE_URL_PG")
    if not base_url:
        raise RuntimeError("DATABASE_URL_PG is not set: run `packaging/with-postgres.sh .venv/bin/python -m benchmarks "
                           "server`")
    url = _fresh_database(base_url)
    database = Database(url)
    try:
        upgrade(database.engine)
        data = Dataset()
        started = time.perf_counter()
        load(database.engine, data)
        rows = [{"name": "server load 1M laps (COPY) + best_laps", "seconds": time.perf_counter() - started,
                 "peak_mb": _peak_mb(), "target": f"setup: {data.laps:,} laps, {data.drivers:,} drivers"}]
        check_against_maintenance(database.engine, data)
        rows += _query_rows(database, data)
        with running_server(url, workers=2) as server:
            rows += _push_rows(server, data)
            rows += _throughput_rows(server, data)
        return rows
    finally:
        database.dispose()
        _drop_database(base_url)


def _fresh_database(base_url: str) -> str:
    _drop_database(base_url)
    admin = Database(base_url)
    try:
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f"CREATE DATABASE {BENCH_DB}"))
    finally:
        admin.dispose()
    return make_url(base_url).set(database=BENCH_DB).render_as_string(hide_password=False)


def _drop_database(base_url: str) -> None:
    admin = Database(base_url)
    try:
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
    finally:
        admin.dispose()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _board_requests(data: Dataset, count: int, seed: int = 5) -> list[dict]:
    """A mix of what people look at: mostly first pages, some filtered boards and deeper pages."""
    rng = random.Random(seed)
    requests = []
    for _ in range(count):
        request: dict = {"track_configuration_id": rng.choice(data.config_ids), "page": 1}
        kind = rng.random()
        if kind < 0.2:
            request["car_category"] = rng.choice(CATEGORIES)
        elif kind < 0.3:
            request["event_id"] = rng.choice(data.event_ids)
        elif kind < 0.5:
            request["team_id"] = rng.choice(data.team_ids)
        elif kind < 0.6:
            request["page"] = rng.randint(2, 10)
        requests.append(request)
    return requests


def _query_rows(database: Database, data: Dataset) -> list[dict]:
    def query(request: dict) -> float:
        started = time.perf_counter()
        with database.sessions() as db:
            leaderboard(db, request["track_configuration_id"], request.get("car_category"),
                        request.get("event_id"), request.get("team_id"), request["page"], 50)
        return time.perf_counter() - started

    for request in _board_requests(data, 40, seed=1):  # warm caches and connections
        query(request)
    timings = np.array([query(r) for r in _board_requests(data, QUERY_SAMPLES)])
    detail = f"{QUERY_SAMPLES} mixed pages/filters, {data.laps:,} laps"
    return [
        {"name": "server leaderboard query p50 (1M laps, PG)", "seconds": float(np.percentile(timings, 50)),
         "peak_mb": _peak_mb(), "target": detail},
        {"name": "server leaderboard query p95 (1M laps, PG)", "seconds": float(np.percentile(timings, 95)),
         "peak_mb": _peak_mb(), "target": "<= 20 ms"},
    ]


def _push_rows(server: Server, data: Dataset) -> list[dict]:
    synthetic = one_hour_session()
    durations, prepared = [], None
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        for n in range(PUSH_REPEATS):
            headers = sign_up(client, f"pusher{n}{uuid.uuid4().hex[:6]}")
            prepared = prepare(synthetic, data.config_ids[n % len(data.config_ids)], salt=str(n))
            durations.append(push(client, headers, prepared))
    assert prepared is not None
    laps = len(prepared.records) - 1
    detail = f"{laps} laps, {prepared.samples:,} samples x 8 channels, {prepared.telemetry_mb:.1f} MB"
    return [
        {"name": f"server push 1 h 20 Hz session, median of {PUSH_REPEATS}", "seconds": statistics.median(durations),
         "peak_mb": server.rss_mb(), "target": f"<= 1 s ({detail})"},
        {"name": "server push 1 h 20 Hz session, slowest", "seconds": max(durations), "peak_mb": server.rss_mb(),
         "target": "<= 1 s"},
    ]


def _throughput_rows(server: Server, data: Dataset) -> list[dict]:
    paths = [f"/api/v1/leaderboard?{urlencode({k: str(v) for k, v in r.items()})}"
             for r in _board_requests(data, 60, seed=9)]
    wrk(server.base_url, paths, seconds=2)  # warm-up
    cpu_before = server.cpu_s()
    result = wrk(server.base_url, paths, seconds=WRK_SECONDS)
    cpu_ms = (server.cpu_s() - cpu_before) * 1000 / max(result.requests, 1)
    return [
        {"name": "server leaderboard HTTP throughput (2 workers)", "value": result.requests_per_s, "unit": "req/s",
         "peak_mb": server.rss_mb(), "target": f">= 1,000 req/s (wrk -t2 -c32 {WRK_SECONDS}s, {len(paths)} URLs)"},
        {"name": "server leaderboard HTTP errors", "value": float(result.errors), "unit": "errors",
         "target": f"0 (of {result.requests:,} requests: {result.error_kinds})"},
        {"name": "server CPU per leaderboard request", "seconds": cpu_ms / 1000,
         "target": f"= {2000 / cpu_ms:,.0f} req/s if the server had both cores to itself"},
        {"name": "server leaderboard HTTP latency p50", "seconds": result.p50_ms / 1000, "target": "-"},
        {"name": "server leaderboard HTTP latency p99", "seconds": result.p99_ms / 1000, "target": "-"},
    ]
