"""The TrackAddict reader on the real exports S1 (metric, pit lane), S2 (imperial + OBD), S4 (OBD excerpt)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from reader_snippets import csv_oracle

from racetrace_desktop.telemetry.formats import read_bytes, read_file
from racetrace_desktop.telemetry.model import GeoPoint, RawSession

OBD_KEYS = {"rpm", "obd_speed", "throttle", "coolant_temp", "intake_temp", "manifold_pressure"}
PHONE_KEYS = {
    "predicted_lap_time", "predicted_vs_best", "gps_delay", "altitude", "speed", "heading", "gps_accuracy",
    "accel_x", "accel_y", "accel_z", "brake_calc", "baro_pressure", "pressure_altitude",
}


@pytest.fixture(scope="module")
def s1(trackaddict_samples: Path) -> RawSession:
    return read_file(trackaddict_samples / "sample_01.csv")


@pytest.fixture(scope="module")
def s2(trackaddict_samples: Path) -> RawSession:
    return read_file(trackaddict_samples / "sample_02.csv")


@pytest.fixture(scope="module")
def s4(trackaddict_samples: Path) -> RawSession:
    return read_file(trackaddict_samples / "sample_04.csv")


def column(path: Path, name: str) -> np.ndarray:
    header, rows, _ = csv_oracle(path)
    index = header.index(name)
    return np.array([float(row[index]) for row in rows])


def test_row_counts(s1: RawSession, s2: RawSession, s4: RawSession) -> None:
    assert (s1.row_count, s2.row_count, s4.row_count) == (25198, 12763, 48)
    for session in (s1, s2, s4):
        assert all(values.shape == (session.row_count,) for values in session.channels.values())
        assert session.lat.shape == session.lon.shape == session.gps_fix.shape == (session.row_count,)


def test_s1_lap_markers_are_the_stated_times(s1: RawSession) -> None:
    assert [m.lap_number for m in s1.lap_markers] == [0, 1, 2, 3, 4]
    assert [m.duration_ms for m in s1.lap_markers] == [155138, 444553, 107089, 116145, 357906]
    assert [m.line_no for m in s1.lap_markers] == [3163, 12146, 14332, 16683, 23917]


def test_s2_lap_markers_and_file_name_best_lap(trackaddict_samples: Path) -> None:
    data = (trackaddict_samples / "sample_02.csv").read_bytes()
    session = read_bytes(data, "Log-20220531-085930 Goodwood Motorcircuit - 2.57.527.csv")
    assert [(m.lap_number, m.duration_ms) for m in session.lap_markers] == [(0, 123202), (1, 177527)]
    assert session.metadata.best_lap_ms == 177527
    assert session.metadata.track_name == "Goodwood Motorcircuit"
    assert session.metadata.local_start == datetime(2022, 5, 31, 8, 59, 30)
    # The name is local time (UK summer time), the UTC column an hour behind.
    assert session.metadata.session_start_utc == datetime(2022, 5, 31, 7, 59, 31, tzinfo=UTC)


@pytest.mark.parametrize("sample", ["sample_01.csv", "sample_02.csv"])
def test_markers_sit_where_the_lap_column_increments(trackaddict_samples: Path, sample: str) -> None:
    session = read_file(trackaddict_samples / sample)
    assert session.lap_column is not None
    flips = list(np.flatnonzero(np.diff(session.lap_column)) + 1)
    assert [m.row_index for m in session.lap_markers] == flips
    for marker in session.lap_markers:
        assert session.lap_column[marker.row_index - 1] == marker.lap_number
        assert session.lap_column[marker.row_index] == marker.lap_number + 1


def test_s1_pit_events_at_their_rows(s1: RawSession, trackaddict_samples: Path) -> None:
    _, _, comments = csv_oracle(trackaddict_samples / "sample_01.csv")
    expected = [(line, rows) for line, rows, text in comments if text.startswith("# Pit Lane")]
    pit = [e for e in s1.events if e.kind in ("pit_entry", "pit_exit")]
    assert [(e.line_no, e.row_index) for e in pit] == expected
    assert [e.kind for e in pit] == ["pit_entry", "pit_exit"] * 4 + ["pit_entry"]
    assert pit[0].line_no == 3165 and pit[-1].line_no == 23919
    assert s1.events[-1].kind == "session_end" and s1.events[-1].row_index == s1.row_count
    assert s1.warnings == []


@pytest.mark.parametrize("sample", ["sample_01.csv", "sample_02.csv", "sample_04.csv"])
def test_numbers_equal_float_of_the_text(trackaddict_samples: Path, sample: str) -> None:
    path = trackaddict_samples / sample
    session = read_file(path)
    header, rows, _ = csv_oracle(path)
    text = np.array([[float(cell) for cell in row] for row in rows])
    assert np.array_equal(session.time_s, text[:, header.index("Time")])
    assert session.utc_s is not None and np.array_equal(session.utc_s, text[:, header.index("UTC Time")])
    assert np.array_equal(session.lat, text[:, header.index("Latitude")])
    assert np.array_equal(session.lon, text[:, header.index("Longitude")])
    assert np.array_equal(session.gps_fix, text[:, header.index("GPS_Update")] == 1)
    accel = text[:, header.index("Accel X")]
    assert np.array_equal(session.channels["accel_x"], accel)
    assert np.array_equal(np.signbit(session.channels["accel_x"]), np.signbit(accel))  # "-0.00" stays -0.0
    assert session.utc_s.dtype == np.float64 and session.lap_column is not None
    assert session.lap_column.dtype == np.int32


def test_s1_metadata(s1: RawSession) -> None:
    meta = s1.metadata
    assert (meta.format_name, meta.source_name) == ("TrackAddict", "sample_01.csv")
    assert (meta.app_version, meta.os_name, meta.os_version) == ("4.3.5", "Android", "9")
    assert (meta.device, meta.mode) == ("samsung SM-N960F", "0")
    assert meta.start_finish == GeoPoint(51.99907, 13.68830, None)
    assert meta.gps_source == "Android; Mode: Android"
    assert meta.units == "metric" and meta.vehicle is None and meta.obd_adapter is None
    assert meta.device_free_space_mb == 92967
    assert meta.extra["User Settings"] == "SL1;U1;AS1;LT1/1;EC0;VC-1;VQ3;VS0;VSOIS0;VIF1"
    assert meta.session_start_utc == datetime.fromtimestamp(1559734111, tz=UTC)
    assert meta.local_start is None and meta.best_lap_ms is None


def test_s2_metadata(s2: RawSession) -> None:
    meta = s2.metadata
    assert (meta.app_version, meta.os_name, meta.os_version, meta.device) == ("4.8.0", "iOS", "15.5", "iPhone12,1")
    assert meta.vehicle == "2019 McLaren 720S"
    assert meta.vehicle_tune == "OSID's: 14MA891CP.01., CVN's: C7C38B43"
    assert meta.start_finish == GeoPoint(50.857952, -0.752617, None)
    assert meta.obd_adapter == 'BLE; ID: "OBDII  v2.2"'
    assert meta.units == "imperial"
    assert meta.extra["OBD Settings"] == "AP1;AF1;RPR0"


def test_s4_metadata(s4: RawSession) -> None:
    meta = s4.metadata
    assert meta.device == "Sony E5823 / Qualcomm Technologies, Inc MSM8994"
    assert (meta.os_name, meta.os_version, meta.app_version) == ("Android", "7.1.2", "4.3.7")
    assert meta.vehicle == "2007 Mazda RX-8"
    assert meta.extra["Vehicle App ID"] == "16B6AF66706A2B41"
    assert meta.start_finish == GeoPoint(45.573479, -73.965910, None)
    assert meta.obd_adapter == 'BT (OBDII); ID: "ELM327 v1.5"'
    assert meta.session_start_utc == datetime(2019, 9, 2, 23, 2, 36, tzinfo=UTC)


def test_s2_imperial_columns_become_si(s2: RawSession, trackaddict_samples: Path) -> None:
    path = trackaddict_samples / "sample_02.csv"
    mph = column(path, "Speed (MPH)")
    assert np.allclose(s2.channels["speed"], mph * 0.44704, rtol=1e-12, atol=0)
    assert s2.channels["speed"].max() == pytest.approx(78.7 * 0.44704)
    coolant_f = column(path, "Engine Coolant Temp (F) *OBD")
    assert np.allclose(s2.channels["coolant_temp"], (coolant_f - 32) * 5 / 9, rtol=1e-12)
    assert coolant_f[0] == 179.6 and s2.channels["coolant_temp"][0] == pytest.approx(82.0)
    psi = column(path, "Barometric Pressure (PSI)")
    assert np.allclose(s2.channels["baro_pressure"], psi * 6894.757293168361, rtol=1e-12)
    assert s2.channels["baro_pressure"][0] == pytest.approx(100_877, abs=1)  # 14.631 psi
    manifold = column(path, "Intake Manifold Pressure (PSI) *OBD")
    assert np.allclose(s2.channels["manifold_pressure"], manifold * 6894.757293168361, rtol=1e-12)
    info = s2.channel_info
    assert (info["speed"].unit, info["speed"].display_unit) == ("m/s", "mph")
    assert (info["coolant_temp"].unit, info["coolant_temp"].display_unit) == ("C", "F")
    assert (info["baro_pressure"].unit, info["baro_pressure"].display_unit) == ("Pa", "psi")
    assert (info["altitude"].unit, info["altitude"].display_unit) == ("m", "ft")


def test_altitude_twins_are_one_channel_that_agrees_with_both(s2: RawSession, trackaddict_samples: Path) -> None:
    path = trackaddict_samples / "sample_02.csv"
    metres, feet = column(path, "Altitude (m)"), column(path, "Altitude (ft)")
    assert np.array_equal(s2.channels["altitude"], metres)  # the finer (0.1 m) twin is the one read
    # both are roundings of one value: half a foot plus half a decimetre apart at most
    assert np.abs(s2.channels["altitude"] - feet * 0.3048).max() <= 0.5 * 0.3048 + 0.05
    assert not any(key.startswith("altitude_") for key in s2.channels)


def test_obd_channels(s1: RawSession, s2: RawSession, s4: RawSession) -> None:
    for session in (s2, s4):
        assert set(session.channels) >= OBD_KEYS
        assert {session.channel_info[key].source for key in OBD_KEYS} == {"obd"}
        assert session.obd_update is not None and session.obd_update.dtype == bool and session.obd_update.any()
    assert set(s1.channels) == PHONE_KEYS and s1.obd_update is None
    assert PHONE_KEYS | OBD_KEYS == set(s2.channels) == set(s4.channels)
    assert s2.channels["rpm"].max() == 4818.5
    assert s4.channels["obd_speed"][0] == pytest.approx(24 / 3.6)


def test_s4_unsupported_pid_is_missing_and_has_no_laps(s4: RawSession) -> None:
    assert np.isnan(s4.channels["manifold_pressure"]).all()
    assert not np.isnan(s4.channels["rpm"]).any()
    assert s4.lap_markers == []
    assert [e.kind for e in s4.events] == ["session_end"]
    assert s4.lap_column is not None and not s4.lap_column.any()


def test_predicted_zero_means_unavailable(s1: RawSession, trackaddict_samples: Path) -> None:
    text = column(trackaddict_samples / "sample_01.csv", "Predicted Lap Time")
    predicted = s1.channels["predicted_lap_time"]
    assert np.array_equal(np.isnan(predicted), text == 0)
    assert np.array_equal(predicted[text != 0], text[text != 0])


def test_gps_positions_come_from_fix_rows(s2: RawSession) -> None:
    fixes = np.flatnonzero(s2.gps_fix)
    assert fixes[0] == 0 and fixes.size < s2.row_count / 10
    between = np.arange(s2.row_count)
    last_fix = fixes[np.searchsorted(fixes, between, side="right") - 1]
    assert np.array_equal(s2.lat, s2.lat[last_fix]) and np.array_equal(s2.lon, s2.lon[last_fix])


def test_time_repeats_are_kept(s1: RawSession) -> None:
    assert (np.diff(s1.time_s) == 0).sum() == 18
    assert (np.diff(s1.time_s) >= 0).all()
