"""What the plots draw: laps as arrays against distance, and which channels to show. Qt-free."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from racetrace_desktop.ui.units import DisplayUnit

DELTA_KEY = "delta_t"


@dataclass
class Trace:
    """One lap: SI channel values on its own distance axis (metres, increasing)."""

    key: str
    label: str
    color: str
    distance_m: np.ndarray
    channels: dict[str, np.ndarray]
    width: float = 1.5
    is_reference: bool = False
    # Out/in/pit/invalid laps the driver added on purpose: drawn, but they never set the delta axis range.
    flagged: bool = False
    time_s: np.ndarray | None = None  # lap time at each distance (compare): the cursor readout shows it
    sigma_s: np.ndarray | None = None  # delta-T uncertainty (1 sigma), drawn as a light band around delta-T

    def value_at(self, channel: str, distance_m: float) -> float:
        return self._interp(self.channels.get(channel), distance_m)

    def time_at(self, distance_m: float) -> float:
        return self._interp(self.time_s, distance_m)

    def _interp(self, values: np.ndarray | None, distance_m: float) -> float:
        if values is None or len(values) == 0 or not len(self.distance_m):
            return float("nan")
        if distance_m < self.distance_m[0] or distance_m > self.distance_m[-1]:
            return float("nan")
        return float(np.interp(distance_m, self.distance_m, values))


@dataclass
class ChannelSpec:
    key: str
    label: str
    unit: DisplayUnit
    zero_line: bool = False
    main: bool = False  # the plot the driver reads first (delta-T): at least a third of the plot area
    note: str = ""  # shown after the name in the plot title, e.g. what a positive value means


@dataclass
class CursorReading:
    """Value of one channel of one lap at the cursor, in display units."""

    channel: str
    lap: str
    value: float
    unit: str

    @property
    def text(self) -> str:
        return "–" if not np.isfinite(self.value) else f"{self.value:.{_decimals(self.unit)}f} {self.unit}"


@dataclass(frozen=True)
class CornerMark:
    """A corner's number at its apex, along the top of the delta-T plot."""

    number: int
    apex_m: float


@dataclass
class PlotRequest:
    traces: list[Trace]
    channels: list[ChannelSpec]
    distance_unit: DisplayUnit
    sector_boundaries_m: list[float] = field(default_factory=list)
    bridged_m: list[tuple[float, float]] = field(default_factory=list)  # where a lap's GPS was bridged
    corners: list[CornerMark] = field(default_factory=list)


def _decimals(unit: str) -> int:
    return {"rpm": 0, "%": 0, "s": 3, "g": 2, "m": 0, "ft": 0, "psi": 2}.get(unit, 1)
