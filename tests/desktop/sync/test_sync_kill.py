"""The client killed (SIGKILL) in the middle of a sync and started again: nothing lost, nothing doubled."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PASSWORD, Server, unique
from test_sync_cli import Cli
from test_sync_convergence import generated, second_device, server_counts, snapshot

from racetrace_desktop.library import open_library
from racetrace_desktop.services import library_service


@pytest.mark.parametrize("kill_at", ["sync: pushing 4/15 laps", "sync: uploading telemetry 5/15"])
def test_a_sync_killed_midway_resumes_without_loss_or_duplicates(
    server: Server, make_device, tmp_path: Path, kill_at: str
) -> None:
    cli = Cli(tmp_path / "cli")
    name = unique("paul")
    registered = cli.run("account", "register", "--server", server.url, "--username", name, "--email",
                         f"{name}@example.com", "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert registered.returncode == 0, registered.stderr
    settings = json.loads((cli.home / "sync.json").read_text())
    (cli.home / "sync.json").write_text(json.dumps({**settings, "push_chunk_size": 4}))
    files = [generated(tmp_path / "files", seed) for seed in (40, 41, 42)]
    assert cli.run("import", *map(str, files)).returncode == 0

    running = subprocess.Popen(
        [sys.executable, "-m", "racetrace_desktop", "sync", "--progress"], env=cli.env, text=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert running.stderr is not None
    seen = []
    for line in running.stderr:
        seen.append(line.strip())
        if line.startswith(kill_at):
            running.kill()
            break
    running.wait(30)
    assert running.returncode == -9, seen  # killed, not finished

    again = cli.run("sync", "--json")

    assert again.returncode == 0, again.stderr
    assert json.loads(cli.run("account", "status", "--json").stdout)["pending_changes"] == 0
    assert server_counts(server, name) == (3, 15)
    other = second_device(make_device, server, name)
    other.service.sync()
    library = open_library(cli.home / "library.sqlite")
    try:
        assert snapshot(other) == snapshot(type(other)(cli.home, library, other.service))
    finally:
        library.close()
    for session in library_service.list_sessions(other.library):
        for lap in library_service.session_laps(other.library, session.uuid):
            assert other.service.ensure_lap_telemetry(lap.uuid)  # every lap's arrays reached the server
