"""analyse() on generated TrackAddict files, checked against the generator's ground truth."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from analysis_cases import analysed, raw_of, recording

from racetrace_desktop.telemetry.model import AnalysedSession, TrackDefinition
from racetrace_desktop.telemetry.session import analyse

# Lap-time tolerance of GPS line crossings against the exact crossing (ms). Phone-grade 1 Hz fixes with ~1 m
# noise at 40-70 m/s over the line give tens of ms; a 10 Hz receiver a few ms.
GPS_LAP_TOLERANCE_MS = {1: 80, 10: 20}
LENGTH_TOLERANCE_M = {1: 8.0, 10: 5.0}  # of a 3.7 km lap
SECTOR_TOLERANCE_MS = {1: 90, 10: 25}

CASES = [
    pytest.param(dict(gps_hz=1, seed=0), id="1Hz-metric"),
    pytest.param(dict(gps_hz=1, seed=1, units="imperial", pit_stop_lap=2), id="1Hz-imperial-pit"),
    pytest.param(dict(gps_hz=10, seed=2, pit_stop_lap=3), id="10Hz-metric-pit"),
    pytest.param(dict(gps_hz=10, seed=3, units="imperial", obd=False), id="10Hz-imperial-no-obd"),
]


@pytest.mark.parametrize("case", CASES)
def test_stated_lap_times_are_taken_exactly_and_laps_flagged(case: dict) -> None:
    truth = recording(laps=5, **case).truth
    session = analysed(laps=5, **case)
    laps = session.laps
    assert [lap.number for lap in laps] == list(range(truth.inlap_number + 1))
    assert [lap.lap_time_ms for lap in laps[:-1]] == truth.lap_times_ms
    assert all(lap.time_source == "stated" for lap in laps[:-1])
    assert laps[-1].lap_time_ms is None and laps[-1].is_inlap and laps[-1].invalid_reason == "in-lap"
    assert laps[0].is_outlap and laps[0].invalid_reason == "out-lap"
    assert [lap.number for lap in laps if lap.is_pit] == truth.pit_laps
    for lap in laps[1:-1]:
        assert lap.is_valid == (lap.number not in truth.pit_laps)
        assert lap.invalid_reason == (None if lap.is_valid else "pit lane")
    for k, lap in enumerate(laps[1:], start=1):  # each start crossing is the recording start + stated durations
        assert lap.start_s == pytest.approx(sum(truth.lap_times_ms[:k]) / 1000.0, abs=1e-9)


@pytest.mark.parametrize("case", CASES)
def test_gps_crossings_agree_with_the_true_lap_times(case: dict) -> None:
    truth = recording(laps=5, **case).truth
    tolerance = GPS_LAP_TOLERANCE_MS[case["gps_hz"]]
    stated = analysed(laps=5, **case)
    gps_only = analyse(raw_of(laps=5, **case), prefer_gps=True)
    assert [lap.time_source for lap in gps_only.laps[:-1]] == ["gps"] * len(truth.lap_times_ms)
    for k, true_ms in enumerate(truth.lap_times_ms):
        # A lap that starts or ends in the pit lane crosses the line at 60 km/h: the same position error is
        # three times the time error.
        allowed = tolerance * (3 if k in truth.pit_laps else 1)
        assert abs(gps_only.laps[k].lap_time_ms - true_ms) <= allowed, k
        assert abs(stated.laps[k].gps_time_ms - true_ms) <= allowed, k


@pytest.mark.parametrize("case", CASES)
def test_lap_length_and_distance_axis(case: dict) -> None:
    truth = recording(laps=5, **case).truth
    session = analysed(laps=5, **case)
    for lap in session.laps[:-1]:
        assert lap.length_m == pytest.approx(truth.lap_lengths_m[lap.number], abs=LENGTH_TOLERANCE_M[case["gps_hz"]])
    for lap in session.laps:
        data = lap.data
        assert data is not None and data.row_count == lap.row_end - lap.row_start
        assert np.all(np.isfinite(data.distance_m)) and np.all(np.diff(data.distance_m) >= 0)
        assert np.all(np.diff(data.time_s) >= 0)
        # The axes start at the crossing: the first row comes within one GPS interval after it.
        assert 0 <= data.time_s[0] <= 1.05 / case["gps_hz"] + 0.3  # (+ the longest gap between rows)
        if lap.lap_time_ms is not None:  # distance at the lap time is the lap length
            assert np.interp(lap.lap_time_ms / 1000, data.time_s, data.distance_m) == pytest.approx(lap.length_m, abs=3)


@pytest.mark.parametrize("case", CASES)
def test_sectors_add_up_and_bound_the_theoretical_best(case: dict) -> None:
    session = analysed(laps=5, **case)
    assert len(session.sector_boundaries_m) == 3
    assert session.sector_boundaries_m == sorted(session.sector_boundaries_m)
    valid = [lap for lap in session.laps if lap.is_valid]
    for lap in session.laps:
        if lap.lap_time_ms is not None and None not in lap.sector_times_ms:
            assert len(lap.sector_times_ms) == 3 and sum(lap.sector_times_ms) == lap.lap_time_ms
    for lap in valid:
        assert None not in lap.sector_times_ms
    assert session.theoretical_best_ms is not None
    assert session.theoretical_best_ms <= min(lap.lap_time_ms for lap in valid)
    per_sector_best = [min(lap.sector_times_ms[j] for lap in valid) for j in range(3)]
    assert session.theoretical_best_ms == sum(per_sector_best)


@pytest.mark.parametrize("case", CASES)
def test_sector_times_through_the_true_gates(case: dict) -> None:
    truth = recording(laps=5, **case).truth
    track = TrackDefinition(start_finish=truth.start_finish, sector_gates=truth.sector_gates)
    session = analyse(raw_of(laps=5, **case), track)
    tolerance = SECTOR_TOLERANCE_MS[case["gps_hz"]]
    for lap in session.laps:
        if lap.number in truth.sector_times_ms:
            got, want = np.array(lap.sector_times_ms), np.array(truth.sector_times_ms[lap.number])
            assert np.abs(got - want).max() <= tolerance, (lap.number, got, want)
    assert session.sector_boundaries_m == pytest.approx(truth.sector_boundaries_m, abs=15)


def test_four_equal_sectors_on_request() -> None:
    session = analyse(raw_of(laps=5, gps_hz=10, seed=2, pit_stop_lap=3),
                      TrackDefinition(start_finish=recording(laps=5, gps_hz=10, seed=2, pit_stop_lap=3).truth
                                      .start_finish, num_sectors=4))
    ref_length = session.sector_boundaries_m[-1]
    assert session.sector_boundaries_m == pytest.approx([ref_length * k / 4 for k in (1, 2, 3, 4)])
    for lap in session.laps[1:-1]:
        assert len(lap.sector_times_ms) == 4 and sum(lap.sector_times_ms) == lap.lap_time_ms


def test_gps_accelerations_follow_the_true_ones_at_10_hz() -> None:
    truth = recording(laps=5, gps_hz=10, seed=2, pit_stop_lap=3).truth
    raw = raw_of(laps=5, gps_hz=10, seed=2, pit_stop_lap=3)
    session = analysed(laps=5, gps_hz=10, seed=2, pit_stop_lap=3)
    for lap in session.laps[1:-1]:
        data = lap.data
        t = raw.time_s[lap.row_start:lap.row_end]
        true_long, true_lat = truth.accelerations_g(t)
        moving = data.channels["speed"] > 5
        # Most of the remaining error sits at the instants the car switches from full throttle to full braking,
        # which any smoothing derivative rounds off.
        for key, true, rms in (("gps_long_g", true_long, 0.13), ("gps_lat_g", true_lat, 0.10)):
            err = data.channels[key][moving] - true[moving]
            assert np.sqrt(np.nanmean(err**2)) < rms, (lap.number, key)
            assert np.nanmedian(np.abs(err)) < 0.05, (lap.number, key)
        assert lap.stats["max_lat_g"] == pytest.approx(np.max(np.abs(true_lat)), abs=0.2)


def test_stats_per_lap() -> None:
    session = analysed(laps=5, gps_hz=1, seed=1, units="imperial", pit_stop_lap=2)
    truth = recording(laps=5, gps_hz=1, seed=1, units="imperial", pit_stop_lap=2).truth
    raw = raw_of(laps=5, gps_hz=1, seed=1, units="imperial", pit_stop_lap=2)
    lap = session.laps[3]
    rows = np.arange(lap.row_start, lap.row_end)
    fixes = raw.time_s[rows[raw.gps_fix[rows]]]  # at 1 Hz the peak between two fixes is never logged
    speeds = truth.drive.at_times(fixes[(fixes > lap.start_s) & (fixes < lap.end_s)], truth.drive.speed)
    true_max = truth.drive.at_times(np.linspace(lap.start_s, lap.end_s, 20_000), truth.drive.speed).max()
    # speed between fixes is interpolated: at least the fastest logged fix, never above the true peak
    assert speeds.max() - 0.5 <= lap.stats["max_speed"] <= true_max + 0.5
    assert lap.stats["avg_speed"] == pytest.approx(lap.length_m / (lap.lap_time_ms / 1000))
    assert 0 < lap.stats["min_speed"] < lap.stats["avg_speed"] < lap.stats["max_speed"]
    assert 6000 < lap.stats["max_rpm"] <= 7300 and lap.stats["max_throttle"] > 90
    assert 0.6 < lap.stats["max_brake_g"] < 1.4 and 0.2 < lap.stats["max_accel_g"] < 1.0
    assert pit_lap_is_slowest(session)


def pit_lap_is_slowest(session: AnalysedSession) -> bool:
    timed = [lap for lap in session.laps if lap.lap_time_ms and not lap.is_outlap]
    return max(timed, key=lambda lap: lap.lap_time_ms).is_pit


def test_laps_from_the_start_finish_line_when_the_file_has_no_lap_lines() -> None:
    truth = recording(laps=5, gps_hz=10, seed=2, pit_stop_lap=3).truth
    raw = replace(raw_of(laps=5, gps_hz=10, seed=2, pit_stop_lap=3), lap_markers=[])
    session = analyse(raw)
    assert [lap.time_source for lap in session.laps] == ["gps"] * len(truth.lap_times_ms) + ["none"]
    for lap, true_ms in zip(session.laps, truth.lap_times_ms, strict=False):
        assert abs(lap.lap_time_ms - true_ms) <= GPS_LAP_TOLERANCE_MS[10] * (3 if lap.is_pit else 1)
        assert lap.gps_time_ms is None
    assert session.laps[-1].is_inlap and session.laps[0].is_outlap


def test_no_line_no_lap_lines_and_no_lap_column_gives_one_untimed_lap() -> None:
    raw = raw_of(laps=2, gps_hz=1, seed=5)
    bare = replace(raw, lap_markers=[], lap_column=None, metadata=replace(raw.metadata, start_finish=None))
    session = analyse(bare)
    assert len(session.laps) == 1
    lap = session.laps[0]
    assert lap.lap_time_ms is None and lap.time_source == "none" and not lap.is_valid
    assert (lap.row_start, lap.row_end) == (0, raw.row_count)
    assert lap.length_m == pytest.approx(recording(laps=2, gps_hz=1, seed=5).truth.total_distance_m, rel=0.005)
    assert session.theoretical_best_ms is None


def test_a_track_line_far_from_the_files_line_re_times_the_laps() -> None:
    truth = recording(laps=5, gps_hz=10, seed=2, pit_stop_lap=3).truth
    raw = raw_of(laps=5, gps_hz=10, seed=2, pit_stop_lap=3)
    second_gate = truth.sector_gates[0]  # a third of the way round
    session = analyse(raw, TrackDefinition(start_finish=second_gate))
    assert any("re-timed from GPS" in w for w in session.warnings)
    timed = [lap for lap in session.laps if lap.lap_time_ms is not None]
    assert all(lap.time_source == "gps" for lap in timed)
    normal = [lap.lap_time_ms for lap in timed if not lap.is_pit and not lap.is_outlap]
    assert min(normal) == pytest.approx(truth.best_lap_ms, abs=1500)


def test_gps_outage_is_bridged_by_speed_and_never_interpolated() -> None:
    raw = raw_of(laps=5, gps_hz=10, seed=2, pit_stop_lap=3)
    truth = recording(laps=5, gps_hz=10, seed=2, pit_stop_lap=3).truth
    start = truth.crossing_times_s[1] + 30.0
    outage = (raw.time_s > start) & (raw.time_s < start + 6.0)
    session = analyse(replace(raw, gps_fix=raw.gps_fix & ~outage))
    lap = session.laps[2]
    assert lap.length_m == pytest.approx(truth.lap_lengths_m[2], abs=12.0)
    assert lap.lap_time_ms == truth.lap_times_ms[2]
    rows = slice(lap.row_start, lap.row_end)
    inside = outage[rows]
    assert np.all(np.diff(lap.data.distance_m) >= 0)
    assert np.all(np.isnan(lap.data.channels["gps_long_g"][inside][5:-5]))
    assert None not in lap.sector_times_ms and sum(lap.sector_times_ms) == lap.lap_time_ms


def test_no_data_rows_is_reported_not_raised() -> None:
    raw = raw_of(laps=1, gps_hz=1, seed=6)
    empty = replace(raw, time_s=raw.time_s[:0], utc_s=None, lap_column=None, gps_fix=raw.gps_fix[:0],
                    lat=raw.lat[:0], lon=raw.lon[:0], channels={}, channel_info={}, lap_markers=[], events=[])
    session = analyse(empty)
    assert session.laps == [] and "no data rows" in session.warnings[0]


def test_gps_spikes_and_stale_fixes_are_ignored() -> None:
    case = dict(laps=5, gps_hz=1, seed=0)
    raw = raw_of(**case)
    truth = recording(**case).truth
    lat, lon = raw.lat.copy(), raw.lon.copy()
    fix_rows = np.flatnonzero(raw.gps_fix)
    moving = fix_rows[raw.channels["speed"][fix_rows] > 20]
    for row in moving[50::40]:  # a fix thrown 150 m off, held until the next fix like the real logger does
        held = slice(row, fix_rows[np.searchsorted(fix_rows, row) + 1])
        lat[held] += 150 / 111_000
    for row in moving[70::40]:  # a fix that repeats the previous position while the car moves
        held = slice(row, fix_rows[np.searchsorted(fix_rows, row) + 1])
        previous = fix_rows[np.searchsorted(fix_rows, row) - 1]
        lat[held], lon[held] = lat[previous], lon[previous]
    session = analyse(replace(raw, lat=lat, lon=lon), prefer_gps=True)
    for lap in session.laps[:-1]:
        assert abs(lap.lap_time_ms - truth.lap_times_ms[lap.number]) <= GPS_LAP_TOLERANCE_MS[1]
        assert lap.length_m == pytest.approx(truth.lap_lengths_m[lap.number], abs=LENGTH_TOLERANCE_M[1] + 4)
