"""Compact encodings of telemetry arrays for the lap_channels table (lossless within the stated precision).

Each array is turned into typed little-endian bytes (vectorised numpy, no per-sample Python) and compressed
with library.codec. Numbers are byte-shuffled first (all first bytes, then all second bytes, ...): exponents
and high bytes of slowly varying signals become long runs that a fast compressor packs well.

| encoding | stored as                               | precision |
|----------|-----------------------------------------|-----------|
| "f4s"    | float32, shuffled                       | float32 (~7 significant digits): every SI channel |
| "f8s"    | float64, shuffled                       | exact |
| "deg7"   | int32 of 1e-7 degrees, shuffled         | 1e-7 degree (~1 cm); NaN kept |
| "ms4d"   | int32 milliseconds, delta-coded         | exact for clocks on a whole millisecond |
| "bits"   | packed booleans                         | exact |

"f4sh" and "deg7h" are the run-length forms for sample-and-hold channels (a 1 Hz GPS or 4 Hz OBD value repeated
on 20 Hz rows): one value and one run length per change, so the compressor has far less to chew through.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from racetrace_desktop.library import codec

HELD_RUN_FRACTION = 0.5  # run-length code a channel that changes on fewer than half of its rows
_NAN_DEG = np.iinfo(np.int32).min  # a missing position
_DEG_SCALE = 1e7
_U4 = np.dtype("<u4")


@dataclass(frozen=True)
class EncodedArray:
    encoding: str
    codec: str
    data: bytes


def _shuffle(typed: np.ndarray) -> bytes:
    return typed.view(np.uint8).reshape(-1, typed.dtype.itemsize).T.tobytes()


def _unshuffle(raw: bytes | memoryview, dtype: np.dtype, count: int) -> np.ndarray:
    planes = np.frombuffer(raw, dtype=np.uint8, count=count * dtype.itemsize).reshape(dtype.itemsize, count)
    return planes.T.copy().view(dtype).reshape(count)


def _runs(typed: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(run lengths, run values) when the array is sample-and-hold enough to be worth it, else None.

    Bit patterns are compared, so repeated NaNs form one run.
    """
    if typed.size == 0:
        return None
    bits = typed.view(f"<u{typed.dtype.itemsize}")
    changes = np.flatnonzero(bits[1:] != bits[:-1])
    if changes.size + 1 >= HELD_RUN_FRACTION * typed.size:
        return None
    ends = np.empty(changes.size + 1, dtype=np.int64)
    ends[:-1] = changes + 1
    ends[-1] = typed.size
    lengths = ends.copy()
    lengths[1:] -= ends[:-1]
    return lengths.astype(_U4), typed[ends - 1]


def _held_bytes(lengths: np.ndarray, values: np.ndarray) -> bytes:
    return np.array([lengths.size], dtype=_U4).tobytes() + _shuffle(lengths) + _shuffle(values)


def _from_held(raw: bytes, dtype: np.dtype) -> np.ndarray:
    runs = int(np.frombuffer(raw, dtype=_U4, count=1)[0])
    view = memoryview(raw)
    lengths = _unshuffle(view[4 : 4 + 4 * runs], _U4, runs)
    return np.repeat(_unshuffle(view[4 + 4 * runs :], dtype, runs), lengths)


def _degrees_to_ints(values: np.ndarray) -> np.ndarray:
    missing = np.isnan(values)
    ints = np.rint(np.where(missing, 0.0, values) * _DEG_SCALE).astype("<i4")
    ints[missing] = _NAN_DEG
    return ints


def _from_deg7(ints: np.ndarray) -> np.ndarray:
    degrees = ints.astype(np.float64) / _DEG_SCALE
    degrees[ints == _NAN_DEG] = np.nan
    return degrees


def _whole_millis(values: np.ndarray) -> np.ndarray | None:
    """The values as int64 milliseconds when every one sits on a whole millisecond, else None."""
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    scaled = values * 1000.0
    rounded = np.rint(scaled)
    if not np.isfinite(scaled).all() or np.abs(rounded).max() > 2**31 - 1:
        return None
    return rounded.astype(np.int64) if np.abs(scaled - rounded).max() < 1e-6 else None


def _pack(key: str, values: np.ndarray) -> tuple[str, bytes]:
    """Choose the encoding for one array and produce its uncompressed bytes, in one pass."""
    if values.dtype.kind == "b":
        return "bits", np.packbits(values).tobytes()
    if key in ("lat", "lon"):
        ints = _degrees_to_ints(values)
        runs = _runs(ints)
        return ("deg7h", _held_bytes(*runs)) if runs else ("deg7", _shuffle(ints))
    if key == "time_s":
        millis = _whole_millis(values)
        if millis is None:
            return "f8s", _shuffle(values.astype("<f8", copy=False))
        deltas = millis.copy()
        deltas[1:] -= millis[:-1]
        return "ms4d", _shuffle(deltas.astype("<i4"))
    typed = values.astype("<f4")
    runs = _runs(typed)
    return ("f4sh", _held_bytes(*runs)) if runs else ("f4s", _shuffle(typed))


def encode_array(key: str, values: np.ndarray, codec_name: str = codec.DEFAULT_CODEC) -> EncodedArray:
    """Encode a 1-D array of channel `key` ("lat"/"lon" are degrees, "time_s" a clock, bools are flags)."""
    encoding, raw = _pack(key, np.ascontiguousarray(values).reshape(-1))
    return EncodedArray(encoding, codec_name, codec.compress(raw, codec_name))


def decode_array(data: bytes, encoding: str, codec_name: str, count: int) -> np.ndarray:
    """Inverse of `encode_array`: float64 for numbers, bool for flags."""
    raw = codec.decompress(data, codec_name)
    if encoding == "f4s":
        return _unshuffle(raw, np.dtype("<f4"), count).astype(np.float64)
    if encoding == "f4sh":
        return _from_held(raw, np.dtype("<f4")).astype(np.float64)
    if encoding == "f8s":
        return _unshuffle(raw, np.dtype("<f8"), count)
    if encoding == "deg7":
        return _from_deg7(_unshuffle(raw, np.dtype("<i4"), count))
    if encoding == "deg7h":
        return _from_deg7(_from_held(raw, np.dtype("<i4")))
    if encoding == "ms4d":
        return np.cumsum(_unshuffle(raw, np.dtype("<i4"), count), dtype=np.int64) / 1000.0
    if encoding == "bits":
        return np.unpackbits(np.frombuffer(raw, dtype=np.uint8), count=count).astype(np.bool_)
    raise ValueError(f"unknown array encoding {encoding!r}")
