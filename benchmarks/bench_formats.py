"""Each non-TrackAddict reader on its largest sample against pandas.read_csv of the same file, in the same run.

Shared samples where they exist (RaceChrono v9, RaceBox 'Standard' CSV, RaceBox VBO); AiM and Lap Legend have
no shared sample, so a generated 20-lap drive is written as each logger writes it (tests' format_writers).
Target (issue 11): every new reader within 1.5x pandas; peak memory is reported next to the file size.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks.measure import best_of, peak_mb

REPO = Path(__file__).resolve().parents[1]
OTHER = REPO.parent / "shared" / "samples" / "other"


def _vbo_data_line(path: Path) -> int:
    lines = path.read_bytes().split(b"\n")
    return next(k for k, line in enumerate(lines) if line.strip() == b"[data]") + 1


def _cases(folder: Path) -> list[tuple[str, Path, Callable[[Path], object]]]:
    import pandas as pd

    sys.path.insert(0, str(REPO / "tests" / "desktop" / "telemetry"))
    from format_writers import aim_csv, drive, laplegend_csv

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
            ours = best_of(lambda path=path: read_file(path))
            theirs = best_of(lambda path=path, baseline=baseline: baseline(path))
            size_mb = path.stat().st_size / 1e6
            rows.append({
                "name": f"reader {name}",
                "seconds": ours,
                "baseline_seconds": theirs,
                "ratio": ours / theirs,
                "peak_mb": peak_mb(lambda path=path: read_file(path)),
                "target": f"{size_mb:.1f} MB, {session.row_count} rows: <= 1.5x pandas.read_csv",
            })
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
