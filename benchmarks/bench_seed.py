"""The seed's API on the sync server:

* `POST /sessions/upload` of a 1-hour 20 Hz recording over a real loopback server (parse, analyse, store), next to
  the desktop readers and analysis alone on the same file (baseline, same run); server peak memory from psutil;
* `GET /leaderboard` without a configuration (best lap of every configuration) against one configuration's
  board (baseline), with 1,000,000 laps bulk-loaded into PostgreSQL;
* `GET /admin/track-suggestions` over 24 uploaded sessions, cold (decoding each reference lap) and warm.

Run: packaging/with-postgres.sh .venv/bin/python -m benchmarks seed
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import httpx
import numpy as np
import psutil
from sqlalchemy import update

from benchmarks.bench_server import _board_requests, _drop_database, _fresh_database, _peak_mb
from benchmarks.server_dataset import Dataset, load
from benchmarks.server_load import Server, running_server
from benchmarks.server_push import PASSWORD, one_hour_session, sign_up
from racetrace_desktop.telemetry.formats import read_bytes
from racetrace_desktop.telemetry.session import analyse
from racetrace_desktop.telemetry.synthetic import generate_session
from sync_server.db import Database
from sync_server.leaderboard.bests import best_per_configuration
from sync_server.leaderboard.query import leaderboard
from sync_server.migrate import upgrade
from sync_server.models import User

QUERY_SAMPLES = 200
SUGGESTION_SESSIONS = 24


def run() -> list[dict]:
    base_url = os.environ.get("DATABASE_URL_PG")
    if not base_url:
        raise RuntimeError("DATABASE_URL_PG is not set: run `packaging/with-postgres.sh .venv/bin/python -m benchmarks "
                           "seed`")
    url = _fresh_database(base_url)
    database = Database(url)
    try:
        upgrade(database.engine)
        with running_server(url, workers=1) as server, httpx.Client(base_url=server.base_url, timeout=600) as client:
            rows = _upload_rows(server, client)
            rows += _suggestion_rows(client, database)
        data = Dataset()
        load(database.engine, data)
        rows += _overview_rows(database, data)
        return rows
    finally:
        database.dispose()
        _drop_database(base_url)


def _server_peak_mb(server: Server) -> float:
    """Peak resident memory (VmHWM) of the server process and its workers."""
    process = psutil.Process(server.process.pid)
    peak_kb = 0
    for member in [process, *process.children(recursive=True)]:
        status = Path(f"/proc/{member.pid}/status").read_text()
        peak_kb = max(peak_kb, next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")))
    return peak_kb / 1024


def _upload_rows(server: Server, client: httpx.Client) -> list[dict]:
    recording = one_hour_session()
    content = recording.csv_text.encode()
    started = time.perf_counter()
    raw = read_bytes(content, recording.file_name)
    analyse(raw, None)
    desktop_s = time.perf_counter() - started
    headers = sign_up(client, "uploader")
    before = _server_peak_mb(server)
    started = time.perf_counter()
    answer = client.post("/api/v1/sessions/upload", files={"file": (recording.file_name, content)}, headers=headers)
    upload_s = time.perf_counter() - started
    answer.raise_for_status()
    peak = _server_peak_mb(server)
    laps = len(answer.json()["laps"])
    return [{
        "name": "seed upload 1-hour 20 Hz file (HTTP, PG)", "seconds": upload_s, "baseline_seconds": desktop_s,
        "ratio": upload_s / desktop_s, "peak_mb": peak,
        "target": f"{len(content) / 1e6:.1f} MB, {laps} laps; server peak RSS {before:.0f} -> {peak:.0f} MB",
    }]  # fmt: skip


def _suggestion_rows(client: httpx.Client, database: Database) -> list[dict]:
    headers = sign_up(client, "ringdriver")
    for seed in range(SUGGESTION_SESSIONS):
        recording = generate_session(laps=3, gps_hz=10.0, obd=False, seed=100 + seed,
                                     origin=(48.0 + (seed % 3) * 0.5, 11.0))  # fmt: skip
        client.post("/api/v1/sessions/upload", files={"file": (recording.file_name, recording.csv_text)},
                    data={"is_public": "true"}, headers=headers).raise_for_status()  # fmt: skip
    sign_up(client, "benchadmin")
    with database.engine.begin() as connection:
        connection.execute(update(User).where(User.username == "benchadmin").values(is_admin=True))
    login = client.post("/api/v1/auth/admin/login", data={"username": "benchadmin", "password": PASSWORD})
    admin = {"Authorization": f"Bearer {login.json()['access_token']}"}

    def timed() -> tuple[float, int]:
        started = time.perf_counter()
        answer = client.get("/api/v1/admin/track-suggestions", headers=admin)
        answer.raise_for_status()
        return time.perf_counter() - started, len(answer.json())

    cold, places = timed()
    warm = statistics.median(timed()[0] for _ in range(10))
    detail = f"{SUGGESTION_SESSIONS} public sessions -> {places} places"
    return [
        {"name": "seed track suggestions, cold (HTTP)", "seconds": cold, "target": detail},
        {"name": "seed track suggestions, warm (HTTP, median of 10)", "seconds": warm, "baseline_seconds": cold,
         "ratio": warm / cold, "target": "lap places cached per process"},
    ]


def _overview_rows(database: Database, data: Dataset) -> list[dict]:
    def board(request: dict) -> float:
        started = time.perf_counter()
        with database.sessions() as db:
            leaderboard(db, request["track_configuration_id"], None, None, None, 1, 50)
        return time.perf_counter() - started

    def overview(page: int) -> float:
        started = time.perf_counter()
        with database.sessions() as db:
            best_per_configuration(db, None, None, None, page, 50)
        return time.perf_counter() - started

    requests = _board_requests(data, QUERY_SAMPLES)
    for request in requests[:20]:
        board(request)
        overview(1)
    boards = np.array([board(r) for r in requests])
    overviews = np.array([overview(1) for _ in requests])
    p95_board, p95_overview = float(np.percentile(boards, 95)), float(np.percentile(overviews, 95))
    detail = f"{data.laps:,} laps, {data.configurations} configurations"
    return [
        {"name": "seed leaderboard best per configuration p50 (PG)", "seconds": float(np.percentile(overviews, 50)),
         "baseline_seconds": float(np.percentile(boards, 50)), "peak_mb": _peak_mb(), "target": detail},
        {"name": "seed leaderboard best per configuration p95 (PG)", "seconds": p95_overview,
         "baseline_seconds": p95_board, "ratio": p95_overview / p95_board, "target": "one configuration's board"},
    ]  # fmt: skip
