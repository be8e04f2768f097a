"""Where a lap's integrated path lies relative to the reference path: one constant offset, with its uncertainty.

Each lap's integrated path is placed by the mean of its own drifting fixes, so two laps are displaced from each
other by the difference of two lap-mean drifts (and between recordings by the devices' constant offset too). The
lateral distances of a lap to the reference path are `lateral = n . offset + line`: the path normal `n` turns
with the track while the driver's line difference `line` drifts slowly. Three independent estimates are combined
by their covariances (best linear unbiased):
- the whole-lap least-squares fit (line differences average out over independent ~150 m stretches),
- the same fit on the high-passed sides (only what changes within tens of metres: the normals turning through
  corners; slow line differences drop out),
- within one recording, the prior that the fixes already placed the lap to about the receiver's accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .compare_align import LapTrack, RefPath, project

LINE_CORRELATION_M = 150.0  # driving-line differences are alike over this length
_STEP_M = 2.0
_MIN_SAMPLES = 20


@dataclass(frozen=True)
class Registration:
    offset_m: tuple[float, float]  # (east, north) to subtract from the lap's positions
    covariance_m2: np.ndarray  # 2x2, of the offset
    residual_m: float  # RMS lateral distance to the reference path left after the fit

    def along_sigma_m(self) -> float:
        """Typical 1-sigma place error along the track due to the offset's uncertainty (any direction)."""
        return float(np.sqrt(max(np.trace(self.covariance_m2) / 2, 0.0)))


def high_pass_window_m(fix_interval_s: float) -> float:
    """Short at 10 Hz, where the integrated path is exact to decimetres; longer at 1 Hz, where it is less sure
    between fixes (chosen by bench_delta_accuracy)."""
    return 35.0 + 35.0 * min(fix_interval_s, 2.0)


def register(track: LapTrack, path: RefPath, ref_length: float, every: int, window_m: float | None,
             prior_m: float | None) -> Registration | None:
    """The lap's offset from the reference path; None when its normals cannot determine one."""
    proj = project(track, path, ref_length, every=every, window_m=window_m)
    ok = np.isfinite(proj.s)
    if ok.sum() < _MIN_SAMPLES:
        return None
    s, lateral = proj.s[ok], proj.lateral[ok]
    n = np.stack((proj.normal_x[ok], proj.normal_y[ok]), axis=1)
    whole = _fit(n, lateral, float(np.ptp(s)) / LINE_CORRELATION_M)
    if whole is None:
        return None
    estimates = [whole]
    window = high_pass_window_m(track.fix_interval_s)
    sharp_n, sharp_lateral = _high_passed(s, n, lateral, window)
    sharp = _fit(sharp_n, sharp_lateral, sharp_lateral.size * _STEP_M / window)
    if sharp is not None:
        estimates.append(sharp)
    if prior_m is not None:
        estimates.append((np.zeros(2), np.eye(2) * prior_m**2, 0.0))
    weight = sum(np.linalg.inv(cov) for _, cov, _ in estimates)
    covariance = np.linalg.inv(weight)
    offset = covariance @ sum(np.linalg.inv(cov) @ value for value, cov, _ in estimates)
    return Registration((float(offset[0]), float(offset[1])), covariance, whole[2])


def _fit(n: np.ndarray, lateral: np.ndarray,
         independent: float) -> tuple[np.ndarray, np.ndarray, float] | None:
    """Least-squares offset, its covariance (residuals alike over stretches: `independent` of them) and the RMS
    residual; None when the normals all point alike."""
    for _ in range(2):  # refit without the points the first fit explains worst (off-line moments)
        offset, *_ = np.linalg.lstsq(n, lateral, rcond=None)
        residual = lateral - n @ offset
        keep = np.abs(residual) <= max(2.5 * float(np.std(residual)), 0.5)
        n, lateral = n[keep], lateral[keep]
    normal = n.T @ n
    if n.shape[0] < _MIN_SAMPLES or not np.all(np.isfinite(normal)) or np.linalg.cond(normal) > 50:
        return None
    offset, *_ = np.linalg.lstsq(n, lateral, rcond=None)
    residual = lateral - n @ offset
    variance = float(np.mean(residual**2)) * n.shape[0] / max(independent, 1.0)
    return np.asarray(offset, dtype=np.float64), variance * np.linalg.inv(normal), float(np.sqrt(np.mean(residual**2)))


def _high_passed(s: np.ndarray, n: np.ndarray, lateral: np.ndarray,
                 window_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Normals and lateral distances on an even grid of reference distance, minus their moving average."""
    order = np.argsort(s, kind="stable")
    grid = np.arange(s[order[0]], s[order[-1]], _STEP_M)
    width = max(round(window_m / _STEP_M) | 1, 3)

    def high_pass(values: np.ndarray) -> np.ndarray:
        even = np.interp(grid, s[order], values[order])
        cumulative = np.concatenate(([0.0], np.cumsum(np.pad(even, width // 2, mode="edge"))))
        high: np.ndarray = even - (cumulative[width:] - cumulative[:-width]) / width
        return high

    return np.stack((high_pass(n[:, 0]), high_pass(n[:, 1])), axis=1), high_pass(lateral)
