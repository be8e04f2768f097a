"""What the corner report shows, as a small typed input (Qt-free).

The corner analysis fills it; `corners_from_compare` is the one place that adapts the analysis output, so
connecting a new analysis means changing that function only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from racetrace_desktop.telemetry.corners import Corner

if TYPE_CHECKING:
    from racetrace_desktop.services.compare_service import ComparedLap, StoredComparison
    from racetrace_desktop.telemetry.corner_figures import CornerFigures
    from racetrace_desktop.ui.analysis.compare_build import CompareDisplay

_KMH = 3.6


@dataclass(frozen=True)
class CornerLapFigures:
    """One lap through one corner. Speeds in m/s, distances in metres on the reference lap's axis."""

    time_s: float  # time from corner start to corner end
    entry_speed_mps: float | None = None
    min_speed_mps: float | None = None
    exit_speed_mps: float | None = None
    brake_point_m: float | None = None  # where braking starts (None: no braking found)
    hints: tuple[str, ...] = ()  # what to try, against the reference (e.g. "brake 8 m later")
    delta_s: float | None = None  # the analysis' time lost (+) across the corner; None: time_s difference


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
        if not lap or not ref:
            return None
        if lap.delta_s is not None and ref.delta_s is not None:
            return lap.delta_s - ref.delta_s  # the delta trace's change: the reference's own is 0
        return lap.time_s - ref.time_s

    @property
    def title(self) -> str:
        return f"T{self.number}" + (f" {self.name}" if self.name else "")


def corners_from_compare(display: CompareDisplay | Any) -> list[CornerInput]:
    """The corners of a compare in track order, with every lap's figures and hints; [] without corners.

    Reads the analysis' StoredComparison (`display.stored`); a `corners` attribute (on the display or its result)
    that is already a list of CornerInput is taken as it is (hand-built input).
    """
    stored = getattr(display, "stored", None)
    if stored is not None and getattr(stored, "corners", None):
        return sorted(corners_from_stored(stored), key=lambda c: c.start_m)
    for owner in (display, getattr(display, "result", None)):
        corners = getattr(owner, "corners", None)
        if corners and all(isinstance(c, CornerInput) for c in corners):
            return sorted(corners, key=lambda c: c.start_m)
    return []


def corners_from_stored(stored: StoredComparison) -> list[CornerInput]:
    out = []
    for index, corner in enumerate(stored.corners):
        laps = {str(lap.lap.uuid): _lap_figures(lap.corners[index], corner, _hints_for(lap, corner))
                for lap in stored.laps if index < len(lap.corners)}
        name = "" if _default_name(corner) else corner.name
        out.append(CornerInput(corner.number, name, corner.start_m, corner.apex_m, corner.end_m, laps))
    return out


def _lap_figures(figures: CornerFigures, corner: Corner, hints: tuple[str, ...]) -> CornerLapFigures:
    def mps(kmh: float | None) -> float | None:
        return None if kmh is None else kmh / _KMH

    brake = None if figures.brake_m is None else corner.apex_m + figures.brake_m  # stored relative to the apex
    return CornerLapFigures(figures.time_s, mps(figures.entry_kmh), mps(figures.min_kmh), mps(figures.exit_kmh),
                            brake, hints, figures.delta_s)


def _hints_for(lap: ComparedLap, corner: Corner) -> tuple[str, ...]:
    """The lap's hints about this corner ("T3: 0.21 s lost: braking 8 m earlier..."), without the corner's name
    and the loss (the report's own columns show both)."""
    prefix = f"{corner.name}: "
    out = []
    for hint in lap.hints:
        if hint.startswith(prefix):
            parts = hint[len(prefix):].split(": ", 1)
            out.append(parts[1] if len(parts) == 2 and parts[0].endswith(" s lost") else hint[len(prefix):])
    return tuple(out)


def _default_name(corner: Corner) -> bool:
    return corner.name in ("", f"T{corner.number}")
