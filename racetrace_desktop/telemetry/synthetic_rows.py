"""Sample a synthetic Drive the way a phone logger does: ~20 Hz sensor rows, 1 Hz GPS fixes inserted as rows of
their own (sometimes sharing a timestamp; a fast receiver's fixes flag existing rows instead), GPS values held
between fixes, OBD values held between OBD updates.

All values here are SI (m/s, m, Pa, degrees C, g); synthetic.py converts to the file's units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geo import LocalFrame
from .synthetic_drive import Drive, G
from .synthetic_receiver import ReceiverModel, position_errors, velocity_readings

_GEAR_KMH_PER_1000RPM = np.array([11.5, 17.0, 23.0, 29.0, 35.0, 41.0])
_SHIFT_RPM = 7200.0
_IDLE_RPM = 900.0


@dataclass
class RowTimes:
    t: np.ndarray  # seconds, exact multiples of 1 ms, non-decreasing
    is_fix: np.ndarray  # bool
    fix_of_row: np.ndarray  # index into the fixes of the fix each row holds


def row_times(duration_s: float, row_hz: float, gps_hz: float, rng: np.random.Generator) -> RowTimes:
    n_sensor = int(duration_s * row_hz * 1.05) + 10
    steps = 1.0 / row_hz + rng.uniform(-0.004, 0.004, n_sensor)
    stalls = rng.random(n_sensor) < 0.003  # the odd longer gap, as in real files (max ~0.29 s)
    steps[stalls] += rng.uniform(0.05, 0.23, stalls.sum())
    sensor = np.cumsum(steps)
    sensor = sensor[sensor < duration_s]
    n_fix = int(duration_s * gps_hz) + 1
    fixes = np.arange(n_fix) / gps_hz + rng.normal(0.0, 0.002, n_fix) + 0.5 / row_hz * rng.random()
    fixes[0] = 0.0
    fixes = fixes[fixes < duration_s]
    ms_sensor = np.round(np.concatenate(([0.0], sensor)) * 1000).astype(np.int64)
    if gps_hz * 4 > row_hz:  # a fast receiver: fixes are flagged on the sensor rows they arrive with
        is_fix = np.zeros(ms_sensor.size, dtype=bool)
        is_fix[np.unique(np.clip(np.searchsorted(ms_sensor, np.round(fixes * 1000)), 0, ms_sensor.size - 1))] = True
        return RowTimes(ms_sensor / 1000.0, is_fix, np.cumsum(is_fix) - 1)
    # A 1 Hz phone GPS: each fix is a row of its own, now and then sharing the timestamp of a sensor row.
    ms_sensor = ms_sensor[1:]
    share = rng.random(fixes.size) < 0.02
    nearest = np.clip(np.searchsorted(sensor, fixes) - 1, 0, max(sensor.size - 1, 0))
    if sensor.size:
        fixes[share & (fixes > 0)] = sensor[nearest[share & (fixes > 0)]]
    ms_fix = np.round(fixes * 1000).astype(np.int64)
    ms = np.concatenate((ms_sensor, ms_fix))
    flag = np.concatenate((np.zeros(ms_sensor.size, bool), np.ones(ms_fix.size, bool)))
    order = np.lexsort((flag, ms))  # equal times: the sensor row first, then the fix row
    t = ms[order] / 1000.0
    is_fix = flag[order]
    return RowTimes(t, is_fix, np.cumsum(is_fix) - 1)


def gps_fix_values(drive: Drive, times: np.ndarray, frame: LocalFrame, noise_m: float,
                   rng: np.random.Generator, receiver: ReceiverModel | None = None) -> dict[str, np.ndarray]:
    """What the GPS reports at each fix: noisy position (slowly wandering plus a little jitter), Doppler speed,
    course (-1 when standing still), accuracy estimate and altitude. With a `receiver` its drift model replaces
    the simple wander (the default keeps earlier recordings of a seed identical)."""
    if receiver is not None:
        return _receiver_fix_values(drive, times, frame, receiver, rng)
    n = times.size
    wander_x = _wander(times, noise_m, rng)
    wander_y = _wander(times, noise_m, rng)
    jitter = noise_m * 0.25
    x = drive.at_times(times, drive.x) + wander_x + rng.normal(0, jitter, n)
    y = drive.at_times(times, drive.y) + wander_y + rng.normal(0, jitter, n)
    lat, lon = frame.to_latlon(x, y)
    speed = np.maximum(drive.at_times(times, drive.speed) + rng.normal(0, 0.08, n), 0.0)
    heading = np.mod(np.degrees(drive.at_times(times, drive.heading)) + rng.normal(0, 0.4, n), 360.0)
    heading[speed < 0.3] = -1.0
    if noise_m >= 0.8:  # phone GPS: Android-style quantised accuracy
        accuracy = rng.choice([4.0, 6.0, 8.0], n, p=[0.5, 0.35, 0.15])
    else:
        accuracy = np.round(rng.uniform(0.5, 1.5, n), 1)
    sigma = drive.at_times(times, drive.sigma)
    altitude = 85 + 6 * np.sin(sigma / 600.0) + 2 * np.sin(sigma / 170.0 + 1) + rng.normal(0, 0.3, n)
    return {"lat": lat, "lon": lon, "speed": speed, "heading": heading, "accuracy": accuracy, "altitude": altitude}


def _receiver_fix_values(drive: Drive, times: np.ndarray, frame: LocalFrame, receiver: ReceiverModel,
                         rng: np.random.Generator) -> dict[str, np.ndarray]:
    n = times.size
    ex, ey = position_errors(receiver, times, rng)
    lat, lon = frame.to_latlon(drive.at_times(times, drive.x) + ex, drive.at_times(times, drive.y) + ey)
    true_speed, true_heading = drive.at_times(times, drive.speed), drive.at_times(times, drive.heading)
    speed, heading = velocity_readings(receiver, true_speed * np.sin(true_heading), true_speed * np.cos(true_heading),
                                       rng)
    accuracy = np.round(receiver.stated_accuracy_m * rng.uniform(0.85, 1.15, n), 1)
    sigma = drive.at_times(times, drive.sigma)
    altitude = 85 + 6 * np.sin(sigma / 600.0) + 2 * np.sin(sigma / 170.0 + 1) + rng.normal(0, 0.3, n)
    return {"lat": lat, "lon": lon, "speed": speed, "heading": heading, "accuracy": accuracy, "altitude": altitude}


def _wander(times: np.ndarray, amplitude: float, rng: np.random.Generator, period_s: float = 6.0) -> np.ndarray:
    knots = np.arange(-period_s, times[-1] + 2 * period_s, period_s)
    return np.asarray(np.interp(times, knots, rng.normal(0, amplitude, knots.size)))


def accelerometer(drive: Drive, times: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Accel X = longitudinal (+ = braking, as TrackAddict's brake flag reads it), Y = lateral, Z = vertical."""
    n = times.size
    x = -drive.at_times(times, drive.long_accel) / G + rng.normal(0, 0.03, n)
    y = drive.at_times(times, drive.lat_accel) / G + rng.normal(0, 0.03, n)
    z = rng.normal(0, 0.02, n)
    x, y, z = np.round(x, 2), np.round(y, 2), np.round(z, 2)
    smooth = np.convolve(x, np.ones(5) / 5, mode="same")
    brake = ((x > 0.20) | (smooth > 0.12)).astype(np.int64)
    return {"accel_x": x, "accel_y": y, "accel_z": z, "brake": brake}


