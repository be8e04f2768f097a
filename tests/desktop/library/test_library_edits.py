"""The driver's edits: delete (cascade, tombstones), public flags, validity overrides, cars, events, tracks,
and the sync bookkeeping (UUID, dirty, updated_at) each of them leaves behind."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from library_fakes import fake_file, row_counts

from racetrace_desktop.library import Library, ReadOnlyError, RecordNotFoundError
from racetrace_desktop.library.base import Origin
from racetrace_desktop.library.models import Car, Lap, SessionRow, TrackConfiguration
from racetrace_desktop.services import library_service
from racetrace_desktop.services.importer import ImportStatus


def _import(fake_import, tmp_path: Path, name: str = "a.csv", **params) -> uuid.UUID:
    result = fake_import([fake_file(tmp_path / name, **params)]).results[0]
    assert result.status == ImportStatus.IMPORTED
    return result.session_uuid


def _acknowledge(library: Library, model: type, record_uuid: uuid.UUID, revision: int = 7) -> None:
    """What the sync engine does after the server accepted a record."""
    with library.write() as db:
        row = db.scalars(sa.select(model).where(model.uuid == record_uuid)).one()
        row.server_rev, row.dirty = revision, False


def _sync_state(library: Library, model: type, record_uuid: uuid.UUID) -> tuple:
    with library.read() as db:
        row = db.scalars(sa.select(model).where(model.uuid == record_uuid)).one()
        return row.dirty, row.updated_at, row.deleted_at, row.server_rev


def test_delete_session_removes_laps_arrays_and_original(library: Library, fake_import, tmp_path: Path) -> None:
    keep = _import(fake_import, tmp_path, "keep.csv", seed=1)
    doomed = _import(fake_import, tmp_path, "doomed.csv", seed=2)
    doomed_laps = {lap.uuid for lap in library_service.session_laps(library, doomed)}
    counts = row_counts(library)

    changes = library_service.delete_session(library, doomed)

    assert changes.sessions_removed == {doomed} and changes.laps_changed == doomed_laps
    assert [s.uuid for s in library_service.list_sessions(library)] == [keep]
    after = row_counts(library)
    assert after["sessions"] == counts["sessions"] - 1  # never synced: nothing to tell the server
    assert after["laps"] == counts["laps"] // 2 and after["lap_channels"] == counts["lap_channels"] // 2
    assert after["source_files"] == 1 and after["tracks"] == 1
    with pytest.raises(RecordNotFoundError, match="not found in the library"):
        library_service.session_detail(library, doomed)


def test_deleting_a_synced_session_leaves_a_tombstone_and_reimport_revives_it(
    library: Library, fake_import, tmp_path: Path
) -> None:
    session_uuid = _import(fake_import, tmp_path)
    _acknowledge(library, SessionRow, session_uuid)
    _, synced_at, _, _ = _sync_state(library, SessionRow, session_uuid)

    library_service.delete_session(library, session_uuid)

    dirty, updated_at, deleted_at, server_rev = _sync_state(library, SessionRow, session_uuid)
    assert dirty and deleted_at is not None and updated_at > synced_at and server_rev == 7
    assert row_counts(library) | {"alembic_version": 1} == {
        "alembic_version": 1, "tracks": 1, "track_configurations": 1, "cars": 0, "events": 0,
        "sessions": 1, "laps": 0, "lap_channels": 0, "source_files": 0,
        "sync_state": 0, "sync_records": 0, "leaderboard_cache": 0, "downloaded_laps": 0,  # sync tables (0002)
        "configuration_corners": 0,  # corners (migration 0005_corners)
    }  # fmt: skip
    assert library_service.list_sessions(library) == []

    again = fake_import([tmp_path / "a.csv"]).results[0]
    assert again.status == ImportStatus.IMPORTED and again.session_uuid == session_uuid
    dirty, _, deleted_at, _ = _sync_state(library, SessionRow, session_uuid)
    assert dirty and deleted_at is None and len(library_service.session_laps(library, session_uuid)) == 4


def test_edits_bump_updated_at_and_mark_dirty_only_when_something_changed(
    library: Library, fake_import, tmp_path: Path
) -> None:
    session_uuid = _import(fake_import, tmp_path)
    dirty, imported_at, _, server_rev = _sync_state(library, SessionRow, session_uuid)
    assert dirty and server_rev is None and imported_at.tzinfo is not None
    _acknowledge(library, SessionRow, session_uuid)

    assert library_service.update_session(library, session_uuid, notes="").empty  # same value: no new version
    assert _sync_state(library, SessionRow, session_uuid)[0] is False

    changes = library_service.update_session(library, session_uuid, notes="wet track", session_type="race")
    dirty, updated_at, _, server_rev = _sync_state(library, SessionRow, session_uuid)
    assert changes.sessions_updated == {session_uuid}
    assert dirty and updated_at > imported_at and server_rev == 7
    detail = library_service.session_detail(library, session_uuid)
    assert (detail.notes, detail.summary.session_type) == ("wet track", "race")
    with pytest.raises(ValueError, match="session type 'sprint' is not one of practice"):
        library_service.update_session(library, session_uuid, session_type="sprint")


def test_sharing_a_lap_shares_only_that_lap_and_unsharing_the_session_unshares_laps(
    library: Library, fake_import, tmp_path: Path
) -> None:
    session_uuid = _import(fake_import, tmp_path)
    best = library_service.session_laps(library, session_uuid)[2]

    changes = library_service.set_lap_public(library, best.uuid, True)

    assert changes.laps_changed == {best.uuid} and changes.sessions_updated == {session_uuid}
    assert not library_service.session_summary(library, session_uuid).is_public  # the other laps stay private
    assert [lap.is_public for lap in library_service.session_laps(library, session_uuid)] == [0, 0, 1, 0]
    assert library_service.set_lap_public(library, best.uuid, True).empty

    library_service.set_session_public(library, session_uuid, True)
    changes = library_service.set_session_public(library, session_uuid, False)
    assert changes.laps_changed == {best.uuid}
    assert not any(lap.is_public for lap in library_service.session_laps(library, session_uuid))
    assert not library_service.session_summary(library, session_uuid).is_public


def test_validity_override_changes_the_best_lap_and_needs_a_reason(
    library: Library, fake_import, tmp_path: Path
) -> None:
    session_uuid = _import(fake_import, tmp_path, lap_times_ms=[95000, 61234, 60876])
    best = library_service.session_laps(library, session_uuid)[2]
    assert library_service.session_summary(library, session_uuid).best_lap_ms == 60876

    with pytest.raises(ValueError, match="say why the lap is invalid"):
        library_service.override_lap_validity(library, best.uuid, False, "  ")
    changes = library_service.override_lap_validity(library, best.uuid, False, "track limits T4")

    assert changes.laps_changed == {best.uuid} and changes.sessions_updated == {session_uuid}
    lap = library_service.session_laps(library, session_uuid)[2]
    assert (lap.is_valid, lap.invalid_reason, lap.computed_valid) == (False, "track limits T4", True)
    assert library_service.session_summary(library, session_uuid).best_lap_ms == 61234

    out_lap = library_service.session_laps(library, session_uuid)[0]
    library_service.override_lap_validity(library, out_lap.uuid, True)  # a flying out-lap counts after all
    assert library_service.session_summary(library, session_uuid).best_lap_ms == 61234  # 95 s is slower

    library_service.override_lap_validity(library, best.uuid, None)
    lap = library_service.session_laps(library, session_uuid)[2]
    assert (lap.is_valid, lap.invalid_reason, lap.valid_override, lap.override_reason) == (True, None, None, None)
    assert library_service.session_summary(library, session_uuid).best_lap_ms == 60876


def test_cars_crud_and_assignment(library: Library, fake_import, tmp_path: Path) -> None:
    session_uuid = _import(fake_import, tmp_path)
    car = library_service.create_car(library, make="Mazda", model="RX-8", year=2007, drivetrain="RWD", power_hp=231)
    assert car.display_name == "2007 Mazda RX-8"

    library_service.update_session(library, session_uuid, car_uuid=car.uuid)
    assert library_service.session_summary(library, session_uuid).car_name == "2007 Mazda RX-8"

    changes = library_service.update_car(library, car.uuid, model="RX-8 R3")
    assert changes.cars_changed == {car.uuid} and changes.sessions_updated == {session_uuid}
    assert library_service.session_summary(library, session_uuid).car_name == "2007 Mazda RX-8 R3"
    with pytest.raises(ValueError, match="year 1700 is out of range"):
        library_service.update_car(library, car.uuid, year=1700)
    with pytest.raises(ValueError, match="unknown car field"):
        library_service.create_car(library, make="X", colour="red")

    _acknowledge(library, SessionRow, session_uuid)
    changes = library_service.delete_car(library, car.uuid)
    assert changes.sessions_updated == {session_uuid}
    assert library_service.session_summary(library, session_uuid).car_name is None
    assert _sync_state(library, SessionRow, session_uuid)[0] is True  # the session lost its car: push it
    assert library_service.list_cars(library) == [] and row_counts(library)["cars"] == 0


def test_deleting_a_synced_car_leaves_a_tombstone(library: Library) -> None:
    car = library_service.create_car(library, make="BMW", model="M3")
    _acknowledge(library, Car, car.uuid)
    library_service.delete_car(library, car.uuid)
    dirty, _, deleted_at, _ = _sync_state(library, Car, car.uuid)
    assert dirty and deleted_at is not None and library_service.list_cars(library) == []
    with pytest.raises(RecordNotFoundError):
        library_service.update_car(library, car.uuid, model="M4")


def test_events_crud_and_assignment(library: Library, fake_import, tmp_path: Path) -> None:
    session_uuid = _import(fake_import, tmp_path)
    event = library_service.create_event(library, name="Spring track day", event_date=date(2024, 6, 1))
    library_service.update_session(library, session_uuid, event_uuid=event.uuid)
    assert library_service.session_summary(library, session_uuid).event_name == "Spring track day"

    library_service.update_event(library, event.uuid, name="Spring trackday", notes="dry")
    assert [(e.name, e.notes) for e in library_service.list_events(library)] == [("Spring trackday", "dry")]
    with pytest.raises(ValueError, match="an event needs a name"):
        library_service.update_event(library, event.uuid, name=" ")

    assert library_service.delete_event(library, event.uuid).sessions_updated == {session_uuid}
    assert library_service.session_summary(library, session_uuid).event_name is None
    assert library_service.list_events(library) == []


def test_tracks_can_be_renamed_but_server_tracks_are_read_only(library: Library, fake_import, tmp_path: Path) -> None:
    session_uuid = _import(fake_import, tmp_path)
    (track,) = library_service.list_tracks(library)

    changes = library_service.rename_track(library, track.id, "Spreewaldring", country="DE")

    assert changes.tracks_changed == {track.id} and changes.sessions_updated == {session_uuid}
    assert library_service.session_summary(library, session_uuid).track_name == "Spreewaldring"
    with library.write() as db:
        db.execute(sa.update(TrackConfiguration).values(origin=Origin.SERVER, server_id="srv-1"))
    configuration = library_service.get_configuration(library, track.configurations[0].id)
    assert not configuration.editable
    from racetrace_desktop.services import relap

    with pytest.raises(ReadOnlyError, match="comes from the sync server"):
        relap.edit_configuration(library, configuration.id, num_sectors=4)


def test_unknown_records_are_reported_not_crashed(library: Library) -> None:
    missing = uuid.uuid4()
    with pytest.raises(RecordNotFoundError, match=f"lap {missing} not found"):
        library_service.load_lap(library, missing)
    with pytest.raises(RecordNotFoundError, match="session"):
        library_service.delete_session(library, missing)
    with pytest.raises(RecordNotFoundError, match="track configuration 99"):
        library_service.get_configuration(library, 99)
    with library.read() as db:
        assert db.scalar(sa.select(sa.func.count()).select_from(Lap)) == 0
