"""GPS and OBD values are interpolated between their update rows instead of drawn as a lagging staircase."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from racetrace_desktop.telemetry.formats import read_file
from racetrace_desktop.telemetry.held import between_updates, interpolate_held
from racetrace_desktop.telemetry.session import analyse


def test_between_updates_is_linear_in_time_and_keeps_update_values() -> None:
    t = np.array([0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.5, 5.0, 5.5])
    held = np.array([10.0, 10.0, 10.0, 20.0, 20.0, 30.0, 30.0, 40.0, 40.0])
    updates = np.array([True, False, False, True, False, True, False, True, False])

    result = between_updates(t, held, updates)

    assert result[updates].tolist() == [10.0, 20.0, 30.0, 40.0]
    assert result[1:3].tolist() == [12.5, 15.0]  # a quarter and half way from 10 to 20
    assert result[4] == 25.0
    assert result[6] == 30.0  # 2 s -> 5 s is a 3 s silence: held, nothing is invented across it
    assert result[8] == 40.0  # after the last update: held


def test_long_silence_keeps_the_held_value() -> None:
    t = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    held = np.array([1.0, 1.0, 1.0, 1.0, 9.0])
    updates = np.array([True, False, False, False, True])
    assert between_updates(t, held, updates).tolist() == held.tolist()


def test_real_file_speed_and_rpm_follow_their_updates(trackaddict_samples: Path) -> None:
    raw = read_file(trackaddict_samples / "sample_02.csv")
    smooth = interpolate_held(raw)

    fix_rows = np.flatnonzero(raw.gps_fix)
    assert np.array_equal(smooth["speed"][fix_rows], raw.channels["speed"][fix_rows])
    # between two fixes a second apart the value lies between them, not on the older one
    a, b = fix_rows[100], fix_rows[101]
    low, high = sorted((raw.channels["speed"][a], raw.channels["speed"][b]))
    middle = smooth["speed"][a + 1 : b]
    assert np.all((middle >= low - 1e-9) & (middle <= high + 1e-9))
    changed = np.count_nonzero(smooth["speed"] != raw.channels["speed"])
    assert changed > raw.row_count // 2  # most rows were held copies
    assert np.array_equal(smooth["heading"], raw.channels["heading"], equal_nan=True)  # wraps at 360: held
    obd_rows = np.flatnonzero(raw.obd_update)
    assert np.array_equal(smooth["rpm"][obd_rows], raw.channels["rpm"][obd_rows])


def test_lap_data_carries_the_smooth_speed(trackaddict_samples: Path) -> None:
    session = analyse(read_file(trackaddict_samples / "sample_02.csv"))
    speed = session.laps[1].data.channels["speed"]
    steps = np.count_nonzero(np.diff(speed) == 0)
    assert steps < speed.size // 4  # a held 1 Hz channel on ~20 Hz rows would repeat ~95 % of the time
