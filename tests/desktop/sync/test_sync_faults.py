"""Faults: the server killed mid-push, the network down across an app restart, a replayed chunk, a cursor the
server no longer knows, overlapping syncs, uploads over the server's size limit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import BACKENDS, Device, Server, signed_up, start_server, unique
from test_sync_convergence import generated, imported, second_device, server_counts, snapshot

from racetrace_desktop.library import sync_repo
from racetrace_desktop.services import library_service
from racetrace_desktop.sync import (
    AccountMismatch,
    ClockIncorrect,
    Interrupted,
    ServerUnreachable,
    SyncInProgress,
    SyncProgress,
)


@pytest.fixture(params=BACKENDS)
def own_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """A server this test may kill and restart."""
    running = start_server(request.param, tmp_path / "server")
    yield running
    running.kill()


class Recorder(httpx.HTTPTransport):
    """The real transport, plus a hook that may misbehave around push requests."""

    def __init__(self) -> None:
        super().__init__()
        self.pushes = 0
        self.paths: list[str] = []
        self.on_push = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        if request.url.path.endswith("/sync/push") and self.on_push is not None:
            self.pushes += 1
            return self.on_push(self, request)
        return super().handle_request(request)

    def forward(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        response.read()
        return response


def a_library_with_sessions(
    make_device, server: Server, tmp_path: Path, count: int = 4, **options: object
) -> Device:
    device = make_device("a", **options)
    signed_up(device, server, unique("hank"))
    imported(device, *(generated(tmp_path / "files", seed) for seed in range(10, 10 + count)))
    device.service.update_settings(push_chunk_size=4)  # a session's 5 laps span two chunks
    return device


def test_server_killed_while_a_chunk_is_answered_then_restarted(
    own_server: Server, make_device, tmp_path: Path
) -> None:
    transport = Recorder()
    device = a_library_with_sessions(make_device, own_server, tmp_path, transport=transport, retries=8, backoff_s=0.25)

    def crash_after_storing(recorder: Recorder, request: httpx.Request) -> httpx.Response:
        if recorder.pushes == 3:  # the server stores the chunk, then dies before the answer gets out
            recorder.forward(request)
            own_server.kill()
            threading.Timer(1.0, own_server.start).start()
            raise httpx.ReadError("connection reset by peer")
        return recorder.forward(request)

    transport.on_push = crash_after_storing
    report = device.service.sync()

    # 25 records (4 sessions, 20 laps, their car); the 4 of the chunk whose answer was lost were already stored:
    # the retry finds them unchanged
    assert transport.pushes > 3 and report.counts.pushed == 25 - 4
    assert device.service.status().pending_changes == 0
    name = device.service.settings.username
    assert server_counts(own_server, name) == (4, 20)  # nothing lost, nothing doubled
    other = second_device(make_device, own_server, name)
    other.service.sync()
    assert snapshot(other) == snapshot(device)


def test_with_the_server_down_changes_wait_across_a_restart(own_server: Server, make_device, tmp_path: Path) -> None:
    device = a_library_with_sessions(make_device, own_server, tmp_path, count=2, retries=1, backoff_s=0.05)
    own_server.kill()

    with pytest.raises(ServerUnreachable, match=r"cannot reach the sync server at http://127\.0\.0\.1:\d+"):
        device.service.sync()

    restarted = device.reopen(retries=1, backoff_s=0.05)
    status = restarted.service.status()
    assert status.pending_changes == 2 + 10 + 1 and status.last_sync_at is None  # sessions, laps, car
    assert "cannot reach the sync server" in (status.last_error or "")
    own_server.start()
    report = restarted.service.sync()
    assert report.counts.pushed == 13 and restarted.service.status().pending_changes == 0
    assert restarted.service.status().last_error is None


def test_a_replayed_chunk_changes_nothing(own_server: Server, make_device, tmp_path: Path) -> None:
    transport = Recorder()
    device = a_library_with_sessions(make_device, own_server, tmp_path, count=2, transport=transport)

    def twice(recorder: Recorder, request: httpx.Request) -> httpx.Response:
        recorder.forward(request)
        return recorder.forward(httpx.Request(request.method, request.url, headers=request.headers,
                                              content=request.content))  # fmt: skip

    transport.on_push = twice
    device.service.sync()

    assert device.service.status().pending_changes == 0
    assert server_counts(own_server, device.service.settings.username) == (2, 10)


def test_an_unknown_cursor_makes_a_full_pull_that_changes_nothing(server: Server, make_device, tmp_path: Path) -> None:
    name = unique("ida")
    a = make_device("a")
    signed_up(a, server, name)
    imported(a, generated(tmp_path / "a", 20))
    a.service.sync()
    before = snapshot(a)
    with a.library.write() as db:
        sync_repo.set_cursor(db, 10**9)  # as after the server was restored from an older backup

    report = a.service.sync()

    assert report.counts.full_resync and snapshot(a) == before
    assert a.service.status().pending_changes == 0 and server_counts(server, name) == (1, 5)


def test_two_syncs_never_overlap(server: Server, make_device, tmp_path: Path) -> None:
    a = make_device("a")
    signed_up(a, server, unique("jon"))
    refused: list[str] = []

    def second_sync(progress: SyncProgress) -> None:
        if progress.stage == "connecting":
            with pytest.raises(SyncInProgress) as error:
                a.service.sync()
            refused.append(str(error.value))

    a.service.sync(progress=second_sync)
    assert refused == ["a sync of this library is already running"]


def test_uploads_over_the_size_limit_are_reported_once(tmp_path: Path, make_device, trackaddict_samples: Path) -> None:
    small = start_server("sqlite", tmp_path / "small", max_upload_size_mb="0.5")
    try:
        device = make_device("a")
        signed_up(device, small, unique("kim"))
        device.service.update_settings(upload_original_files=True)
        imported(device, trackaddict_samples / "sample_02.csv")  # 2 MB original

        first = device.service.sync()
        again = device.service.sync()
    finally:
        small.kill()

    (file_problem,) = [p for p in first.counts.problems if "original file" in p]
    assert "too large for the server" in file_problem
    assert first.counts.telemetry_uploaded == 3  # the laps' arrays are far smaller than the file
    assert again.counts.problems == [] and again.counts.files_uploaded == 0
    assert library_service.list_sessions(device.library)[0].lap_count == 3


def test_a_cancelled_sync_keeps_what_was_acknowledged_and_resumes(server: Server, make_device, tmp_path: Path) -> None:
    device = a_library_with_sessions(make_device, server, tmp_path, count=2)
    chunks: list[int] = []

    def cancel_after_a_chunk() -> bool:
        return len(chunks) > 1

    with pytest.raises(Interrupted, match="sync cancelled"):
        device.service.sync(progress=lambda p: chunks.append(p.done) if p.stage == "pushing" else None,
                            cancelled=cancel_after_a_chunk)  # fmt: skip
    pending = device.service.status().pending_changes
    assert 0 < pending < 12 and "cancelled" in (device.service.status().last_error or "")
    assert device.service.sync().counts.pushed == pending
    assert server_counts(server, device.service.settings.username) == (2, 10)


class SkewedClock(httpx.HTTPTransport):
    """The server's answers carry a Date far from this computer's clock."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        response.headers["date"] = "Mon, 01 Jan 2001 00:00:00 GMT"
        return response


