"""Drive a synthetic car round a TrackShape: speed profile, time and position along the whole session.

Speed is limited by cornering grip (v^2 * curvature <= lateral grip), by traction and power when accelerating and by
braking grip when slowing down. With constant limits the forward and backward passes are running minima:
v^2(s) = min over earlier points j of (v_lim^2(j) + 2 a (s - s_j)), and v^3 grows linearly under constant power,
so the whole session is solved with numpy accumulate calls, no per-sample loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .synthetic_track import TrackShape

G = 9.80665
PIT_SPEED_MPS = 60 / 3.6


@dataclass(frozen=True)
class CarModel:
    lateral_grip_g: float = 1.25
    brake_g: float = 1.1
    traction_g: float = 0.7
    power_w_per_kg: float = 230.0
    top_speed_mps: float = 72.0


@dataclass(frozen=True)
class DrivePlan:
    """What the car does: N timed laps between an out-lap and an in-lap, optionally one pit stop."""

    timed_laps: int
    outlap_start_fraction: float = 0.7  # the out-lap starts this fraction of a lap before the line
    inlap_stop_fraction: float = 0.55  # the in-lap ends this far round the lap
    pit_lap: int | None = None  # stop at the end of this lap (1-based timed lap)
    pit_stop_s: float = 25.0
    start_wait_s: float = 4.0
    end_wait_s: float = 3.0
    line_wander_m: float = 1.2  # amplitude of the lap-to-lap racing-line variation
    pace_spread: float = 0.006  # lap-to-lap grip variation (relative)
    pit_entry_before_m: float = 380.0
    pit_exit_after_m: float = 260.0
    pit_box_before_m: float = 60.0
    pit_offset_m: float = 15.0  # the pit lane runs parallel to the main straight on the inside


@dataclass
class Drive:
    """The car's state sampled along the session on a fine arc grid (arrays of equal length)."""

    sigma: np.ndarray  # position along the centreline, laps unrolled (crossing k at sigma = k * L)
    t: np.ndarray  # session seconds, strictly increasing
    x: np.ndarray  # local metres of the car (centreline + lateral offset)
    y: np.ndarray
    speed: np.ndarray  # m/s
    heading: np.ndarray  # radians, compass, unwrapped
    long_accel: np.ndarray  # m/s^2
    lat_accel: np.ndarray  # m/s^2, + = right
    pit_entry_s: list[float]
    pit_exit_s: list[float]

    def time_at_sigma(self, sigma: np.ndarray | float) -> np.ndarray:
        """First instant the car reaches each arc position."""
        sig = np.atleast_1d(np.asarray(sigma, dtype=np.float64))
        i = np.clip(np.searchsorted(self.sigma, sig, side="right") - 1, 0, self.sigma.size - 2)
        span = self.sigma[i + 1] - self.sigma[i]
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(span > 0, (sig - self.sigma[i]) / span, 0.0)
        return np.asarray(self.t[i] + f * (self.t[i + 1] - self.t[i]))

    def at_times(self, times: np.ndarray, values: np.ndarray) -> np.ndarray:
        return np.asarray(np.interp(times, self.t, values))


def drive_session(track: TrackShape, plan: DrivePlan, car: CarModel, rng: np.random.Generator) -> Drive:
    length = track.length
    step = track.step
    start = -plan.outlap_start_fraction * length
    end = plan.timed_laps * length + plan.inlap_stop_fraction * length
    sigma = np.arange(start, end + step / 2, step)
    sigma[-1] = end
    lap_index = np.floor(sigma / length).astype(int)  # -1 = out-lap, timed_laps = in-lap
    v_lim = _corner_limit(track, sigma, lap_index, plan, car, rng)
    stops = [0, sigma.size - 1]
    pit_zone = np.zeros(sigma.size, dtype=bool)
    if plan.pit_lap is not None:
        line = plan.pit_lap * length
        box = line - plan.pit_box_before_m
        pit_zone = (sigma >= line - plan.pit_entry_before_m) & (sigma <= line + plan.pit_exit_after_m)
        v_lim[pit_zone] = np.minimum(v_lim[pit_zone], PIT_SPEED_MPS)
        stops.append(int(np.argmin(np.abs(sigma - box))))
    v_lim[stops] = 0.0
    speed = _speed_profile(sigma, v_lim, car)
    offset = _lateral_offset(sigma, plan, pit_zone, rng)
    return _integrate_time(track, sigma, speed, offset, stops, plan, pit_zone)


