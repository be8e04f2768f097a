"""`racetrace-server`: migrate, create-admin (password from stdin), serve (migrations, then uvicorn)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .conftest import TEST_SECRET

SCRIPT = Path(sys.executable).with_name("racetrace-server")


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ENVIRONMENT", "SECRET_KEY", "DATABASE_URL")}
    return {**env, "DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET, "FAST_PASSWORD_HASH": "false", **extra}


def _run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], input=stdin, env=env, capture_output=True, text=True, timeout=120)


def test_migrate_is_idempotent(clean_database, database_url):
    first = _run(["migrate"], _env(database_url))
    assert first.returncode == 0, first.stderr
    assert "up to date" in first.stdout
    assert _run(["migrate"], _env(database_url)).returncode == 0


def test_create_admin_reads_the_password_from_stdin_and_can_sign_in(clean_database, database_url, api):
    created = _run(["create-admin", "--username", "Chief", "--email", "chief@example.com"], _env(database_url),
                   stdin="a long admin password\n")
    assert created.returncode == 0, created.stderr
    response = api.client.post("/api/v1/auth/admin/login",
                               data={"username": "chief", "password": "a long admin password"})
    assert response.status_code == 200
    again = _run(["create-admin", "--username", "chief", "--email", "x@example.com"], _env(database_url),
                 stdin="a long admin password\n")
    assert again.returncode != 0 and "already exists" in again.stderr


def test_create_admin_refuses_a_short_password(clean_database, database_url):
    result = _run(["create-admin", "--username", "chief", "--email", "c@example.com"], _env(database_url),
                  stdin="short\n")
    assert result.returncode != 0 and "at least 8" in result.stderr


def test_production_refuses_to_start_with_the_default_secret(clean_database, database_url):
    env = _env(database_url)
    env.pop("SECRET_KEY")
    result = _run(["migrate"], env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_migrates_then_answers_health(tmp_path, database_url, clean_database):
    # A brand-new SQLite file proves the migrations run first; PostgreSQL reuses the test database.
    url = f"sqlite:///{tmp_path / 'fresh' / 'server.sqlite'}" if database_url.startswith("sqlite") else database_url
    port = _free_port()
    server = subprocess.Popen([str(SCRIPT), "serve", "--port", str(port)], env=_env(url),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = None
        for _ in range(300):  # bounded wait for start-up (at most ~30 s)
            try:
                body = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).json()
                break
            except httpx.HTTPError:
                if server.poll() is not None:
                    break
                time.sleep(0.1)
        assert body is not None, server.stdout.read() if server.poll() is not None else "no answer"
        assert body["status"] == "ok"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_rebuild_leaderboard_command(clean_database, database_url):
    result = _run(["rebuild-leaderboard"], _env(database_url))
    assert result.returncode == 0, result.stderr
    assert "0 best-lap rows" in result.stdout
