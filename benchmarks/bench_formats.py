"""Each non-TrackAddict reader on its largest sample against pandas.read_csv of the same file, in the same run.

Shared samples where they exist (RaceChrono v9, RaceBox 'Standard' CSV, RaceBox VBO); AiM and Lap Legend have
no shared sample, so a generated 20-lap drive is written as each logger writes it (tests' format_writers).
Target (issue 11): every new reader within 1.5x pandas; peak memory is reported next to the file size.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from benchmarks.measure import best_of_each, peak_mb

REPO = Path(__file__).resolve().parents[1]
OTHER = REPO.parent / "shared" / "samples" / "other"
REPEATS = 15  # best of 15, ours and pandas interleaved: the machine is shared, the fastest run is the least disturbed


def _vbo_data_line(path: Path) -> int:
    lines = path.read_bytes().split(b"\n")
    return next(k for k, line in enumerate(lines) if line.strip() == b"[data]") + 1


def _cases(folder: Path) -> list[tuple[str, Path, Callable[[Path], object]]]:
    import pandas as pd

    from tests.desktop.telemetry.format_writers import aim_csv, drive, laplegend_csv

    long_drive = drive(seed=5, gps_hz=10, laps=20)
    aim, laplegend = folder / "aim_20_laps.csv", folder / "laplegend_20_laps.csv"
    aim.write_bytes(aim_csv(long_drive, quoted=False))
    laplegend.write_bytes(laplegend_csv(long_drive))
    aim_skip = next(k for k, line in enumerate(aim.read_text().splitlines()) if line.startswith("Time,GPS"))
    return [
        ("RaceChrono CSV: racechrono_v9.csv", OTHER / "racechrono_v9.csv", lambda p: pd.read_csv(p, skiprows=10)),
        ("RaceBox CSV: racebox_standard.csv", OTHER / "racebox_standard.csv", lambda p: pd.read_csv(p)),
        ("VBO: racebox_standard.vbo", OTHER / "racebox_standard.vbo",
         lambda p: pd.read_csv(p, sep=" ", skiprows=_vbo_data_line(p), header=None)),
        ("AiM CSV: generated 20 laps", aim, lambda p: pd.read_csv(p, skiprows=[*range(aim_skip), aim_skip + 1,
                                                                              aim_skip + 2])),
        ("Lap Legend CSV: generated 20 laps", laplegend, lambda p: pd.read_csv(p, comment="#")),
    ]


def run() -> list[dict]:
    from racetrace_desktop.telemetry.formats import read_file

    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, path, baseline in _cases(Path(scratch)):
            session = read_file(path)
            best = best_of_each(  # interleaved: a busy machine slows both alike
                {"ours": partial(read_file, path), "pandas": partial(baseline, path)}, REPEATS
            )
            ours, theirs = best["ours"], best["pandas"]
            size_mb = path.stat().st_size / 1e6
            rows.append({
                "name": f"reader {name}",
                "seconds": ours.wall_s,
                "baseline_seconds": theirs.wall_s,
                "ratio": ours.wall_s / theirs.wall_s,
                "peak_mb": peak_mb(partial(read_file, path)),
                "target": f"{size_mb:.1f} MB, {session.row_count} rows: <= 1.5x pandas.read_csv; "
                f"CPU x{ours.cpu_s / theirs.cpu_s:.2f}",
            })
        rows.append(_core_alone())
    return rows


def _core_alone() -> dict:
    """The shared numeric core (numeric_rows.parse_rows) alone on the VBO's rows, already comma-separated:
    what every text reader pays at least, against pandas on the same bytes."""
    import io

    import numpy as np
    import pandas as pd

    from racetrace_desktop.telemetry.formats.numeric_rows import RowBlock, parse_rows
    from racetrace_desktop.telemetry.formats.text_table import spaces_to_commas

    path = OTHER / "racebox_standard.vbo"
    data = path.read_bytes()
    names = data[data.index(b"[column names]") + 15 :].split(b"\n", 1)[0].split()
    body = spaces_to_commas(data[data.index(b"[data]") + 7 :].lstrip(b"\n"), len(names))
    newlines = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == 10)
    block = [RowBlock(0, len(body), 1, 0, int(newlines.size))]
    columns = [name.decode() for name in names]
    best = best_of_each({"ours": lambda: parse_rows(body, block, columns, "x", newlines),
                         "pandas": lambda: pd.read_csv(io.BytesIO(body), header=None)}, REPEATS)
    ours, theirs = best["ours"], best["pandas"]
    return {"name": "numeric core alone: racebox_standard.vbo rows", "seconds": ours.wall_s,
            "baseline_seconds": theirs.wall_s, "ratio": ours.wall_s / theirs.wall_s,
            "target": f"the floor of every reader above (numeric_rows); CPU x{ours.cpu_s / theirs.cpu_s:.2f}"}


if __name__ == "__main__":
    for row in run():
        print(row)
