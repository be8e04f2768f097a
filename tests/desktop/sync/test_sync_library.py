"""The sync engine's library side without a network: wire mapping round trips, telemetry documents, merging,
read-only downloaded laps, server configurations winning track matching, settings file errors."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pytest
from conftest import Server, signed_up, unique
from test_sync_convergence import generated, imported

from racetrace_desktop.library import (
    Library,
    ReadOnlyError,
    lapdata_repo,
    open_library,
    remote_repo,
    sync_apply_repo,
    sync_repo,
    tracks_repo,
)
from racetrace_desktop.library.remote_repo import ForeignLap
from racetrace_desktop.services import library_service
from racetrace_desktop.sync import protocol
from racetrace_desktop.sync.merge import NOTES_SEPARATOR, both_texts, merge_fields
from racetrace_desktop.sync.settings import SyncSettings, load_settings, save_settings
from racetrace_desktop.telemetry import lap_document
from racetrace_desktop.telemetry.lap_document import TelemetryDocumentError


@pytest.fixture
def library(tmp_path: Path) -> Library:
    opened = open_library(tmp_path / "one" / "library.sqlite")
    yield opened
    opened.close()


@pytest.fixture
def other(tmp_path: Path) -> Library:
    opened = open_library(tmp_path / "two" / "library.sqlite")
    yield opened
    opened.close()


class _Device:
    def __init__(self, library: Library) -> None:
        self.library = library


def test_applying_the_wire_data_of_a_record_reproduces_it_exactly(library: Library, other: Library,
                                                                   tmp_path: Path) -> None:  # fmt: skip
    (session,) = imported(_Device(library), generated(tmp_path / "files", 50))  # type: ignore[arg-type]
    car = library_service.create_car(library, make="Toyota", model="GR86", year=2023, notes="red")
    event = library_service.create_event(library, name="Spring cup")
    library_service.update_session(library, session, car_uuid=car.uuid, event_uuid=event.uuid, notes="wet")
    lap = library_service.session_laps(library, session)[2]
    library_service.override_lap_validity(library, lap.uuid, False, "four wheels off")
    for kind in sync_repo.RECORD_KINDS:
        with library.read() as db:
            records = sync_repo.dirty_records(db, kind)
        assert records, kind
        for record in records:
            wire = protocol.to_wire(record)
            with other.write() as db:
                missing = sync_apply_repo.apply_record(db, kind, record.uuid, protocol.from_wire(kind, wire), 7,
                                                       record.updated_at, False)  # fmt: skip
                again = sync_repo.local_record(db, kind, record.uuid)
            assert missing == [] and again is not None and not again.dirty
            assert protocol.to_wire(again, wire) == wire, kind  # the base fills what the library lacks (file size)
    copied = library_service.session_laps(other, session)[2]
    assert (copied.is_valid, copied.invalid_reason) == (False, "four wheels off")


def test_telemetry_documents_round_trip_the_stored_arrays(library: Library, tmp_path: Path) -> None:
    (session,) = imported(_Device(library), generated(tmp_path / "files", 51))  # type: ignore[arg-type]
    lap = library_service.session_laps(library, session)[1]
    with library.read() as db:
        data, infos = lapdata_repo.load_lap_arrays(db, lap.uuid)
    data.lat[3] = np.nan  # a lost fix: positions travel as float64 then

    back, back_infos = lap_document.decode(lap_document.encode(data, infos))

    np.testing.assert_array_equal(back.time_s, data.time_s)
    np.testing.assert_array_equal(back.distance_m, data.distance_m)
    np.testing.assert_array_equal(np.isnan(back.lat), np.isnan(data.lat))
    np.testing.assert_allclose(back.lon, data.lon, atol=1e-7, rtol=0)
    assert set(back.channels) == set(data.channels) and back_infos["speed"] == infos["speed"]
    for key, values in data.channels.items():
        np.testing.assert_allclose(back.channels[key], values.astype(np.float32), rtol=0, atol=0, equal_nan=True)
    document = lap_document.encode(data, infos)
    assert lap_document.digest(document) == lap_document.digest(lap_document.encode(data, infos))
    document["channels"][5]["data"] = "not base64!"
    with pytest.raises(TelemetryDocumentError, match=rf"channel {document['channels'][5]['key']}: damaged data"):
        lap_document.decode(document)


def test_merging_keeps_one_sided_edits_and_both_notes(library: Library) -> None:
    from datetime import UTC, datetime

    early, late = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    base = {"notes": "n", "session_type": "practice", "is_public": False, "car_id": None}
    mine = {**base, "notes": "mine", "is_public": True}
    theirs = {**base, "notes": "theirs", "session_type": "race"}
    merged = merge_fields("session", base, mine, theirs, early, late)
    assert merged == {"notes": f"mine{NOTES_SEPARATOR}theirs", "session_type": "race", "is_public": True,
                      "car_id": None}  # fmt: skip
    assert both_texts(merged["notes"], "theirs", True) == merged["notes"]  # merging again repeats nothing
    assert merge_fields("session", None, {"session_type": "race"}, {"session_type": "test"}, late, early) == {
        "session_type": "race"}  # fmt: skip


def _foreign(library: Library, source: Library, lap_uuid: uuid.UUID) -> uuid.UUID:
    with source.read() as db:
        data, infos = lapdata_repo.load_lap_arrays(db, lap_uuid)
    with library.write() as db:
        config = tracks_repo.list_tracks(db)[0].configurations[0]
        lap = ForeignLap(uuid.uuid4(), config.id, 1, "d1", "Other Driver", {"source_name": "theirs", "format_name": ""},
                         {"number": 1, "lap_time_ms": 90_000, "is_valid": True}, {"rank": 1}, "srv")  # fmt: skip
        remote_repo.store_downloaded_lap(db, lap, data, infos)
    return lap.lap_uuid


def test_a_downloaded_lap_is_read_only_and_never_pushed(library: Library, other: Library, tmp_path: Path) -> None:
    (own,) = imported(_Device(library), generated(tmp_path / "files", 52))  # type: ignore[arg-type]
    (theirs,) = imported(_Device(other), generated(tmp_path / "other", 53))  # type: ignore[arg-type]
    with library.write() as db:
        for kind in sync_repo.RECORD_KINDS:
            for record in sync_repo.dirty_records(db, kind):
                sync_repo.acknowledge(db, kind, record.uuid, 1, record.updated_at)
    foreign_lap = _foreign(library, other, library_service.session_laps(other, theirs)[1].uuid)
    session_uuid = remote_repo.downloaded_session_uuid(foreign_lap)

    with pytest.raises(ReadOnlyError, match="downloaded from the leaderboard"):
        library_service.update_session(library, session_uuid, notes="mine now")
    with pytest.raises(ReadOnlyError):
        library_service.set_lap_public(library, foreign_lap, False)
    with pytest.raises(ReadOnlyError):
        library_service.override_lap_validity(library, foreign_lap, False, "cut")
    with library.read() as db:
        assert sync_repo.pending_count(db) == 0 and remote_repo.downloaded_laps(db)[0].driver_name == "Other Driver"
    assert library_service.load_lap(library, foreign_lap).data.row_count > 0
    library_service.delete_session(library, session_uuid)
    with library.read() as db:
        assert sync_repo.pending_count(db) == 0 and remote_repo.downloaded_laps(db) == []
    assert [s.uuid for s in library_service.list_sessions(library)] == [own]


def test_a_server_configuration_wins_track_matching(library: Library, tmp_path: Path) -> None:
    imported(_Device(library), generated(tmp_path / "files", 54))  # type: ignore[arg-type]
    local = library_service.list_tracks(library)[0].configurations[0]
    with library.write() as db:
        sync_apply_repo.apply_track(db, "t1", {"name": "Shared ring"}, False)
        fields = {"track_server_id": "t1", "name": "Full", "start_lat": local.start_lat + 0.0004,
                  "start_lon": local.start_lon, "start_heading_deg": None, "gate_width_m": 60.0, "num_sectors": 3,
                  "sector_gates": [], "length_m": None, "version": 1}  # fmt: skip
        sync_apply_repo.apply_configuration(db, "c1", fields, False)
        nearest = tracks_repo.nearest_configuration(db, np.array([local.start_lat]), np.array([local.start_lon]), 150)
    assert nearest is not None and (nearest.server_id, nearest.editable) == ("c1", False)
    with pytest.raises(ReadOnlyError):
        library_service.rename_track(library, nearest.track_id, "Mine")


def test_a_damaged_settings_file_is_named_and_unknown_keys_survive(tmp_path: Path) -> None:
    path = tmp_path / "sync.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match=r"sync\.json: not readable sync settings"):
        load_settings(path)
    path.write_text('{"push_chunk_size": 9000}')
    with pytest.raises(ValueError, match="push_chunk_size must be between 1 and 500"):
        load_settings(path)
    save_settings(SyncSettings(server_url="https://x.example", extra={"future_key": 1}), path)
    assert load_settings(path).extra == {"future_key": 1} and "token" not in path.read_text()


def test_records_the_server_would_refuse_are_held_back_with_a_reason(server: Server, make_device,
                                                                      tmp_path: Path) -> None:  # fmt: skip
    device = make_device("a")
    signed_up(device, server, unique("quinn"))
    (session,) = imported(device, generated(tmp_path / "files", 55))
    car = library_service.create_car(device.library, make="Mazda", model="MX-5", notes="x" * 20_001)
    library_service.update_session(device.library, session, car_uuid=car.uuid)

    report = device.service.sync()

    assert report.counts.held_back[0].startswith(f"car Mazda MX-5 ({car.uuid}): notes is longer than the server")
    held = report.counts.held_back
    assert [m for m in held if f"({session})" in m] == [f"session {m.split('session ', 1)[1]}" for m in held
                                                       if f"({session})" in m and "waits for the car" in m]  # fmt: skip
    assert len(held) == 1 + 1 + 5  # the car, its session, and the session's five laps
    library_service.update_car(device.library, car.uuid, notes="short")
    assert device.service.sync().counts.held_back == []
    assert device.service.status().pending_changes == 0


def test_a_record_the_server_refuses_is_held_back_and_the_rest_goes_up(server: Server, make_device,
                                                                        tmp_path: Path) -> None:  # fmt: skip
    device = make_device("a")
    name = signed_up(device, server, unique("rosa"))
    good = library_service.create_car(device.library, make="Honda", model="Civic")
    bad = library_service.create_car(device.library, make="Lotus", model="Elise", notes="nul \x00 inside")

    report = device.service.sync()

    (held,) = report.counts.held_back
    assert held.startswith(f"car Lotus Elise ({bad.uuid}): refused by the server") and "NUL" in held
    assert report.counts.pushed == 1 and device.service.status().pending_changes == 1
    other = make_device("b")
    other.service.sign_in(server.url, name, "correct horse battery")
    other.service.sync()
    assert [car.uuid for car in library_service.list_cars(other.library)] == [good.uuid]
