"""Two libraries of the same driver converge through the server: imports, edits, deletes, conflicting edits
(per-field newest wins, notes keep both texts), the same file imported on both, and a push that races another
device (409, merge, push again)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
from conftest import PASSWORD, Device, Server, copy_sample, signed_up, unique

from racetrace_desktop.library import lapdata_repo
from racetrace_desktop.services import library_service
from racetrace_desktop.services.importer import import_files
from racetrace_desktop.sync import SyncProgress
from racetrace_desktop.sync.merge import NOTES_SEPARATOR
from racetrace_desktop.telemetry.synthetic import generate_session

START = datetime(2026, 6, 13, 9, 30, tzinfo=UTC)


def generated(folder: Path, seed: int, laps: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    session = generate_session(laps=laps, seed=seed, start_utc=START + timedelta(hours=seed), track_name="Demo Ring")
    return session.write(folder)


def imported(device: Device, *paths: Path) -> list[uuid.UUID]:
    report = import_files(device.library, paths)
    assert [r.status for r in report.results] == ["imported"] * len(paths), report.results
    return [r.session_uuid for r in report.results if r.session_uuid]


def second_device(make_device, server: Server, username: str) -> Device:
    device = make_device(f"{username}-2")
    device.service.sign_in(server.url, username, PASSWORD)
    return device


def snapshot(device: Device) -> dict[str, object]:
    """What the driver sees: sessions with their editable fields and laps, cars, events."""
    library = device.library
    sessions = {}
    for summary in library_service.list_sessions(library):
        detail = library_service.session_detail(library, summary.uuid)
        laps = [(lap.uuid, lap.number, lap.lap_time_ms, lap.is_valid, lap.is_public)
                for lap in library_service.session_laps(library, summary.uuid)]  # fmt: skip
        sessions[summary.uuid] = (detail.notes, summary.session_type, summary.car_uuid, summary.event_uuid,
                                  summary.is_public, laps)  # fmt: skip
    cars = {(c.uuid, c.make, c.model, c.category, c.notes) for c in library_service.list_cars(library)}
    events = {(e.uuid, e.name, e.notes) for e in library_service.list_events(library)}
    return {"sessions": sessions, "cars": cars, "events": events}


def server_counts(server: Server, username: str) -> tuple[int, int]:
    """(live sessions, live laps) of the account on the server, through its REST API."""
    token = httpx.post(f"{server.url}/api/v1/auth/login", data={"username": username, "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    sessions = httpx.get(f"{server.url}/api/v1/sessions", headers=headers).json()
    laps = sum(len(httpx.get(f"{server.url}/api/v1/sessions/{s['id']}/laps", headers=headers).json()) for s in sessions)
    return len(sessions), laps


def sync_all(*devices: Device) -> None:
    for device in (*devices, *devices):  # twice round: everyone sees everyone's last changes
        device.service.sync()


def test_two_devices_converge_through_imports_edits_and_deletes(server: Server, make_device, tmp_path: Path) -> None:
    name = unique("dana")
    a = make_device("a")
    signed_up(a, server, name)
    b = second_device(make_device, server, name)
    first, second = imported(a, generated(tmp_path / "a", 1), generated(tmp_path / "a", 2))
    (third,) = imported(b, generated(tmp_path / "b", 3))
    car = library_service.create_car(a.library, make="Mazda", model="MX-5", category="Cup", notes="blue one")
    library_service.update_session(a.library, first, car_uuid=car.uuid, notes="first outing")
    event = library_service.create_event(b.library, name="June track day")
    library_service.update_session(b.library, third, event_uuid=event.uuid, session_type="race")

    sync_all(a, b)

    assert snapshot(a) == snapshot(b)
    assert len(snapshot(b)["sessions"]) == 3 and server_counts(server, name) == (3, 15)
    lap = library_service.session_laps(b.library, first)[1]
    assert b.service.ensure_lap_telemetry(lap.uuid) is True  # arrays of A's lap, downloaded on demand
    with a.library.read() as db, b.library.read() as db_b:
        here, _ = lapdata_repo.load_lap_arrays(db_b, lap.uuid)
        there, _ = lapdata_repo.load_lap_arrays(db, lap.uuid)
    np.testing.assert_allclose(here.distance_m, there.distance_m, rtol=0, atol=1e-6)
    assert set(here.channels) == set(there.channels)

    library_service.delete_session(a.library, second)
    library_service.delete_car(b.library, car.uuid)
    library_service.update_event(a.library, event.uuid, notes="sunny")
    library_service.override_lap_validity(b.library, lap.uuid, False, "track limits")
    sync_all(a, b)

    assert snapshot(a) == snapshot(b)
    assert second not in snapshot(a)["sessions"]
    # the deleted car is gone everywhere; the car the files' Vehicle line created stays
    assert [(c.make, c.model) for c in library_service.list_cars(a.library)] == [("Porsche", "718 Cayman GT4")]
    assert library_service.session_summary(a.library, first).car_uuid is None
    assert [(e.name, e.notes) for e in library_service.list_events(a.library)] == [("June track day", "sunny")]
    assert library_service.session_laps(a.library, first)[1].invalid_reason == "track limits"
    assert server_counts(server, name) == (2, 10)
    assert a.service.status().pending_changes == b.service.status().pending_changes == 0


def test_conflicting_edits_merge_per_field_and_keep_both_notes(server: Server, make_device, tmp_path: Path) -> None:
    name = unique("emil")
    a = make_device("a")
    signed_up(a, server, name)
    b = second_device(make_device, server, name)
    (session,) = imported(a, generated(tmp_path / "a", 4))
    sync_all(a, b)

    library_service.update_session(a.library, session, notes="dry, 24 degrees", session_type="qualifying")
    a.service.sync()
    library_service.update_session(b.library, session, notes="soft tyres", session_type="race", is_public=True)
    report = b.service.sync()
    a.service.sync()

    assert report.counts.conflicts == 1
    assert snapshot(a) == snapshot(b)
    detail = library_service.session_detail(a.library, session)
    assert detail.notes == f"dry, 24 degrees{NOTES_SEPARATOR}soft tyres"  # both texts, the older first
    assert detail.summary.session_type == "race"  # edited on both: the newest edit wins
    assert detail.summary.is_public  # edited on B only: B's value


def test_a_push_racing_another_device_is_merged_and_sent_again(server: Server, make_device, tmp_path: Path) -> None:
    name = unique("finn")
    a = make_device("a")
    signed_up(a, server, name)
    b = second_device(make_device, server, name)
    (session,) = imported(a, generated(tmp_path / "a", 5))
    sync_all(a, b)
    library_service.update_session(b.library, session, notes="from B")
    raced = []

    def a_pushes_first(progress: SyncProgress) -> None:
        if progress.stage == "pushing" and not raced:  # B already pulled; A slips its edit in before B's push
            raced.append(True)
            library_service.update_session(a.library, session, notes="from A", session_type="test")
            a.service.sync()

    report = b.service.sync(progress=a_pushes_first)
    a.service.sync()

    assert raced and report.counts.conflicts == 1
    assert snapshot(a) == snapshot(b)
    detail = library_service.session_detail(b.library, session)
    assert detail.notes == f"from B{NOTES_SEPARATOR}from A" and detail.summary.session_type == "test"


def test_the_same_file_imported_on_two_devices_is_one_session(
    server: Server, make_device, trackaddict_samples: Path, tmp_path: Path
) -> None:
    name = unique("gina")
    a = make_device("a")
    signed_up(a, server, name)
    b = second_device(make_device, server, name)
    (on_a,) = imported(a, copy_sample(trackaddict_samples, "sample_02.csv", tmp_path / "a"))
    (on_b,) = imported(b, copy_sample(trackaddict_samples, "sample_02.csv", tmp_path / "b"))
    library_service.update_session(b.library, on_b, notes="borrowed the car")
    assert on_a != on_b

    sync_all(a, b)

    assert snapshot(a) == snapshot(b)
    assert list(snapshot(b)["sessions"]) == [on_a]  # B adopted the server's identity for the same file
    assert server_counts(server, name) == (1, 3)
    assert library_service.session_detail(a.library, on_a).notes == "borrowed the car"
    laps_b = library_service.session_laps(b.library, on_a)
    assert all(library_service.load_lap(b.library, lap.uuid).data.row_count > 0 for lap in laps_b)  # B kept its arrays


def test_eager_download_and_private_laps_kept_off_the_server(server: Server, make_device, tmp_path: Path) -> None:
    name = unique("hugo")
    a = make_device("a")
    signed_up(a, server, name)
    a.service.update_settings(upload_telemetry_for_devices=False)  # only public laps' arrays leave this computer
    (session,) = imported(a, generated(tmp_path / "a", 6))
    assert a.service.sync().counts.telemetry_uploaded == 0
    lap = library_service.session_laps(a.library, session)[1]
    library_service.set_lap_public(a.library, lap.uuid, True)  # only this lap: the rest of the session stays private
    assert not library_service.session_summary(a.library, session).is_public
    assert a.service.sync().counts.telemetry_uploaded == 1

    b = second_device(make_device, server, name)
    b.service.update_settings(download_telemetry="eager")
    report = b.service.sync()

    assert report.counts.telemetry_downloaded == 1
    assert library_service.load_lap(b.library, lap.uuid).data.row_count > 0
    assert b.service.ensure_lap_telemetry(lap.uuid) is False  # already here


def test_a_delete_against_an_edit(server: Server, make_device, tmp_path: Path) -> None:
    """A deleted session stays deleted (its laps went with it); a car follows newest wins."""
    name = unique("ivan")
    a = make_device("a")
    signed_up(a, server, name)
    b = second_device(make_device, server, name)
    (session,) = imported(a, generated(tmp_path / "a", 7))
    car = library_service.create_car(a.library, make="BMW", model="M2")
    sync_all(a, b)

    library_service.delete_session(a.library, session)
    library_service.delete_car(a.library, car.uuid)
    a.service.sync()
    library_service.update_session(b.library, session, notes="edited after the delete")
    library_service.update_car(b.library, car.uuid, category="Club")
    sync_all(b, a)

    assert snapshot(a) == snapshot(b)
    assert library_service.list_sessions(b.library) == [] and server_counts(server, name) == (0, 0)
    bmws = [(c.uuid, c.category) for c in library_service.list_cars(a.library) if c.make == "BMW"]
    assert bmws == [(car.uuid, "Club")]  # (the other car is the one the file's Vehicle line created)
