"""RaceChrono CSV: Pro v9 (Format 2, epoch time, sparse cells), free v10 (seconds of day, N/A laps), Format 3."""

from __future__ import annotations

import csv
import itertools
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from format_writers import drive, racechrono_v3_csv

from racetrace_desktop.telemetry.formats import read_bytes, read_file
from racetrace_desktop.telemetry.session import analyse


def table(path: Path, header_line: int) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[header_line - 1], rows[header_line:]


def trap_lap_times_ms(header: list[str], rows: list[list[str]], clock: str) -> list[int]:
    """Lap times from the trap rows at which 'Lap #' changes (there or on the next row), with plain code."""
    lap, trap, time = header.index("Lap #"), header.index("Trap name"), header.index(clock)
    starts = [float(rows[0][time])]
    for k, row in enumerate(rows):
        nxt = rows[k + 1][lap] if k + 1 < len(rows) else row[lap]
        if row[trap] and (row[lap] != rows[k - 1][lap] or nxt != row[lap]):
            starts.append(float(row[time]))
    return [round((b - a) * 1000) for a, b in itertools.pairwise(starts)]


def test_v9_pro_export(other_samples: Path) -> None:
    path = other_samples / "racechrono_v9.csv"
    header, rows = table(path, 11)
    expected = trap_lap_times_ms(header, rows, "Time (s)")
    assert expected[1:] == [45862]  # one timed lap ('Lap #' 4) between "New trap" and "New trap (1)"
    raw = read_file(path)
    assert raw.row_count == len(rows) == 9046
    meta = raw.metadata
    assert (meta.format_name, meta.app_name, meta.app_version) == ("RaceChrono CSV", "RaceChrono Pro", "9.1.3")
    assert meta.track_name == "26 Jan hutch" and meta.extra["Session type"] == "Lap timing"
    assert meta.session_start_utc == datetime.fromtimestamp(float(rows[0][0]), tz=UTC)
    laps = analyse(raw).laps
    assert [lap.lap_time_ms for lap in laps] == [*expected, None]
    assert [lap.time_source for lap in laps] == ["stated", "stated", "none"]


def test_v9_sparse_cells_are_held_and_units_converted(other_samples: Path) -> None:
    path = other_samples / "racechrono_v9.csv"
    header, rows = table(path, 11)
    raw = read_file(path)
    rpm_at = header.index("RPM (rpm) *obd")
    filled = [k for k, row in enumerate(rows) if row[rpm_at]]
    assert 0 < len(filled) < len(rows) or len(filled) == len(rows)
    for k in filled[:50]:
        assert raw.channels["rpm"][k] == float(rows[k][rpm_at])
    assert raw.channel_info["rpm"].source == "obd" and raw.obd_update is not None
    lat_at = header.index("Latitude (deg)")
    assert raw.lat[0] == float(rows[0][lat_at])
    speed_calc = header.index("Speed (m/s) *calc")
    assert raw.channels["speed_calc"][0] == float(rows[0][speed_calc])  # the app's derived speed, apart
    assert raw.channel_info["lat_g"].source == "derived"  # only the app's *calc lateral g exists here
    assert {"speed", "obd_speed", "accel_x", "gyro_z", "throttle", "brake", "gear", "heading"} <= set(raw.channels)


def test_v10_free_export(other_samples: Path) -> None:
    path = other_samples / "racechrono_v10.csv"
    header, rows = table(path, 11)
    expected = trap_lap_times_ms(header, rows, "Timestamp (s)")
    assert expected[1:] == [115988, 106603]
    raw = read_file(path)
    assert raw.metadata.track_name == "MórRing"  # UTF-8
    # seconds of the UTC day, on the date of the 'Created' line
    assert raw.metadata.session_start_utc == datetime(2026, 7, 13, 16, 59, 1, tzinfo=UTC)
    assert raw.channel_info["speed"].display_unit == "km/h"  # 'Speed (km/h)' beside 'Speed (m/s)'
    np.testing.assert_allclose(raw.channels["speed"][:3], [0.81, 0.34, 0.32])
    laps = analyse(raw).laps
    assert [lap.lap_time_ms for lap in laps] == [*expected, None]
    assert laps[0].row_end == 24  # 'N/A' rows before the first trap


def test_seconds_of_day_wrap_at_midnight(other_samples: Path) -> None:
    data = (other_samples / "racechrono_v10.csv").read_bytes().decode()
    lines = data.split("\n")
    shifted = []
    for line in lines:
        cells = line.split(",")
        if len(cells) > 2 and cells[1].replace(".", "").isdigit() and not line.startswith("Created"):
            cells[1] = f"{(float(cells[1]) - 61141.0 + 86_300.0) % 86_400.0:.3f}"  # start 100 s before midnight
        shifted.append(",".join(cells))
    text = "\n".join(shifted).replace("Created,13/07/2026,16:58", "Created,13/07/2026,23:58")
    raw = read_bytes(text.encode(), "midnight.csv")
    assert raw.metadata.session_start_utc == datetime(2026, 7, 13, 23, 58, 20, tzinfo=UTC)
    assert np.all(np.diff(raw.time_s) > 0) and raw.time_s[-1] == pytest.approx(61405.0 - 61141.0)
    assert [lap.lap_time_ms for lap in analyse(raw).laps][1:3] == [115988, 106603]


@pytest.mark.parametrize("seed", [0, 2])
def test_format_3_generated_drive_with_fragments(seed: int) -> None:
    d = drive(seed)
    raw = read_bytes(racechrono_v3_csv(d, fragment_at_s=100.0), "session_v3.csv")
    assert raw.metadata.driver == "Ann Driver" and raw.metadata.app_version == "8.1.2"
    laps = analyse(raw).laps
    timed = [lap.lap_time_ms for lap in laps[1:-1]]
    assert all(abs(got - true) <= 1 for got, true in zip(timed, d.true_lap_ms, strict=True))  # trap rows, ms
    assert raw.channel_info["accel_x"].source == "accelerometer" and "rpm" in raw.channels
    assert np.isfinite(raw.lat).sum() > raw.gps_fix.sum()  # positions held between fixes


def test_lap_number_changing_without_a_trap_is_reported(other_samples: Path) -> None:
    text = (other_samples / "racechrono_v10.csv").read_text(encoding="utf-8")
    lines = text.split("\n")
    at = next(k for k, line in enumerate(lines) if line.startswith("2,") and "New trap" not in line) + 5
    lines[at] = "3" + lines[at][1:]  # the Lap column says a lap began here, no trap row does
    lines[at + 1] = "3" + lines[at + 1][1:]
    raw = read_bytes("\n".join(lines).encode(), "edited.csv")
    assert any("changes without a start/finish trap row" in w and str(at + 1) in w for w in raw.warnings)
    assert [m.duration_ms for m in raw.lap_markers][1:] == [115988, 106603]  # laps still follow the traps
