"""A team's evening against a real server on loopback (issue 13 "Load"), before and after in one run.

Each of N concurrent clients signs in (setup, not timed) and then pushes a session in 6 chunks of 100 records,
pulls after each chunk and reads the leaderboard; every tenth client also makes two failed sign-ins. Scenarios:
SQLite with 1 uvicorn worker and PostgreSQL with 2 workers, 50 and 100 clients, each in two modes:
- "closed loop": every client starts at once and sends its next request as soon as the last one is answered
  (the issue's figure; no real team does that, it measures the server saturated);
- "paced": a team's evening: each client starts at a random moment in the first PACED_START_SPREAD_S and waits
  PACED_THINK_S (uniform) between its requests (the desktop handling the answer, the driver at the screen),
  and each driver has an account of their own, shared by PACED_DESKTOPS_PER_ACCOUNT desktops.
Figures: responses >= 500, hangs (no answer within REQUEST_TIMEOUT_S), p50/p99 latency seen by the clients and
the server's own answer time (Server-Timing, from benchmarks.timed_app), p99 per request kind, and acknowledged
writes missing afterwards. Targets: 0, 0, p99 <= 2 s, 0.

The clients are asyncio tasks (httpx, one connection each, like a desktop) in this process, apart from the
server's: 100 client threads in one process spent more CPU than the server on this 2-core machine.

The baseline is the same scenario served by the `sync_server` package of BENCH_LOAD_BASELINE (a git ref,
default: the commit before issue 13's fixes; "none" skips it), extracted with `git archive` into a temp folder.
Bounded: clients stop starting requests SCENARIO_BUDGET_S after the start; the server is stopped afterwards.

Then three hostile bodies (issue 13, "Hostile input") against SQLite / 1 worker: time to answer, the server's
peak resident memory while answering, status and answer size. BENCH_LOAD_PARTS=load or =hostile runs one part;
BENCH_LOAD_BACKENDS=sqlite or =postgresql and BENCH_LOAD_MODES=closed or =paced narrow the load part.

Run: packaging/tasks.sh bench bench_server_load
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import random
import subprocess
import tarfile
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url

from benchmarks.server_load import running_server
from sync_server.db import Database
from sync_server.migrate import upgrade
from sync_server.models import DrivingSession, Lap, User

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASELINE = "fd833bc"  # srvload's base: the server as issue 13 found it
REQUEST_TIMEOUT_S = 30.0
SCENARIO_BUDGET_S = 90.0
CHUNKS, CHUNK_RECORDS = 6, 100
ACCOUNTS = 10  # closed loop: the run, 5 or 10 desktops per account (each pull brings their pushes too)
PACED_DESKTOPS_PER_ACCOUNT = 2  # paced: every driver has an account and two desktops (laptop at the track, home)
PASSWORD = "bench password 123"  # noqa: S105 - throwaway accounts on a throwaway database
BENCH_DB = "racetrace_load"
SCENARIOS = [("sqlite", 1, 50), ("sqlite", 1, 100), ("postgresql", 2, 50), ("postgresql", 2, 100)]
MODES = ("closed", "paced")
PACED_START_SPREAD_S = 20.0
PACED_THINK_S = (0.3, 1.5)
TIMED_APP = "benchmarks.timed_app:create_app"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    server_times: list[float] = field(default_factory=list)  # the server's own answer time (Server-Timing)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    hangs: int = 0
    not_started: int = 0
    acknowledged: list[tuple[str, str, int]] = field(default_factory=list)  # (kind, id, rev)
    missing: int = 0  # acknowledged writes not found afterwards
    wall_s: float = 0.0

    def record(self, seconds: float, status: int, kind: str, server_ms: float | None = None) -> None:
        self.latencies.append(seconds)
        self.by_kind.setdefault(kind, []).append(seconds)
        if server_ms is not None:
            self.server_times.append(server_ms / 1000)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)


@dataclass
class Setup:
    base_url: str
    config_id: str
    tokens: list[str]
    victim: str


def run() -> list[dict]:
    baseline_ref = os.environ.get("BENCH_LOAD_BASELINE", DEFAULT_BASELINE)
    scenarios = [s for s in SCENARIOS if s[0] in os.environ.get("BENCH_LOAD_BACKENDS", "sqlite,postgresql")]
    modes = [m for m in MODES if m in os.environ.get("BENCH_LOAD_MODES", ",".join(MODES))]
    if "load" not in os.environ.get("BENCH_LOAD_PARTS", "load,hostile"):
        scenarios = []
    rows: list[dict] = []
    with _baseline_source(baseline_ref) as baseline:
        for mode in modes:
            for backend, workers, clients in scenarios:
                before = _scenario(backend, workers, clients, mode, baseline) if baseline else None
                after = _scenario(backend, workers, clients, mode, None)
                rows += _rows(f"{mode} {backend} {workers}w {clients}", after, before)
        if "hostile" in os.environ.get("BENCH_LOAD_PARTS", "load,hostile"):
            rows += _hostile_rows(baseline)
    return rows


@contextmanager
def _baseline_source(ref: str) -> Iterator[Path | None]:
    if ref.lower() == "none":
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="racetrace-baseline-") as folder:
        archive = subprocess.run(["git", "archive", ref, "sync_server"], cwd=ROOT, capture_output=True, check=True)
        archive_path = Path(folder) / "src.tar"
        archive_path.write_bytes(archive.stdout)
        with tarfile.open(archive_path) as tar:
            tar.extractall(folder, filter="data")
        yield Path(folder)


def _scenario(backend: str, workers: int, clients: int, mode: str, source: Path | None) -> Tally:
    tally = Tally()
    with _fresh_database(backend) as url:
        with running_server(url, workers=workers, source=source, app=TIMED_APP) as server:
            accounts = ACCOUNTS if mode == "closed" else max(1, clients // PACED_DESKTOPS_PER_ACCOUNT)
            setup = _prepare(server.base_url, url, accounts)
            started = time.monotonic()
            asyncio.run(_clients(setup, clients, mode, tally, started))
            tally.wall_s = time.monotonic() - started
        tally.missing = _missing(url, tally.acknowledged)  # after the server stopped: what survived
    return tally


async def _clients(setup: Setup, clients: int, mode: str, tally: Tally, started: float) -> None:
    await asyncio.gather(*(_client(setup, index, mode, tally, started) for index in range(clients)))


@contextmanager
def _fresh_database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="racetrace-load-") as folder:
            url = f"sqlite:///{folder}/server.sqlite"
            _migrate(url)
            yield url
        return
    base_url = os.environ.get("DATABASE_URL_PG")
    if not base_url:
        raise RuntimeError("DATABASE_URL_PG is not set: run `packaging/tasks.sh bench bench_server_load`")
    _admin_sql(base_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    _admin_sql(base_url, f"CREATE DATABASE {BENCH_DB}")
    url = make_url(base_url).set(database=BENCH_DB).render_as_string(hide_password=False)
    try:
        _migrate(url)
        yield url
    finally:
        _admin_sql(base_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def _admin_sql(url: str, statement: str) -> None:
    database = Database(url)
    try:
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(statement))
    finally:
        database.dispose()


def _migrate(url: str) -> None:
    database = Database(url)
    try:
        upgrade(database.engine)
    finally:
        database.dispose()


def _prepare(base_url: str, url: str, accounts: int = ACCOUNTS) -> Setup:
    """Accounts, one signed-in token per account and a track configuration (not timed)."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        names = [f"driver{n}" for n in range(accounts)] + ["boss", "victim"]
        for name in names:
            client.post("/api/v1/auth/register", json={"username": name, "email": f"{name}@example.com",
                                                       "password": PASSWORD}).raise_for_status()
        database = Database(url)
        try:
            with database.engine.begin() as connection:
                connection.execute(update(User).where(User.username == "boss").values(is_admin=True))
        finally:
            database.dispose()
        admin = client.post("/api/v1/auth/admin/login", data={"username": "boss", "password": PASSWORD})
        admin.raise_for_status()
        track = client.post(
            "/api/v1/tracks",
            headers={"Authorization": f"Bearer {admin.json()['access_token']}"},
            json={"name": "Load Ring", "configurations": [
                {"name": "GP", "start_finish_lat": 50.0, "start_finish_lon": 6.0, "length_m": 3600.0}]},
        )
        track.raise_for_status()
        tokens = []
        for name in names[:accounts]:
            login = client.post("/api/v1/auth/login", data={"username": name, "password": PASSWORD,
                                                             "client": "desktop"})
            login.raise_for_status()
            tokens.append(login.json()["access_token"])
    return Setup(base_url, track.json()["configurations"][0]["id"], tokens, "victim")


