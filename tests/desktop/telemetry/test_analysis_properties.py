"""Property tests for analyse(): recordings cut anywhere (the phone died) or thinned still analyse sensibly."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from analysis_cases import raw_of, recording
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from racetrace_desktop.telemetry.model import RawSession
from racetrace_desktop.telemetry.session import analyse

CASE = dict(laps=4, gps_hz=1, seed=8, pit_stop_lap=2)


def cut(raw: RawSession, end: int) -> RawSession:
    """The first `end` rows, with only the comment lines that came before them."""
    rows = slice(0, end)
    return replace(
        raw, time_s=raw.time_s[rows], utc_s=None if raw.utc_s is None else raw.utc_s[rows],
        lap_column=None if raw.lap_column is None else raw.lap_column[rows], gps_fix=raw.gps_fix[rows],
        obd_update=None if raw.obd_update is None else raw.obd_update[rows],
        lat=raw.lat[rows], lon=raw.lon[rows], channels={k: v[rows] for k, v in raw.channels.items()},
        lap_markers=[m for m in raw.lap_markers if m.row_index < end],
        events=[e for e in raw.events if e.row_index < end],
    )  # fmt: skip


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fraction=st.floats(min_value=0.0005, max_value=1.0))
def test_a_recording_cut_anywhere_keeps_its_stated_laps(fraction: float) -> None:
    raw = raw_of(**CASE)
    truth = recording(**CASE).truth
    end = max(1, int(raw.row_count * fraction))
    session = analyse(cut(raw, end))
    stated = len([m for m in raw.lap_markers if m.row_index < end])
    assert [lap.lap_time_ms for lap in session.laps[:stated]] == truth.lap_times_ms[:stated]
    assert sum(lap.row_end - lap.row_start for lap in session.laps) == end
    assert session.laps[-1].lap_time_ms is None or len(session.laps) == stated
    for lap in session.laps:
        assert np.all(np.diff(lap.data.distance_m) >= 0)
        if lap.sector_times_ms and None not in lap.sector_times_ms:
            assert sum(lap.sector_times_ms) == lap.lap_time_ms
    if session.theoretical_best_ms is not None:
        assert session.theoretical_best_ms <= min(lap.lap_time_ms for lap in session.laps if lap.is_valid)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keep_every=st.integers(min_value=1, max_value=4), drop_seed=st.integers(0, 10_000))
def test_losing_gps_fixes_never_breaks_distance_or_lap_times(keep_every: int, drop_seed: int) -> None:
    raw = raw_of(**CASE)
    truth = recording(**CASE).truth
    fix_rows = np.flatnonzero(raw.gps_fix)
    rng = np.random.default_rng(drop_seed)
    lost = fix_rows[(np.arange(fix_rows.size) % keep_every != 0) | (rng.random(fix_rows.size) < 0.1)]
    fixes = raw.gps_fix.copy()
    fixes[lost] = False
    session = analyse(replace(raw, gps_fix=fixes))
    assert [lap.lap_time_ms for lap in session.laps[:-1]] == truth.lap_times_ms
    for lap in session.laps[1:-1]:
        assert np.all(np.diff(lap.data.distance_m) >= 0)
        assert abs(lap.length_m - truth.lap_lengths_m[lap.number]) < 0.03 * truth.lap_lengths_m[lap.number]
