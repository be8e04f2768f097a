"""Drive a real sync server from outside (used by bench_server): start uvicorn workers, push a 1-hour session over
HTTP, and load the leaderboard with wrk on loopback."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import psutil

WRK = shutil.which("wrk") or "/usr/bin/wrk"
START_TIMEOUT_S = 90.0
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]

    def _processes(self) -> list[psutil.Process]:
        parent = psutil.Process(self.process.pid)
        return [parent, *parent.children(recursive=True)]

    def rss_mb(self) -> float:
        """Resident memory of the server: the supervisor and its workers."""
        try:
            return sum(p.memory_info().rss for p in self._processes()) / 2**20
        except psutil.Error:
            return float("nan")

    def cpu_s(self) -> float:
        """CPU seconds (user + system) the server's processes have used so far."""
        return sum(sum(p.cpu_times()[:2]) for p in self._processes())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(
    database_url: str, workers: int = 2, source: Path | None = None, app: str = "sync_server.app:create_app"
) -> Iterator[Server]:
    """uvicorn with `workers` processes on 127.0.0.1, production settings, access log off (as a load test should).

    `source`: a folder holding another `sync_server` package (e.g. an older commit's) to serve instead (this
    repository's `benchmarks` stay importable, e.g. for `app="benchmarks.timed_app:create_app"`)."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ENVIRONMENT": "production",
    }
    if source is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), str(ROOT), os.environ.get("PYTHONPATH")]))
    command = [
        sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--no-access-log", "--log-level", "warning",
    ]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=log, cwd=source)
        server = Server(f"http://127.0.0.1:{port}", process)
        try:
            _wait_healthy(server, log)
            yield server
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(server: Server, log: IO[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited: {log.read().decode(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{server.base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not become healthy in time")


@dataclass
class WrkResult:
    requests_per_s: float
    requests: int
    errors: int
    p50_ms: float
    p99_ms: float
    error_kinds: str  # e.g. "non-2xx 0, connect 0, read 0, write 0, timeout 3"


def wrk(base_url: str, paths: list[str], threads: int = 2, connections: int = 32, seconds: int = 10) -> WrkResult:
    """A bounded wrk run on loopback cycling through `paths`."""
    lua = "local paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n" + (
        "local i = 0\n"
        "request = function()\n"
        "  i = i + 1\n"
        "  return wrk.format('GET', paths[(i % #paths) + 1])\n"
        "end\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "paths.lua"
        script.write_text(lua)
        command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
                   base_url]
        output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    return _parse_wrk(output)


def _parse_wrk(output: str) -> WrkResult:
    def number(pattern: str, default: float | None = None) -> float:
        match = re.search(pattern, output)
        if match is None:
            if default is None:
                raise RuntimeError(f"unexpected wrk output:\n{output}")
            return default
        return float(match.group(1))

    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = int(number(r"Non-2xx or 3xx responses: (\d+)", 0))
    kinds = [int(g) for g in socket_errors.groups()] if socket_errors else [0, 0, 0, 0]
    errors = non_2xx + sum(kinds)
    error_kinds = "non-2xx {}, connect {}, read {}, write {}, timeout {}".format(non_2xx, *kinds)
    return WrkResult(
        requests_per_s=number(r"Requests/sec:\s+([\d.]+)"),
        requests=int(number(r"(\d+) requests in")),
        errors=errors,
        p50_ms=_latency(output, "50%"),
        p99_ms=_latency(output, "99%"),
        error_kinds=error_kinds,
    )


def _latency(output: str, label: str) -> float:
    match = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", output)
    if match is None:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
