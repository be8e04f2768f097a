"""Sessions follow the server's shared track configurations, against a real server process: a session imported
offline on a local track moves to the shared configuration when a sync brings it (and reaches the leaderboard),
cached configurations are adopted offline through the service, the same file imported offline on a second device
joins the shared session, and an admin's edit re-laps the session on every device of the driver."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from conftest import BACKENDS, PASSWORD, Device, Server, copy_sample, signed_up, start_server, unique
from test_sync_convergence import generated, second_device, server_counts, snapshot

from racetrace_desktop.library import lapdata_repo, open_library, remote_repo, sync_repo, sync_tracks_repo
from racetrace_desktop.library.models import Car, Lap, SessionRow
from racetrace_desktop.services import library_service, shared_tracks
from racetrace_desktop.services.importer import import_files
from racetrace_desktop.sync import Interrupted, SyncProgress
from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.model import RawSession

GOODWOOD_START = (50.857952, -0.752617)  # where sample_02.csv's start/finish lies
LAP_1_MS = 177_527  # the sample's timed lap (stated by TrackAddict)


class Admin:
    """The server administrator, through the server's admin API."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.token = server.create_admin()

    def create_goodwood(self, lat_offset: float = 0.0, num_sectors: int = 3) -> str:
        """Goodwood with one configuration; returns the configuration's id."""
        configuration = {"name": "Motor Circuit", "start_finish_lat": GOODWOOD_START[0] + lat_offset,
                         "start_finish_lon": GOODWOOD_START[1], "num_sectors": num_sectors}  # fmt: skip
        track = self.server.add_track(self.token, {"name": "Goodwood", "configurations": [configuration]})
        return str(track["configurations"][0]["id"])

    def edit_configuration(self, configuration_id: str, **changes: Any) -> dict[str, Any]:
        url = f"{self.server.url}/api/v1/admin/track-configurations/{configuration_id}"
        answer = httpx.patch(url, json=changes, headers={"Authorization": f"Bearer {self.token}"})
        answer.raise_for_status()
        return dict(answer.json())


@pytest.fixture(params=BACKENDS)
def bare_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """A server without any track yet: the admin creates Goodwood during the test."""
    running = start_server(request.param, tmp_path / "server")
    yield running
    running.kill()


def leaderboard(server: Server, configuration_id: str) -> dict[str, Any]:
    answer = httpx.get(f"{server.url}/api/v1/leaderboard", params={"track_configuration_id": configuration_id})
    answer.raise_for_status()
    return dict(answer.json())


def server_session(server: Server, username: str, session_uuid: uuid.UUID) -> dict[str, Any]:
    token = httpx.post(f"{server.url}/api/v1/auth/login", data={"username": username, "password": PASSWORD}).json()
    answer = httpx.get(f"{server.url}/api/v1/sessions/{session_uuid}",
                       headers={"Authorization": f"Bearer {token['access_token']}"})  # fmt: skip
    answer.raise_for_status()
    return dict(answer.json())


def import_goodwood(device: Device, samples: Path, folder: Path) -> uuid.UUID:
    report = import_files(device.library, [copy_sample(samples, "sample_02.csv", folder)])
    assert [r.status for r in report.results] == ["imported"], report.results
    session_uuid = report.results[0].session_uuid
    assert session_uuid is not None
    return session_uuid


def laps_of(device: Device, session_uuid: uuid.UUID) -> list[library_service.LapRecord]:
    return library_service.session_laps(device.library, session_uuid)


def tracks_of(device: Device) -> list[tuple[str, str, list[str]]]:
    return [(t.name, t.origin, [c.name for c in t.configurations]) for t in library_service.list_tracks(device.library)]


