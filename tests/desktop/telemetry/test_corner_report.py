"""Per-lap corner figures against the generator's truth, hints, and the realistic/rolling best."""

from __future__ import annotations

import re

import numpy as np
import pytest
from analysis_cases import recording
from test_corners import compared, reference_path

from racetrace_desktop.telemetry.corner_figures import corner_figures, hints, ranked_losses
from racetrace_desktop.telemetry.corners import detect_corners
from racetrace_desktop.telemetry.realistic_best import (
    LapSegments,
    lap_segments,
    realistic_best,
    rolling_best,
    segment_cuts,
    sum_of_best,
)


def _centreline(result, gps_hz: float, seed: int, at_m: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Centreline positions of reference-grid distances (where the reference car really was)."""
    truth = recording(gps_hz=gps_hz, seed=seed).truth
    lap = int(result.reference_key)
    when = truth.crossing_times_s[lap - 1] + np.interp(at_m, result.distance_m, result.time_s[result.reference_key])
    return truth.drive.at_times(when, truth.drive.sigma) - (lap - 1) * truth.track_length_m


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_corner_figures_match_what_each_car_really_did(seed: int) -> None:
    result = compared(10, seed)
    corners = detect_corners(reference_path(result))
    figures = corner_figures(result, corners)
    truth = recording(gps_hz=10, seed=seed).truth
    ref_lap = int(result.reference_key)
    for i, corner in enumerate(corners):
        a, b = _centreline(result, 10, seed, np.array([corner.start_m, corner.end_m]))
        for key, per_corner in figures.items():
            got = per_corner[i]
            lap = int(key)
            true_time = float(np.diff(truth.time_at(lap, np.array([a, b])))[0])
            assert got.time_s == pytest.approx(true_time, abs=0.04), (key, corner.name)
            true_delta = true_time - float(np.diff(truth.time_at(ref_lap, np.array([a, b])))[0])
            assert got.delta_s == pytest.approx(true_delta, abs=0.04), (key, corner.name)
            span = (truth.drive.sigma >= (lap - 1) * truth.track_length_m + a) & (
                truth.drive.sigma <= (lap - 1) * truth.track_length_m + b)
            assert got.min_kmh == pytest.approx(truth.drive.speed[span].min() * 3.6, abs=3.0), (key, corner.name)
            assert got.entry_kmh is not None and got.exit_kmh is not None and got.max_lat_g is not None
            true_lat = np.abs(truth.drive.lat_accel[span]).max() / 9.80665
            assert got.max_lat_g == pytest.approx(true_lat, abs=0.25), (key, corner.name)


def test_the_delta_across_a_corner_is_the_trace_difference_across_its_segment() -> None:
    result = compared(1, 1)
    corners = detect_corners(reference_path(result))
    figures = corner_figures(result, corners)
    for key in result.keys:
        for corner, got in zip(corners, figures[key], strict=True):
            start, end = np.interp([corner.start_m, corner.end_m], result.distance_m, result.delta_s[key])
            assert got.delta_s == pytest.approx(end - start, abs=1e-12)


def test_braking_points_are_where_the_reference_car_really_started_braking() -> None:
    result = compared(10, 0)
    corners = detect_corners(reference_path(result))
    ref = corner_figures(result, corners)[result.reference_key]
    truth = recording(gps_hz=10, seed=0).truth
    lap = int(result.reference_key)
    drive, length = truth.drive, truth.track_length_m
    checked = 0
    for corner, got in zip(corners, ref, strict=True):
        if got.brake_m is None:
            continue
        apex_c = _centreline(result, 10, 0, np.array([corner.apex_m]))[0]
        sigma = drive.sigma - (lap - 1) * length
        window = (sigma > apex_c - 300) & (sigma < apex_c)
        braking = drive.long_accel[window] < -0.25 * 9.80665
        if not braking.any():
            continue
        last_on = np.flatnonzero(~braking[: np.flatnonzero(braking)[-1]])
        true_start = sigma[window][last_on[-1] + 1 if last_on.size else 0]
        assert got.brake_m == pytest.approx(true_start - apex_c, abs=15), corner.name
        checked += 1
    assert checked >= 6


def test_hints_name_the_costliest_corners_with_their_numbers_and_stay_silent_when_unsure() -> None:
    result = compared(10, 2)
    corners = detect_corners(reference_path(result))
    figures = corner_figures(result, corners)
    slowest = max(result.keys, key=lambda k: result.lap_time_ms[k])
    said = hints(corners, figures, slowest, result.reference_key)
    assert 1 <= len(said) <= 3
    ranked = [row for row in ranked_losses(corners, figures, slowest, result.reference_key) if row.lap.delta_s >= 0.05]
    for text, row in zip(said, ranked, strict=False):
        assert text.startswith(f"{row.corner.name}: {row.lap.delta_s:.2f} s lost")
        lap, ref = row.lap, row.reference
        if (said_brake := re.search(r"braking (\d+) m (earlier|later)", text)) and lap.brake_m and ref.brake_m:
            assert int(said_brake[1]) == round(abs(lap.brake_m - ref.brake_m))
            assert (said_brake[2] == "earlier") == (lap.brake_m < ref.brake_m)
        if (said_min := re.search(r"minimum speed (\d+) km/h (lower|higher)", text)):
            assert lap.min_kmh is not None and ref.min_kmh is not None
            assert int(said_min[1]) == round(abs(lap.min_kmh - ref.min_kmh))
            assert (said_min[2] == "lower") == (lap.min_kmh < ref.min_kmh)
    assert hints(corners, figures, result.reference_key, result.reference_key) == []
    result.delta_sigma_s = {k: np.full(result.distance_m.size, 5.0) for k in result.keys}  # type: ignore[attr-defined]
    assert hints(corners, corner_figures(result, corners), slowest, result.reference_key) == []


def _laps(times: list[list[float]], speeds: list[list[float]]) -> list[LapSegments]:
    return [LapSegments(str(i), np.array(t), np.array(v)) for i, (t, v) in enumerate(zip(times, speeds, strict=True))]


def test_realistic_best_joins_only_segments_whose_boundary_speeds_agree() -> None:
    # Lap 0 is quick in segment 1 but arrives at the cut 10 km/h slower than lap 1 leaves it.
    laps = _laps([[30.0, 31.0], [31.0, 30.0]], [[150, 140, 150], [150, 150, 150]])
    assert sum_of_best(laps) == pytest.approx(60.0)
    best = realistic_best(laps)
    assert best is not None and best.time_s == pytest.approx(61.0)
    loose = realistic_best(laps, tolerance_kmh=12.0)
    assert loose is not None and loose.time_s == pytest.approx(60.0) and loose.laps == ["0", "1"]


def test_realistic_and_rolling_best_on_generated_laps() -> None:
    result = compared(10, 1)
    corners = detect_corners(reference_path(result))
    cuts = segment_cuts(corners, float(result.distance_m[-1]))
    assert len(cuts) == len(corners) + 1
    laps = list(lap_segments(result, cuts).values())
    best_lap = min(result.lap_time_ms.values()) / 1000
    best_sum = sum_of_best(laps)
    realistic = realistic_best(laps)
    rolling = rolling_best([sorted(laps, key=lambda lap: int(lap.key))])
    assert best_sum is not None and realistic is not None and rolling is not None
    assert best_sum - 1e-9 <= realistic.time_s <= best_lap + 1e-9
    assert best_sum - 1e-9 <= rolling <= best_lap + 1e-9
    anything_goes = realistic_best(laps, tolerance_kmh=1000)
    assert anything_goes is not None and anything_goes.time_s == pytest.approx(best_sum)
    for lap in laps:
        assert lap.times_s.sum() == pytest.approx(result.lap_time_ms[lap.key] / 1000, abs=1e-9)


def test_at_1_hz_a_brake_point_difference_is_named_only_beyond_the_fix_spacing() -> None:
    from analysis_cases import analysed

    from racetrace_desktop.telemetry.compare import CompareLap, compare_laps
    from racetrace_desktop.telemetry.corner_figures import fix_interval

    session = analysed(gps_hz=1, seed=2)
    truth = recording(gps_hz=1, seed=2).truth
    laps = [CompareLap.from_lap(lap, str(lap.number)) for lap in session.laps if lap.number in truth.timed_laps]
    result = compare_laps(laps)
    corners = detect_corners(reference_path(result))
    intervals = {lap.key: fix_interval(lap.data) for lap in laps}
    assert all(interval == pytest.approx(1.0, abs=0.05) for interval in intervals.values())
    figures = corner_figures(result, corners, intervals)
    named = 0
    for key in result.keys:
        for row in ranked_losses(corners, figures, key, result.reference_key):
            spacing = row.lap.brake_within_m + row.reference.brake_within_m
            text = next((t for t in hints(corners, figures, key, result.reference_key)
                         if t.startswith(f"{row.corner.name}:")), "")
            if said := re.search(r"braking (\d+) m", text):
                named += 1
                assert int(said[1]) >= spacing - 0.5 and spacing > 10  # 1 s of travel at corner-entry speed
    assert named >= 1
