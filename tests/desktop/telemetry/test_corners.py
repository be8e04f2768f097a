"""Corner detection against generated tracks whose corners are known, and on the real TrackAddict samples."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from analysis_cases import analysed, recording
from corner_truth import known_corners

from racetrace_desktop.telemetry.compare import CompareLap, CompareResult, compare_laps
from racetrace_desktop.telemetry.corners import ReferencePath, detect_corners
from racetrace_desktop.telemetry.formats import read_file
from racetrace_desktop.telemetry.geo import LocalFrame
from racetrace_desktop.telemetry.session import analyse
from racetrace_desktop.telemetry.synthetic_drive import CarModel, _speed_profile

APEX_TOLERANCE_M = 15.0


def compared(gps_hz: float, seed: int) -> CompareResult:
    session = analysed(gps_hz=gps_hz, seed=seed)
    truth = recording(gps_hz=gps_hz, seed=seed).truth
    laps = [CompareLap.from_lap(lap, str(lap.number)) for lap in session.laps if lap.number in truth.timed_laps]
    return compare_laps(laps)


def reference_path(result: CompareResult) -> ReferencePath:
    ref = result.reference_key
    return ReferencePath.of(result.distance_m, result.lat, result.lon, result.channels[ref].get("speed"))


def true_apexes_on_grid(result: CompareResult, gps_hz: float, seed: int) -> tuple[np.ndarray, list[str]]:
    """Known apexes (centreline) moved onto the reference lap's distance axis through where its car really was."""
    truth = recording(gps_hz=gps_hz, seed=seed).truth
    lap = int(result.reference_key)
    when = truth.crossing_times_s[lap - 1] + result.time_s[result.reference_key]
    place = truth.drive.at_times(when, truth.drive.sigma) - (lap - 1) * truth.track_length_m
    corners = known_corners(truth.track_length_m)
    return np.interp([c.apex_m for c in corners], place, result.distance_m), [c.direction for c in corners]


@pytest.mark.parametrize("gps_hz", [10, 1])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_every_known_corner_is_found_once_in_driving_order_with_its_apex_and_side(gps_hz: float, seed: int) -> None:
    result = compared(gps_hz, seed)
    corners = detect_corners(reference_path(result))
    apexes, sides = true_apexes_on_grid(result, gps_hz, seed)
    assert [c.number for c in corners] == list(range(1, len(apexes) + 1))
    assert [c.name for c in corners] == [f"T{n}" for n in range(1, len(apexes) + 1)]
    assert [c.direction for c in corners] == sides
    errors = np.array([c.apex_m for c in corners]) - apexes
    assert np.abs(errors).max() <= APEX_TOLERANCE_M, errors.round(1)
    for before, after in itertools.pairwise(corners):
        assert before.start_m < before.apex_m < before.end_m <= after.start_m


def test_a_corner_starts_where_the_reference_starts_braking() -> None:
    result = compared(10, 0)
    path = reference_path(result)
    corners = detect_corners(path)
    for previous, corner in zip([None, *corners], corners, strict=False):
        if previous is not None and corner.start_m <= previous.end_m + 1:
            continue  # braking began inside the previous corner: this one starts where that one ends
        at = (path.distance_m >= corner.start_m) & (path.distance_m <= corner.apex_m)
        lost_kmh = (path.speed[at][0] - path.speed[at].min()) * 3.6
        before = (path.distance_m >= corner.start_m - 30) & (path.distance_m < corner.start_m)
        if lost_kmh > 20:  # a braking corner: the speed peaks at its start
            assert path.speed[before].max() <= path.speed[at][0] + 1 / 3.6


def _drawn_path(pieces: list[tuple[float, float]], seed: int) -> ReferencePath:
    """An open path from (length m, curvature 1/m) pieces, driven at the limit and logged at 10 Hz with noise."""
    step = 0.5
    kappa = np.concatenate([np.full(round(length / step), k) for length, k in pieces])
    kappa = np.convolve(np.pad(kappa, 20, mode="edge"), np.ones(41) / 41, mode="valid")  # 20 m transitions
    s = np.arange(kappa.size) * step
    heading = np.cumsum(kappa) * step
    x, y = np.cumsum(np.sin(heading)) * step, np.cumsum(np.cos(heading)) * step
    car = CarModel()
    with np.errstate(divide="ignore"):
        v_lim = np.minimum(np.sqrt(car.lateral_grip_g * 9.80665 / np.abs(kappa)), car.top_speed_mps)
    v_lim[0] = v_lim[-1] = 40.0
    speed = _speed_profile(s, v_lim, car)
    t = np.concatenate(([0.0], np.cumsum(step / np.maximum((speed[1:] + speed[:-1]) / 2, 1e-3))))
    fix_t = np.arange(0.0, t[-1], 0.1)
    rng = np.random.default_rng(seed)
    fx = np.interp(fix_t, t, x) + rng.normal(0, 0.3, fix_t.size)
    fy = np.interp(fix_t, t, y) + rng.normal(0, 0.3, fix_t.size)
    d = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(fx), np.diff(fy)))))
    lat, lon = LocalFrame(48.0, 11.0).to_latlon(fx, fy)
    return ReferencePath.of(d, lat, lon, np.interp(fix_t, t, speed))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_double_apex_is_one_corner_and_a_chicane_two(seed: int) -> None:
    path = _drawn_path([(300, 0), (60, 1 / 40), (50, 1 / 150), (60, 1 / 40), (300, 0),  # double apex right
                        (45, -1 / 35), (25, 0), (45, 1 / 35), (300, 0)], seed)  # chicane left-right
    corners = detect_corners(path)
    assert [c.direction for c in corners] == ["R", "L", "R"]
    first_arc, second_arc = 330.0, 440.0
    assert min(abs(corners[0].apex_m - first_arc), abs(corners[0].apex_m - second_arc)) <= APEX_TOLERANCE_M
    assert corners[0].start_m < first_arc - 30 and corners[0].end_m > second_arc + 20
    assert abs(corners[1].apex_m - 792.5) <= APEX_TOLERANCE_M and abs(corners[2].apex_m - 862.5) <= APEX_TOLERANCE_M
    assert corners[1].end_m <= corners[2].start_m


@pytest.mark.parametrize(("sample", "lowest", "highest"), [("sample_01", 9, 16), ("sample_02", 8, 14)])
def test_real_recordings_yield_a_plausible_set_of_corners(trackaddict_samples: Path, sample: str, lowest: int,
                                                          highest: int) -> None:
    session = analyse(read_file(trackaddict_samples / f"{sample}.csv"))
    laps = [CompareLap.from_lap(lap, str(lap.number)) for lap in session.laps if lap.lap_time_ms and lap.data]
    result = compare_laps(laps)
    path = reference_path(result)
    corners = detect_corners(path)
    assert lowest <= len(corners) <= highest
    assert {c.direction for c in corners} == {"L", "R"}
    for before, after in itertools.pairwise(corners):
        assert before.start_m <= before.apex_m <= before.end_m <= after.start_m
    slowest = [path.speed[int(c.apex_m)] * 3.6 for c in corners]
    straights = np.nanmax(path.speed) * 3.6
    assert np.median(slowest) < straights - 20  # apexes are where the car is slow, not on the straights
