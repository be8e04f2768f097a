"""analyse() on the real TrackAddict exports S1 (pit lane, messy GPS), S2 (Goodwood, OBD), S4 (2 s excerpt)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from racetrace_desktop.telemetry.formats import read_file
from racetrace_desktop.telemetry.model import AnalysedSession, GeoPoint, TrackDefinition
from racetrace_desktop.telemetry.session import analyse

GOODWOOD_LENGTH_M = 3809.0  # published length of Goodwood Motor Circuit (2.367 mi)


@pytest.fixture(scope="module")
def s1(trackaddict_samples: Path) -> AnalysedSession:
    return analyse(read_file(trackaddict_samples / "sample_01.csv"))


@pytest.fixture(scope="module")
def s2(trackaddict_samples: Path) -> AnalysedSession:
    return analyse(read_file(trackaddict_samples / "sample_02.csv"))


@pytest.fixture(scope="module")
def s4(trackaddict_samples: Path) -> AnalysedSession:
    return analyse(read_file(trackaddict_samples / "sample_04.csv"))


def test_s1_lap_times_flags_and_pit_laps(s1: AnalysedSession) -> None:
    laps = s1.laps
    assert [lap.lap_time_ms for lap in laps] == [155138, 444553, 107089, 116145, 357906, None]
    assert [lap.time_source for lap in laps] == ["stated"] * 5 + ["none"]
    assert laps[0].is_outlap and laps[0].invalid_reason == "out-lap"
    assert laps[5].is_inlap and laps[5].invalid_reason == "in-lap"
    # Every lap after the out-lap holds a `# Pit Lane Entry`/`Exit` line or runs inside such a visit.
    assert [lap.is_pit for lap in laps] == [False, True, True, True, True, True]
    assert [lap.invalid_reason for lap in laps[1:5]] == ["pit lane"] * 4
    assert s1.best_lap is None and s1.theoretical_best_ms is None
    starts = np.cumsum([0, 155138, 444553, 107089, 116145, 357906]) / 1000.0
    assert [lap.start_s for lap in laps] == pytest.approx(list(starts), abs=1e-9)


def test_s1_end_point_is_not_where_trackaddict_timed(s1: AnalysedSession) -> None:
    """S1's `# End Point` lies about 105 m from where the logger timed the laps (in the pit lane), so the GPS
    crossings of a line there cannot be matched to the stated times: no GPS lap time is invented."""
    assert all(lap.gps_time_ms is None for lap in s1.laps)
    assert any("do not match the stated lap times" in w for w in s1.warnings)


def test_s1_lap_data_time_axis_starts_at_the_stated_crossing(s1: AnalysedSession) -> None:
    for lap in s1.laps:
        data = lap.data
        assert data is not None and data.row_count == lap.row_end - lap.row_start
        # The Lap column flips on a fix up to ~1 s after the crossing (S1 lap 2: 0.45 s before it).
        assert -0.5 <= data.time_s[0] <= 1.1
        assert np.all(np.diff(data.distance_m) >= 0) and np.all(np.isfinite(data.distance_m))
        assert set(data.channels) >= {"speed", "gps_long_g", "gps_lat_g"}
        if lap.lap_time_ms is not None and lap.lap_time_ms < 200_000:  # the laps without a pit stop
            assert 2000 < lap.length_m < 2700


def test_s1_sectors_split_every_timed_lap_that_crossed_all_lines(s1: AnalysedSession) -> None:
    assert len(s1.sector_boundaries_m) == 3
    complete = [lap for lap in s1.laps if lap.sector_times_ms and None not in lap.sector_times_ms]
    assert len(complete) >= 3
    for lap in complete:
        assert sum(lap.sector_times_ms) == lap.lap_time_ms


def test_s2_laps_gps_re_lapping_and_lap_length(s2: AnalysedSession) -> None:
    laps = s2.laps
    assert [lap.lap_time_ms for lap in laps] == [123202, 177527, None]
    assert laps[2].is_inlap and not laps[1].is_pit and laps[1].is_valid
    assert s2.best_lap is laps[1]
    # Re-lapped from the GPS crossings of the End Point line: 123184 and 177527 ms (differences -18 and 0 ms).
    assert abs(laps[0].gps_time_ms - 123202) <= 50
    assert abs(laps[1].gps_time_ms - 177527) <= 50
    assert laps[1].length_m == pytest.approx(GOODWOOD_LENGTH_M, rel=0.01)
    assert s2.theoretical_best_ms == 177527  # one valid lap: its own sectors
    assert sum(laps[1].sector_times_ms) == 177527


def test_s2_gps_laps_match_the_stated_laps(trackaddict_samples: Path) -> None:
    raw = read_file(trackaddict_samples / "sample_02.csv")
    relapped = analyse(raw, prefer_gps=True)
    assert [lap.time_source for lap in relapped.laps] == ["gps", "gps", "none"]
    assert [lap.lap_time_ms for lap in relapped.laps[:2]] == pytest.approx([123202, 177527], abs=50)


def test_s2_obd_stats_in_si(s2: AnalysedSession) -> None:
    stats = s2.laps[1].stats
    assert 3000 < stats["max_rpm"] < 9000
    assert 50 < stats["max_throttle"] <= 100
    assert 20 < stats["max_speed"] < 60  # m/s
    assert stats["avg_speed"] == pytest.approx(stats["length_m"] / 177.527)


def test_s2_with_a_track_definition_and_four_sectors(trackaddict_samples: Path) -> None:
    raw = read_file(trackaddict_samples / "sample_02.csv")
    track = TrackDefinition(start_finish=GeoPoint(50.857952, -0.752617), num_sectors=4)
    session = analyse(raw, track)
    assert [lap.lap_time_ms for lap in session.laps[:2]] == [123202, 177527]
    assert len(session.sector_boundaries_m) == 4
    assert sum(session.laps[1].sector_times_ms) == 177527


def test_s4_two_second_excerpt_is_one_untimed_lap(s4: AnalysedSession) -> None:
    assert len(s4.laps) == 1
    lap = s4.laps[0]
    assert lap.lap_time_ms is None and lap.time_source == "none" and lap.row_end == 48
    assert lap.data is not None and lap.data.row_count == 48
    assert 15 < lap.length_m < 35  # about 2 s at 17-24 km/h
    assert s4.sector_boundaries_m == [] and s4.theoretical_best_ms is None
