"""RaceBox CSV: the real exports (short RaceRender names; ISO-8601 app export) and generated drives."""

from __future__ import annotations

import csv
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from format_writers import drive, racebox_csv

from racetrace_desktop.telemetry.formats import read_bytes, read_file
from racetrace_desktop.telemetry.session import analyse


def lap_changes(path: Path) -> list[tuple[float, int]]:
    """(time, new lap number) at every change of the Lap column, read with the csv module."""
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [(float(b["Time"]), int(b["Lap"])) for a, b in itertools.pairwise(rows) if a["Lap"] != b["Lap"]]


def test_racebox_laps_come_from_the_lap_column(other_samples: Path) -> None:
    path = other_samples / "racebox.csv"
    changes = lap_changes(path)
    assert [lap for _, lap in changes] == [1, 2, 3, 4, 0]  # 0 again after the finish: the in-lap
    times = [0.0] + [t for t, _ in changes]
    expected_ms = [round((b - a) * 1000) for a, b in itertools.pairwise(times)]

    session = analyse(read_file(path))
    laps = session.laps
    assert [lap.lap_time_ms for lap in laps] == [*expected_ms, None]
    assert expected_ms[1:] == [169080, 115800, 110840, 109000]
    assert [lap.time_source for lap in laps] == ["lap_column"] * 5 + ["none"]
    assert laps[0].is_outlap and laps[-1].is_inlap and session.best_lap is laps[4]


def test_racebox_channels_metadata_and_positions(other_samples: Path) -> None:
    raw = read_file(other_samples / "racebox.csv")
    with (other_samples / "racebox.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert raw.row_count == len(rows) == 19060
    assert raw.metadata.format_name == "RaceBox CSV" and raw.metadata.app_name == "RaceBox"
    assert raw.metadata.session_start_utc is None  # times are seconds from the start
    np.testing.assert_array_equal(raw.lat, [float(r["Latitude"]) for r in rows])
    np.testing.assert_array_equal(raw.lon, [float(r["Longitude"]) for r in rows])
    kph = np.array([float(r["KPH"]) for r in rows])
    np.testing.assert_allclose(raw.channels["speed"], kph / 3.6, rtol=1e-12)
    assert raw.channel_info["speed"].display_unit == "km/h" and raw.channel_info["speed"].unit == "m/s"
    assert {"accel_x", "accel_y", "accel_z", "gyro_x", "gyro_y", "gyro_z", "altitude"} <= set(raw.channels)
    assert raw.metadata.start_finish is not None  # where the first lap began: lets the import place a track


def test_app_export_with_iso_times_and_units_from_the_app_settings(other_samples: Path) -> None:
    """The 'Standard' export writes Speed in mph and Altitude in feet here (the app's unit setting) and says
    neither; its VBO twin (same recording) has km/h and metres, which tells the truth."""
    raw = read_file(other_samples / "racebox_standard.csv")
    assert raw.metadata.session_start_utc == datetime(2026, 7, 26, 19, 18, 58, 880000, tzinfo=UTC)
    assert raw.utc_s is not None and raw.time_s[0] == 0.0
    assert raw.time_s[1] == pytest.approx(0.040, abs=1e-9)
    twin = read_file(other_samples / "racebox_standard.vbo")
    assert twin.row_count == raw.row_count
    assert raw.channel_info["speed"].display_unit == "mph"
    moving = twin.channels["speed"] > 5.0
    np.testing.assert_allclose(raw.channels["speed"][moving], twin.channels["speed"][moving], rtol=0.02, atol=0.02)
    np.testing.assert_allclose(raw.channels["altitude"], twin.channels["altitude"], atol=0.1)
    assert analyse(raw).laps[0].time_source == "none"  # a road drive: lap 0 only


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("iso", [True, False], ids=["iso-time", "seconds"])
def test_generated_drive_lap_times_within_one_row(seed: int, iso: bool) -> None:
    d = drive(seed)
    raw = read_bytes(racebox_csv(d, iso=iso), "RaceBox Track Session.csv")
    laps = analyse(raw).laps
    assert len(laps) == len(d.crossings_s) + 1
    for lap, true_ms in zip(laps[1:], d.true_lap_ms, strict=False):
        assert abs(lap.lap_time_ms - true_ms) <= 50  # rows are 20 Hz here: the Lap column flips on the next row
    assert (raw.metadata.session_start_utc is not None) == iso


def test_crlf_and_a_bom_give_the_same_session() -> None:
    data = racebox_csv(drive(0), iso=True, short_names=True)
    plain = read_bytes(data, "a.csv")
    other = read_bytes(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"), "b.csv")
    np.testing.assert_array_equal(plain.time_s, other.time_s)
    np.testing.assert_array_equal(plain.channels["speed"], other.channels["speed"])
    assert [m.duration_ms for m in plain.lap_markers] == [m.duration_ms for m in other.lap_markers]


def test_a_cut_off_last_row_is_dropped_with_a_warning() -> None:
    data = racebox_csv(drive(0), iso=False)
    lines = data.count(b"\n")
    raw = read_bytes(data[:-30], "cut.csv")
    assert raw.row_count == lines - 2  # header and the cut row
    assert raw.warnings == [f"line {lines}: the last row is cut off (the file looks truncated); it was dropped"]


@pytest.mark.parametrize("step_s", [0.04, 86_400.04])  # 25 Hz across midnight / a new date on every row
def test_iso_times_match_the_calendar_across_dates(step_s: float) -> None:
    start = datetime(2026, 7, 26, 23, 59, 58, 120_000, tzinfo=UTC)
    stamps = [start + timedelta(seconds=step_s * k) for k in range(200)]
    lines = ["Record,Time,Latitude,Longitude,Altitude,Speed,GForceX,GForceY,GForceZ,Lap"]
    for k, stamp in enumerate(stamps):
        iso = stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
        lines.append(f"{k + 1},{iso},35.75{k:04d},-82.8697891,2403.2,0.02,0.050,0.061,0.991,0")
    session = read_bytes(("\n".join(lines) + "\n").encode(), "racebox.csv")
    assert session.utc_s is not None
    assert np.array_equal(session.utc_s, [stamp.timestamp() for stamp in stamps])
    assert np.array_equal(session.time_s, [(stamp - start) / timedelta(seconds=1) for stamp in stamps])

