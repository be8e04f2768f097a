"""Where a lap's integrated path lies relative to the reference path: one constant offset, with its uncertainty.

Each lap's integrated path is placed by the mean of its own drifting fixes, so two laps are displaced from each
other by the difference of two lap-mean drifts (and between recordings by the devices' constant offset too). The
lateral distances of a lap to the reference path are `lateral = n . offset + line`: the path normal `n` turns
with the track while the driver's line difference `line` drifts slowly. Three independent estimates are combined
by their covariances (best linear unbiased):
- the whole-lap least-squares fit (line differences average out over independent ~150 m stretches),
- the same fit on the high-passed sides (only what changes within tens of metres: the normals turning through
  corners; slow line differences drop out),
- within one recording, the prior that the fixes already placed the lap to about the receiver's accuracy;
  for a lap of another recording, the device offset as the other laps of that recording see it.
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


def register_laps(fits: dict[str, Fits | None], sources: dict[str, str | None], reference_source: str | None,
                  prior_m: dict[str, float]) -> dict[str, Registration]:
    """Every lap's registration. Within the reference's recording a lap's fixes placed it to about `prior_m`
    already. Laps of another recording share one device offset: each lap's fits are combined with that offset as
    the other laps of its recording see it (their lap-mean drift, `prior_m`, on top of its uncertainty)."""
    own = {key: combine(f.estimates) for key, f in fits.items() if f is not None}
    result = {}
    for key, f in fits.items():
        if f is None:
            continue
        if sources[key] == reference_source:
            estimates = [*f.estimates, Estimate(np.zeros(2), np.eye(2) * prior_m[key] ** 2)]
        else:
            others = [Estimate(e.offset, e.covariance + np.eye(2) * prior_m[k] ** 2) for k, e in own.items()
                      if k != key and sources[k] == sources[key]]
            device = combine(others) if others else None
            estimates = f.estimates if device is None else [
                *f.estimates, Estimate(device.offset, device.covariance + np.eye(2) * prior_m[key] ** 2)]
        result[key] = f.registration(combine(estimates))
    return result


@dataclass(frozen=True)
class Estimate:
    offset: np.ndarray  # (east, north)
    covariance: np.ndarray  # 2x2


@dataclass(frozen=True)
class Fits:
    """The two least-squares estimates of one lap's offset from its lateral distances."""

    estimates: list[Estimate]
    residual_m: float

    def registration(self, estimate: Estimate) -> Registration:
        return Registration((float(estimate.offset[0]), float(estimate.offset[1])), estimate.covariance,
                            self.residual_m)


def combine(estimates: list[Estimate]) -> Estimate:
    """Best linear unbiased combination of independent estimates of one offset."""
    weights = [np.linalg.inv(e.covariance) for e in estimates]
    covariance = np.linalg.inv(sum(weights))
    offset = covariance @ sum(w @ e.offset for w, e in zip(weights, estimates, strict=True))
    return Estimate(np.asarray(offset, dtype=np.float64), covariance)


def fit_offsets(track: LapTrack, path: RefPath, ref_length: float, every: int, window_m: float | None) -> Fits | None:
    """Whole-lap and high-passed fits of `lateral = n . offset + line`; None when the normals cannot tell."""
    proj = project(track, path, ref_length, every=every, window_m=window_m)
    ok = np.isfinite(proj.s)
    if ok.sum() < _MIN_SAMPLES:
        return None
    s, lateral = proj.s[ok], proj.lateral[ok]
    n = np.stack((proj.normal_x[ok], proj.normal_y[ok]), axis=1)
    whole = _fit(n, lateral, float(np.ptp(s)) / LINE_CORRELATION_M)
    if whole is None:
        return None
    estimates = [Estimate(whole[0], whole[1])]
    window = high_pass_window_m(track.fix_interval_s)
    sharp_n, sharp_lateral = _high_passed(s, n, lateral, window)
    sharp = _fit(sharp_n, sharp_lateral, sharp_lateral.size * _STEP_M / window)
    if sharp is not None:
        estimates.append(Estimate(sharp[0], sharp[1]))
    return Fits(estimates, whole[2])


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