def obd_values(drive: Drive, times: np.ndarray, obd_hz: float,
               rng: np.random.Generator) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """OBD_Update flags and the held PID values (rpm, speed, throttle %, temperatures C, manifold Pa)."""
    n_upd = int(times[-1] * obd_hz) + 2
    updates = np.cumsum(1.0 / obd_hz + rng.uniform(-0.3, 0.3, n_upd) / obd_hz)
    rows = np.unique(np.concatenate(([0], np.searchsorted(times, updates[updates <= times[-1]]))))
    rows = rows[rows < times.size]
    flag = np.zeros(times.size, dtype=np.int64)
    flag[rows] = 1
    t_read = np.maximum(times[rows] - 0.05, 0.0)  # the PID was read a moment before it was logged
    v = drive.at_times(t_read, drive.speed)
    accel = drive.at_times(t_read, drive.long_accel)
    kmh = v * 3.6
    rpm = _rpm(kmh) + rng.normal(0, 15, rows.size)
    throttle = np.where(accel > 0.3, 55 + 45 * np.clip(accel / 6.0, 0, 1), np.where(accel < -1.0, 14.5, 28.0))
    throttle = np.round(np.clip(throttle + rng.normal(0, 2, rows.size), 10, 100) * 2.55) / 2.55
    coolant = np.round(82 + 9 * (1 - np.exp(-t_read / 500.0)))
    intake = np.round(31 + 5 * (1 - np.exp(-t_read / 900.0)) + 2 * (v < 15))
    manifold_kpa = np.round(28 + 0.72 * throttle)
    values = {"rpm": np.round(rpm * 4) / 4, "obd_speed_kmh": np.round(kmh * 1.002), "throttle": throttle,
              "coolant": coolant, "intake": intake, "manifold_kpa": manifold_kpa}
    held_index = np.clip(np.cumsum(flag) - 1, 0, None)
    return flag, {k: vals[held_index] for k, vals in values.items()}


def _rpm(kmh: np.ndarray) -> np.ndarray:
    """Highest rpm below the shift point, i.e. the lowest gear that does not over-rev."""
    per_gear = kmh[:, None] / _GEAR_KMH_PER_1000RPM[None, :] * 1000.0
    allowed = np.where(per_gear <= _SHIFT_RPM, per_gear, -np.inf)
    best = allowed.max(axis=1)
    best = np.where(np.isfinite(best), best, per_gear[:, -1])
    return np.asarray(np.maximum(best, _IDLE_RPM))
