"""Other loggers' exports written from a generated drive, as docs/formats.md describes each producer's files.

The drive comes from telemetry.synthetic (a car on a circuit, correlated GPS noise, exact crossing times);
each writer lays the recorded rows out the way that logger does and puts the lap information where that
logger puts it (AiM beacon markers, RaceChrono trap rows, a Lap column, VBO [laptiming] gates). Tests then
check the readers against the generator's truth rather than against themselves.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import numpy as np

from racetrace_desktop.telemetry.formats import read_bytes
from racetrace_desktop.telemetry.model import RawSession
from racetrace_desktop.telemetry.synthetic import SyntheticTruth, generate_session

START_UTC = datetime(2026, 7, 13, 14, 35, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Drive:
    """A generated recording: its rows as the TrackAddict reader sees them, and what really happened."""

    raw: RawSession
    truth: SyntheticTruth
    start_utc: datetime

    @property
    def crossings_s(self) -> list[float]:
        """Session times of the start/finish crossings (end of the out-lap, then of each timed lap)."""
        t0 = float(self.raw.time_s[0])
        return [t - t0 for t in self.truth.crossing_times_s]

    @property
    def true_lap_ms(self) -> list[int]:
        """Durations of the laps between crossings (the timed laps), from the exact crossing instants."""
        ends = self.crossings_s
        return [round((b - a) * 1000) for a, b in itertools.pairwise(ends)]

    def laps_before(self, times: np.ndarray) -> np.ndarray:
        """Number of crossings strictly before each time (0 during the out-lap)."""
        return np.searchsorted(np.asarray(self.crossings_s), times, side="left")


@cache
def drive(seed: int = 0, gps_hz: float = 10, laps: int = 3, start_utc: datetime = START_UTC) -> Drive:
    session = generate_session(laps=laps, gps_hz=gps_hz, obd=True, seed=seed, start_utc=start_utc, row_hz=20.0)
    return Drive(read_bytes(session.csv_bytes, session.file_name), session.truth, start_utc)


def _fixes(d: Drive) -> np.ndarray:
    """Rows with a new GPS fix (at 10 Hz, every second 20 Hz row)."""
    return np.flatnonzero(d.raw.gps_fix)


def _speed_kmh(d: Drive, rows: np.ndarray) -> np.ndarray:
    return np.nan_to_num(d.raw.channels["speed"][rows]) * 3.6


def _heading(d: Drive, rows: np.ndarray) -> np.ndarray:
    return np.nan_to_num(d.raw.channels["heading"][rows])


def _at(times: np.ndarray, d: Drive, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    return np.interp(times, d.raw.time_s[rows] - d.raw.time_s[0], values)


# --- AiM Race Studio CSV ----------------------------------------------------------------------------------------


def aim_csv(d: Drive, *, quoted: bool = True, segment_shift_ms: int = 0, cut_s: float | None = None,
            crlf: bool = True) -> bytes:
    rows = _fixes(d)
    t = d.raw.time_s[rows] - d.raw.time_s[0]
    if cut_s is not None:
        rows, t = rows[t <= cut_s], t[t <= cut_s]
    beacons = [f"{c:.3f}" for c in d.crossings_s]
    laps_ms = np.diff([0, *(round(float(b) * 1000) for b in beacons)])
    segments = [_m_ss_s(int(ms) + (segment_shift_ms if k == 2 else 0)) for k, ms in enumerate(laps_ms)]
    local = d.start_utc + timedelta(hours=2)
    names = ["Time", "GPS Speed", "GPS Nsat", "GPS LatAcc", "GPS LonAcc", "GPS Heading", "GPS Altitude",
             "GPS Latitude", "GPS Longitude", "Engine RPM"]
    units = ["s", "km/h", "", "g", "g", "deg", "m", "deg", "deg", "rpm"]
    width = len(names)

    def line(*cells: str) -> str:
        padded = [*cells, *[""] * (width - len(cells))]
        return ",".join(f'"{c}"' if quoted and c else c for c in padded)

    out = [line("Format", "AiM CSV File"), line("Session", "Synthetic Ring"), line("Vehicle", "Kart 125"),
           line("Racer", "Ann Driver"), line("Championship"), line("Comment"),
           ",".join(['"Date"', f'"{local:%A, %B %d, %Y}"', *[""] * (width - 2)]),
           line("Time", f"{local:%I:%M %p}".lstrip("0")), line("Sample Rate", "10"),
           line("Duration", f"{t[-1]:.3f}"), line("Segment", "Session"), line("Beacon Markers", *beacons),
           line("Segment Times", *segments), "", line(*names), line(*units), line() if quoted else ""]
    lat, lon = d.raw.lat[rows], d.raw.lon[rows]
    speed, heading = _speed_kmh(d, rows), _heading(d, rows)
    altitude = np.nan_to_num(d.raw.channels["altitude"][rows])
    rpm = np.nan_to_num(d.raw.channels.get("rpm", np.zeros(d.raw.row_count))[rows])
    for k in range(rows.size):
        cells = [f"{t[k]:.3f}", f"{speed[k]:.2f}", "12", "0.10", "-0.20", f"{heading[k]:.1f}", f"{altitude[k]:.1f}",
                 f"{lat[k]:.7f}", f"{lon[k]:.7f}", f"{rpm[k]:.0f}"]
        out.append(line(*cells))
    return _join(out, crlf)


def _m_ss_s(ms: int) -> str:
    tenths = round(ms / 100)
    return f"{tenths // 600}:{tenths % 600 / 10:04.1f}"


# --- Lap Legend CSV ---------------------------------------------------------------------------------------------


def laplegend_csv(d: Drive, *, lap_number_offset_rows: int = 0) -> bytes:
    rows = np.arange(d.raw.row_count)
    t = d.raw.time_s - d.raw.time_s[0]
    lap = d.laps_before(t)
    lap_number = d.laps_before(t - lap_number_offset_rows * 0.05)
    preamble = ["# Lap Legend CSV Data Export (20 Hz Interpolated)", "# https://laplegend.app",
                "# Track: Synthetic Ring", "# Description: practice", "# App Name: Lap Legend",
                "# App Version: 2.4.1", "# Device Model: Pixel 8", "# Device OS: Android 15",
                "# GPS Device: RaceBox Mini S", "# GPS Rate: 25 Hz", "# Vehicle Sensor Data: OBD-II", ""]
    names = ["Time", "Lap", "GPS Latitude (deg)", "GPS Longitude (deg)", "GPS Altitude (m)", "GPS Heading (deg)",
             "GPS Speed (km/h)", "GPS Accuracy (m)", "Braking", "Lap Number", "Sector Number", "Accel X (G)",
             "Engine RPM (rpm)", "Throttle Position (%)", "Coolant Temperature (°C)"]
    out = [*preamble, ",".join(f'"{n}"' for n in names)]
    speed, heading = _speed_kmh(d, rows), _heading(d, rows)
    rpm = np.nan_to_num(d.raw.channels["rpm"])
    throttle = np.nan_to_num(d.raw.channels["throttle"])
    for k in rows:
        out.append(",".join([f"{t[k]:.3f}", str(lap[k]), f"{d.raw.lat[k]:.7f}", f"{d.raw.lon[k]:.7f}", "110.0",
                             f"{heading[k]:.1f}", f"{speed[k]:.2f}", "0.5", "0", str(lap_number[k]), "1", "0.05",
                             f"{rpm[k]:.0f}", f"{throttle[k]:.1f}", "88"]))
    return _join(out, False, encoding="utf-8")


# --- RaceChrono CSV, Format 3 (names, units and sources on three header rows) -------------------------------------


def racechrono_v3_csv(d: Drive, *, fragment_at_s: float | None = None) -> bytes:
    """GPS columns filled on fix rows only, accelerometer on every row, a trap row at each crossing."""
    t0 = float(d.raw.time_s[0])
    epoch0 = d.start_utc.timestamp()
    names = ["Timestamp", "Fragment ID", "Lap #", "Trap name", "Elapsed time", "Latitude", "Longitude", "Speed",
             "Bearing", "Altitude", "X acceleration", "RPM"]
    units = ["s", "", "", "", "s", "deg", "deg", "m/s", "deg", "m", "G", "rpm"]
    sources = ["", "", "", "", "", "gps", "gps", "gps", "gps", "gps", "acc", "obd"]
    out = ["This file is created using RaceChrono Pro v8.1.2 ( http://racechrono.com/ ).", "Format,3",
           'Session title,"Synthetic practice"', "Session type,Lap timing", 'Track name,"Synthetic Ring"',
           'Driver name,"Ann Driver"', "Export scope,Session", f"Created,{d.start_utc:%d/%m/%Y,%H:%M}", "Note,",
           "", ",".join(names), ",".join(units), ",".join(sources)]
    fixes = _fixes(d)
    lat, lon = d.raw.lat, d.raw.lon
    speed = np.nan_to_num(d.raw.channels["speed"])
    records: list[tuple[float, list[str]]] = []
    for k in range(d.raw.row_count):
        t = float(d.raw.time_s[k]) - t0
        fix = bool(d.raw.gps_fix[k])
        cells = [f"{lat[k]:.7f}", f"{lon[k]:.7f}", f"{speed[k]:.2f}", "90.0", "110.0"] if fix else [""] * 5
        records.append((t, ["", *cells, "0.05", "5000" if k % 5 == 0 else ""]))
    for number, crossing in enumerate(d.crossings_s):
        trap_lat = _at(np.array([crossing]), d, fixes, lat[fixes])[0]
        trap_lon = _at(np.array([crossing]), d, fixes, lon[fixes])[0]
        name = "Start/finish"
        records.append((crossing, [name, f"{trap_lat:.7f}", f"{trap_lon:.7f}", "", "", "", "", ""]))
        del number
    records.sort(key=lambda r: r[0])
    laps = d.laps_before(np.array([r[0] for r in records]) + 1e-9)
    for (t, cells), lap in zip(records, laps, strict=True):
        fragment = 1 if fragment_at_s is not None and t >= fragment_at_s else 0
        elapsed = t - fragment_at_s if fragment_at_s is not None and fragment else t
        lap_text = "" if lap == 0 or lap > len(d.crossings_s) - 1 else str(lap)
        out.append(",".join([f"{epoch0 + t:.3f}", str(fragment), lap_text, cells[0], f"{elapsed:.3f}", *cells[1:]]))
    return _join(out, False)


# --- RaceBox CSV ------------------------------------------------------------------------------------------------


def racebox_csv(d: Drive, *, iso: bool, short_names: bool = False) -> bytes:
    t = d.raw.time_s - d.raw.time_s[0]
    lap = d.laps_before(t)
    lap[lap > len(d.crossings_s) - 1] = 0  # RaceBox writes 0 again after the finish
    header = ("Record,Time,Latitude,Longitude,Altitude,KPH,X,Y,Z,Lap,GyroX,GyroY,GyroZ" if short_names else
              "Record,Time,Latitude,Longitude,Altitude,Speed,GForceX,GForceY,GForceZ,Lap,GyroX,GyroY,GyroZ")
    out = [header]
    speed = _speed_kmh(d, np.arange(d.raw.row_count))
    for k in range(d.raw.row_count):
        moment = d.start_utc + timedelta(seconds=float(t[k]))
        when = f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z" if iso else f"{t[k]:.3f}"
        out.append(f"{k + 1},{when},{d.raw.lat[k]:.7f},{d.raw.lon[k]:.7f},110.0,{speed[k]:.2f},-0.05,0.02,0.99,"
                   f"{lap[k]},0.10,-0.20,1.50")
    return _join(out, False)


# --- VBO ----------------------------------------------------------------------------------------------------------


def vbo(d: Drive, *, crlf: bool, latitude_first_gates: bool = False, gate_width_m: float = 24.0) -> bytes:
    """A Racelogic-style VBO (longitude first in [laptiming], like Circuit Tools and Harry's) at the GPS rate."""
    rows = _fixes(d)
    t = d.raw.time_s[rows] - d.raw.time_s[0]
    sf = d.truth.start_finish
    assert sf.heading_deg is not None
    # The gate: across the direction of travel through the start/finish point.
    across = math.radians(sf.heading_deg + 90)
    half_m = gate_width_m / 2
    dlat = math.cos(across) * half_m / 111_320
    dlon = math.sin(across) * half_m / (111_320 * math.cos(math.radians(sf.lat)))
    ends = [(sf.lat - dlat, sf.lon - dlon), (sf.lat + dlat, sf.lon + dlon)]
    gate_cells = []
    for lat, lon in ends:
        pair = [_minutes(lat), _minutes(-lon)]  # minutes, longitude positive west
        gate_cells += pair if latitude_first_gates else pair[::-1]
    out = [f"File created on {d.start_utc:%d/%m/%Y} at {d.start_utc:%H:%M:%S}", "", "[header]", "satellites", "time",
           "latitude", "longitude", "velocity kmh", "heading", "height", "brake pressure", "", "[comments]",
           "Generated by Racelogic VBOX 3i", "Serial Number : 012345", "Log Rate (Hz) : 10.00",
           f"UTC Date Started : {d.start_utc:%d/%m/%Y %H:%M}", "Venue : Synthetic Ring", "", "[session data]",
           "name Synthetic practice", "vehicle Kart 125", "", "[laptiming]",
           "Start   " + " ".join(gate_cells) + " ¬ Start / Finish", "", "[column names]",
           "sats time lat long velocity heading height brakepressure", "", "[data]"]
    speed, heading = _speed_kmh(d, rows), _heading(d, rows)
    start = d.start_utc
    start_centis = (start.hour * 3600 + start.minute * 60 + start.second) * 100
    for k, row in enumerate(rows):
        centis = (start_centis + round(float(t[k]) * 100)) % 8_640_000  # the UTC clock wraps at midnight
        hhmmss = f"{centis // 360000:02d}{centis // 6000 % 60:02d}{centis // 100 % 60:02d}.{centis % 100:02d}"
        out.append(f"011 {hhmmss} {_minutes(float(d.raw.lat[row]))} {_minutes(-float(d.raw.lon[row]))} "
                   f"{speed[k]:07.3f} {heading[k]:06.2f} +00110.00 {12.5 + k % 3:.1f}")
    return _join(out, crlf, encoding="utf-8")


def _minutes(degrees: float) -> str:
    return f"{degrees * 60:+012.5f}"


def _join(lines: list[str], crlf: bool, encoding: str = "ascii") -> bytes:
    newline = "\r\n" if crlf else "\n"
    return (newline.join(lines) + newline).encode(encoding)