def _chunks(config_id: str, rng: random.Random) -> list[list[dict[str, Any]]]:
    session_id = str(uuid.uuid4())
    records: list[dict[str, Any]] = [{
        "kind": "session", "id": session_id, "base_rev": None,
        "data": {"track_configuration_id": config_id, "track_configuration_version": 1, "is_public": True,
                 "file_sha256": uuid.uuid4().hex * 2, "recorded_at": "2026-06-14T18:00:00Z"},
    }]
    for number in range(CHUNKS * CHUNK_RECORDS - 1):
        records.append({"kind": "lap", "id": str(uuid.uuid4()), "base_rev": None, "data": {
            "session_id": session_id, "lap_number": number + 1, "lap_time_ms": 95_000 + rng.randint(0, 20_000),
            "is_public": True, "sector_times_ms": [30_000, 32_000, 33_000]}})
    return [records[start : start + CHUNK_RECORDS] for start in range(0, len(records), CHUNK_RECORDS)]


async def _client(setup: Setup, index: int, mode: str, tally: Tally, started: float) -> None:
    rng = random.Random(index)
    headers = {"Authorization": f"Bearer {setup.tokens[index % len(setup.tokens)]}"}
    steps: list[tuple[str, Any]] = []
    for chunk in _chunks(setup.config_id, rng):
        steps += [("push", chunk), ("pull", None), ("board", None)]
    if index % 10 == 0:
        steps[3:3] = [("bad_login", setup.victim), ("bad_login", f"nobody{index}")]
    paced = mode == "paced"
    if paced:
        await asyncio.sleep(rng.uniform(0, PACED_START_SPREAD_S))
    cursor = 0
    limits = httpx.Limits(max_connections=1)
    async with httpx.AsyncClient(base_url=setup.base_url, timeout=REQUEST_TIMEOUT_S, limits=limits) as client:
        for position, (kind, payload) in enumerate(steps):
            if paced and position:
                await asyncio.sleep(rng.uniform(*PACED_THINK_S))
            if time.monotonic() - started > SCENARIO_BUDGET_S:
                tally.not_started += len(steps) - position
                return
            request_started = time.perf_counter()
            try:
                response = await _send(client, kind, payload, headers, setup, cursor)
            except httpx.TimeoutException:
                tally.hangs += 1
                continue
            except httpx.TransportError:
                tally.record(time.perf_counter() - request_started, 599, kind)  # connection dropped: server failure
                continue
            tally.record(time.perf_counter() - request_started, response.status_code, kind, _server_ms(response))
            if kind == "push" and response.status_code == 200:
                tally.acknowledged += [(r["kind"], r["id"], r["rev"]) for r in response.json()["results"]]
            if kind == "pull" and response.status_code == 200:
                cursor = response.json()["next_cursor"]


