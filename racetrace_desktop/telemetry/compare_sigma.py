"""How far a delta-T trace can be trusted: a 1-sigma uncertainty in seconds at every grid point.

A place error of e metres along the track is a delta error of e / speed seconds, so the same registration error
matters most in slow corners. Per lap the place error combines
- the receiver: its stated accuracy (the `gps_accuracy` channel, else a phone's), scaled by how much of it the
  alignment leaves (the "doppler" alignment averages the drift over the lap; position-based methods keep most),
- the fix rate: between fixes the path is interpolated, which costs up to a few metres at 1 Hz in corners and
  grows across an outage (the time between the fixes around each point counts, not the typical rate),
- the registration: the covariance of the fitted offset (compare_registration), or for position-based methods
  the spread of the lap's lateral distances to the reference path averaged over independent stretches,
and the reference lap's own receiver error. Near a sector line whose crossing disagrees with the trace, the
sigma is at least that disagreement. The delta at the start and finish is exact (pinned), its sigma 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Fraction of the per-axis receiver error left in the place of a lap, by alignment method (bench_delta_accuracy).
LEFT_OF_RECEIVER_ERROR = {"doppler": 0.1, "projection": 1.0, "sectors": 1.0, "distance": 1.5, "raw": 3.0}
INTERPOLATION_M_PER_S = 0.6  # place error per second between fixes
# The fitted offset covariance counts independent stretches of line difference; they are more alike than that.
REGISTRATION_SCALE = 1.5
_MIN_SPEED_MPS = 3.0
_GATE_REACH_M = 100.0


@dataclass(frozen=True)
class PlaceError:
    """What one lap brings to the uncertainty (metres along the track, 1 sigma)."""

    accuracy_m: float  # stated horizontal accuracy, radial 1 sigma
    fix_spacing_s: np.ndarray  # time between the fixes around each grid point (long across an outage)
    registration_m: float = 0.0  # 1-sigma place error left by the registration to the reference (0: none)

    def along_m(self, method: str) -> np.ndarray:
        receiver = LEFT_OF_RECEIVER_ERROR.get(method, 1.0) * self.accuracy_m / np.sqrt(2.0)
        interpolation = INTERPOLATION_M_PER_S * np.maximum(self.fix_spacing_s - 0.1, 0.0)
        along: np.ndarray = np.sqrt(receiver**2 + interpolation**2 + (REGISTRATION_SCALE * self.registration_m) ** 2)
        return along


def delta_sigma(grid: np.ndarray, ref_time_s: np.ndarray, lap: PlaceError, ref: PlaceError, method: str,
                gate_errors: list[tuple[float, float]]) -> np.ndarray:
    """1-sigma uncertainty of one lap's delta on `grid`; `gate_errors` are (distance, |trace - split|) pairs."""
    speed = np.gradient(grid) / np.maximum(np.gradient(ref_time_s), 1e-6)  # the reference car's, on an even grid
    speed = np.clip(speed, _MIN_SPEED_MPS, None)
    along = np.hypot(lap.along_m(method), ref.along_m(method))
    sigma: np.ndarray = along / speed
    for distance, error in gate_errors:
        near = np.abs(grid - distance) <= _GATE_REACH_M
        sigma[near] = np.maximum(sigma[near], error)
    sigma[0] = 0.0
    if method != "raw":  # every other method pins the finish to the lap-time difference
        sigma[-1] = 0.0
    return sigma
