"""Unit table: file units to SI and back for display."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from racetrace_desktop.telemetry import units


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        (36.0, "km/h", "m/s", 10.0),
        (100.0, "km/h", "mph", 62.13711922373339),
        (60.0, "mph", "km/h", 96.56064),
        (10.0, "m/s", "km/h", 36.0),
        (1000.0, "ft", "m", 304.8),
        (1.0, "m", "ft", 3.280839895013123),
        (14.696, "psi", "kPa", 101.32535318040223),
        (100.0, "kPa", "Pa", 100_000.0),
        (101.325, "kPa", "psi", 14.695948775513449),
        (1.0, "bar", "psi", 14.503773773020923),
        (212.0, "F", "C", 100.0),
        (-40.0, "C", "F", -40.0),
        (37.0, "C", "F", 98.60000000000001),
        (0.0, "K", "C", -273.15),
        (1500.0, "ms", "s", 1.5),
        (9.80665, "m/s²", "g", 1.0),
    ],
)
def test_conversions(value: float, source: str, target: str, expected: float) -> None:
    assert units.convert(value, source, target) == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    ("written", "symbol"),
    [("Km/h", "km/h"), ("KPH", "km/h"), ("MPH", "mph"), ("mph", "mph"), ("PSI", "psi"), ("kPa", "kPa"),
     ("F", "F"), ("°C", "C"), ("ft", "ft"), ("m", "m"), ("RPM", "rpm"), ("%", "%")],
)
def test_header_spellings_are_recognised(written: str, symbol: str) -> None:
    found = units.lookup(written)
    assert found is not None and found.symbol == symbol


def test_unknown_and_incompatible_units() -> None:
    assert units.lookup("calculated") is None
    with pytest.raises(KeyError):
        units.convert(1.0, "furlong", "m")
    with pytest.raises(ValueError, match="cannot convert"):
        units.convert(1.0, "mph", "psi")


def test_si_values_are_untouched_and_arrays_convert_elementwise() -> None:
    speeds = np.array([0.0, 36.0, 72.0, np.nan])
    assert units.to_si(speeds, "m/s") is speeds
    converted = units.to_si(speeds, "km/h")
    assert np.array_equal(converted[:3], [0.0, 10.0, 20.0]) and np.isnan(converted[3])


def test_display_units_per_system() -> None:
    assert [units.display_unit(si, units.IMPERIAL) for si in ("m/s", "m", "Pa", "C")] == ["mph", "ft", "psi", "F"]
    assert [units.display_unit(si, units.METRIC) for si in ("m/s", "m", "Pa", "C")] == ["km/h", "m", "kPa", "C"]
    assert units.display_unit("rpm", units.IMPERIAL) == "rpm"
    assert units.unit_system("MPH") == units.IMPERIAL and units.unit_system("Km/h") == units.METRIC
    assert units.unit_system("rpm") is None


@given(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.sampled_from([("km/h", "mph"), ("m", "ft"), ("kPa", "psi"), ("C", "F"), ("m/s", "km/h"), ("bar", "Pa")]),
)
def test_round_trip(value: float, pair: tuple[str, str]) -> None:
    there = units.convert(value, *pair)
    back = units.convert(there, pair[1], pair[0])
    assert back == pytest.approx(value, rel=1e-12, abs=1e-9)
