"""compare_laps() on generated recordings: closure, alignment against the true delta-T, gate checks, guards."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from analysis_cases import analysed, recording, true_delta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from racetrace_desktop.telemetry.compare import CompareLap, compare_laps
from racetrace_desktop.telemetry.formats import read_file
from racetrace_desktop.telemetry.geo import LocalFrame
from racetrace_desktop.telemetry.model import LapData
from racetrace_desktop.telemetry.session import analyse

WIDE_LINES = dict(laps=6, seed=4, line_wander_m=2.5)  # laps on visibly different lines


def timed_laps(gps_hz: float, source: str = "A", **options: object) -> list[CompareLap]:
    options = options or WIDE_LINES
    session = analysed(gps_hz=gps_hz, **options)
    truth = recording(gps_hz=gps_hz, **options).truth
    return [CompareLap.from_lap(lap, f"{source}{lap.number}", source=source)
            for lap in session.laps if lap.number in truth.timed_laps]


def truth_map(gps_hz: float, laps: list[CompareLap], **options: object) -> dict:
    truth = recording(gps_hz=gps_hz, **(options or WIDE_LINES)).truth
    return {lap.key: (truth, int(lap.key[1:])) for lap in laps}


@pytest.mark.parametrize("method", ["doppler", "projection", "sectors", "distance"])
@pytest.mark.parametrize("gps_hz", [1, 10])
def test_delta_closes_exactly_on_the_lap_time_difference(gps_hz: float, method: str) -> None:
    laps = timed_laps(gps_hz)
    result = compare_laps(laps, method=method)
    ref_ms = result.lap_time_ms[result.reference_key]
    for lap in laps:
        assert result.finish_delta_s(lap.key) == pytest.approx((lap.lap_time_ms - ref_ms) / 1000, abs=1e-9)
        assert result.delta_s[lap.key][0] == 0.0
        assert np.all(np.diff(result.time_s[lap.key]) >= 0)
    assert np.all(result.delta_s[result.reference_key] == 0)


def test_default_reference_is_the_fastest_valid_lap_and_the_grid_covers_it() -> None:
    laps = timed_laps(10)
    fastest = min(laps, key=lambda lap: lap.lap_time_ms)
    slower_invalid = replace(fastest, key="X", lap_time_ms=fastest.lap_time_ms - 500, is_valid=False)
    result = compare_laps([*laps, slower_invalid])
    assert result.reference_key == fastest.key
    grid = result.distance_m
    assert grid[0] == 0 and grid[-1] == pytest.approx(fastest.length_m)
    assert np.diff(grid).max() <= 1.0 + 1e-9
    assert np.isfinite(result.lat).all() and np.isfinite(result.lon).all()
    chosen = compare_laps(laps, reference_key=laps[-1].key, spacing_m=0.5)
    assert chosen.reference_key == laps[-1].key and np.diff(chosen.distance_m).max() <= 0.5 + 1e-9


def test_reference_path_on_the_grid_is_the_real_track() -> None:
    laps = timed_laps(10)
    truth = recording(gps_hz=10, **WIDE_LINES).truth
    result = compare_laps(laps)
    x, y = truth.frame.to_xy(result.lat, result.lon)
    cx, cy = truth.frame.to_xy(truth.path_lat, truth.path_lon)
    sample = slice(None, None, 25)
    nearest = np.min(np.hypot(x[sample, None] - cx[None, ::4], y[sample, None] - cy[None, ::4]), axis=1)
    assert np.percentile(nearest, 95) < 5.0  # within the line wander plus GPS noise of the centreline


@pytest.mark.parametrize(("gps_hz", "bound_s"), [(1, 0.25), (10, 0.1)])
def test_projection_tracks_the_true_delta_and_beats_raw_distance(gps_hz: float, bound_s: float) -> None:
    laps = timed_laps(gps_hz)
    truth = truth_map(gps_hz, laps)
    errors = {}
    for method in ("projection", "raw", "distance"):
        result = compare_laps(laps, method=method)
        exact = true_delta(result, truth)
        errors[method] = [np.abs(result.delta_s[k] - exact[k]) for k in result.keys if k != result.reference_key]
    worst = {m: max(float(e.max()) for e in errs) for m, errs in errors.items()}
    typical = {m: float(np.mean([np.percentile(e, 95) for e in errs])) for m, errs in errors.items()}
    assert worst["projection"] < bound_s
    assert worst["projection"] < worst["raw"] and typical["projection"] < typical["raw"] / 2
    assert typical["projection"] < typical["distance"]


def test_gate_checks_agree_with_the_trace_on_10_hz_data() -> None:
    result = compare_laps(timed_laps(10))
    assert len(result.gate_checks) == 2 * len(result.keys)
    assert all(check.split_delta_s is not None for check in result.gate_checks)
    assert result.max_gate_error_s is not None and result.max_gate_error_s < 0.02
    ref_checks = [c for c in result.gate_checks if c.key == result.reference_key]
    assert all(abs(c.delta_s) < 1e-9 for c in ref_checks)


def test_sector_alignment_hits_its_gates() -> None:
    result = compare_laps(timed_laps(1), method="sectors")
    assert result.max_gate_error_s < 0.01


def test_channels_are_resampled_on_the_grid() -> None:
    laps = timed_laps(10)
    truth = recording(gps_hz=10, **WIDE_LINES).truth
    result = compare_laps(laps, channels=["speed", "rpm", "not-a-channel"])
    for lap in laps:
        assert set(result.channels[lap.key]) == {"speed", "rpm"}
    # The speed of each lap at a grid point is the true speed of that car at the same place.
    lap = laps[2]
    when = truth.crossing_times_s[int(lap.key[1:]) - 1] + result.time_s[lap.key]
    true_speed = truth.drive.at_times(when, truth.drive.speed)
    assert np.percentile(np.abs(result.channels[lap.key]["speed"] - true_speed), 90) < 1.0
    all_channels = compare_laps(laps[:2])
    assert "gps_lat_g" in all_channels.channels[laps[0].key]


def test_constant_gps_offset_between_recordings_is_removed() -> None:
    ref = timed_laps(10)[1]
    other_options = dict(laps=3, seed=12)
    other = timed_laps(10, "B", **other_options)[1]
    frame = LocalFrame(float(other.data.lat[0]), float(other.data.lon[0]))
    x, y = frame.to_xy(other.data.lat, other.data.lon)
    lat, lon = frame.to_latlon(x + 3.0, y - 2.0)
    shifted = replace(other, data=replace(other.data, lat=lat, lon=lon))
    truth = {ref.key: (recording(gps_hz=10, **WIDE_LINES).truth, int(ref.key[1:])),
             shifted.key: (recording(gps_hz=10, **other_options).truth, int(shifted.key[1:]))}
    fixed = compare_laps([ref, shifted], reference_key=ref.key)
    kept = compare_laps([ref, shifted], reference_key=ref.key, remove_offsets=False)
    ox, oy = fixed.offset_m[shifted.key]
    assert abs(ox - 3.0) < 1.5 and abs(oy + 2.0) < 1.5  # the lines of the two drives differ by metres too
    err_fixed = np.abs(fixed.delta_s[shifted.key] - true_delta(fixed, truth)[shifted.key]).max()
    err_kept = np.abs(kept.delta_s[shifted.key] - true_delta(kept, truth)[shifted.key]).max()
    assert err_fixed < 0.1 < err_kept
    same_recording = compare_laps(timed_laps(10)[:3], method="projection")
    assert all(offset == (0.0, 0.0) for offset in same_recording.offset_m.values())
    # The default registers every lap to the reference: within one recording only drift and line differences.
    registered = compare_laps(timed_laps(10)[:3])
    assert all(np.hypot(*offset) < 1.5 for offset in registered.offset_m.values())


def test_repeated_times_and_positions_do_not_break_resampling() -> None:
    lap = timed_laps(1)[1]
    data = lap.data
    doubled = np.repeat(np.arange(data.row_count), 2)  # every row twice: dt = 0, no movement
    stalled = LapData(data.time_s[doubled], data.distance_m[doubled], data.lat[doubled], data.lon[doubled],
                      data.gps_fix[doubled], {k: v[doubled] for k, v in data.channels.items()})
    result = compare_laps([lap, replace(lap, key="stalled", data=stalled)], reference_key=lap.key)
    assert np.all(np.isfinite(result.time_s["stalled"]))
    assert np.abs(result.delta_s["stalled"]).max() < 1e-6
    assert np.isfinite(result.channels["stalled"]["speed"]).all()


def test_a_lap_without_gps_is_aligned_by_distance_with_a_warning() -> None:
    laps = timed_laps(1)[:2]
    blind = replace(laps[1], key="blind", data=replace(laps[1].data, gps_fix=np.zeros(laps[1].data.row_count, bool)))
    result = compare_laps([laps[0], blind], reference_key=laps[0].key)
    assert any("blind" in w and "no GPS" in w for w in result.warnings)
    assert result.finish_delta_s("blind") == pytest.approx((blind.lap_time_ms - laps[0].lap_time_ms) / 1000)
    assert result.gps_gap["blind"].all() and not result.gps_gap[laps[0].key][10:-10].any()


def test_real_laps_of_different_length_are_still_placed_on_the_reference(trackaddict_samples: Path) -> None:
    """S1 laps 2 and 3 (107 s and 116 s): lap 3 drove through the pit lane and is ~15 % shorter, so its
    normalised distance is far off; the lap-wide search still places its fixes on lap 2's path."""
    session = analyse(read_file(trackaddict_samples / "sample_01.csv"))
    laps = [CompareLap.from_lap(lap, f"S1-{lap.number}", source="S1") for lap in session.laps[2:4]]
    assert laps[1].length_m < 0.9 * laps[0].length_m
    result = compare_laps(laps)
    assert result.reference_key == "S1-2" and not result.warnings
    assert result.finish_delta_s("S1-3") == pytest.approx((116145 - 107089) / 1000, abs=1e-9)
    assert np.all(np.diff(result.time_s["S1-3"]) >= 0)


