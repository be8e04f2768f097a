"""The sync CLI as a script would use it: separate processes, a real server, the keyring between runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSWORD, Server, copy_sample, slower_goodwood, unique

HERE = Path(__file__).resolve().parent


class Cli:
    """`python -m racetrace_desktop ...` with its own RACETRACE_HOME and a file-backed test keyring."""

    def __init__(self, home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.home = home
        self.env = {
            **os.environ, "RACETRACE_HOME": str(home), "RACETRACE_TEST_KEYRING": str(home / "keyring.json"),
            "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring",
            "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
        }  # fmt: skip

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "racetrace_desktop", *args], input=stdin, env=self.env, text=True,
            capture_output=True, timeout=300,
        )  # fmt: skip

    def json(self, *args: str, stdin: str = "", code: int = 0) -> Any:
        done = self.run(*args, "--json", stdin=stdin)
        assert done.returncode == code, done.stderr
        return json.loads(done.stdout)


def test_a_driver_publishes_with_the_cli_and_another_compares_against_the_lap(
    server: Server, trackaddict_samples: Path, tmp_path: Path
) -> None:
    alice, bob = Cli(tmp_path / "alice"), Cli(tmp_path / "bob")
    name = unique("alice")
    registered = alice.run("account", "register", "--server", server.url, "--username", name, "--email",
                           f"{name}@example.com", "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert registered.returncode == 0, registered.stderr
    assert f"registered and signed in as {name}" in registered.stdout
    assert PASSWORD not in (alice.home / "sync.json").read_text()  # the settings file holds no secret
    assert alice.json("sync")["pulled"] >= 2  # the shared track and its configuration
    imported = alice.json("import", str(copy_sample(trackaddict_samples, "sample_02.csv", tmp_path / "files")))
    session_id = imported["imported"][0]["session_id"]
    published = alice.run("publish", session_id[:8])
    assert published.returncode == 0 and "is public" in published.stdout

    synced = alice.json("sync")

    assert synced["pushed"] == 5 and synced["telemetry_uploaded"] == 3  # session, 3 laps, its car
    status = alice.json("account", "status")
    assert status["pending_changes"] == 0 and status["last_error"] is None and status["username"] == name

    bob_name = unique("bob")
    bob.json("account", "register", "--server", server.url, "--username", bob_name, "--email",
             f"{bob_name}@example.com", "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    bob.json("sync")
    (board,) = bob.json("leaderboard")["leaderboards"]  # no session of his own yet: every known board
    assert (board["track"], board["stale"]) == ("Goodwood", False)
    unknown = bob.run("leaderboard", "--track-config", "0000")
    assert unknown.returncode == 2 and "track configuration '0000' is not known" in unknown.stderr
    boards = bob.json("leaderboard", "--track-config", board["track_configuration_id"][:8])["leaderboards"]
    (entry,) = [e for e in boards[0]["entries"] if e["driver"]["display_name"] == name]
    download = bob.run("leaderboard", "download", entry["lap_id"][:12])
    assert download.returncode == 0 and f"downloaded: lap {entry['lap_id']}" in download.stdout
    own = bob.json("import", str(slower_goodwood(trackaddict_samples, tmp_path / "bob-files")))
    own_lap = next(lap for lap in own["imported"][0]["laps"] if lap["lap_time_ms"] == 181_250)

    compared = bob.json("compare", own_lap["lap_id"], entry["lap_id"])

    mine = next(lap for lap in compared["laps"] if lap["lap_id"] == own_lap["lap_id"])
    assert compared["reference_lap_id"] == entry["lap_id"]
    assert mine["delta_at_finish_s"] == pytest.approx(3.723, abs=0.002)

    signed_out = alice.run("account", "logout")
    assert signed_out.returncode == 0 and json.loads((alice.home / "keyring.json").read_text()) == {}
    refused = alice.run("sync")
    assert refused.returncode == 2 and "sign in" in refused.stderr

