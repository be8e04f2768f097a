"""Array encodings: each round-trips within its stated precision; the chooser picks the compact one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays as np_arrays

from racetrace_desktop.library import arrays


def _round_trip(values: np.ndarray, encoding: str) -> np.ndarray:
    return arrays.decode(arrays.encode(values, encoding), encoding, values.size)


def test_positions_keep_1e_7_degrees_and_missing_fixes() -> None:
    lat = np.array([51.9993282, -33.8688197, np.nan, 0.0, 89.9999999, -179.9999999])
    assert arrays.choose_encoding("lat", lat) == "deg7"
    back = _round_trip(lat, "deg7")
    np.testing.assert_array_equal(np.isnan(back), np.isnan(lat))
    np.testing.assert_allclose(back[~np.isnan(lat)], lat[~np.isnan(lat)], rtol=0, atol=0.5e-7)


def test_whole_millisecond_clocks_are_stored_exactly() -> None:
    time_s = np.round(np.cumsum(np.full(72_000, 0.05)) + 3600.123, 3)
    assert arrays.choose_encoding("time_s", time_s) == "ms4d"
    back = _round_trip(time_s, "ms4d")
    np.testing.assert_allclose(back, time_s, rtol=0, atol=1e-9)


def test_clocks_off_the_millisecond_grid_keep_float64() -> None:
    time_s = np.linspace(0.0, 100.0, 2001) + 0.0004321  # a lap that starts at an interpolated crossing
    assert arrays.choose_encoding("time_s", time_s) == "f8s"
    np.testing.assert_array_equal(_round_trip(time_s, "f8s"), time_s)


def test_other_channels_are_float32_with_nans() -> None:
    rpm = np.array([850.0, 7999.5, np.nan, 101325.0, -0.25])
    assert arrays.choose_encoding("rpm", rpm) == "f4s"
    back = _round_trip(rpm, "f4s")
    np.testing.assert_array_equal(np.isnan(back), np.isnan(rpm))
    np.testing.assert_allclose(back[:2], rpm[:2], rtol=1e-7)


def test_booleans_are_bit_packed() -> None:
    fixes = np.zeros(1001, dtype=bool)
    fixes[::20] = True
    assert arrays.choose_encoding("gps_fix", fixes) == "bits"
    np.testing.assert_array_equal(_round_trip(fixes, "bits"), fixes)


def test_held_samples_compress_far_below_raw_size() -> None:
    held = np.repeat(np.random.default_rng(0).normal(30, 5, 3600), 20)  # 1 Hz GPS speed on 20 Hz rows
    assert len(arrays.encode(held, "f4s")) < held.size * 4 / 8


def test_empty_arrays_round_trip() -> None:
    for encoding in ("f4s", "f8s", "deg7", "ms4d"):
        assert _round_trip(np.array([], dtype=float), encoding).size == 0
    assert _round_trip(np.array([], dtype=bool), "bits").size == 0


def test_unknown_encoding_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown array encoding 'lz9'"):
        arrays.encode(np.zeros(3), "lz9")


@given(np_arrays(np.float64, st.integers(0, 300), elements=st.floats(-1e6, 1e6) | st.just(np.nan)))
def test_float32_round_trip_property(values: np.ndarray) -> None:
    back = _round_trip(values, "f4s")
    np.testing.assert_array_equal(np.isnan(back), np.isnan(values))
    np.testing.assert_allclose(back, values.astype(np.float32).astype(np.float64), rtol=0, atol=0, equal_nan=True)


@given(np_arrays(np.int64, st.integers(0, 300), elements=st.integers(-10_000_000, 10_000_000)))
def test_millisecond_round_trip_property(millis: np.ndarray) -> None:
    seconds = np.sort(millis) / 1000.0
    np.testing.assert_allclose(_round_trip(seconds, "ms4d"), seconds, rtol=0, atol=1e-9)