def _server_ms(response: httpx.Response) -> float | None:
    timing = response.headers.get("server-timing", "")
    return float(timing.split("dur=")[1]) if "dur=" in timing else None


async def _send(
    client: httpx.AsyncClient, kind: str, payload: Any, headers: dict[str, str], setup: Setup, cursor: int
) -> httpx.Response:
    if kind == "push":
        return await client.post("/api/v1/sync/push", json={"records": payload}, headers=headers)
    if kind == "pull":
        return await client.get("/api/v1/sync/pull", params={"cursor": cursor, "limit": 500}, headers=headers)
    if kind == "board":
        return await client.get("/api/v1/leaderboard", params={"track_configuration_id": setup.config_id})
    return await client.post("/api/v1/auth/login", data={"username": payload, "password": "wrong password"})


def _missing(url: str, acknowledged: list[tuple[str, str, int]]) -> int:
    """Acknowledged writes not in the database with the acknowledged revision (read after the server stopped)."""
    database = Database(url)
    try:
        with database.sessions() as db:
            stored = {}
            for model in (DrivingSession, Lap):
                for row_id, rev in db.execute(select(model.id, model.rev)):
                    stored[str(row_id)] = rev
        return sum(1 for _kind, record_id, rev in acknowledged if stored.get(record_id) != rev)
    finally:
        database.dispose()