def test_a_session_imported_offline_moves_to_the_shared_track_and_reaches_the_leaderboard(
    bare_server: Server, make_device, trackaddict_samples: Path, tmp_path: Path
) -> None:
    device = make_device("laptop")
    name = signed_up(device, bare_server, unique("erin"))
    session = import_goodwood(device, trackaddict_samples, tmp_path / "track")  # no network there: a local track
    # named after the known circuit at its start/finish (the sample's file name no longer carries the name)
    assert library_service.session_summary(device.library, session).track_name == "Goodwood Motor Circuit"
    before = laps_of(device, session)
    library_service.update_session(device.library, session, notes="first time at Goodwood")
    library_service.set_lap_public(device.library, before[1].uuid, True)
    library_service.override_lap_validity(device.library, before[0].uuid, True)
    # The shared layout, 22 m from the logger's start line and with four sectors: its TrackDefinition times the laps.
    configuration_id = Admin(bare_server).create_goodwood(lat_offset=0.0002, num_sectors=4)
    seen: list[SyncProgress] = []

    report = device.service.sync(progress=seen.append)

    assert (report.counts.sessions_moved, report.counts.sessions_relapped) == (1, 0)
    assert report.counts.track_changes == [
        "1 session moved to Goodwood - Motor Circuit (server)",
        "local track 'Goodwood Motor Circuit' removed: its sessions now use the server's track",
    ]
    assert [p.message for p in seen if p.stage == "re-lapping sessions"] == ["sample_02.csv"]
    summary = library_service.session_summary(device.library, session)
    assert (summary.track_name, summary.configuration_name) == ("Goodwood", "Motor Circuit")
    assert tracks_of(device) == [("Goodwood", "server", ["Motor Circuit"])]  # no second copy of the circuit
    after = laps_of(device, session)
    assert [lap.uuid for lap in after] == [lap.uuid for lap in before]
    assert after[1].is_public and after[0].valid_override is True
    assert after[1].lap_time_ms == LAP_1_MS and len(after[1].sector_times_ms) == 4
    assert sum(after[1].sector_times_ms) == LAP_1_MS
    assert after[1].gps_time_ms != before[1].gps_time_ms  # timed at the server's start line
    assert library_service.session_detail(device.library, session).notes == "first time at Goodwood"
    assert device.service.status().pending_changes == 0

    on_server = server_session(bare_server, name, session)
    assert (on_server["track_configuration_id"], on_server["track_configuration_version"]) == (configuration_id, 1)
    entries = leaderboard(bare_server, configuration_id)["entries"]
    assert [(e["driver"]["display_name"], e["lap_id"], e["lap_time_ms"]) for e in entries] == [
        (name, str(after[1].uuid), LAP_1_MS)
    ]
    assert entries[0]["sector_times_ms"] == list(after[1].sector_times_ms)
    again = device.service.sync()
    assert (again.counts.sessions_moved, again.counts.track_changes, again.counts.pushed) == (0, [], 0)


def test_cached_configurations_are_adopted_offline_through_the_service(
    bare_server: Server, make_device, trackaddict_samples: Path, tmp_path: Path
) -> None:
    device = make_device("laptop")
    name = signed_up(device, bare_server, unique("fred"))
    session = import_goodwood(device, trackaddict_samples, tmp_path / "track")
    configuration_id = Admin(bare_server).create_goodwood()
    stages: list[str] = []
    with pytest.raises(Interrupted):  # stopped right after the pull: the configuration is cached, nothing moved
        device.service.sync(progress=lambda p: stages.append(p.stage), cancelled=lambda: "matching tracks" in stages)
    assert [t[1] for t in tracks_of(device)] == ["server", "local"]

    bare_server.kill()  # offline: the service needs the cached configurations only
    offline = device.reopen(retries=0)
    report = shared_tracks.refresh_shared_tracks(offline.library)

    assert (report.moved, report.relapped, report.problems) == (1, 0, ())
    assert report.removed_tracks == ("Goodwood Motor Circuit",)
    assert session in report.changes.sessions_updated
    assert tracks_of(offline) == [("Goodwood", "server", ["Motor Circuit"])]
    assert shared_tracks.refresh_shared_tracks(offline.library).empty  # nothing left to do
    bare_server.start()
    online = offline.reopen()
    assert online.service.sync().counts.sessions_moved == 0
    assert server_session(bare_server, name, session)["track_configuration_id"] == configuration_id
    assert online.service.status().pending_changes == 0


