"""Hand-written files for each quirk of trackaddict-format.md that the real samples do not show."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from reader_snippets import FIRST_LINE, METRIC_20, METRIC_ROWS, header_of, trackaddict_file

from racetrace_desktop.telemetry.formats import read_bytes
from racetrace_desktop.telemetry.formats.trackaddict_meta import apply_file_name
from racetrace_desktop.telemetry.model import GeoPoint, SessionMetadata

# trackaddict-format.md §3.1 (fragment F1), plus lap and end lines that 3.4.2 also wrote.
F1_342 = "\n".join([
    "# RaceRender Data: TrackAddict 3.4.2 on iOS 10.1.1 [iPhone8,4] (Mode: 0)",
    "# End Point: 34.871512, -118.263719  @ -1.00 deg",
    '"Time","Lap","Predicted Lap Time","Predicted vs Best Lap","GPS_Update","GPS_Delay","Latitude","Longitude",'
    '"Altitude (m)","Altitude (ft)","Speed (MPH)","Heading","Accuracy (m)","Accel X","Accel Y","Accel Z"',
    "0.000,0,0,0,1,0.000,34.8708676,-118.2630034,735.5,2413,13.2,303.4,5.0,0.00,0.00,0.00",
    "0.050,0,0,0,0,0.000,34.8708676,-118.2630034,735.5,2413,13.2,303.4,5.0,0.01,-0.02,0.00",
    "# Lap 0: 00:00:00.075",
    "0.100,1,0,0,1,0.000,34.8708700,-118.2630100,735.6,2413,13.5,303.0,5.0,0.02,-0.03,0.01",
    "# Session End",
    "",
]).encode()


def test_older_342_layout_without_utc_time() -> None:
    session = read_bytes(F1_342, "Log-20161105-101500 Willow Springs.csv")
    assert session.utc_s is None and session.metadata.session_start_utc is None
    assert session.metadata.local_start == datetime(2016, 11, 5, 10, 15)
    assert session.metadata.track_name == "Willow Springs"
    assert session.metadata.app_version == "3.4.2" and session.metadata.device == "iPhone8,4"
    assert session.lap_column is not None and list(session.lap_column) == [0, 0, 1]
    assert session.lap_markers[0].duration_ms == 75 and session.lap_markers[0].row_index == 2
    assert session.channels["speed"][0] == pytest.approx(13.2 * 0.44704)
    assert session.metadata.units == "imperial"  # no "# User Settings" line: told by "Speed (MPH)"
    assert "baro_pressure" not in session.channels and "brake_calc" not in session.channels
    assert session.metadata.start_finish == GeoPoint(34.871512, -118.263719, None)


def test_inline_start_point_and_empty_line_like_s3() -> None:
    data = trackaddict_file(
        rows=[METRIC_ROWS[0], "# Lap 0: 00:00:04.004", "# Start Point: 51.999330, 13.688170  @ 210.23 deg", "",
              METRIC_ROWS[1], METRIC_ROWS[2]],
        preamble=(FIRST_LINE, "# GPS: iOS; Type: 0", "# User Settings: U1;AS1;LT0/1;EC1;VC1;VQ3;VS0"),
    )
    session = read_bytes(data, "s3.csv")
    assert session.row_count == 3
    assert session.metadata.start_finish == GeoPoint(51.99933, 13.68817, 210.23)
    start = next(e for e in session.events if e.kind == "start_point")
    assert (start.row_index, start.line_no) == (1, 7)
    assert session.lap_markers[0].duration_ms == 4004
    assert [e.line_no for e in session.events] == [7, 11]  # the empty line (8) is no event
    assert session.time_s[1] == 0.05


def test_end_point_wins_over_inline_start_point() -> None:
    data = trackaddict_file(rows=[METRIC_ROWS[0], "# Start Point: 1.5, 2.5  @ 10.00 deg", *METRIC_ROWS[1:]])
    assert read_bytes(data, "x.csv").metadata.start_finish == GeoPoint(51.99907, 13.6883, None)


def test_sector_lines_with_and_without_suffix() -> None:
    rows = [METRIC_ROWS[0], "# Sector 1: 00:02:03.202", METRIC_ROWS[1], "# Sector 2: 00:00:11.849 (200m)",
            METRIC_ROWS[2], "# Something new: 42"]
    session = read_bytes(trackaddict_file(rows=rows), "x.csv")
    sectors = [e for e in session.events if e.kind == "sector"]
    assert [(e.number, e.duration_ms, e.row_index) for e in sectors] == [(1, 123202, 1), (2, 11849, 2)]
    assert sectors[1].text == "Sector 2: 00:00:11.849 (200m)"
    other = [e for e in session.events if e.kind == "other"]
    assert [(e.text, e.row_index, e.line_no) for e in other] == [("Something new: 42", 3, 9)]


def test_unknown_columns_and_user_chosen_pids_are_kept() -> None:
    names = ["Time", "Lap", "Sector", "GPS_Update", "Latitude", "Longitude", "Speed (Km/h)",
             "Accelerator Pedal (%) *OBD", "Oil Temp (F) *OBD", "Gear *OBD", "Boost (bar)"]
    rows = ["0.000,0,1,1,45.0,7.0,36.0,12.5,212.0,2,0.50", "0.050,0,1,0,45.0,7.0,36.0,0.000,212.0,3,1.25"]
    session = read_bytes(trackaddict_file(rows=rows, header=header_of(names)), "x.csv")
    assert set(session.channels) == {"sector", "speed", "accelerator_pedal", "oil_temp", "gear", "boost"}
    assert session.channel_info["accelerator_pedal"].source == "obd"
    assert session.channel_info["accelerator_pedal"].unit == "%"
    assert list(session.channels["oil_temp"]) == [100.0, 100.0]
    assert session.channel_info["oil_temp"].display_unit == "F"
    assert list(session.channels["boost"]) == [50_000.0, 125_000.0]
    assert list(session.channels["gear"]) == [2.0, 3.0]
    assert session.channel_info["sector"].source == "file" and session.channel_info["sector"].label == "Sector"
    assert session.channels["speed"][0] == 10.0


def test_accuracy_in_feet() -> None:
    names = ["Time", "GPS_Update", "Latitude", "Longitude", "Speed (MPH)", "Accuracy (ft)"]
    session = read_bytes(trackaddict_file(rows=["0.000,1,45.0,7.0,10.0,16.4"], header=header_of(names)), "x.csv")
    assert session.channels["gps_accuracy"][0] == pytest.approx(16.4 * 0.3048)
    info = session.channel_info["gps_accuracy"]
    assert (info.unit, info.display_unit, info.source) == ("m", "ft", "gps")


@pytest.mark.parametrize(
    ("name", "local_start", "track", "best_ms"),
    [
        ("Log-20220531-085930 Goodwood Motorcircuit - 2.57.527.csv", datetime(2022, 5, 31, 8, 59, 30),
         "Goodwood Motorcircuit", 177527),
        ("Log-20190902-175620 Segment.csv", datetime(2019, 9, 2, 17, 56, 20), "Segment", None),
        ("Log-20190902-190235 Saint-Eustache - 1.06.879.csv", datetime(2019, 9, 2, 19, 2, 35), "Saint-Eustache", 66879),
        ("/home/me/exports/Log-20230101-000001.csv", datetime(2023, 1, 1, 0, 0, 1), None, None),
        ("C:\\Users\\me\\Log-20210615-120000 Spa - Francorchamps - 2.31.005.csv", datetime(2021, 6, 15, 12),
         "Spa - Francorchamps", 151005),
        ("STC_log.csv", None, None, None),
        ("Log-20191399-250000 Nowhere.csv", None, None, None),
    ],
)
def test_file_name(name: str, local_start: datetime | None, track: str | None, best_ms: int | None) -> None:
    metadata = SessionMetadata(source_name=name, format_name="TrackAddict")
    apply_file_name(metadata, name)
    assert (metadata.local_start, metadata.track_name, metadata.best_lap_ms) == (local_start, track, best_ms)


@pytest.mark.parametrize(
    ("first_line", "os_name", "os_version", "device"),
    [
        ("# RaceRender Data: TrackAddict 4.3.7 on Android 7.1.2 [Sony E5823 / Qualcomm Technologies, Inc MSM8994] "
         "(Mode: 0)", "Android", "7.1.2", "Sony E5823 / Qualcomm Technologies, Inc MSM8994"),
        ("# RaceRender Data: TrackAddict 4.8.2 on Android 14 [samsung SM-S928B] (Mode: 0)", "Android", "14",
         "samsung SM-S928B"),
        ("# RaceRender Data: TrackAddict 4.8.0 on iOS 15.5 [iPhone12,1] (Mode: 0)", "iOS", "15.5", "iPhone12,1"),
    ],
)
def test_device_strings(first_line: str, os_name: str, os_version: str, device: str) -> None:
    session = read_bytes(trackaddict_file(preamble=(first_line,)), "x.csv")
    meta = session.metadata
    assert (meta.os_name, meta.os_version, meta.device, meta.mode) == (os_name, os_version, device, "0")


def test_preamble_variants() -> None:
    preamble = (
        FIRST_LINE,
        "# Vehicle: Caterham 7, \"Seven\"",
        "# Vehicle Tune: OSID's: 14MA891CP.01., CVN's: C7C38B43",
        "# End Point: -33.4418, -70.65  @ 182.50 deg",
        "# Split Point 1: -33.44, -70.6512  @ 90.0 deg",
        "# Split Point 2: -33.45, -70.6400  @ -1.00 deg",
        "# GPS: iOS; Type: 1",
        "# OBD Mode: BT (OBDLink MX+ 64534); ID: \"ELM327 v1.4b\"",
        "# Device Free Space: 512 MB",
        "# Custom Thing: a: b, c",
    )
    meta = read_bytes(trackaddict_file(preamble=preamble), "x.csv").metadata
    assert meta.vehicle == 'Caterham 7, "Seven"'
    assert meta.start_finish == GeoPoint(-33.4418, -70.65, 182.5)
    assert meta.split_points == [GeoPoint(-33.44, -70.6512, 90.0), GeoPoint(-33.45, -70.64, None)]
    assert meta.obd_adapter == 'BT (OBDLink MX+ 64534); ID: "ELM327 v1.4b"'
    assert meta.device_free_space_mb == 512
    assert meta.extra["Custom Thing"] == "a: b, c"
    assert meta.units == "metric"  # no User Settings: told by "Speed (Km/h)"


def test_units_setting_wins_over_column_names() -> None:
    data = trackaddict_file(preamble=(FIRST_LINE, "# User Settings: U0;AS1"))
    session = read_bytes(data, "x.csv")
    assert session.metadata.units == "imperial"
    assert session.channel_info["altitude"].display_unit == "ft"  # twins: the one in the user's units
    assert session.channel_info["speed"].display_unit == "km/h"  # otherwise the unit the file used
    assert session.channels["speed"][2] == 1.0  # 3.6 km/h


def test_sentinels_become_nan() -> None:
    rows = [
        "0.000,1559734111.000,0,0,0,1,0.000,51.9,13.6,91.1,299,0.4,-1.0,6.0,0.00,0.00,0.00,0,0.00,0.0",
        "0.050,1559734111.050,0,101.250,-0.500,0,0.000,51.9,13.6,91.1,299,0.4,-1.0,6.0,0.00,0.00,0.00,0,0.00,0.0",
        "0.100,1559734111.100,1,0,0,1,0.000,51.9,13.6,91.1,299,9.0,359.5,6.0,0.00,0.00,0.00,0,0.00,0.0",
    ]
    session = read_bytes(trackaddict_file(rows=rows), "x.csv")
    assert np.isnan(session.channels["heading"][:2]).all() and session.channels["heading"][2] == 359.5
    assert np.isnan(session.channels["baro_pressure"]).all()
    assert np.isnan(session.channels["pressure_altitude"]).all()
    predicted = session.channels["predicted_lap_time"]
    assert np.isnan(predicted[[0, 2]]).all() and predicted[1] == 101.25
    assert session.channels["predicted_vs_best"][1] == -0.5
    assert (session.channels["accel_x"] == 0).all() and not np.isnan(session.channels["brake_calc"]).any()


def test_obd_constant_zero_is_missing_but_a_zero_in_a_live_pid_is_not() -> None:
    names = ["Time", "OBD_Update", "Engine Speed (RPM) *OBD", "Intake Manifold Pressure (kPa) *OBD"]
    rows = ["0.000,1,0.000,0.000", "0.050,0,3256.000,0.000"]
    session = read_bytes(trackaddict_file(rows=rows, header=header_of(names)), "x.csv")
    assert np.isnan(session.channels["manifold_pressure"]).all()
    assert list(session.channels["rpm"]) == [0.0, 3256.0]
    assert session.obd_update is not None and list(session.obd_update) == [True, False]


def test_without_gps_update_every_row_is_a_fix_and_without_gps_no_position() -> None:
    names = ["Time", "Latitude", "Longitude", "Speed (Km/h)"]
    session = read_bytes(trackaddict_file(rows=["0.000,45.1,7.1,0.0", "1.000,45.2,7.2,3.6"],
                                          header=header_of(names)), "x.csv")
    assert session.gps_fix.all() and list(session.lat) == [45.1, 45.2]
    session = read_bytes(trackaddict_file(rows=["0.000,0.0", "1.000,3.6"], header='"Time","Speed (Km/h)"'), "x.csv")
    assert np.isnan(session.lat).all() and np.isnan(session.lon).all()
    assert session.lap_column is None and session.utc_s is None
    assert any("no Latitude/Longitude" in warning for warning in session.warnings)


def test_positions_are_held_from_fix_rows_only() -> None:
    names = ["Time", "GPS_Update", "Latitude", "Longitude"]
    rows = ["0.000,0,0.0,0.0", "0.050,1,45.0,7.0", "0.100,0,99.0,99.0", "0.150,1,45.5,7.5"]
    session = read_bytes(trackaddict_file(rows=rows, header=header_of(names)), "x.csv")
    assert np.isnan(session.lat[0]) and list(session.lat[1:]) == [45.0, 45.0, 45.5]
    assert list(session.lon[1:]) == [7.0, 7.0, 7.5]


def test_crlf_bom_and_missing_session_end() -> None:
    data = b"\xef\xbb\xbf" + trackaddict_file(tail=()).replace(b"\n", b"\r\n")
    session = read_bytes(data, "x.csv")
    assert session.row_count == 3 and session.time_s[2] == 0.1
    assert any("Session End" in warning for warning in session.warnings)


def test_session_end_without_final_newline() -> None:
    session = read_bytes(trackaddict_file().rstrip(b"\n"), "x.csv")
    assert session.row_count == 3 and session.warnings == []


def test_preamble_less_file_is_still_trackaddict() -> None:
    session = read_bytes(trackaddict_file(preamble=()), "x.csv")
    assert session.row_count == 3 and session.metadata.app_version is None


def test_repeated_times_keep_every_row() -> None:
    rows = [METRIC_ROWS[0], METRIC_ROWS[0].replace(",1,0.000,51", ",0,0.000,51"), METRIC_ROWS[2]]
    session = read_bytes(trackaddict_file(rows=rows), "x.csv")
    assert list(session.time_s) == [0.0, 0.0, 0.1] and list(session.gps_fix) == [True, False, True]


def test_header_names_are_matched_case_insensitively() -> None:
    header = METRIC_20.replace('"Speed (Km/h)"', '"SPEED (km/H)"').replace('"Time"', '"time"')
    session = read_bytes(trackaddict_file(header=header), "x.csv")
    assert session.channels["speed"][2] == 1.0 and session.time_s[2] == 0.1


def test_duplicate_structural_column_uses_the_first() -> None:
    names = ["Time", "GPS_Update", "Latitude", "Longitude", "Time"]
    session = read_bytes(trackaddict_file(rows=["0.000,1,45.0,7.0,9.000", "0.050,1,45.0,7.0,1.000"],
                                          header=header_of(names)), "x.csv")
    assert list(session.time_s) == [0.0, 0.05]
    assert session.warnings == ["column 'Time' appears twice; the first one is used"]


def test_a_comment_after_every_row() -> None:
    rows = []
    for index in range(3000):
        rows += [f"{index / 20:.3f},1,45.{index:07d},7.0", "# Pit Lane Entry" if index % 2 else "# Pit Lane Exit"]
    names = ["Time", "GPS_Update", "Latitude", "Longitude"]
    session = read_bytes(trackaddict_file(rows=rows, header=header_of(names)), "x.csv")
    assert session.row_count == 3000 and session.lat[2999] == float("45.0002999")
    assert np.array_equal(session.time_s, np.arange(3000) / 20)
    pits = [e for e in session.events if e.kind.startswith("pit")]
    assert [e.row_index for e in pits] == list(range(1, 3001))
    assert pits[-1].line_no == 3 + 2 * 3000


def test_damaged_lap_lines_are_kept_as_unreadable_laps_with_a_warning() -> None:
    rows = [METRIC_ROWS[0], "# Lap 99999999999999999999: 00:01:00.000", METRIC_ROWS[1],
            "# Lap 1: 99999999999999:00:00.000", METRIC_ROWS[2], "# Laptop battery low"]
    session = read_bytes(trackaddict_file(rows=rows), "x.csv")
    assert session.lap_markers == []
    kinds = [(e.kind, e.number) for e in session.events]
    assert kinds == [("lap_unreadable", None), ("lap_unreadable", 1), ("other", None), ("session_end", None)]
    assert session.warnings == [
        "x.csv, line 5: cannot read the lap time in '# Lap 99999999999999999999: 00:01:00.000'; "
        "that lap is timed from its start/finish crossing instead",
        "x.csv, line 7: cannot read the lap time in '# Lap 1: 99999999999999:00:00.000'; "
        "lap 1 is timed from its start/finish crossing instead",
    ]
