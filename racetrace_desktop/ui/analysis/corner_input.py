"""What the corner report shows, as a small typed input (Qt-free).

The corner analysis fills it; `corners_from_compare` is the one place that adapts the analysis output, so
connecting a new analysis means changing that function only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from racetrace_desktop.ui.analysis.compare_build import CompareDisplay


@dataclass(frozen=True)
class CornerLapFigures:
    """One lap through one corner. Speeds in m/s, distances in metres on the reference lap's axis."""

    time_s: float  # time from corner start to corner end
    entry_speed_mps: float | None = None
    min_speed_mps: float | None = None
    exit_speed_mps: float | None = None
    brake_point_m: float | None = None  # where braking starts (None: no braking found)
    hints: tuple[str, ...] = ()  # what to try, against the reference (e.g. "brake 8 m later")


@dataclass(frozen=True)
class CornerInput:
    number: int
    name: str  # "" when the track has no corner names
    start_m: float
    apex_m: float
    end_m: float
    laps: dict[str, CornerLapFigures] = field(default_factory=dict)  # lap key (str(uuid)) -> figures

    def time_lost_s(self, lap_key: str, reference_key: str) -> float | None:
        lap, ref = self.laps.get(lap_key), self.laps.get(reference_key)
        return lap.time_s - ref.time_s if lap and ref else None

    @property
    def title(self) -> str:
        return f"T{self.number}" + (f" {self.name}" if self.name else "")


def corners_from_compare(display: CompareDisplay | Any) -> list[CornerInput]:
    """The corners of a compare, or [] while the analysis provides none.

    Adapter for the corner analysis: today it accepts a `corners` attribute (on the display or its result) that is
    already a list of CornerInput.
    """
    for owner in (display, getattr(display, "result", None)):
        corners = getattr(owner, "corners", None)
        if corners and all(isinstance(c, CornerInput) for c in corners):
            return sorted(corners, key=lambda c: c.start_m)
    return []