def test_bad_requests_are_refused_with_the_reason() -> None:
    laps = timed_laps(1)[:2]
    with pytest.raises(ValueError, match="no laps"):
        compare_laps([])
    with pytest.raises(ValueError, match="unique"):
        compare_laps([laps[0], laps[0]])
    with pytest.raises(ValueError, match="'nope' is not among"):
        compare_laps(laps, reference_key="nope")
    with pytest.raises(ValueError, match="unknown alignment method"):
        compare_laps(laps, method="psychic")
    with pytest.raises(ValueError, match="A1 has no positive lap time"):
        compare_laps([replace(laps[0], lap_time_ms=0), laps[1]])
    parked = replace(laps[1].data, distance_m=np.zeros(laps[1].data.row_count))
    with pytest.raises(ValueError, match="A2 covers no distance"):
        compare_laps([laps[0], replace(laps[1], data=parked, length_m=None)])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_subset_and_reference_closes_exactly(data: st.DataObject) -> None:
    pool = timed_laps(1) + timed_laps(10, "B", laps=3, seed=7)  # two recordings, two GPS rates
    chosen = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=6, unique_by=lambda lap: lap.key))
    reference = data.draw(st.sampled_from(chosen))
    method = data.draw(st.sampled_from(["doppler", "projection", "sectors", "distance"]))
    result = compare_laps(chosen, reference_key=reference.key, method=method,
                          spacing_m=data.draw(st.sampled_from([0.5, 1.0, 2.0])))
    for lap in chosen:
        assert result.finish_delta_s(lap.key) == pytest.approx((lap.lap_time_ms - reference.lap_time_ms) / 1000,
                                                               abs=1e-9)
        assert np.all(np.diff(result.time_s[lap.key]) >= 0)