def test_a_wrong_clock_stops_the_sync_before_anything_changes(server: Server, make_device, tmp_path: Path) -> None:
    device = a_library_with_sessions(make_device, server, tmp_path, count=1, transport=SkewedClock())

    with pytest.raises(ClockIncorrect, match="set the clock right"):
        device.service.sync()

    assert device.service.status().pending_changes == 7  # session, 5 laps, the car of its Vehicle line
    assert server_counts(server, device.service.settings.username) == (0, 0)


def test_a_library_stays_with_its_account_until_unlinked(server: Server, make_device, tmp_path: Path) -> None:
    device = a_library_with_sessions(make_device, server, tmp_path, count=1)
    first = device.service.settings.username
    device.service.sync()
    other = signed_up(device, server, unique("ivy"))

    with pytest.raises(AccountMismatch, match=f"this library syncs with account '{first}'"):
        device.service.sync()

    device.service.unlink()
    assert device.service.sync().counts.pushed == 7  # session, 5 laps, its car
    assert server_counts(server, other) == (1, 5) and server_counts(server, first) == (1, 5)


def test_a_server_restored_from_an_older_backup_gets_the_newer_data_back(make_device, tmp_path: Path) -> None:
    """SQLite only: the backup is a copy of the server's database file."""
    restored = start_server("sqlite", tmp_path / "server")
    try:
        device = make_device("a")
        name = signed_up(device, restored, unique("jill"))
        (first,) = imported(device, generated(tmp_path / "files", 70))
        device.service.sync()
        database = Path(restored.database_url.removeprefix("sqlite:///"))
        restored.kill()
        backup = {path.name: path.read_bytes() for path in database.parent.glob(database.name + "*")}  # with its WAL
        restored.start()
        imported(device, generated(tmp_path / "files", 71))
        library_service.update_session(device.library, first, notes="after the backup")
        device.service.sync()
        restored.kill()
        for leftover in database.parent.glob(database.name + "*"):
            leftover.unlink()
        for file_name, content in backup.items():
            (database.parent / file_name).write_bytes(content)
        restored.start()

        report = device.service.sync()  # the access token in memory still works (same signing key)

        assert report.counts.full_resync
        assert server_counts(restored, name) == (2, 10)
        assert library_service.session_detail(device.library, first).notes == "after the backup"
        other = second_device(make_device, restored, name)
        other.service.sync()
        assert snapshot(other) == snapshot(device)
    finally:
        restored.kill()
