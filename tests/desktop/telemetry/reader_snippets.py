"""Small hand-written TrackAddict files for the reader tests (real header spellings, real quirks)."""

from __future__ import annotations

import csv
from pathlib import Path

FIRST_LINE = "# RaceRender Data: TrackAddict 4.8.2 on iOS 26.0 [iPhone14,2] (Mode: 0)"
METRIC_20 = (
    '"Time","UTC Time","Lap","Predicted Lap Time","Predicted vs Best Lap","GPS_Update","GPS_Delay",'
    '"Latitude","Longitude","Altitude (m)","Altitude (ft)","Speed (Km/h)","Heading","Accuracy (m)",'
    '"Accel X","Accel Y","Accel Z","Brake (calculated)","Barometric Pressure (kPa)","Pressure Altitude (m)"'
)
# Three real-looking 20-column rows at 20 Hz; the second repeats the first fix.
METRIC_ROWS = (
    "0.000,1559734111.000,0,0,0,1,0.000,51.9993282,13.6881675,91.1,299,0.0,0.0,6.0,0.00,-0.00,-0.00,1,100.44,74.1",
    "0.050,1559734111.050,0,0,0,0,0.000,51.9993282,13.6881675,91.1,299,0.0,0.0,6.0,0.01,-0.00,0.00,1,100.44,74.1",
    "0.100,1559734111.100,0,0,0,1,0.000,51.9993290,13.6881690,91.2,299,3.6,45.5,6.0,0.02,0.01,0.00,0,100.43,74.2",
)


def trackaddict_file(
    rows: list[str] | tuple[str, ...] = METRIC_ROWS,
    header: str = METRIC_20,
    preamble: tuple[str, ...] = (FIRST_LINE, "# End Point: 51.99907, 13.68830  @ -1.00 deg"),
    tail: tuple[str, ...] = ("# Session End",),
) -> bytes:
    return ("\n".join([*preamble, header, *rows, *tail]) + "\n").encode()


def header_of(names: list[str]) -> str:
    return ",".join(f'"{name}"' for name in names)


def csv_oracle(path: Path) -> tuple[list[str], list[list[str]], list[tuple[int, int, str]]]:
    """An independent, slow reading of a real file: header, data rows as text, (line, rows before, comment)."""
    header: list[str] = []
    rows: list[list[str]] = []
    comments: list[tuple[int, int, str]] = []
    for line_no, line in enumerate(path.read_text().splitlines(), start=1):
        if line.startswith("#") or not line.strip():
            if header and line.strip():
                comments.append((line_no, len(rows), line))
        elif not header:
            header = next(csv.reader([line]))
        else:
            rows.append(line.split(","))
    return header, rows, comments
