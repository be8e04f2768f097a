"""Fixtures for the sync tests: a real `racetrace-server` process on 127.0.0.1 (its own SQLite file, or its own
PostgreSQL database when run under packaging/with-postgres.sh), simulated devices (one library + settings file
each, in their own folder) and an in-memory keyring.

Without DATABASE_URL_PG the PostgreSQL variants are skipped on a clone and fail in CI (tests/prerequisites.py).
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import keyring
import pytest

from racetrace_desktop.library import Library, open_library
from racetrace_desktop.sync import SyncService
from tests.memory_keyring import MemoryKeyring
from tests.prerequisites import missing

REPO = Path(__file__).resolve().parents[3]
SERVER_BIN = Path(sys.executable).with_name("racetrace-server")
PASSWORD = "correct horse battery"
SECRET = "sync-test-secret-key-that-is-long-enough-0123456789"
BACKENDS = ("sqlite", "postgresql")
GOODWOOD = {"name": "Goodwood", "country": "GB", "configurations": [
    {"name": "Motor Circuit", "start_finish_lat": 50.857952, "start_finish_lon": -0.752617, "num_sectors": 3,
     "is_default": True}]}  # fmt: skip
_database_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def new_database_url(backend: str, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / f'server-{next(_database_numbers)}.sqlite'}"
    url = os.environ.get("DATABASE_URL_PG")
    if not url:
        missing(
            "PostgreSQL not available (DATABASE_URL_PG is not set): run the tests with packaging/tasks.sh test, "
            "which starts a throwaway cluster"
        )
    import psycopg

    name = f"rt_sync_{os.getpid()}_{next(_database_numbers)}"
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + f"/{name}"


@dataclass
class Server:
    """A racetrace-server process. kill() is SIGKILL (a crash); start() serves the same database again."""

    database_url: str
    folder: Path
    settings: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {**os.environ, "ENVIRONMENT": "test", "DATABASE_URL": self.database_url, "SECRET_KEY": SECRET,
                "FAST_PASSWORD_HASH": "true", **self.settings}  # fmt: skip

    def start(self) -> None:
        log = (self.folder / "server.log").open("ab")
        self.process = subprocess.Popen(
            [str(SERVER_BIN), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env(), stdout=log, stderr=log, cwd=self.folder,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"racetrace-server exited: {(self.folder / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("racetrace-server did not answer /health within 60 s")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def create_admin(self, username: str = "boss") -> str:
        """An administrator via the server CLI; returns an admin access token."""
        subprocess.run(
            [str(SERVER_BIN), "create-admin", "--username", username, "--email", f"{username}@example.com"],
            input=PASSWORD.encode(), env=self.env(), check=True, capture_output=True, cwd=self.folder,
        )  # fmt: skip
        answer = httpx.post(f"{self.url}/api/v1/auth/admin/login", data={"username": username, "password": PASSWORD})
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def add_track(self, admin_token: str, track: dict[str, Any] = GOODWOOD) -> dict[str, Any]:
        answer = httpx.post(f"{self.url}/api/v1/tracks", json=track, headers={"Authorization": f"Bearer {admin_token}"})
        answer.raise_for_status()
        return dict(answer.json())


def start_server(backend: str, folder: Path, **settings: str) -> Server:
    folder.mkdir(parents=True, exist_ok=True)
    server = Server(new_database_url(backend, folder), folder, {k.upper(): v for k, v in settings.items()})
    server.start()
    return server


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server shared by a module's tests (each test uses its own accounts), with the Goodwood track."""
    running = start_server(request.param, tmp_path_factory.mktemp(f"server-{request.param}"))
    running.add_track(running.create_admin())
    yield running
    running.kill()


@dataclass
class Device:
    """One computer of a driver: its own library and sync settings file."""

    folder: Path
    library: Library
    service: SyncService

    def reopen(self, **service_options: Any) -> Device:
        """The app restarted: library and service opened again from disk."""
        self.library.close()
        library = open_library(self.folder / "library.sqlite")
        return Device(self.folder, library, SyncService(library, self.folder / "sync.json", **service_options))


@pytest.fixture
def make_device(tmp_path: Path) -> Iterator[Any]:
    devices: list[Device] = []

    def make(name: str, **service_options: Any) -> Device:
        folder = tmp_path / name
        folder.mkdir()
        library = open_library(folder / "library.sqlite")
        device = Device(folder, library, SyncService(library, folder / "sync.json", **service_options))
        devices.append(device)
        return device

    yield make
    for device in devices:
        device.library.close()


def unique(name: str) -> str:
    return f"{name}{uuid.uuid4().hex[:8]}"


def signed_up(device: Device, server: Server, username: str, password: str = PASSWORD) -> str:
    device.service.register(server.url, username, f"{username}@example.com", password)
    device.service.sign_in(server.url, username, password)
    return username


def slower_goodwood(samples: Path, folder: Path, lap_line: str = "# Lap 1: 00:03:01.250") -> Path:
    """The Goodwood sample with a slower stated time for lap 1: another driver's recording of the same laps."""
    source = (samples / "sample_02.csv").read_bytes()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "Goodwood slower.csv"
    target.write_bytes(source.replace(b"# Lap 1: 00:02:57.527", lap_line.encode()))
    return target


def copy_sample(samples: Path, name: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(samples / name, folder / name))