def test_an_admin_edit_relaps_the_session_on_every_device_of_the_driver(
    bare_server: Server, make_device, trackaddict_samples: Path, tmp_path: Path
) -> None:
    admin = Admin(bare_server)
    configuration_id = admin.create_goodwood()
    name = unique("gina")
    laptop = make_device("laptop")
    signed_up(laptop, bare_server, name)
    laptop.service.sync()
    session = import_goodwood(laptop, trackaddict_samples, tmp_path / "laptop-files")
    lap_uuids = [lap.uuid for lap in laps_of(laptop, session)]
    laptop.service.sync()
    desktop = second_device(make_device, bare_server, name)
    offline_copy = import_goodwood(desktop, trackaddict_samples, tmp_path / "desktop-files")  # on a local track
    assert offline_copy != session and [t[1] for t in tracks_of(desktop)] == ["local"]

    joined = desktop.service.sync()  # the same file: the laptop's session, moved onto the shared configuration

    assert joined.counts.sessions_moved == 1 and tracks_of(desktop) == [("Goodwood", "server", ["Motor Circuit"])]
    assert [s.uuid for s in library_service.list_sessions(desktop.library)] == [session]
    assert [lap.uuid for lap in laps_of(desktop, session)] == lap_uuids
    assert snapshot(desktop) == snapshot(laptop) and server_counts(bare_server, name) == (1, 3)
    library_service.set_lap_public(laptop.library, lap_uuids[1], True)
    laptop.service.sync()
    desktop.service.sync()

    assert admin.edit_configuration(configuration_id, num_sectors=4)["version"] == 2
    edited = laptop.service.sync()

    assert (edited.counts.sessions_relapped, edited.counts.sessions_moved) == (1, 0)
    assert edited.counts.track_changes == [
        "1 session re-lapped on Goodwood - Motor Circuit: the server's configuration was edited"
    ]
    laps = laps_of(laptop, session)
    assert [lap.uuid for lap in laps] == lap_uuids and laps[1].is_public
    assert [len(lap.sector_times_ms) for lap in laps] == [4, 4, 0] and sum(laps[1].sector_times_ms) == LAP_1_MS
    assert library_service.session_detail(laptop.library, session).configuration_version == 2
    (entry,) = leaderboard(bare_server, configuration_id)["entries"]
    assert entry["provenance"]["track_configuration_version"] == 2 and entry["provenance"]["timed_with_current_version"]
    assert len(entry["sector_times_ms"]) == 4

    followed = desktop.service.sync()  # the desktop re-laps its own copy as well, keeping the laptop's laps

    assert followed.counts.track_changes == ["1 session re-lapped on Goodwood - Motor Circuit as another device did"]
    assert snapshot(desktop) == snapshot(laptop)
    assert [len(lap.sector_times_ms) for lap in laps_of(desktop, session)] == [4, 4, 0]
    with desktop.library.read() as db:  # the arrays here are this device's analysis on the edited configuration
        rows = [lapdata_repo.load_lap_arrays(db, lap.uuid)[0].row_count for lap in laps_of(desktop, session)]
    assert rows == [lap.row_count for lap in laps_of(laptop, session)] and all(rows)
    assert server_counts(bare_server, name) == (1, 3)
    assert laptop.service.sync().counts.sessions_relapped == desktop.service.sync().counts.sessions_relapped == 0
    assert laptop.service.status().pending_changes == desktop.service.status().pending_changes == 0


def test_laps_pulled_from_the_device_that_relapped_keep_their_identity(tmp_path: Path) -> None:
    """The library side of "re-lapped as another device did", without a server: the laps as a pull leaves them
    (known to the server, no arrays, spans unknown) are matched by number, not replaced by new ones."""
    library = open_library(tmp_path / "desktop" / "library.sqlite")
    try:
        (result,) = import_files(library, [generated(tmp_path / "files", 61)]).results
        session = result.session_uuid
        assert session is not None
        before = library_service.session_laps(library, session)
        with library.write() as db:
            row = db.scalars(sa.select(SessionRow).where(SessionRow.uuid == session)).one()
            lapdata_repo.delete_lap_arrays(db, list(db.scalars(sa.select(Lap.id).where(Lap.session_id == row.id))))
            db.execute(sa.update(Lap).values(server_rev=7, dirty=False, start_s=0.0, end_s=Lap.lap_time_ms / 1000.0,
                                             row_start=0, row_end=0))  # fmt: skip
            row.server_rev, row.dirty = 7, False
            db.execute(sa.update(Car).values(server_rev=7, dirty=False))  # the car from its Vehicle line came too
            sync_tracks_repo.note_pulled_configuration(db, row, None)
        name = library_service.session_summary(library, session).source_name

        def newer_format(data: bytes, file_name: str) -> RawSession:
            raise TelemetryFormatError(file_name, "unsupported TrackAddict version", 1)

        failed = shared_tracks.refresh_shared_tracks(library, reader=newer_format)
        assert failed.problems == (f"session {name} ({session}) stays as it was: cannot re-lap {name}, line 1: "
                                   "unsupported TrackAddict version; nothing was changed",)  # fmt: skip
        assert library_service.session_laps(library, session)[1].row_count == 0  # left as the pull left it

        report = shared_tracks.refresh_shared_tracks(library)  # the marker survived the failure

        assert report.messages == ("1 session re-lapped on Demo Ring - Default as another device did",)
        after = library_service.session_laps(library, session)
        assert [(lap.uuid, lap.start_s, lap.row_count) for lap in after] == [
            (lap.uuid, lap.start_s, lap.row_count) for lap in before
        ]
        with library.read() as db:
            assert all(remote_repo.has_arrays(db, lap.uuid) for lap in after)
            assert sync_repo.pending_count(db) == 0  # the same analysis as the server's: nothing to push, no tombstone
        assert shared_tracks.refresh_shared_tracks(library).empty  # the marker is gone
    finally:
        library.close()
