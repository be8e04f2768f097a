"""Array encodings: each round-trips within its stated precision; the encoder picks the compact one."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays as np_arrays

from racetrace_desktop.library import codec
from racetrace_desktop.library.arrays import EncodedArray, decode_array, encode_array


def _round_trip(key: str, values: np.ndarray, codec_name: str = codec.DEFAULT_CODEC) -> tuple[str, np.ndarray]:
    encoded = encode_array(key, values, codec_name)
    return encoded.encoding, decode_array(encoded.data, encoded.encoding, encoded.codec, values.size)


def test_zstd_is_the_default_codec() -> None:
    assert codec.DEFAULT_CODEC == "zstd"


def test_positions_keep_1e_7_degrees_and_missing_fixes() -> None:
    lat = np.array([51.9993282, -33.8688197, np.nan, 0.0, 89.9999999, -179.9999999])
    encoding, back = _round_trip("lat", lat)
    assert encoding == "deg7"
    np.testing.assert_array_equal(np.isnan(back), np.isnan(lat))
    np.testing.assert_allclose(back[~np.isnan(lat)], lat[~np.isnan(lat)], rtol=0, atol=0.5e-7)


def test_held_positions_are_run_length_coded() -> None:
    lat = np.repeat([np.nan, 51.9993282, 51.9993301, 51.9993350], [5, 20, 20, 7])  # 1 Hz fixes on 20 Hz rows
    encoding, back = _round_trip("lon", lat)
    assert encoding == "deg7h"
    np.testing.assert_array_equal(np.isnan(back), np.isnan(lat))
    np.testing.assert_allclose(back[5:], lat[5:], rtol=0, atol=0.5e-7)


def test_whole_millisecond_clocks_are_stored_exactly() -> None:
    time_s = np.round(np.cumsum(np.full(72_000, 0.05)) + 3600.123, 3)
    encoding, back = _round_trip("time_s", time_s)
    assert encoding == "ms4d"
    np.testing.assert_allclose(back, time_s, rtol=0, atol=1e-9)


def test_clocks_off_the_millisecond_grid_keep_float64() -> None:
    time_s = np.linspace(0.0, 100.0, 2001) + 0.0004321  # a lap that starts at an interpolated crossing
    encoding, back = _round_trip("time_s", time_s)
    assert encoding == "f8s"
    np.testing.assert_array_equal(back, time_s)


def test_varying_channels_are_float32_with_nans() -> None:
    rpm = np.array([850.0, 7999.5, np.nan, 101325.0, -0.25])
    encoding, back = _round_trip("rpm", rpm)
    assert encoding == "f4s"
    np.testing.assert_array_equal(np.isnan(back), np.isnan(rpm))
    np.testing.assert_allclose(back[:2], rpm[:2], rtol=1e-7)


def test_held_channels_are_run_length_coded_and_much_smaller() -> None:
    speed = np.repeat(np.random.default_rng(0).normal(30, 5, 3600), 20)  # 1 Hz GPS speed on 20 Hz rows
    speed[100:140] = np.nan
    encoded = encode_array("speed", speed)
    assert encoded.encoding == "f4sh" and len(encoded.data) < speed.size * 4 / 10
    back = decode_array(encoded.data, encoded.encoding, encoded.codec, speed.size)
    np.testing.assert_array_equal(back, speed.astype(np.float32).astype(np.float64))


def test_booleans_are_bit_packed() -> None:
    fixes = np.zeros(1001, dtype=bool)
    fixes[::20] = True
    encoding, back = _round_trip("gps_fix", fixes)
    assert encoding == "bits"
    np.testing.assert_array_equal(back, fixes)


def test_zlib_blobs_stay_readable() -> None:
    values = np.linspace(0, 1, 500)
    encoding, back = _round_trip("throttle", values, codec.ZLIB)
    assert encoding == "f4s"
    np.testing.assert_allclose(back, values, rtol=1e-7)


def test_empty_arrays_round_trip() -> None:
    for key in ("rpm", "lat", "time_s"):
        assert _round_trip(key, np.array([], dtype=float))[1].size == 0
    assert _round_trip("gps_fix", np.array([], dtype=bool))[1].size == 0


def test_unknown_encoding_and_codec_are_refused() -> None:
    encoded = encode_array("rpm", np.zeros(3))
    with pytest.raises(ValueError, match="unknown array encoding 'lz9'"):
        decode_array(encoded.data, "lz9", encoded.codec, 3)
    with pytest.raises(ValueError, match="unknown compression 'brotli'"):
        decode_array(encoded.data, encoded.encoding, "brotli", 3)
    assert isinstance(encoded, EncodedArray)


_floats = st.floats(-1e6, 1e6) | st.just(np.nan)


@given(np_arrays(np.float64, st.integers(0, 300), elements=_floats), st.integers(1, 30))
def test_float32_round_trip_property(values: np.ndarray, hold: int) -> None:
    held = np.repeat(values, hold)  # from fully varying to strongly sample-and-hold
    _, back = _round_trip("channel", held)
    np.testing.assert_array_equal(back, held.astype(np.float32).astype(np.float64))


@given(np_arrays(np.float64, st.integers(0, 300), elements=st.floats(-90, 90) | st.just(np.nan)), st.integers(1, 30))
def test_degrees_round_trip_property(values: np.ndarray, hold: int) -> None:
    held = np.repeat(values, hold)
    _, back = _round_trip("lat", held)
    np.testing.assert_array_equal(np.isnan(back), np.isnan(held))
    np.testing.assert_allclose(back[~np.isnan(held)], held[~np.isnan(held)], rtol=0, atol=0.5e-7 + 1e-12)


@given(np_arrays(np.int64, st.integers(0, 300), elements=st.integers(-10_000_000, 10_000_000)))
def test_millisecond_round_trip_property(millis: np.ndarray) -> None:
    seconds = np.sort(millis) / 1000.0
    np.testing.assert_allclose(_round_trip("time_s", seconds)[1], seconds, rtol=0, atol=1e-9)
