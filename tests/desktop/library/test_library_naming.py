"""Tracks named from the file or a known circuit, cars from the `# Vehicle:` line, the fastest flagged lap."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from library_fakes import fake_file

from racetrace_desktop.library import Library
from racetrace_desktop.services import library_service
from racetrace_desktop.services.car_matching import VehicleName, parse_vehicle
from racetrace_desktop.services.importer import import_files
from racetrace_desktop.services.known_tracks import known_track_near


def test_real_samples_are_named_after_their_circuits_and_get_their_cars(library: Library, trackaddict_samples: Path
                                                                       ) -> None:
    files = [trackaddict_samples / name for name in ("sample_01.csv", "sample_02.csv", "sample_04.csv")]
    report = import_files(library, files)

    assert [r.track_name for r in report.results] == [
        "Spreewaldring", "Goodwood Motor Circuit", "Autodrome Saint-Eustache"]  # fmt: skip
    cars = {s.source_name: s.car_name for s in library_service.list_sessions(library)}
    assert cars == {"sample_01.csv": None, "sample_02.csv": "2019 McLaren 720S", "sample_04.csv": "2007 Mazda RX-8"}
    assert sorted((c.make, c.model, c.year) for c in library_service.list_cars(library)) == [
        ("Mazda", "RX-8", 2007), ("McLaren", "720S", 2019)]  # fmt: skip


def test_a_trackaddict_file_name_names_the_track_before_any_known_circuit(library: Library,
                                                                          trackaddict_samples: Path,
                                                                          tmp_path: Path) -> None:
    renamed = tmp_path / "Log-20220531-085930 Goodwood Motorcircuit - 2.57.527.csv"
    shutil.copy(trackaddict_samples / "sample_02.csv", renamed)

    [result] = import_files(library, [renamed]).results

    assert result.track_name == "Goodwood Motorcircuit"


def test_the_same_car_is_matched_not_created_twice(library: Library, trackaddict_samples: Path, tmp_path: Path
                                                  ) -> None:
    existing = library_service.create_car(library, make="mclaren", model="720s", year=2019)  # typed by the driver
    copy = tmp_path / "again.csv"
    copy.write_bytes((trackaddict_samples / "sample_02.csv").read_bytes() + b"\n")  # another file, same car

    import_files(library, [trackaddict_samples / "sample_02.csv", copy])

    assert [c.uuid for c in library_service.list_cars(library)] == [existing.uuid]
    assert {s.car_uuid for s in library_service.list_sessions(library)} == {existing.uuid}


@pytest.mark.parametrize(("text", "expected"), [
    ("2019 McLaren 720S", VehicleName("McLaren", "720S", 2019)),
    ("  2007   Mazda RX-8 ", VehicleName("Mazda", "RX-8", 2007)),
    ("Aston Martin Vantage GT4", VehicleName("Aston Martin", "Vantage GT4", None)),
    ("2011 Alfa Romeo Giulietta", VehicleName("Alfa Romeo", "Giulietta", 2011)),
    ("BMW", VehicleName("BMW", "", None)),
    ("1970", VehicleName("1970", "", None)),  # a lone number is not a year without a car
])
def test_vehicle_lines_are_split_into_year_make_and_model(text: str, expected: VehicleName) -> None:
    assert parse_vehicle(text) == expected


def test_blank_vehicle_lines_make_no_car() -> None:
    assert parse_vehicle(None) is None and parse_vehicle("   ") is None


def test_without_file_or_known_name_the_track_is_named_by_its_position(library: Library, fake_import,
                                                                       tmp_path: Path) -> None:
    [result] = fake_import([fake_file(tmp_path / "far.csv", start=[45.0, 7.0])]).results
    assert result.track_name == "Track near 45.0000, 7.0000"
    assert known_track_near(45.0, 7.0) is None


def test_an_unnamed_track_takes_the_name_a_later_file_gives(library: Library, fake_import, tmp_path: Path) -> None:
    first, second = fake_import([
        fake_file(tmp_path / "a.csv", seed=1, start=[45.0, 7.0]),
        fake_file(tmp_path / "b.csv", seed=2, start=[45.0001, 7.0], track_name="Pista Alpina"),
    ]).results  # fmt: skip

    assert first.configuration_id == second.configuration_id
    assert [t.name for t in library_service.list_tracks(library)] == ["Pista Alpina"]
    assert {s.track_name for s in library_service.list_sessions(library)} == {"Pista Alpina"}


def test_a_track_the_driver_named_keeps_its_name(library: Library, fake_import, tmp_path: Path) -> None:
    fake_import([fake_file(tmp_path / "a.csv", seed=1, start=[45.0, 7.0])])
    track = library_service.list_tracks(library)[0]
    library_service.rename_track(library, track.id, "Home circuit")

    fake_import([fake_file(tmp_path / "b.csv", seed=2, start=[45.0, 7.0], track_name="Pista Alpina")])

    assert [t.name for t in library_service.list_tracks(library)] == ["Home circuit"]


def test_a_session_whose_laps_are_all_flagged_still_has_a_fastest_lap(library: Library,
                                                                      trackaddict_samples: Path) -> None:
    import_files(library, [trackaddict_samples / "sample_01.csv"])  # every timed lap has a pit visit
    [summary] = library_service.list_sessions(library)

    assert summary.best_lap_ms is None
    assert summary.fastest_full_lap_ms == 107_089  # lap 2, between pit visits; the 2:35 out-lap does not count


def test_tracks_imported_before_their_circuit_was_known_get_its_name(library: Library, fake_import,
                                                                     tmp_path: Path) -> None:
    from racetrace_desktop.library.models import Track

    fake_import([fake_file(tmp_path / "old.csv", start=[50.857952, -0.752617])])
    with library.write() as db:  # as an older version named it
        db.query(Track).update({Track.name: "Track near 50.8580, -0.7526"})
    [session] = library_service.list_sessions(library)

    changes = library_service.name_unnamed_tracks(library)

    assert [t.name for t in library_service.list_tracks(library)] == ["Goodwood Motor Circuit"]
    assert changes.sessions_updated == {session.uuid}
    assert library_service.name_unnamed_tracks(library).empty  # nothing left to name
