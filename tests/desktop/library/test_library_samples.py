"""The real TrackAddict samples through the real reader and analysis into the library and back."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from racetrace_desktop.library import Library
from racetrace_desktop.services import importer, library_service, relap
from racetrace_desktop.services.importer import ImportStatus

S1_LAPS = [155138, 444553, 107089, 116145, 357906, None]
S2_LAPS = [123202, 177527, None]
S2_ORIGINAL_NAME = "Log-20220531-085930 Goodwood Motorcircuit - 2.57.527.csv"


@pytest.fixture
def samples(trackaddict_samples: Path, tmp_path: Path) -> dict[str, Path]:
    """S1 and S4 as shipped; S2 under the name TrackAddict gave it (track, local time and best lap in it)."""
    s2 = tmp_path / S2_ORIGINAL_NAME
    shutil.copy(trackaddict_samples / "sample_02.csv", s2)
    return {"s1": trackaddict_samples / "sample_01.csv", "s2": s2, "s4": trackaddict_samples / "sample_04.csv"}


def _lap_times(library: Library, session_uuid) -> list[int | None]:
    return [lap.lap_time_ms for lap in library_service.session_laps(library, session_uuid)]


def test_samples_import_with_their_stated_lap_times(library: Library, samples: dict[str, Path]) -> None:
    report = importer.import_files(library, [samples["s1"], samples["s2"], samples["s4"]])

    assert [r.status for r in report.results] == ["imported"] * 3, [str(r.error) for r in report.results]
    s1, s2, s4 = report.results
    assert _lap_times(library, s1.session_uuid) == S1_LAPS
    assert _lap_times(library, s2.session_uuid) == S2_LAPS
    assert len(_lap_times(library, s4.session_uuid)) == 1
    assert s2.best_lap_ms == 177527 and s2.track_name == "Goodwood Motorcircuit"
    assert library_service.session_summary(library, s2.session_uuid).best_lap_ms == 177527
    s1_laps = library_service.session_laps(library, s1.session_uuid)
    assert s1_laps[-1].is_inlap and s1_laps[0].is_outlap and any(lap.is_pit for lap in s1_laps)
    assert len({s1.configuration_id, s2.configuration_id, s4.configuration_id}) == 3


def test_sample_metadata_is_kept(library: Library, samples: dict[str, Path]) -> None:
    session_uuid = importer.import_files(library, [samples["s2"]]).results[0].session_uuid
    detail = library_service.session_detail(library, session_uuid)
    assert (detail.app_version, detail.os_name, detail.os_version) == ("4.8.0", "iOS", "15.5")
    assert detail.device == "iPhone12,1"
    assert detail.summary.vehicle == "2019 McLaren 720S" and detail.units == "imperial"
    assert detail.obd_adapter == 'BLE; ID: "OBDII  v2.2"'
    assert detail.summary.recorded_at_utc.isoformat() == "2022-05-31T07:59:31+00:00"
    assert detail.summary.recorded_at_local.isoformat() == "2022-05-31T08:59:30"
    assert detail.row_count == 12763 and detail.duration_s == pytest.approx(593.7, abs=0.1)
    assert detail.gps_rate_hz == pytest.approx(1.0, abs=0.1)
    assert detail.source_size_bytes == samples["s2"].stat().st_size
    assert library_service.original_file(library, session_uuid)[1] == samples["s2"].read_bytes()


def test_a_sample_lap_opens_from_the_library_with_its_channels(library: Library, samples: dict[str, Path]) -> None:
    session_uuid = importer.import_files(library, [samples["s2"]]).results[0].session_uuid
    timed_lap = library_service.session_laps(library, session_uuid)[1]

    loaded = library_service.load_lap(library, timed_lap.uuid)

    assert loaded.lap.lap_time_ms == 177527
    assert loaded.data.time_s[0] == pytest.approx(0.0, abs=1.0)
    assert loaded.data.time_s[-1] == pytest.approx(177.527, abs=1.0)
    assert loaded.data.distance_m[-1] == pytest.approx(timed_lap.length_m, rel=0.01)
    assert np.nanmax(np.abs(loaded.data.lat - 50.857)) < 0.02
    assert loaded.channel_info["gps_lat_g"].label == "Lateral g (GPS)"
    rpm, speed = loaded.channel_info["rpm"], loaded.channel_info["speed"]
    assert (rpm.source, rpm.unit, speed.unit, speed.display_unit) == ("obd", "rpm", "m/s", "mph")
    expected = importer.default_analyser(importer.default_reader(samples["s2"].read_bytes(), "s2.csv"), None)
    analysed_lap = expected.laps[1].data
    assert set(loaded.data.channels) == set(analysed_lap.channels)
    for key, values in analysed_lap.channels.items():  # float32 storage: 7 significant digits
        np.testing.assert_allclose(loaded.data.channels[key], values, rtol=1e-6, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(loaded.data.lat, analysed_lap.lat, rtol=0, atol=0.6e-7)


def test_a_sample_renamed_is_a_duplicate_and_another_app_csv_fails_clearly(
    library: Library, samples: dict[str, Path], other_samples: Path, tmp_path: Path
) -> None:
    renamed = tmp_path / "goodwood copy.csv"
    shutil.copy(samples["s2"], renamed)
    harrys_csv = tmp_path / "harrys.csv"  # an export RaceTrace does not read
    harrys_csv.write_bytes(b"Harry's GPS LapTimer\nLap,Time\n1,1:33.26\n")

    report = importer.import_files(library, [samples["s2"], harrys_csv, renamed])

    assert [r.status for r in report.results] == [ImportStatus.IMPORTED, ImportStatus.FAILED, ImportStatus.DUPLICATE]
    error = report.results[1].error
    assert error.file == "harrys.csv" and "Harry's LapTimer CSV export" in error.message
    assert len(library_service.list_sessions(library)) == 1


def test_a_second_file_of_the_same_track_joins_its_configuration(
    library: Library, samples: dict[str, Path], tmp_path: Path
) -> None:
    # The same circuit recorded with the line tapped about 100 m further north.
    text = samples["s1"].read_bytes().replace(b"# End Point: 51.99907, 13.68830", b"# End Point: 51.99997, 13.68830")
    moved = tmp_path / "Log-20190606-101500 Spreewaldring.csv"
    moved.write_bytes(text)

    first, second = importer.import_files(library, [samples["s1"], moved]).results

    assert second.status == ImportStatus.IMPORTED and not second.new_track
    assert second.configuration_id == first.configuration_id
    (track,) = library_service.list_tracks(library)
    assert track.configurations[0].session_count == 2


def test_editing_the_sample_track_relaps_from_the_stored_original(library: Library, samples: dict[str, Path]) -> None:
    result = importer.import_files(library, [samples["s2"]]).results[0]
    laps_before = library_service.session_laps(library, result.session_uuid)
    library_service.override_lap_validity(library, laps_before[0].uuid, True, None)

    changes = relap.edit_configuration(library, result.configuration_id, num_sectors=5)

    laps = library_service.session_laps(library, result.session_uuid)
    assert [lap.lap_time_ms for lap in laps] == S2_LAPS
    assert [lap.uuid for lap in laps] == [lap.uuid for lap in laps_before]
    assert len(laps[1].sector_times_ms) == 5 and sum(laps[1].sector_times_ms) == 177527
    assert laps[0].is_valid and laps[0].valid_override is True
    assert result.session_uuid in changes.sessions_updated and laps[1].uuid in changes.laps_changed
    assert library_service.session_detail(library, result.session_uuid).theoretical_best_ms <= 177527
