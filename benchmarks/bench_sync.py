"""Desktop sync against a local `racetrace-server` (SQLite, 127.0.0.1): the first sync of a library of 100
generated sessions (records, then every lap's telemetry), and a sync with nothing new.

Reports seconds, HTTP requests, bytes up/down and the peak Python memory of the sync (tracemalloc, measured on a
second, identical library so that the timed run is not slowed by tracing).

Run: .venv/bin/python -m benchmarks sync
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import keyring

from tests.memory_keyring import MemoryKeyring

if TYPE_CHECKING:
    from racetrace_desktop.sync import SyncReport, SyncService

SESSIONS = 100
TIMED_LAPS = 2  # + out-lap and in-lap: 4 laps per session
PASSWORD = "bench password 123"  # noqa: S105 - a throwaway account on a throwaway server


def _start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    database = f"sqlite:///{folder / 'server.sqlite'}"
    env = {**os.environ, "ENVIRONMENT": "test", "FAST_PASSWORD_HASH": "true", "DATABASE_URL": database,
           "SECRET_KEY": "bench-secret-" + "x" * 40}  # fmt: skip
    server = Path(sys.executable).with_name("racetrace-server")
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen([str(server), "serve", "--port", str(port)], env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"racetrace-server did not start; see {folder / 'server.log'}")


def _fill_library(folder: Path) -> Path:
    from racetrace_desktop.library import open_library
    from racetrace_desktop.services.importer import import_files
    from racetrace_desktop.telemetry.synthetic import generate_session

    files = folder / "files"
    files.mkdir()
    start = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    paths = [generate_session(laps=TIMED_LAPS, seed=seed, start_utc=start + timedelta(hours=seed),
                              track_name="Bench Ring").write(files) for seed in range(SESSIONS)]  # fmt: skip
    path = folder / "library-a" / "library.sqlite"
    library = open_library(path)
    report = import_files(library, paths)
    library.close()
    if report.failed:
        raise RuntimeError(f"bench import failed: {report.failed[0].error}")
    return path


def _service(library_path: Path, url: str, username: str) -> SyncService:
    from racetrace_desktop.library import open_library
    from racetrace_desktop.sync import SyncService

    service = SyncService(open_library(library_path), library_path.parent / "sync.json")
    service.register(url, username, f"{username}@example.com", PASSWORD)
    service.sign_in(url, username, PASSWORD)
    return service


def _row(name: str, report: SyncReport, peak_mb: float | None = None) -> dict:
    traffic = report.traffic
    row = {"name": f"{name}: {traffic.requests} requests, {traffic.bytes_sent / 1e6:.1f} MB up, "
                   f"{traffic.bytes_received / 1e6:.2f} MB down",
           "seconds": report.seconds, "requests": traffic.requests, "bytes_sent": traffic.bytes_sent,
           "bytes_received": traffic.bytes_received, "pushed": report.counts.pushed,
           "telemetry_uploaded": report.counts.telemetry_uploaded}  # fmt: skip
    if peak_mb is not None:
        row["peak_mb"] = peak_mb
    return row


def run() -> list[dict]:
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    folder = Path(tempfile.mkdtemp(prefix="racetrace-bench-sync-"))
    process, url = _start_server(folder)
    try:
        first_path = _fill_library(folder)
        second_path = folder / "library-b" / "library.sqlite"
        second_path.parent.mkdir()
        shutil.copy(first_path, second_path)
        timed = _service(first_path, url, "benchone")
        first = timed.sync()
        again = timed.sync()
        traced = _service(second_path, url, "benchtwo")
        tracemalloc.start()
        traced.sync()
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        for service in (timed, traced):
            service.library.close()
        laps = first.counts.pushed - SESSIONS
        return [
            _row(f"sync: first, {SESSIONS} sessions + {laps} laps", first, peak),
            _row("sync: nothing new", again),
        ]
    finally:
        process.kill()
        process.wait()
        keyring.set_keyring(previous)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    for result in run():
        print(result)