def _p(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def _rows(label: str, after: Tally, before: Tally | None) -> list[dict]:
    def figures(tally: Tally) -> dict[str, float]:
        return {
            "5xx": float(tally.server_errors), "hangs": float(tally.hangs), "missing": float(tally.missing),
            "p50": _p(tally.latencies, 50), "p99": _p(tally.latencies, 99),
            "server p50": _p(tally.server_times, 50), "server p99": _p(tally.server_times, 99),
        }

    now, then = figures(after), figures(before) if before else None

    def was(key: str) -> str:
        return "" if then is None else f"; before {then[key]:.0f}"

    def statuses(tally: Tally) -> str:
        answered = ", ".join(f"{status}: {count}" for status, count in sorted(tally.statuses.items()))
        return f"{sum(tally.statuses.values())} answered ({answered}), {tally.not_started} not started"

    def kinds(tally: Tally) -> str:
        return ", ".join(f"{kind} {_p(values, 99) * 1000:.0f}" for kind, values in sorted(tally.by_kind.items()))

    old = f"; before: {statuses(before)}" if before is not None else ""
    old_kinds = f"; before: {kinds(before)}" if before is not None else ""
    walls = f"{after.wall_s:.0f} s" + (f"; before {before.wall_s:.0f} s" if before else "")

    def timed(name: str, key: str, target: str) -> dict[str, Any]:
        return {"name": f"load {label}: {name}", "seconds": now[key],
                **({"baseline_seconds": then[key]} if then else {}), "target": target}

    return [
        {"name": f"load {label}: responses >= 500", "value": now["5xx"], "unit": "",
         "target": f"0{was('5xx')}; {statuses(after)}{old}; wall {walls}"},
        {"name": f"load {label}: hangs (> {REQUEST_TIMEOUT_S:.0f} s)", "value": now["hangs"], "unit": "",
         "target": f"0{was('hangs')} (budget {SCENARIO_BUDGET_S:.0f} s)"},
        timed("latency p50", "p50", "-"),
        timed("latency p99", "p99", f"<= 2000 ms; p99 ms by kind: {kinds(after)}{old_kinds}"),
        timed("server time p50", "server p50", "- (Server-Timing: in the app, from arrival to answer)"),
        timed("server time p99", "server p99", "-"),
        {"name": f"load {label}: acknowledged writes missing", "value": now["missing"], "unit": "",
         "target": f"0{was('missing')} (of {len(after.acknowledged)} acknowledged)"},
    ]


HOSTILE_TIMEOUT_S = 120.0


def _hostile_bodies(config_id: str) -> dict[str, tuple[str, str, bytes]]:
    """name -> (method, path, JSON body); paths with {lap} get a freshly pushed 95 s lap."""
    million = json.dumps({"records": [{"kind": "car", "id": str(uuid.uuid4()),
                                       "data": {f"k{i}": 1 for i in range(1_000_000)}}]}).encode()
    register = json.dumps({f"k{i}": "x" * 10 for i in range(100_000)}).encode()
    zeros = base64.b64encode(zlib.compress(np.zeros(2_000_000).tobytes(), 9)).decode()
    channels = [{"key": key, "label": key, "unit": "m", "display_unit": "m", "dtype": "float64", "data": zeros}
                for key in ["time_s", "distance_m", *[f"c{i}" for i in range(126)]]]
    bomb = json.dumps({"format": "racetrace.lap-telemetry", "version": 1, "sample_count": 2_000_000,
                       "channels": channels}).encode()
    return {
        f"push of 1M unknown keys ({len(million) / 2**20:.1f} MB)": ("POST", "/api/v1/sync/push", million),
        f"register with 100k keys ({len(register) / 2**20:.1f} MB)": ("POST", "/api/v1/auth/register", register),
        f"telemetry 128 ch x 2M zeros ({len(bomb) / 2**20:.1f} MB)": ("PUT", "/api/v1/sync/laps/{lap}/telemetry",
                                                                        bomb),
    }


def _hostile(source: Path | None) -> dict[str, tuple[float, float, int, int]]:
    """name -> (seconds, server peak RSS MB, status, answer bytes), on SQLite with one worker."""
    results = {}
    with _fresh_database("sqlite") as url, running_server(url, workers=1, source=source) as server:
        setup = _prepare(server.base_url, url)
        headers = {"Authorization": f"Bearer {setup.tokens[0]}", "Content-Type": "application/json"}
        with httpx.Client(base_url=server.base_url, timeout=HOSTILE_TIMEOUT_S) as client:
            chunk = _chunks(setup.config_id, random.Random(1))[0][:2]
            client.post("/api/v1/sync/push", json={"records": chunk}, headers=headers).raise_for_status()
            for name, (method, path, body) in _hostile_bodies(setup.config_id).items():
                peak = [server.rss_mb()]
                done = threading.Event()

                def watch(peak: list[float] = peak, done: threading.Event = done) -> None:
                    while not done.wait(0.05):
                        peak.append(server.rss_mb())

                watcher = threading.Thread(target=watch)
                watcher.start()
                started = time.perf_counter()
                try:
                    answer = client.request(method, path.format(lap=chunk[1]["id"]), content=body, headers=headers)
                    status, size = answer.status_code, len(answer.content)
                except httpx.HTTPError:
                    status, size = 0, 0  # no answer within HOSTILE_TIMEOUT_S, or the server died
                seconds = time.perf_counter() - started
                done.set()
                watcher.join()
                results[name] = (seconds, max(peak), status, size)
    return results


def _hostile_rows(baseline: Path | None) -> list[dict]:
    after = _hostile(None)
    before = _hostile(baseline) if baseline else {}
    rows = []
    for name, (seconds, peak, status, size) in after.items():
        old = before.get(name)
        was = f"; before: {old[2]}, {old[3]:,} bytes, peak {old[1]:.0f} MB" if old else ""
        rows.append({"name": f"hostile {name}", "seconds": seconds, "peak_mb": peak,
                     **({"baseline_seconds": old[0]} if old else {}),
                     "target": f"small 4xx: {status}, {size:,} bytes{was}"})
    return rows
