"""VBO from Racelogic, RaceBox and Harry's LapTimer: minutes, west-positive longitude, gates, midnight, CRLF."""

from __future__ import annotations

import csv
import itertools
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from format_writers import drive, vbo

from racetrace_desktop.telemetry.formats import read_bytes, read_file
from racetrace_desktop.telemetry.session import analyse

VBO_GPS_TOLERANCE_MS = 20  # 10 Hz fixes with 0.3 m noise crossing the line at 40-70 m/s (as for TrackAddict)


def data_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    lines = path.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
    names = lines[lines.index("[column names]") + 1].split()
    body = lines[lines.index("[data]") + 1 :]
    return names, [line.split() for line in body if line.strip()]


def seconds_of_day(hhmmss: str) -> float:
    value = float(hhmmss)
    return int(value // 10000) * 3600 + int(value // 100 % 100) * 60 + value % 100


def gate_crossings(path: Path, gate: tuple[float, float, float, float]) -> list[float]:
    """Times at which the recorded path crosses the segment (lat1, lon1, lat2, lon2), with plain code."""
    names, rows = data_rows(path)
    t_at, lat_at = names.index("time"), names.index("lat")
    lon_at = names.index("lng") if "lng" in names else names.index("long")
    fixes = [(seconds_of_day(r[t_at]), float(r[lat_at]) / 60, -float(r[lon_at]) / 60) for r in rows
             if float(r[lat_at]) != 0 and (names[-1] != "sats" or r[-1] != "0")]
    lat1, lon1, lat2, lon2 = gate
    k = math.cos(math.radians(lat1))

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return (lon - lon1) * k, lat - lat1

    gx, gy = xy(lat2, lon2)
    found: list[float] = []
    for (t0, la0, lo0), (t1, la1, lo1) in itertools.pairwise(fixes):
        (x0, y0), (x1, y1) = xy(la0, lo0), xy(la1, lo1)
        side0, side1 = gx * y0 - gy * x0, gx * y1 - gy * x1
        if side0 < 0 <= side1 or side1 < 0 <= side0:
            u = side0 / (side0 - side1)
            px, py = x0 + u * (x1 - x0), y0 + u * (y1 - y0)
            along = (px * gx + py * gy) / (gx * gx + gy * gy)
            if 0 <= along <= 1 and t1 - t0 <= 2.0:
                found.append(t0 + u * (t1 - t0))
    return found


def test_positions_are_minutes_with_longitude_positive_west(other_samples: Path) -> None:
    """racebox_standard.vbo and racebox_standard.csv are the same recording: the CSV gives every row in degrees."""
    vbo_raw = read_file(other_samples / "racebox_standard.vbo")
    with (other_samples / "racebox_standard.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert vbo_raw.row_count == len(rows)
    lat = np.array([float(r["Latitude"]) for r in rows])
    lon = np.array([float(r["Longitude"]) for r in rows])
    fix = vbo_raw.gps_fix
    assert not fix[0] and fix[1:].all()  # the first row has 0 satellites
    np.testing.assert_allclose(vbo_raw.lat[fix], lat[fix], atol=1e-6)  # ~0.1 m
    np.testing.assert_allclose(vbo_raw.lon[fix], lon[fix], atol=1e-6)
    assert lon[1] < -82  # North Carolina: west
    assert vbo_raw.metadata.track_name == "Home" and vbo_raw.metadata.logger == "RaceBox #3242708869"
    assert vbo_raw.metadata.session_start_utc == datetime(2026, 7, 26, 19, 18, 58, tzinfo=UTC)
    # its [laptiming] line is at another venue, 28 km away: no laps and no track from it
    assert vbo_raw.metadata.start_finish is None and vbo_raw.lap_markers == []
    assert any("km from every recorded position" in w for w in vbo_raw.warnings)


def test_lignano_east_longitude_and_laps_from_the_gate(other_samples: Path) -> None:
    path = other_samples / "racebox_lignano.vbo"
    raw = read_file(path)
    assert 13.0 < np.nanmedian(raw.lon) < 13.1 and 45.7 < np.nanmedian(raw.lat) < 45.8  # Italy: east
    # RaceBox writes each gate point latitude first: +02743.96882 -000784.39721 +02743.95983 -000784.39786
    crossings = gate_crossings(path, (2743.96882 / 60, 784.39721 / 60, 2743.95983 / 60, 784.39786 / 60))
    kept = [crossings[0]]
    for t in crossings[1:]:
        if t - kept[-1] >= 10.0:
            kept.append(t)
    _names, rows = data_rows(path)
    t0 = seconds_of_day(rows[0][0])
    ends = [t - t0 for t in kept]
    expected = [round(b * 1000) - round(a * 1000) for a, b in zip([0.0, *ends], ends, strict=False)]
    laps = analyse(raw).laps
    assert len(laps) == 14 and laps[-1].lap_time_ms is None
    got = [lap.lap_time_ms for lap in laps[:-1]]
    assert all(abs(g - e) <= 1 for g, e in zip(got, expected, strict=True)), (got, expected)
    assert min(got[1:]) == min(expected[1:]) == pytest.approx(65726, abs=1)
    assert all(lap.time_source == "gps" for lap in laps[:-1])
    assert raw.metadata.track_name == "Lignano"


def test_harrys_laptimer_crlf_gate_as_point_and_direction(other_samples: Path) -> None:
    path = other_samples / "harrys_laptimer.vbo"
    assert b"\r\n" in path.read_bytes()[:200]
    raw = read_file(path)
    meta = raw.metadata
    assert (meta.app_name, meta.app_version) == ("Harry's LapTimer", "20.0.17")
    assert meta.track_name == "SoWillow CW" and meta.vehicle == "'01 Mazda MX-5 Miata"
    assert {"throttle", "rpm", "long_g", "lat_g", "speed", "heading", "altitude"} <= set(raw.channels)
    assert any("runs along the track" in w for w in raw.warnings)
    laps = analyse(raw).laps
    valid = [lap.lap_time_ms for lap in laps if lap.is_valid]
    assert valid == [93260, 91542, 98190, 97689, 94522, 97647]
    # the file joins laps recorded one by one: a "lap" across an hour without rows is never valid
    assert [lap.invalid_reason for lap in laps if lap.invalid_reason and "gap" in lap.invalid_reason] == [
        "recording gap of 3403 s", "recording gap of 2892 s", "recording gap of 3192 s"]


def test_racelogic_circuit_tools_layout(other_samples: Path) -> None:
    raw = read_file(other_samples / "racelogic_circuit_tools.vbo")
    assert raw.row_count == 6 and raw.metadata.app_name == "Racelogic Circuit Tools"
    np.testing.assert_allclose(raw.time_s, [0, 1, 2, 241, 242, 243])  # 095600 -> 095959 is a gap
    assert raw.lat[0] == pytest.approx(3119.09973 / 60) and raw.lon[0] == pytest.approx(-63.00614 / 60)
    np.testing.assert_allclose(raw.channels["speed"][:2], [60.123 / 3.6, 61.450 / 3.6])


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("crlf", [False, True], ids=["LF", "CRLF"])
def test_generated_drive_across_midnight(seed: int, crlf: bool) -> None:
    d = drive(seed, start_utc=datetime(2026, 7, 13, 23, 57, 0, tzinfo=UTC))
    data = vbo(d, crlf=crlf)
    raw = read_bytes(data, "midnight.vbo")
    assert raw.metadata.session_start_utc == datetime(2026, 7, 13, 23, 57, 0, tzinfo=UTC)
    assert raw.metadata.extra["Crosses midnight"] == "yes" and np.all(np.diff(raw.time_s) > 0)
    assert raw.utc_s is not None and raw.utc_s[-1] > datetime(2026, 7, 14, tzinfo=UTC).timestamp()
    assert "brakepressure" in raw.channels  # a channel no table knows is kept
    laps = analyse(raw).laps
    for lap, true_ms in zip(laps[1:], d.true_lap_ms, strict=False):
        assert abs(lap.lap_time_ms - true_ms) <= VBO_GPS_TOLERANCE_MS


def test_gate_written_latitude_first_is_read_the_same() -> None:
    d = drive(0)
    lon_first = read_bytes(vbo(d, crlf=False), "a.vbo")
    lat_first = read_bytes(vbo(d, crlf=False, latitude_first_gates=True), "b.vbo")
    assert lon_first.metadata.start_finish == lat_first.metadata.start_finish
    assert [m.duration_ms for m in lon_first.lap_markers] == [m.duration_ms for m in lat_first.lap_markers]
    assert len(lon_first.lap_markers) == len(d.crossings_s)