def _corner_limit(track: TrackShape, sigma: np.ndarray, lap_index: np.ndarray, plan: DrivePlan,
                  car: CarModel, rng: np.random.Generator) -> np.ndarray:
    n_laps = plan.timed_laps + 2
    grip = 1 + plan.pace_spread * rng.standard_normal(n_laps)
    pace = np.ones(n_laps)
    pace[0], pace[-1] = 0.8, 0.6  # out-lap and in-lap are driven gently
    lap_slot = lap_index + 1
    wobble = _smooth_noise(sigma, 150.0, 0.012, rng)  # corner-by-corner variation
    kappa = np.abs(track.curvature_at(sigma))
    with np.errstate(divide="ignore"):
        corner = np.sqrt(car.lateral_grip_g * G * grip[lap_slot] * (1 + wobble) / kappa)
    return np.asarray(np.minimum(corner, car.top_speed_mps) * pace[lap_slot])


def _speed_profile(sigma: np.ndarray, v_lim: np.ndarray, car: CarModel) -> np.ndarray:
    u_lim = v_lim**2
    a_acc, a_brk = car.traction_g * G, car.brake_g * G
    fwd_grip = 2 * a_acc * sigma + np.minimum.accumulate(u_lim - 2 * a_acc * sigma)
    p = 3 * car.power_w_per_kg
    fwd_power = p * sigma + np.minimum.accumulate(v_lim**3 - p * sigma)
    rev = sigma[::-1]
    bwd = (-2 * a_brk * rev + np.minimum.accumulate(u_lim[::-1] + 2 * a_brk * rev))[::-1]
    v = np.minimum(np.sqrt(np.maximum(fwd_grip, 0)), np.cbrt(np.maximum(fwd_power, 0)))
    return np.minimum(v, np.sqrt(np.maximum(bwd, 0)))


def _smooth_noise(sigma: np.ndarray, scale_m: float, amplitude: float, rng: np.random.Generator) -> np.ndarray:
    knots = np.arange(sigma[0] - scale_m, sigma[-1] + 2 * scale_m, scale_m)
    values = rng.standard_normal(knots.size) * amplitude
    return np.asarray(np.interp(sigma, knots, values))


def _lateral_offset(sigma: np.ndarray, plan: DrivePlan, pit_zone: np.ndarray,
                    rng: np.random.Generator) -> np.ndarray:
    """Each lap takes a slightly different line; in the pit lane the car runs parallel to the straight."""
    offset = _smooth_noise(sigma, 120.0, plan.line_wander_m, rng)
    if pit_zone.any():
        ramp = np.convolve(pit_zone.astype(float), np.ones(161) / 161, mode="same")  # 80 m lane change
        offset = offset * (1 - ramp) + plan.pit_offset_m * ramp
    width = 121  # 60 m moving average: the line bends smoothly instead of kinking at the noise knots
    offset = np.convolve(np.pad(offset, width // 2, mode="edge"), np.ones(width) / width, mode="valid")
    return offset


def _integrate_time(track: TrackShape, sigma: np.ndarray, speed: np.ndarray, offset: np.ndarray,
                    stops: list[int], plan: DrivePlan, pit_zone: np.ndarray) -> Drive:
    cx, cy, ch = track.sample(sigma)
    x, y = cx + offset * np.cos(ch), cy - offset * np.sin(ch)  # + offset = to the right of travel
    seg = np.hypot(np.diff(x), np.diff(y))
    v_mid = (speed[1:] + speed[:-1]) / 2
    dt = seg / np.maximum(v_mid, 1e-6)
    waits = np.zeros(sigma.size)
    waits[0] = plan.start_wait_s
    waits[-1] = plan.end_wait_s
    if len(stops) > 2:
        waits[stops[2]] = plan.pit_stop_s
    # Each stop becomes two samples at the same place: arrival and departure.
    t_arrive = np.concatenate(([0.0], np.cumsum(dt))) + np.concatenate(([0.0], np.cumsum(waits)[:-1]))
    dup = np.flatnonzero(waits > 0)
    order = np.sort(np.concatenate((np.arange(sigma.size), dup)))
    t = t_arrive[order]
    t[np.flatnonzero(np.diff(order) == 0) + 1] += waits[dup]
    heading = np.unwrap(np.arctan2(np.gradient(x), np.gradient(y)))
    ds_path = np.maximum(np.gradient(np.concatenate(([0.0], np.cumsum(seg)))), 1e-6)
    lat = speed**2 * np.gradient(heading) / ds_path
    lon = speed * np.gradient(speed) / ds_path
    entry, exit_ = _pit_times(sigma, t_arrive, pit_zone)
    return Drive(sigma[order], t, x[order], y[order], speed[order], heading[order], lon[order], lat[order],
                 entry, exit_)


def _pit_times(sigma: np.ndarray, t: np.ndarray, pit_zone: np.ndarray) -> tuple[list[float], list[float]]:
    if not pit_zone.any():
        return [], []
    idx = np.flatnonzero(pit_zone)
    return [float(t[idx[0]])], [float(t[idx[-1]])]
