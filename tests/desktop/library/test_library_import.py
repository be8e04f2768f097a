"""The import service on the fake format: transactions, duplicates, bad files, track matching, progress."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from library_fakes import fake_analyser, fake_file, fake_reader, row_counts, table_dump

from racetrace_desktop.library import Library, lapdata_repo
from racetrace_desktop.services import importer, library_service
from racetrace_desktop.services.importer import ImportProgress, ImportStatus


def test_import_stores_session_laps_and_lap_times(library: Library, fake_import, tmp_path: Path) -> None:
    report = fake_import([fake_file(tmp_path / "a.csv", lap_times_ms=[95000, 61234, 60876])])

    assert [r.status for r in report.results] == [ImportStatus.IMPORTED]
    session_uuid = report.results[0].session_uuid
    laps = library_service.session_laps(library, session_uuid)
    assert [lap.lap_time_ms for lap in laps] == [95000, 61234, 60876, None]
    assert [lap.is_outlap for lap in laps] == [True, False, False, False]
    assert laps[-1].is_inlap and not laps[-1].is_valid and laps[-1].invalid_reason == "in-lap"
    assert laps[1].sector_times_ms == (20411, 20411, 20412)
    assert laps[1].stats["nan"] is None  # NaN stats are stored as "unknown", not as invalid JSON
    (summary,) = library_service.list_sessions(library)
    assert (summary.lap_count, summary.timed_lap_count, summary.best_lap_ms) == (4, 3, 60876)
    assert report.results[0].best_lap_ms == 60876
    assert report.changes.sessions_added == {session_uuid}
    assert report.changes.laps_changed == {lap.uuid for lap in laps}


def test_session_metadata_and_original_are_kept(library: Library, fake_import, tmp_path: Path) -> None:
    path = fake_file(tmp_path / "Log-20240601-110000 Test Ring.csv", vehicle="2007 Mazda RX-8", seed=7)
    session_uuid = fake_import([path]).results[0].session_uuid

    detail = library_service.session_detail(library, session_uuid)
    assert detail.summary.source_name == path.name
    assert detail.summary.vehicle == "2007 Mazda RX-8"
    assert detail.summary.recorded_at_utc.tzinfo is not None
    assert detail.summary.recorded_at_utc.isoformat() == "2024-06-01T09:00:07+00:00"
    assert detail.summary.recorded_at_local.isoformat() == "2024-06-01T11:00:07"
    assert detail.device == "Test Phone" and detail.format_name == "FakeFormat"
    assert detail.row_count == fake_reader(path.read_bytes(), path.name).row_count == 4743
    assert detail.gps_rate_hz == pytest.approx(1.0) and detail.duration_s == pytest.approx(237.1)
    assert detail.file_metadata["start_finish"] == [51.99907, 13.6883, None]
    assert library_service.original_file(library, session_uuid) == (path.name, path.read_bytes())


def test_lap_arrays_round_trip_within_stored_precision(library: Library, fake_import, tmp_path: Path) -> None:
    path = fake_file(tmp_path / "a.csv")
    session_uuid = fake_import([path]).results[0].session_uuid
    expected = fake_analyser(fake_reader(path.read_bytes(), path.name), None).laps[1]
    lap_uuid = library_service.session_laps(library, session_uuid)[1].uuid

    loaded = library_service.load_lap(library, lap_uuid)

    assert loaded.lap.number == 1 and loaded.data.row_count == expected.data.row_count
    np.testing.assert_allclose(loaded.data.time_s, expected.data.time_s, rtol=0, atol=1e-9)
    np.testing.assert_allclose(loaded.data.lat, expected.data.lat, rtol=0, atol=0.6e-7)
    np.testing.assert_allclose(loaded.data.lon, expected.data.lon, rtol=0, atol=0.6e-7)
    np.testing.assert_allclose(loaded.data.distance_m, expected.data.distance_m, rtol=1e-6)
    np.testing.assert_array_equal(loaded.data.gps_fix, expected.data.gps_fix)
    np.testing.assert_allclose(loaded.data.channels["rpm"], expected.data.channels["rpm"], rtol=1e-6)
    assert loaded.channel_info["rpm"].label == "Engine Speed" and loaded.channel_info["rpm"].source == "obd"
    assert loaded.channel_info["speed"].display_unit == "km/h"


def test_same_file_twice_even_renamed_is_a_duplicate(library: Library, fake_import, tmp_path: Path) -> None:
    original = fake_file(tmp_path / "a.csv")
    first = fake_import([original]).results[0]
    renamed = tmp_path / "renamed copy.csv"
    shutil.copy(original, renamed)
    before = table_dump(library)

    report = fake_import([original, renamed])

    assert [r.status for r in report.results] == [ImportStatus.DUPLICATE, ImportStatus.DUPLICATE]
    assert {r.session_uuid for r in report.results} == {first.session_uuid}
    assert "already in the library as 'a.csv'" in str(report.results[1].error)
    assert report.changes.empty
    assert table_dump(library) == before


def test_bad_file_amid_good_ones_is_reported_and_others_import(library: Library, fake_import, tmp_path: Path) -> None:
    good1 = fake_file(tmp_path / "good1.csv", seed=1)
    bad = fake_file(tmp_path / "bad.csv", error="Latitude is not a number: 'abc'", line=42)
    missing = tmp_path / "missing.csv"
    good2 = fake_file(tmp_path / "good2.csv", seed=2)

    report = fake_import([good1, bad, missing, good2])

    assert [r.status for r in report.results] == ["imported", "failed", "failed", "imported"]
    assert (report.results[1].error.file, report.results[1].error.line) == ("bad.csv", 42)
    assert str(report.results[1].error) == "bad.csv, line 42: Latitude is not a number: 'abc'"
    assert "cannot read the file" in str(report.results[2].error) and "missing.csv" in str(report.results[2].error)
    assert len(library_service.list_sessions(library)) == 2


def test_unexpected_exception_becomes_a_clear_per_file_error(library: Library, tmp_path: Path) -> None:
    def broken_analyser(raw, track):
        raise ZeroDivisionError("lap length is zero")

    paths = [fake_file(tmp_path / "a.csv", seed=1), fake_file(tmp_path / "b.csv", seed=2)]
    report = importer.import_files(library, paths, reader=fake_reader, analyser=broken_analyser)

    assert [r.status for r in report.results] == ["failed", "failed"]
    assert str(report.results[0].error) == "a.csv: import failed (ZeroDivisionError: lap length is zero)"
    assert library_service.list_sessions(library) == []


def test_failure_after_rows_were_written_leaves_library_exactly_as_before(
    library: Library, fake_import, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_import([fake_file(tmp_path / "first.csv", seed=1)])
    before, counts_before = table_dump(library), row_counts(library)
    real_store = lapdata_repo.store_encoded_laps
    written: list[int] = []

    def store_then_fail(db, laps):
        written.append(real_store(db, laps))
        db.flush()
        raise OSError("disk full")

    monkeypatch.setattr(lapdata_repo, "store_encoded_laps", store_then_fail)
    report = fake_import([fake_file(tmp_path / "second.csv", seed=2, start=[45.0, 7.0])])

    assert written and written[0] > 0  # session, laps, arrays and a new track had been written
    assert report.results[0].status == ImportStatus.FAILED
    assert "disk full" in report.results[0].error.message
    assert row_counts(library) == counts_before
    assert table_dump(library) == before


def test_two_files_of_the_same_track_share_one_configuration(library: Library, fake_import, tmp_path: Path) -> None:
    # Start points 100 m apart (drivers tap the line in different places), a third track 2 km away.
    report = fake_import([
        fake_file(tmp_path / "a.csv", seed=1, start=[51.99907, 13.68830], track_name="Spreewaldring"),
        fake_file(tmp_path / "b.csv", seed=2, start=[51.99997, 13.68830]),
        fake_file(tmp_path / "c.csv", seed=3, start=[52.01707, 13.68830]),
    ])  # fmt: skip

    a, b, c = report.results
    assert a.new_track and not b.new_track and c.new_track
    assert a.configuration_id == b.configuration_id != c.configuration_id
    far_name = "Track near 52.0171, 13.6883"
    assert (a.track_name, b.track_name, c.track_name) == ("Spreewaldring", "Spreewaldring", far_name)
    tracks = library_service.list_tracks(library)
    assert sorted(t.name for t in tracks) == ["Spreewaldring", far_name]
    ring = next(t for t in tracks if t.name == "Spreewaldring")
    assert ring.configurations[0].session_count == 2
    assert ring.configurations[0].length_m == pytest.approx(31.4 * 61.0, rel=0.02)  # median valid timed lap
    groups = library_service.session_groups(library)
    assert [(g.track_name, len(g.sessions)) for g in groups] == [("Spreewaldring", 2), (far_name, 1)]


def test_file_without_start_finish_is_matched_by_its_gps_path(library: Library, fake_import, tmp_path: Path) -> None:
    with_start = fake_import([fake_file(tmp_path / "a.csv", seed=1, start=[45.0, 7.0])]).results[0]
    without = fake_import([fake_file(tmp_path / "b.csv", seed=2, start=None, path_center=[45.0, 7.0])]).results[0]
    elsewhere = fake_import([fake_file(tmp_path / "c.csv", seed=3, start=None, path_center=[46.0, 7.0])]).results[0]

    assert without.configuration_id == with_start.configuration_id
    assert elsewhere.status == ImportStatus.IMPORTED and elsewhere.configuration_id is None
    summary = library_service.session_summary(library, elsewhere.session_uuid)
    assert summary.track_name is None
    groups = library_service.session_groups(library)
    assert [g.track_name for g in groups] == ["Track near 45.0000, 7.0000", "Unknown track"]


def test_progress_reports_every_stage_of_every_file_in_order(library: Library, fake_import, tmp_path: Path) -> None:
    seen: list[ImportProgress] = []
    paths = [fake_file(tmp_path / "a.csv", seed=1), fake_file(tmp_path / "bad.csv", error="broken")]

    fake_import(paths, progress=seen.append)

    assert [(p.file_index, p.stage) for p in seen] == [
        (0, "reading"), (0, "analysing"), (0, "storing"), (0, "done"), (1, "reading"), (1, "done"),
    ]  # fmt: skip
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and all(p.file_count == 2 for p in seen)


def test_import_bytes_of_a_dropped_file(library: Library, tmp_path: Path) -> None:
    data = fake_file(tmp_path / "x.csv").read_bytes()
    result = importer.import_bytes(library, data, "dropped.csv", reader=fake_reader, analyser=fake_analyser)
    assert result.status == ImportStatus.IMPORTED
    assert library_service.session_summary(library, result.session_uuid).source_name == "dropped.csv"


def test_single_file_import_reports_progress(library: Library, tmp_path: Path) -> None:
    seen: list[ImportProgress] = []
    path = fake_file(tmp_path / "a.csv")
    result = importer.import_file(library, path, seen.append, reader=fake_reader, analyser=fake_analyser)
    assert result.status == ImportStatus.IMPORTED and result.lap_count == 4
    expected = [("reading", 0.0), ("analysing", 0.4), ("storing", 0.7), ("done", 1.0)]
    assert [(p.stage, p.fraction) for p in seen] == expected


def test_the_same_file_imported_on_two_threads_at_once_is_stored_once(library: Library, tmp_path: Path) -> None:
    path = fake_file(tmp_path / "a.csv")
    copy = tmp_path / "b.csv"
    shutil.copy(path, copy)
    results: list[importer.FileImportResult] = []

    def run(target: Path) -> None:
        results.append(importer.import_file(library, target, reader=fake_reader, analyser=fake_analyser))

    threads = [threading.Thread(target=run, args=(target,)) for target in (path, copy)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r.status for r in results) == [ImportStatus.DUPLICATE, ImportStatus.IMPORTED]
    assert len(library_service.list_sessions(library)) == 1 and row_counts(library)["source_files"] == 1
