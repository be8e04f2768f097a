"""Realistic synthetic TrackAddict recordings with ground truth, for tests, benchmarks and demo data.

    session = generate_session(laps=5, gps_hz=10, obd=True, units="imperial", seed=3, pit_stop_lap=2)
    session.write(tmp_path)            # Log-20250614-100000 Synthetic Ring - 1.27.301.csv
    session.truth.lap_times_ms         # exact stated durations, lap 0 = out-lap
    session.truth.time_at(3, s)        # seconds into lap 3 when the car passed centreline position s

A car drives a closed circuit (synthetic_track) with a grip/power-limited speed profile that varies a little
from lap to lap, on a slightly different line each lap (synthetic_drive); a logger samples it (synthetic_rows)
and the result is written exactly like a TrackAddict 4.8 export (synthetic_csv). Deterministic for a seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from . import units as unit_table
from .geo import LocalFrame, vector_to_heading
from .model import GeoPoint
from .synthetic_csv import columns, format_predicted, render
from .synthetic_drive import CarModel, Drive, DrivePlan, drive_session
from .synthetic_predict import predicted_columns
from .synthetic_receiver import ReceiverModel
from .synthetic_rows import RowTimes, accelerometer, gps_fix_values, obd_values, row_times
from .synthetic_track import TrackShape, build_track

DEFAULT_ORIGIN = (48.0817, 11.2796)  # farmland west of Munich: a plausible, empty place for a test circuit
DEFAULT_START_UTC = datetime(2025, 6, 14, 8, 0, 0, tzinfo=UTC)


@dataclass
class SyntheticTruth:
    """What really happened. Lap numbers follow TrackAddict: 0 = out-lap, 1..N timed, N + 1 = in-lap."""

    track_length_m: float  # centreline length
    start_finish: GeoPoint  # on the centreline, with the direction of travel
    crossing_times_s: list[float]  # exact instants of crossings 0..N (end of lap k = crossing k)
    lap_times_ms: list[int]  # stated durations of laps 0..N, as written in the `# Lap` lines
    lap_lengths_m: list[float]  # distance the car drove in laps 0..N
    total_distance_m: float  # the whole recording, in-lap included
    sector_gates: tuple[GeoPoint, ...]  # inner sector lines at equal centreline fractions
    sector_boundaries_m: list[float]  # their centreline distances, then the track length
    sector_times_ms: dict[int, list[int]]  # timed lap -> sector times through those gates
    pit_laps: list[int]
    inlap_number: int
    gps_hz: float
    path_lat: np.ndarray  # centreline
    path_lon: np.ndarray
    drive: Drive = field(repr=False)
    frame: LocalFrame = field(repr=False)

    @property
    def timed_laps(self) -> list[int]:
        return list(range(1, self.inlap_number))

    @property
    def best_lap_ms(self) -> int:
        return min(self.lap_times_ms[k] for k in self.timed_laps)

    def time_at(self, lap: int, centreline_m: np.ndarray | float) -> np.ndarray:
        """Seconds since the start of timed `lap` when the car passed each centreline position."""
        start = self.crossing_times_s[lap - 1]
        return self.drive.time_at_sigma((lap - 1) * self.track_length_m + np.asarray(centreline_m)) - start

    def accelerations_g(self, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """True (longitudinal, lateral) acceleration in g at session times."""
        return (self.drive.at_times(times, self.drive.long_accel) / 9.80665,
                self.drive.at_times(times, self.drive.lat_accel) / 9.80665)


@dataclass
class SyntheticSession:
    file_name: str
    csv_text: str
    truth: SyntheticTruth

    @property
    def csv_bytes(self) -> bytes:
        return self.csv_text.encode("ascii")

    def write(self, path: str | Path) -> Path:
        """Write the file; `path` may be a folder (the TrackAddict file name is used) or a file path."""
        target = Path(path)
        if target.is_dir():
            target = target / self.file_name
        target.write_bytes(self.csv_bytes)
        return target


@dataclass(frozen=True)
class LoggerSetup:
    gps_hz: float = 1.0
    row_hz: float = 20.0
    obd: bool = True
    obd_hz: float = 4.0
    units: str = "metric"
    barometer: bool = True
    gps_noise_m: float | None = None  # default: 1.0 m at <= 5 Hz (phone), 0.3 m above (external receiver)
    receiver: ReceiverModel | None = None  # drift model; replaces gps_noise_m's simple wander when given


def generate_session(laps: int = 5, gps_hz: float = 1.0, obd: bool = True, units: str = "metric", seed: int = 0,
                     *, pit_stop_lap: int | None = None, duration_s: float | None = None,
                     track_length_m: float = 3700.0, origin: tuple[float, float] = DEFAULT_ORIGIN,
                     start_utc: datetime = DEFAULT_START_UTC, utc_offset_h: int = 2,
                     track_name: str = "Synthetic Ring", num_sectors: int = 3, line_wander_m: float = 1.2,
                     row_hz: float = 20.0, obd_hz: float = 4.0, barometer: bool = True,
                     gps_noise_m: float | None = None, car: CarModel | None = None,
                     receiver: ReceiverModel | None = None) -> SyntheticSession:
    """A complete recording: out-lap, `laps` timed laps (or as many as fit `duration_s`), in-lap.
    `receiver` gives the GPS a correlated drift model (synthetic_receiver) instead of the simple wander."""
    if units not in ("metric", "imperial"):
        raise ValueError(f"units must be 'metric' or 'imperial', not {units!r}")
    rng = np.random.default_rng(seed)
    track = build_track(track_length_m)
    car = car or CarModel()
    if duration_s is not None:
        laps = _laps_for_duration(track, car, duration_s)
    if laps < 1:
        raise ValueError("at least one timed lap is needed")
    if pit_stop_lap is not None and not 1 <= pit_stop_lap < laps:
        raise ValueError(f"pit_stop_lap must be between 1 and {laps - 1}")
    plan = DrivePlan(timed_laps=laps, pit_lap=pit_stop_lap, line_wander_m=line_wander_m)
    drive = drive_session(track, plan, car, rng)
    frame = LocalFrame(*origin)
    setup = LoggerSetup(gps_hz, row_hz, obd, obd_hz, units, barometer, gps_noise_m, receiver)
    truth = _truth(track, drive, frame, laps, num_sectors, gps_hz)
    text = _file_text(drive, truth, frame, setup, start_utc, rng)
    best = truth.best_lap_ms
    local = start_utc + timedelta(hours=utc_offset_h)
    name = f"Log-{local:%Y%m%d-%H%M%S} {track_name} - {best // 60000}.{best // 1000 % 60:02d}.{best % 1000:03d}.csv"
    return SyntheticSession(name, text, truth)


def _laps_for_duration(track: TrackShape, car: CarModel, duration_s: float) -> int:
    probe = drive_session(track, DrivePlan(timed_laps=2), car, np.random.default_rng(0))
    lap_s = float(probe.time_at_sigma(track.length)[0] - probe.time_at_sigma(0.0)[0])
    overhead = float(probe.t[-1]) - 2 * lap_s
    return max(1, round((duration_s - overhead) / lap_s))


def _truth(track: TrackShape, drive: Drive, frame: LocalFrame, laps: int, num_sectors: int,
           gps_hz: float) -> SyntheticTruth:
    length = track.length
    crossings = drive.time_at_sigma(np.arange(laps + 1) * length)
    cross_ms = np.round(crossings * 1000).astype(np.int64)
    lap_ms = [int(v) for v in np.diff(np.concatenate(([0], cross_ms)))]
    path_len = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(drive.x), np.diff(drive.y)))))
    at_cross = np.interp(crossings, drive.t, path_len)
    lap_lengths = [float(v) for v in np.diff(np.concatenate(([0.0], at_cross)))]
    bounds = [length * j / num_sectors for j in range(1, num_sectors)]
    gates = tuple(_centreline_point(track, frame, b) for b in bounds)
    sectors: dict[int, list[int]] = {}
    for lap in range(1, laps + 1):
        splits = drive.time_at_sigma((lap - 1) * length + np.array(bounds)) - crossings[lap - 1]
        marks = np.concatenate(([0], np.round(splits * 1000).astype(np.int64), [lap_ms[lap]]))
        sectors[lap] = [int(v) for v in np.diff(marks)]
    lat, lon = frame.to_latlon(track.x, track.y)
    pit_laps = sorted({int(np.searchsorted(crossings, t)) for t in drive.pit_entry_s + drive.pit_exit_s})
    return SyntheticTruth(length, _centreline_point(track, frame, 0.0), [float(c) for c in crossings], lap_ms,
                          lap_lengths, float(path_len[-1]), gates, [*bounds, length], sectors, pit_laps, laps + 1,
                          gps_hz, lat, lon, drive, frame)


def _centreline_point(track: TrackShape, frame: LocalFrame, s: float) -> GeoPoint:
    x, y, h = track.sample(np.array([s]))
    lat, lon = frame.to_latlon(x, y)
    heading = float(vector_to_heading(np.sin(h[0]), np.cos(h[0])))
    return GeoPoint(float(lat[0]), float(lon[0]), round(heading, 2))


def _file_text(drive: Drive, truth: SyntheticTruth, frame: LocalFrame, setup: LoggerSetup, start_utc: datetime,
               rng: np.random.Generator) -> str:
    rows = row_times(float(drive.t[-1]), setup.row_hz, setup.gps_hz, rng)
    t = rows.t
    noise = setup.gps_noise_m if setup.gps_noise_m is not None else (1.0 if setup.gps_hz <= 5 else 0.3)
    gps = gps_fix_values(drive, t[rows.is_fix], frame, noise, rng, setup.receiver)
    held = {k: v[rows.fix_of_row] for k, v in gps.items()}
    lap_col, comments = _laps_and_comments(t, rows, truth, drive)
    predicted, vs_best = predicted_columns(t, rows, truth, lap_col)
    metric = setup.units == "metric"
    data = _core_columns(t, start_utc, lap_col, predicted, vs_best, rows, held, metric)
    data += _sensor_columns(drive, t, held, metric, setup.barometer, rng)
    if setup.obd:
        data += _obd_columns(drive, t, setup.obd_hz, metric, rng)
    return render(_preamble(truth, setup), columns(setup.units, setup.obd), data, comments)


def _laps_and_comments(t: np.ndarray, rows: RowTimes, truth: SyntheticTruth,
                       drive: Drive) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """The Lap column flips on the first fix row after each crossing; `# Lap k` sits just before that row."""
    fix_rows = np.flatnonzero(rows.is_fix)
    fix_t = t[fix_rows]
    flips = fix_rows[np.minimum(np.searchsorted(fix_t, truth.crossing_times_s, side="right"), fix_rows.size - 1)]
    lap_col = np.searchsorted(flips, np.arange(t.size), side="right")
    comments = [(int(row), f"# Lap {k}: {_hms(truth.lap_times_ms[k])}") for k, row in enumerate(flips)]
    for when, text in [(s, "# Pit Lane Entry") for s in drive.pit_entry_s] + [
            (s, "# Pit Lane Exit") for s in drive.pit_exit_s]:
        comments.append((int(np.searchsorted(t, when)), text))
    comments.append((t.size, "# Session End"))
    return lap_col, comments


def _hms(ms: int) -> str:
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


Columns = list[np.ndarray | list[str]]  # CSV columns: numbers, or preformatted text


def _core_columns(t: np.ndarray, start_utc: datetime, lap_col: np.ndarray, predicted: np.ndarray,
                  vs_best: np.ndarray, rows: RowTimes, held: dict[str, np.ndarray], metric: bool) -> Columns:
    epoch = start_utc.timestamp()
    speed = np.round(unit_table.from_si(held["speed"], "km/h" if metric else "mph"), 1)
    alt_m = np.round(held["altitude"], 1)
    return [t, np.round(epoch + t, 3), lap_col, format_predicted(predicted), format_predicted(vs_best),
            rows.is_fix.astype(np.int64), np.zeros(t.size),
            np.round(held["lat"], 7), np.round(held["lon"], 7), alt_m, np.round(alt_m * 3.28084).astype(np.int64),
            speed, np.round(held["heading"], 1), held["accuracy"]]


def _sensor_columns(drive: Drive, t: np.ndarray, held: dict[str, np.ndarray], metric: bool, barometer: bool,
                    rng: np.random.Generator) -> Columns:
    acc = accelerometer(drive, t, rng)
    cols: Columns = [acc["accel_x"], acc["accel_y"], acc["accel_z"], acc["brake"]]
    if not barometer:
        return [*cols, np.zeros(t.size), np.zeros(t.size, dtype=np.int64) if not metric else np.zeros(t.size)]
    kpa = 101.325 * (1 - 2.25577e-5 * held["altitude"]) ** 5.25588 - 0.6 + rng.normal(0, 0.01, t.size)
    written = np.round(kpa, 2) if metric else np.round(unit_table.from_si(kpa * 1000, "psi"), 3)
    kpa_back = written if metric else unit_table.to_si(written, "psi") / 1000
    p_alt = (1 - (kpa_back / 101.325) ** (1 / 5.25588)) / 2.25577e-5
    return [*cols, written, np.round(p_alt, 1) if metric else np.round(p_alt * 3.28084).astype(np.int64)]


def _obd_columns(drive: Drive, t: np.ndarray, obd_hz: float, metric: bool, rng: np.random.Generator) -> Columns:
    flag, v = obd_values(drive, t, obd_hz, rng)
    speed = v["obd_speed_kmh"] if metric else unit_table.convert(v["obd_speed_kmh"], "km/h", "mph")
    temps = (v["coolant"], v["intake"]) if metric else tuple(unit_table.from_si(x, "F") for x in
                                                             (v["coolant"], v["intake"]))
    manifold = v["manifold_kpa"] if metric else unit_table.convert(v["manifold_kpa"], "kPa", "psi")
    return [flag, v["rpm"], np.round(speed, 3), np.round(v["throttle"], 3), np.round(temps[0], 3),
            np.round(temps[1], 3), np.round(manifold, 3)]


def _preamble(truth: SyntheticTruth, setup: LoggerSetup) -> list[str]:
    sf = truth.start_finish
    gps = "iOS; Type: 1" if setup.gps_hz <= 5 else f"EXT: Synthetic {setup.gps_hz:g} Hz"
    lines = ["# RaceRender Data: TrackAddict 4.8.0 on iOS 15.5 [iPhone12,1] (Mode: 0)",
             "# Vehicle: 2020 Porsche 718 Cayman GT4",
             f"# End Point: {sf.lat:.6f}, {sf.lon:.6f}  @ -1.00 deg",
             f"# GPS: {gps}"]
    if setup.obd:
        lines += ['# OBD Mode: BLE; ID: "OBDII  v2.2"', "# OBD Settings: AP1;AF1;RPR0"]
    units_flag = "U1" if setup.units == "metric" else "U0"
    lines += [f"# User Settings: {units_flag};AS1;LT0/1;EC1;VC1;VQ3;VS0", "# Device Free Space: 23784 MB"]
    return lines
