"""Comparing a lap whose arrays are not on this computer yet, against a real server process: the sync service
fetches them on demand when signed in; offline or signed out the compare says which lap lacks them and what to do.
Through the service (a lap of the driver's other device) and through `racetrace compare` (a leaderboard lap)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PASSWORD, Server, copy_sample, signed_up, slower_goodwood, unique
from test_sync_cli import Cli
from test_sync_convergence import second_device
from test_sync_end_to_end import import_one, timed_lap

from racetrace_desktop.library import remote_repo
from racetrace_desktop.services.compare_service import MissingTelemetryError, compare_stored_laps

LAP_1_MS, SLOWER_MS = 177_527, 181_250
MISSING = "has no telemetry on this computer yet: sync or sign in to download it"


def test_a_lap_of_another_device_is_fetched_for_compare_when_online(
    server: Server, make_device, trackaddict_samples: Path, tmp_path: Path
) -> None:
    name = unique("iris")
    laptop = make_device("laptop")
    signed_up(laptop, server, name)
    laptop.service.sync()
    session = import_one(laptop, copy_sample(trackaddict_samples, "sample_02.csv", tmp_path / "laptop"))
    laptop.service.sync()  # private laps' arrays go up for the driver's other devices
    desktop = second_device(make_device, server, name)
    desktop.service.sync()  # laps on demand: records only
    theirs = timed_lap(desktop, session.uuid, LAP_1_MS)
    mine = timed_lap(desktop, import_one(desktop, slower_goodwood(trackaddict_samples, tmp_path / "desktop")).uuid,
                     SLOWER_MS)  # fmt: skip
    with desktop.library.read() as db:
        assert not remote_repo.has_arrays(db, theirs.uuid)

    expected = rf"lap 1 of sample_02\.csv \({theirs.uuid}\) {MISSING}"
    with pytest.raises(MissingTelemetryError, match=rf"{expected} \(not signed in to a sync server\)"):
        compare_stored_laps(desktop.library, [mine.uuid, theirs.uuid])
    server.kill()
    try:
        offline = desktop.reopen(retries=0)
        with pytest.raises(MissingTelemetryError, match=rf"{expected} \(cannot reach the sync server at "):
            compare_stored_laps(offline.library, [mine.uuid, theirs.uuid],
                                fetch_telemetry=offline.service.fetch_lap_telemetry)  # fmt: skip
    finally:
        server.start()

    comparison = compare_stored_laps(offline.library, [mine.uuid, theirs.uuid],
                                     fetch_telemetry=offline.service.fetch_lap_telemetry)  # fmt: skip

    assert comparison.reference.uuid == theirs.uuid
    (slower,) = [lap for lap in comparison.laps if lap.lap.uuid == mine.uuid]
    assert slower.delta_s[-1] == pytest.approx((SLOWER_MS - LAP_1_MS) / 1000, abs=0.002)
    with offline.library.read() as db:
        assert remote_repo.has_arrays(db, theirs.uuid)  # kept: the next compare needs no network
    assert compare_stored_laps(offline.library, [mine.uuid, theirs.uuid]).reference.uuid == theirs.uuid


def test_racetrace_compare_downloads_a_leaderboard_lap_on_demand(
    server: Server, trackaddict_samples: Path, tmp_path: Path
) -> None:
    alice, bob = Cli(tmp_path / "alice"), Cli(tmp_path / "bob")
    alice_name, bob_name = unique("alice"), unique("bob")
    for cli, name in ((alice, alice_name), (bob, bob_name)):
        cli.json("account", "register", "--server", server.url, "--username", name, "--email",
                 f"{name}@example.com", "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    alice.json("sync")
    imported = alice.json("import", str(copy_sample(trackaddict_samples, "sample_02.csv", tmp_path / "alice-files")))
    assert alice.run("publish", imported["imported"][0]["session_id"]).returncode == 0
    alice.json("sync")
    own = bob.json("import", str(slower_goodwood(trackaddict_samples, tmp_path / "bob-files")))  # a local track
    own_lap = next(lap for lap in own["imported"][0]["laps"] if lap["lap_time_ms"] == SLOWER_MS)
    synced = bob.run("sync")
    assert synced.returncode == 0 and "1 session moved to Goodwood - Motor Circuit (server)" in synced.stdout
    (board,) = bob.json("leaderboard")["leaderboards"]  # cached: the lap itself is not downloaded
    (entry,) = [e for e in board["entries"] if e["driver"]["display_name"] == alice_name]
    bob.json("account", "logout")

    refused = bob.run("compare", own_lap["lap_id"], entry["lap_id"][:12])

    assert refused.returncode == 2
    assert (f"leaderboard lap {entry['lap_id']} of {alice_name} (2:57.527) {MISSING} (not signed in"
            in refused.stderr)  # fmt: skip
    bob.json("account", "login", "--server", server.url, "--username", bob_name, "--password-stdin",
             stdin=PASSWORD + "\n")  # fmt: skip

    compared = bob.json("compare", own_lap["lap_id"], entry["lap_id"][:12])

    assert compared["reference_lap_id"] == entry["lap_id"]
    mine = next(lap for lap in compared["laps"] if lap["lap_id"] == own_lap["lap_id"])
    assert mine["delta_at_finish_s"] == pytest.approx((SLOWER_MS - LAP_1_MS) / 1000, abs=0.002)
    assert "already in the library" in bob.run("leaderboard", "download", entry["lap_id"]).stdout
