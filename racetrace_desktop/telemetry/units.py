"""Unit conversion, table-driven: the reader converts file units to SI, the UI converts SI back for display.

Every unit is `si = (value + offset) * scale / divisor`; the offset only matters for temperatures (°F).
A divisor keeps conversions such as km/h -> m/s (v / 3.6) correctly rounded.
Stored SI units follow model.py: m/s, m, Pa, degrees Celsius, s, g, deg, %, rpm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METRIC = "metric"
IMPERIAL = "imperial"


@dataclass(frozen=True)
class Unit:
    symbol: str  # canonical spelling, e.g. "km/h"
    quantity: str  # "speed", "length", "pressure", "temperature", "time", "acceleration", ...
    si_symbol: str  # unit of the stored values for this quantity
    scale: float = 1.0
    offset: float = 0.0
    divisor: float = 1.0

    @property
    def is_si(self) -> bool:
        return self.symbol == self.si_symbol

    def to_si(self, values: np.ndarray | float) -> np.ndarray | float:
        if self.is_si:
            return values
        shifted = values + self.offset if self.offset else values
        scaled = shifted * self.scale if self.scale != 1.0 else shifted
        return scaled / self.divisor if self.divisor != 1.0 else scaled

    def from_si(self, values: np.ndarray | float) -> np.ndarray | float:
        if self.is_si:
            return values
        unscaled = values * self.divisor if self.divisor != 1.0 else values
        unscaled = unscaled / self.scale if self.scale != 1.0 else unscaled
        return unscaled - self.offset if self.offset else unscaled


_UNITS = (
    Unit("m/s", "speed", "m/s"),
    Unit("km/h", "speed", "m/s", divisor=3.6),
    Unit("mph", "speed", "m/s", 0.44704),  # international mile / hour, exact
    Unit("kn", "speed", "m/s", 1852.0, divisor=3600.0),
    Unit("m", "length", "m"),
    Unit("km", "length", "m", 1000.0),
    Unit("mm", "length", "m", divisor=1000.0),
    Unit("ft", "length", "m", 0.3048),  # international foot, exact
    Unit("mi", "length", "m", 1609.344),
    Unit("Pa", "pressure", "Pa"),
    Unit("hPa", "pressure", "Pa", 100.0),
    Unit("kPa", "pressure", "Pa", 1000.0),
    Unit("bar", "pressure", "Pa", 100_000.0),
    Unit("psi", "pressure", "Pa", 6894.757293168361),  # lbf/in²
    Unit("C", "temperature", "C"),
    Unit("F", "temperature", "C", 5.0, -32.0, 9.0),
    Unit("K", "temperature", "C", 1.0, -273.15),
    Unit("s", "time", "s"),
    Unit("ms", "time", "s", divisor=1000.0),
    Unit("g", "acceleration", "g"),
    Unit("m/s²", "acceleration", "g", divisor=9.80665),
    Unit("deg", "angle", "deg"),
    Unit("%", "percent", "%"),
    Unit("rpm", "rotation", "rpm"),
)
UNITS: dict[str, Unit] = {unit.symbol.lower(): unit for unit in _UNITS}

# Other spellings seen in logger exports (matched case-insensitively).
_ALIASES = {
    "kph": "km/h", "kmh": "km/h", "km/hr": "km/h", "kmph": "km/h", "mi/h": "mph", "knots": "kn", "kt": "kn",
    "meters": "m", "metres": "m", "feet": "ft", "miles": "mi",
    "°c": "c", "degc": "c", "celsius": "c", "°f": "f", "degf": "f", "fahrenheit": "f", "kelvin": "k",
    "sec": "s", "seconds": "s", "m/s2": "m/s²", "m/s^2": "m/s²", "°": "deg", "degrees": "deg", "percent": "%",
    "mbar": "hpa", "lbf/in2": "psi",
}

# Unit shown to the user for each quantity in each unit system.
_DISPLAY = {
    "speed": ("km/h", "mph"),
    "length": ("m", "ft"),
    "pressure": ("kPa", "psi"),
    "temperature": ("C", "F"),
}


def lookup(text: str) -> Unit | None:
    """The unit written as `text` ("Km/h", "MPH", "PSI", "F", ...), or None if unknown."""
    key = text.strip().lower()
    key = _ALIASES.get(key, key)
    return UNITS.get(key)


def unit(text: str) -> Unit:
    """Like lookup() but raises KeyError for an unknown unit."""
    found = lookup(text)
    if found is None:
        raise KeyError(f"unknown unit {text!r}")
    return found


def convert(values: np.ndarray | float, from_unit: str, to_unit: str) -> np.ndarray | float:
    """Convert between two units of the same quantity, e.g. convert(v, "km/h", "mph")."""
    source, target = unit(from_unit), unit(to_unit)
    if source.quantity != target.quantity:
        raise ValueError(f"cannot convert {source.symbol} ({source.quantity}) to {target.symbol} ({target.quantity})")
    if source.symbol == target.symbol:
        return values
    return target.from_si(source.to_si(values))


def to_si(values: np.ndarray | float, from_unit: str) -> np.ndarray | float:
    return unit(from_unit).to_si(values)


def from_si(values: np.ndarray | float, to_unit: str) -> np.ndarray | float:
    return unit(to_unit).from_si(values)


def unit_system(symbol: str) -> str | None:
    """METRIC or IMPERIAL for units that belong to one system (km/h, mph, ft, ...), else None."""
    found = lookup(symbol)
    if found is None or found.quantity not in _DISPLAY:
        return None
    metric, imperial = _DISPLAY[found.quantity]
    if found.symbol == imperial:
        return IMPERIAL
    if found.symbol == metric or found.is_si:
        return METRIC
    return None


def display_unit(si_symbol: str, system: str) -> str:
    """Unit to show SI values in for the user's unit system, e.g. ("m/s", IMPERIAL) -> "mph"."""
    found = lookup(si_symbol)
    if found is None or found.quantity not in _DISPLAY:
        return si_symbol
    metric, imperial = _DISPLAY[found.quantity]
    return imperial if system == IMPERIAL else metric
