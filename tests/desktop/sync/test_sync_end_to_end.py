"""End to end against a real server process: a public lap of driver A reaches driver B's leaderboard, B downloads
it and compares it against B's own lap; the leaderboard stays readable offline."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pytest
from conftest import Device, Server, copy_sample, signed_up, slower_goodwood, unique

from racetrace_desktop.library.read_models import LapRecord
from racetrace_desktop.services import library_service
from racetrace_desktop.services.compare_service import compare_stored_laps
from racetrace_desktop.services.importer import import_files
from racetrace_desktop.sync import ServerMessage, ServerUnreachable


def import_one(device: Device, path: Path) -> library_service.SessionSummary:
    report = import_files(device.library, [path])
    assert [r.status for r in report.results] == ["imported"], report.results
    session_uuid = report.results[0].session_uuid
    assert session_uuid is not None
    return library_service.session_summary(device.library, session_uuid)


def timed_lap(device: Device, session_uuid: uuid.UUID, lap_time_ms: int) -> LapRecord:
    return next(lap for lap in library_service.session_laps(device.library, session_uuid)
                if lap.lap_time_ms == lap_time_ms)  # fmt: skip


def test_a_public_lap_reaches_another_driver_who_compares_against_it(
    server: Server, make_device, trackaddict_samples: Path, tmp_path: Path
) -> None:
    alice, bob = make_device("alice"), make_device("bob")
    signed_up(alice, server, unique("alice"))
    alice.service.sync()  # brings the server's Goodwood layout: the import is timed on it
    mine = import_one(alice, copy_sample(trackaddict_samples, "sample_02.csv", tmp_path / "a"))
    assert mine.track_name == "Goodwood" and mine.configuration_name == "Motor Circuit"
    library_service.set_session_public(alice.library, mine.uuid, True)

    report = alice.service.sync()

    assert report.counts.pushed == 1 + 3 + 1  # the session, its three laps and its car (the Vehicle line)
    assert report.counts.telemetry_uploaded == 3
    assert alice.service.status().pending_changes == 0

    signed_up(bob, server, unique("bob"))
    bob.service.sync()
    (goodwood,) = bob.service.leaderboard_configurations()
    board = bob.service.leaderboard(goodwood.server_id)
    assert board is not None and not board.stale
    (entry,) = [e for e in board.entries if e["driver"]["display_name"] == alice.service.settings.username]
    assert entry["lap_time_ms"] == 177_527 and entry["provenance"]["format_name"] == "TrackAddict"

    downloaded = bob.service.download_leaderboard_lap(entry["lap_id"][:10])
    own = import_one(bob, slower_goodwood(trackaddict_samples, tmp_path / "b"))
    own_lap = timed_lap(bob, own.uuid, 181_250)

    comparison = compare_stored_laps(bob.library, [own_lap.uuid, downloaded.lap_uuid])

    assert comparison.reference.uuid == downloaded.lap_uuid  # the faster lap
    (theirs_vs_mine,) = [lap for lap in comparison.laps if lap.lap.uuid == own_lap.uuid]
    assert theirs_vs_mine.delta_s[-1] == pytest.approx(181.250 - 177.527, abs=0.002)
    assert np.all(np.isfinite(theirs_vs_mine.delta_s))
    assert [d.driver_name for d in bob.service.downloaded_laps()] == [alice.service.settings.username]
    assert bob.service.download_leaderboard_lap(entry["lap_id"]).already_there


def test_the_leaderboard_stays_readable_offline(server: Server, make_device, trackaddict_samples: Path,
                                                tmp_path: Path) -> None:  # fmt: skip
    alice = make_device("alice")
    signed_up(alice, server, unique("alice"))
    alice.service.sync()
    session = import_one(alice, copy_sample(trackaddict_samples, "sample_02.csv", tmp_path / "a"))
    library_service.set_lap_public(alice.library, timed_lap(alice, session.uuid, 177_527).uuid, True)
    alice.service.sync()
    (goodwood,) = alice.service.leaderboard_configurations(with_own_sessions=True)

    offline = alice.reopen(retries=0)
    offline.service.update_settings(server_url="http://127.0.0.1:9")  # nothing listens on the discard port

    board = offline.service.leaderboard(goodwood.server_id)
    assert board is not None and board.stale and "cannot reach the sync server" in (board.problem or "")
    name = alice.service.settings.username
    assert [e["lap_time_ms"] for e in board.entries if e["driver"]["display_name"] == name] == [177_527]
    with pytest.raises(ServerUnreachable, match=r"cannot reach the sync server at http://127\.0\.0\.1:9"):
        offline.service.sync()
    with pytest.raises(ServerMessage, match="no leaderboard entry with lap id 'ffff'"):
        offline.service.download_leaderboard_lap("ffff")
