"""Display units: stored values are SI; the user sees metric or imperial. Qt-free table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from racetrace_desktop.telemetry import display

METRIC = "metric"
IMPERIAL = "imperial"


@dataclass(frozen=True)
class DisplayUnit:
    """`shown = stored * scale + offset`."""

    label: str
    scale: float = 1.0
    offset: float = 0.0
    decimals: int = 1

    def convert(self, values: np.ndarray | float) -> np.ndarray | float:
        return values * self.scale + self.offset

    def to_si(self, shown: float) -> float:
        return (shown - self.offset) / self.scale

    def format(self, value: float) -> str:
        if value is None or not np.isfinite(value):
            return "–"
        return f"{value * self.scale + self.offset:.{self.decimals}f} {self.label}".rstrip()


_KMH = DisplayUnit("km/h", 3.6)
_MPH = DisplayUnit("mph", 1 / 0.44704)
_M = DisplayUnit("m", 1.0, decimals=0)
_FT = DisplayUnit("ft", 1 / 0.3048, decimals=0)
_KPA = DisplayUnit("kPa", 1e-3)
_PSI = DisplayUnit("psi", 1 / 6894.757293168, decimals=2)
_C = DisplayUnit("°C", 1.0)
_F = DisplayUnit("°F", 1.8, 32.0)

_BY_SI_UNIT: dict[str, tuple[DisplayUnit, DisplayUnit]] = {
    "m/s": (_KMH, _MPH),
    "m": (_M, _FT),
    "pa": (_KPA, _PSI),
    "°c": (_C, _F),
    "degc": (_C, _F),
    "c": (_C, _F),
}
_FIXED = {
    "g": DisplayUnit("g", decimals=2),
    "%": DisplayUnit("%", decimals=0),
    "rpm": DisplayUnit("rpm", decimals=0),
    "s": DisplayUnit("s", decimals=3),
    "deg": DisplayUnit("°", decimals=0),
    "°": DisplayUnit("°", decimals=0),
}


def display_unit(si_unit: str, system: str = METRIC) -> DisplayUnit:
    """How to show a value stored in `si_unit`; unknown units are shown as stored."""
    key = (si_unit or "").strip().lower()
    if key in _BY_SI_UNIT:
        metric, imperial = _BY_SI_UNIT[key]
        return imperial if system == IMPERIAL else metric
    return _FIXED.get(key, DisplayUnit(si_unit or "", decimals=2))


def distance_unit(system: str = METRIC) -> DisplayUnit:
    return display_unit("m", system)


def speed_unit(system: str = METRIC) -> DisplayUnit:
    return display_unit("m/s", system)


format_lap_time = display.lap_time  # the one lap-time format of the CLI, the window and the web pages


def format_gap(ms: int | float | None) -> str:
    if ms is None or not np.isfinite(ms):
        return "–"
    return f"{'+' if ms >= 0 else '-'}{abs(ms) / 1000:.3f}"
