"""AiM Race Studio CSV, Lap Legend CSV and GPX, written from generated drives as docs/formats.md describes them
(no sample of these is shared): beacons exact to the ms, a Lap column within one row, GPX positions only."""

from __future__ import annotations

import re
from datetime import datetime

import numpy as np
import pytest
from format_writers import START_UTC, aim_csv, drive, laplegend_csv

from racetrace_desktop.telemetry.formats import read_bytes
from racetrace_desktop.telemetry.model import TrackDefinition
from racetrace_desktop.telemetry.session import analyse


def beacon_lap_ms(data: bytes) -> list[int]:
    """Lap times from the Beacon Markers line, with plain code: differences of the markers, the first from 0."""
    line = next(line for line in data.decode().splitlines() if line.startswith('"Beacon Markers"')
                or line.startswith("Beacon Markers"))
    marks = [round(float(cell.strip('"')) * 1000) for cell in line.split(",")[1:] if cell.strip('"')]
    return [b - a for a, b in zip([0, *marks], marks, strict=False)]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("quoted", [True, False], ids=["quoted", "plain"])
def test_aim_lap_times_are_the_beacon_markers(seed: int, quoted: bool) -> None:
    d = drive(seed)
    data = aim_csv(d, quoted=quoted)
    raw = read_bytes(data, "aim_export.csv")
    laps = analyse(raw).laps
    expected = beacon_lap_ms(data)
    assert [lap.lap_time_ms for lap in laps] == [*expected, None]
    assert [lap.time_source for lap in laps] == ["beacon"] * len(expected) + ["none"]
    # the beacons are the true crossings to the ms
    assert all(abs(got - true) <= 1 for got, true in zip(expected[1:], d.true_lap_ms, strict=True))
    assert raw.warnings == []


def test_aim_metadata_and_channels() -> None:
    raw = read_bytes(aim_csv(drive(0)), "aim_export.csv")
    meta = raw.metadata
    assert (meta.format_name, meta.app_name, meta.logger) == ("AiM CSV", "AiM Race Studio", "AiM")
    assert (meta.vehicle, meta.driver, meta.track_name) == ("Kart 125", "Ann Driver", "Synthetic Ring")
    assert meta.local_start == datetime(2026, 7, 13, 16, 35)  # Date + Time lines, local wall clock
    assert meta.session_start_utc is None
    assert raw.channel_info["speed"].display_unit == "km/h" and raw.channel_info["lat_g"].unit == "g"
    assert {"satellites", "heading", "altitude", "long_g", "rpm"} <= set(raw.channels)
    assert np.isfinite(raw.lat).all()


def test_aim_segment_times_that_disagree_are_reported() -> None:
    d = drive(0)
    raw = read_bytes(aim_csv(d, segment_shift_ms=400), "aim_export.csv")
    assert [m.duration_ms for m in raw.lap_markers] == beacon_lap_ms(aim_csv(d))
    (warning,) = raw.warnings
    assert warning.startswith("the Segment Times differ from the beacon markers") and "lap 2:" in warning


def test_aim_export_cut_before_the_last_beacon() -> None:
    d = drive(0)
    cut = (d.crossings_s[-2] + d.crossings_s[-1]) / 2
    raw = read_bytes(aim_csv(d, cut_s=cut), "aim_part.csv")
    assert len(raw.lap_markers) == len(d.crossings_s) - 1
    assert any("1 beacon marker(s) lie after the end of the data" in w for w in raw.warnings)


@pytest.mark.parametrize("seed", [0, 3])
def test_lap_legend_laps_from_the_lap_column(seed: int) -> None:
    d = drive(seed)
    raw = read_bytes(laplegend_csv(d), "LapLegend_export.csv")
    assert raw.metadata.format_name == "Lap Legend CSV"
    laps = analyse(raw).laps
    assert [lap.time_source for lap in laps] == ["lap_column"] * len(d.crossings_s) + ["none"]
    for lap, true_ms in zip(laps[1:], d.true_lap_ms, strict=False):
        assert abs(lap.lap_time_ms - true_ms) <= 50  # one 20 Hz row
    assert raw.warnings == []


def test_lap_legend_metadata_channels_and_lap_number_check() -> None:
    raw = read_bytes(laplegend_csv(drive(0), lap_number_offset_rows=5), "LapLegend_export.csv")
    meta = raw.metadata
    assert (meta.track_name, meta.app_name, meta.app_version) == ("Synthetic Ring", "Lap Legend", "2.4.1")
    assert (meta.device, meta.os_name, meta.logger) == ("Pixel 8", "Android 15", "RaceBox Mini S")
    assert raw.channel_info["coolant_temp"].unit == "C" and raw.channel_info["rpm"].source == "obd"
    assert raw.channel_info["speed"].display_unit == "km/h"
    assert any(re.search(r"'Lap Number' column changes .* laps follow 'Lap'", w) for w in raw.warnings)


def gpx_document(d: object) -> bytes:
    from format_writers import Drive

    assert isinstance(d, Drive)
    rows = np.flatnonzero(d.raw.gps_fix)
    points = []
    for row in rows:
        moment = START_UTC.timestamp() + float(d.raw.time_s[row] - d.raw.time_s[0])
        stamp = datetime.fromtimestamp(moment, tz=START_UTC.tzinfo).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        points.append(f'<trkpt lat="{d.raw.lat[row]:.7f}" lon="{d.raw.lon[row]:.7f}"><ele>110.0</ele>'
                      f"<time>{stamp}</time></trkpt>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="Some Watch" '
            'xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Synthetic Ring</name><trkseg>'
            + "\n".join(points) + "</trkseg></trk></gpx>\n").encode()


def test_gpx_is_positions_only_and_laps_come_from_the_track() -> None:
    d = drive(0)
    raw = read_bytes(gpx_document(d), "watch.gpx")
    assert raw.metadata.format_name == "GPX" and raw.metadata.app_name == "Some Watch"
    assert raw.metadata.session_start_utc == START_UTC and raw.metadata.track_name == "Synthetic Ring"
    assert set(raw.channels) == {"altitude"} and raw.lap_markers == []
    assert analyse(raw).laps[0].time_source == "none"  # no line known: one untimed lap
    laps = analyse(raw, TrackDefinition(start_finish=d.truth.start_finish)).laps
    assert [lap.time_source for lap in laps[1:-1]] == ["gps"] * len(d.true_lap_ms)
    for lap, true_ms in zip(laps[1:], d.true_lap_ms, strict=False):
        assert abs(lap.lap_time_ms - true_ms) <= 20