def test_laps_without_a_trustworthy_course_are_aligned_by_their_fixes() -> None:
    laps = timed_laps(10)[:3]
    no_course = [replace(lap, data=replace(lap.data, channels={k: v for k, v in lap.data.channels.items()
                                                               if k != "heading"})) for lap in laps]
    rng = np.random.default_rng(1)
    scrambled = [replace(lap, data=replace(lap.data, channels={
        **lap.data.channels, "heading": rng.uniform(0, 360, lap.data.row_count)})) for lap in laps]
    by_fixes = compare_laps(laps, method="projection")
    for variant in (no_course, scrambled):
        result = compare_laps(variant)
        for key in result.keys:
            assert np.array_equal(result.delta_s[key], by_fixes.delta_s[key])
    other = next(key for key in by_fixes.keys if key != by_fixes.reference_key)
    assert not np.array_equal(compare_laps(laps).delta_s[other], by_fixes.delta_s[other])  # they have one


def test_the_uncertainty_grows_across_a_gps_outage() -> None:
    laps = timed_laps(10)[:2]
    lap = laps[1]
    data = lap.data
    outage = (data.time_s > 30.0) & (data.time_s < 36.0)  # six seconds without a fix
    blind = replace(lap, data=replace(data, gps_fix=data.gps_fix & ~outage))
    result = compare_laps([laps[0], blind], reference_key=laps[0].key)
    gap = result.gps_gap[lap.key]
    assert gap.any() and not gap[:100].any()
    sigma = result.delta_sigma_s[lap.key]
    assert np.median(sigma[gap]) > 3 * np.median(sigma[~gap])
