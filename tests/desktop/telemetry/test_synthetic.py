"""The synthetic TrackAddict generator writes files like the real exports, with a truth that matches them."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from analysis_cases import raw_of, recording

from racetrace_desktop.telemetry.formats import read_file
from racetrace_desktop.telemetry.geo import haversine_m
from racetrace_desktop.telemetry.synthetic import generate_session

METRIC_HEADER = ('"Time","UTC Time","Lap","Predicted Lap Time","Predicted vs Best Lap","GPS_Update","GPS_Delay",'
                 '"Latitude","Longitude","Altitude (m)","Altitude (ft)","Speed (Km/h)","Heading","Accuracy (m)",'
                 '"Accel X","Accel Y","Accel Z","Brake (calculated)","Barometric Pressure (kPa)",'
                 '"Pressure Altitude (m)","OBD_Update","Engine Speed (RPM) *OBD","Vehicle Speed (km/h) *OBD",'
                 '"Throttle Position (%) *OBD","Engine Coolant Temp (C) *OBD","Intake Air Temp (C) *OBD",'
                 '"Intake Manifold Pressure (kPa) *OBD"')
# Decimals per column as in the real exports (trackaddict-format.md section 4); "p" = 3 decimals or a bare 0.
METRIC_DECIMALS = [3, 3, 0, "p", "p", 0, 3, 7, 7, 1, 0, 1, 1, 1, 2, 2, 2, 0, 2, 1, 0, 3, 3, 3, 3, 3, 3]
IMPERIAL_DECIMALS = [3, 3, 0, "p", "p", 0, 3, 7, 7, 1, 0, 1, 1, 1, 2, 2, 2, 0, 3, 0]


def data_lines(text: str) -> list[list[str]]:
    lines = text.split("\n")
    header = next(i for i, line in enumerate(lines) if line.startswith('"'))
    return [line.split(",") for line in lines[header + 1:] if line and not line.startswith("#")]


def has_precision(field: str, want: int | str) -> bool:
    places = len(field.split(".")[1]) if "." in field else 0
    return field == "0" or places == 3 if want == "p" else places == want


def test_file_layout_matches_a_real_export() -> None:
    session = recording(laps=5, gps_hz=1, seed=0)
    lines = session.csv_text.split("\n")
    assert lines[0] == "# RaceRender Data: TrackAddict 4.8.0 on iOS 15.5 [iPhone12,1] (Mode: 0)"
    assert re.fullmatch(r"# End Point: -?\d+\.\d{6}, -?\d+\.\d{6}  @ -1\.00 deg", lines[2])
    assert "# User Settings: U1;" in session.csv_text and '# OBD Mode: BLE; ID: "OBDII  v2.2"' in lines
    assert lines[lines.index(METRIC_HEADER) - 1] == "# Device Free Space: 23784 MB"
    assert lines[-2] == "# Session End" and lines[-1] == ""
    rows = data_lines(session.csv_text)
    for row in rows[::97]:
        assert len(row) == 27
        assert all(has_precision(f, want) for f, want in zip(row, METRIC_DECIMALS, strict=True)), row
    assert re.fullmatch(r"Log-\d{8}-\d{6} Synthetic Ring - \d\.\d{2}\.\d{3}\.csv", session.file_name)
    best = session.truth.best_lap_ms
    assert session.file_name.endswith(f"{best // 60000}.{best // 1000 % 60:02d}.{best % 1000:03d}.csv")


def test_imperial_without_obd_uses_the_imperial_columns() -> None:
    session = recording(laps=5, gps_hz=10, seed=3, units="imperial", obd=False)
    header = next(line for line in session.csv_text.split("\n") if line.startswith('"'))
    names = [name.strip('"') for name in header.split(",")]
    assert len(names) == 20 and "Speed (MPH)" in names and "Barometric Pressure (PSI)" in names
    assert "Pressure Altitude (ft)" in names and not any("OBD" in name for name in names)
    assert "# User Settings: U0;" in session.csv_text and "# OBD Mode" not in session.csv_text
    for row in data_lines(session.csv_text)[::101]:
        assert all(has_precision(f, want) for f, want in zip(row, IMPERIAL_DECIMALS, strict=True)), row


def test_lap_lines_pit_lines_and_the_lap_column() -> None:
    session = recording(laps=5, gps_hz=1, seed=1, units="imperial", pit_stop_lap=2)
    truth = session.truth
    lines = [line for line in session.csv_text.split("\n") if line][9:]  # after the preamble and header
    lap_lines = [line for line in lines if line.startswith("# Lap ")]
    assert lap_lines == [f"# Lap {k}: 00:{ms // 60000:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"
                         for k, ms in enumerate(truth.lap_times_ms)]
    assert [line for line in lines if line.startswith("# Pit")] == ["# Pit Lane Entry", "# Pit Lane Exit"]
    assert truth.pit_laps == [2, 3]
    for i, line in enumerate(lines):
        if line.startswith("# Lap "):
            k = int(line.split()[2].rstrip(":"))
            before, after = lines[i - 1].split(","), lines[i + 1].split(",")
            assert before[2] == str(k) and after[2] == str(k + 1)
            assert after[5] == "1"  # the Lap column flips on a GPS fix row
            # ... the first fix after the true crossing
            assert 0 < float(after[0]) - truth.crossing_times_s[k] <= 1.05


def test_rows_are_uneven_20_hz_with_gps_fixes_held_in_between() -> None:
    for gps_hz in (1, 10):
        raw = raw_of(laps=5, gps_hz=gps_hz, seed=0 if gps_hz == 1 else 2,
                     **({} if gps_hz == 1 else {"pit_stop_lap": 3}))
        dt = np.diff(raw.time_s)
        sensor_rows = ~raw.gps_fix if gps_hz == 1 else np.ones(raw.row_count, bool)
        assert 0.045 < np.median(np.diff(raw.time_s[sensor_rows])) < 0.055
        assert dt.max() < 0.3 and np.all(dt >= 0)
        if gps_hz == 1:  # fix rows of their own, a few sharing the timestamp of a sensor row
            assert (dt == 0).sum() > 0 and raw.row_count > 1.04 * (~raw.gps_fix).sum()
        assert np.median(np.diff(raw.time_s[raw.gps_fix])) == pytest.approx(1 / gps_hz, abs=0.01)
        fix_index = np.cumsum(raw.gps_fix) - 1
        held = raw.lat[raw.gps_fix][fix_index]
        assert np.array_equal(raw.lat, held)


def test_obd_updates_at_a_few_hertz_and_follow_the_car() -> None:
    raw = raw_of(laps=5, gps_hz=1, seed=0)
    updates = raw.time_s[raw.obd_update.astype(bool)]
    assert 2.0 < 1 / np.median(np.diff(updates)) < 7.0
    moving = raw.channels["speed"] > 10
    ratio = raw.channels["obd_speed"][moving] / raw.channels["speed"][moving]
    assert np.median(ratio) == pytest.approx(1.0, abs=0.02)
    assert np.nanmin(raw.channels["rpm"]) >= 850 and np.nanmax(raw.channels["rpm"]) <= 7300
    assert 80 <= np.nanmax(raw.channels["coolant_temp"]) <= 95


def test_imperial_values_convert_back_to_the_true_speed() -> None:
    session = recording(laps=5, gps_hz=10, seed=3, units="imperial", obd=False)
    raw = raw_of(laps=5, gps_hz=10, seed=3, units="imperial", obd=False)
    fixes = raw.gps_fix
    truth_speed = session.truth.drive.at_times(raw.time_s[fixes], session.truth.drive.speed)
    assert np.percentile(np.abs(raw.channels["speed"][fixes] - truth_speed), 95) < 0.3  # m/s


def test_truth_is_consistent_with_itself() -> None:
    truth = recording(laps=5, gps_hz=1, seed=0).truth
    assert truth.inlap_number == 6 and truth.timed_laps == [1, 2, 3, 4, 5]
    assert np.diff(truth.crossing_times_s) == pytest.approx(np.array(truth.lap_times_ms[1:]) / 1000, abs=1e-3)
    for lap in truth.timed_laps:
        assert sum(truth.sector_times_ms[lap]) == truth.lap_times_ms[lap]
        assert truth.time_at(lap, 0.0)[0] == pytest.approx(0.0, abs=1e-9)
        assert truth.time_at(lap, truth.track_length_m)[0] == pytest.approx(truth.lap_times_ms[lap] / 1000, abs=1e-3)
        assert truth.lap_lengths_m[lap] == pytest.approx(truth.track_length_m, rel=0.01)
    spread = np.std([truth.lap_times_ms[k] for k in truth.timed_laps])
    assert 50 < spread < 600  # laps differ by a few tenths
    closing = haversine_m(truth.path_lat[0], truth.path_lon[0], truth.path_lat[-1], truth.path_lon[-1])
    assert closing < 1.0 and 3000 < truth.track_length_m < 4500


def test_same_seed_same_file_other_seed_other_file() -> None:
    a = generate_session(laps=1, seed=42, obd=False)
    b = generate_session(laps=1, seed=42, obd=False)
    c = generate_session(laps=1, seed=43, obd=False)
    assert a.csv_text == b.csv_text and a.file_name == b.file_name
    assert a.csv_text != c.csv_text


def test_write_to_a_folder_or_a_file_and_read_back(tmp_path: Path) -> None:
    session = recording(laps=5, gps_hz=1, seed=1, units="imperial", pit_stop_lap=2)
    in_folder = session.write(tmp_path)
    assert in_folder == tmp_path / session.file_name and in_folder.read_bytes() == session.csv_bytes
    named = session.write(tmp_path / "copy.csv")
    raw = read_file(named)
    assert [m.duration_ms for m in raw.lap_markers] == session.truth.lap_times_ms
    assert [e.kind for e in raw.events if e.kind.startswith("pit")] == ["pit_entry", "pit_exit"]
    assert raw.metadata.units == "imperial" and raw.metadata.start_finish is not None


def test_a_one_hour_session_at_20_hz_with_obd() -> None:
    session = generate_session(duration_s=3600, gps_hz=10, obd=True, seed=9)
    rows = session.csv_text.count("\n")
    duration = session.truth.crossing_times_s[-1]
    assert 3400 < duration < 3800 and 68_000 < rows < 80_000
    assert len(session.truth.lap_times_ms) >= 40


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="units"):
        generate_session(units="furlongs")
    with pytest.raises(ValueError, match="pit_stop_lap"):
        generate_session(laps=2, pit_stop_lap=2)
    with pytest.raises(ValueError, match="at least one timed lap"):
        generate_session(laps=0)
