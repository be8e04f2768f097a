"""A GPS receiver's errors as real receivers make them, for judging delta-T against ground truth.

Position error is mostly *drift*: metres of slow wander, correlated over seconds, not independent per fix. Each
axis is a random walk smoothed over `smoothing_s` and high-passed over `highpass_s` (a receiver does not stay
metres off for minutes), scaled to `drift_rms_m`; a little white noise per fix sits on top. Doppler speed is far
more accurate than position: white noise of `speed_noise_mps` on each axis of the velocity, which makes the
course as accurate as the speed (its error is speed noise / speed). `offset_m` displaces every fix by a constant
vector, as another device or another day does. The receiver states an accuracy near its true error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_STEP_S = 0.1


@dataclass(frozen=True)
class ReceiverModel:
    drift_rms_m: float = 1.5  # per axis
    smoothing_s: float = 8.0
    highpass_s: float = 80.0
    white_noise_m: float = 0.15  # per axis, independent per fix
    speed_noise_mps: float = 0.1
    offset_m: tuple[float, float] = (0.0, 0.0)  # constant (east, north) displacement of every fix

    def __post_init__(self) -> None:
        for name in ("drift_rms_m", "white_noise_m", "speed_noise_mps"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"ReceiverModel.{name} must be zero or positive, not {getattr(self, name)}")
        if not 0 < self.smoothing_s < self.highpass_s:
            raise ValueError(f"ReceiverModel needs 0 < smoothing_s < highpass_s, not {self.smoothing_s} and "
                             f"{self.highpass_s}")

    @property
    def stated_accuracy_m(self) -> float:
        """The horizontal accuracy the receiver reports: its 1-sigma radial error."""
        return float(np.hypot(1.0, 1.0) * np.hypot(self.drift_rms_m, self.white_noise_m))


def position_errors(model: ReceiverModel, times: np.ndarray,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(east, north) error in metres at each fix time."""
    return tuple(_drift(model, times, rng) + rng.normal(0.0, model.white_noise_m, times.size) + offset
                 for offset in model.offset_m)  # type: ignore[return-value]


def velocity_readings(model: ReceiverModel, east_mps: np.ndarray, north_mps: np.ndarray,
                      rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(speed m/s, course degrees) measured from the true velocity, course -1 when (nearly) standing."""
    ve = east_mps + rng.normal(0.0, model.speed_noise_mps, east_mps.size)
    vn = north_mps + rng.normal(0.0, model.speed_noise_mps, north_mps.size)
    speed = np.hypot(ve, vn)
    course = np.mod(np.degrees(np.arctan2(ve, vn)), 360.0)
    return speed, np.where(speed < 0.3, -1.0, course)


def _drift(model: ReceiverModel, times: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    if times.size == 0 or model.drift_rms_m <= 0:
        return np.zeros(times.size)
    pad = model.highpass_s
    grid = np.arange(float(times.min()) - pad, float(times.max()) + pad + _STEP_S, _STEP_S)
    walk = np.cumsum(rng.standard_normal(grid.size))
    smooth = _moving_average(walk, model.smoothing_s)
    drift = smooth - _moving_average(smooth, model.highpass_s)
    inner = drift[int(pad / _STEP_S):-int(pad / _STEP_S) or None]
    rms = float(np.sqrt(np.mean(inner**2))) or 1.0
    return np.asarray(np.interp(times, grid, drift * model.drift_rms_m / rms), dtype=np.float64)


def _moving_average(values: np.ndarray, window_s: float) -> np.ndarray:
    width = max(round(window_s / _STEP_S) | 1, 1)
    padded = np.pad(values, width // 2, mode="edge")
    cumulative = np.concatenate(([0.0], np.cumsum(padded)))
    return (cumulative[width:] - cumulative[:-width]) / width
