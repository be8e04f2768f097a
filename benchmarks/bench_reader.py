"""TrackAddict reader speed and memory on a 1-hour, 20 Hz, 27-column file (~12 MB), against pandas.read_csv.

The file repeats sample_02.csv's rows (imperial, OBD, `# Lap` lines) with Time, UTC Time and Lap continued,
so it has the real column widths, comment lines inside the data and 3-decimal OBD columns.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.measure import best_of, peak_mb

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO.parent / "shared" / "samples" / "trackaddict" / "sample_02.csv"
TARGET_BYTES = 12_000_000
def build_hour_file(target: Path, size: int = TARGET_BYTES) -> int:
    """Write a ~`size`-byte TrackAddict file to `target`; returns its number of data rows."""
    lines = SAMPLE.read_bytes().split(b"\n")
    header_at = next(i for i, line in enumerate(lines) if line.startswith(b'"'))
    body = [line for line in lines[header_at + 1 :] if line and line != b"# Session End"]
    out = [b"\n".join(lines[: header_at + 1])]
    written, offset_s, lap_offset, rows = len(out[0]), 0.0, 0, 0
    while written < size:
        last_lap = 0
        for line in body:
            if line.startswith(b"#"):
                number, _, rest = line[len(b"# Lap ") :].partition(b":")
                line = b"# Lap %d:%s" % (int(number) + lap_offset, rest)
            else:
                fields = line.split(b",")
                t = float(fields[0]) + offset_s
                last_lap = int(fields[2])
                fields[0], fields[1] = b"%.3f" % t, b"%.3f" % (1653983971.0 + t)
                fields[2] = b"%d" % (last_lap + lap_offset)
                line = b",".join(fields)
                rows += 1
            out.append(line)
            written += len(line) + 1
        offset_s, lap_offset = t + 0.05, lap_offset + last_lap + 1
    out.append(b"# Session End\n")
    target.write_bytes(b"\n".join(out))
    return rows


def run() -> list[dict]:
    import pandas as pd

    from racetrace_desktop.telemetry.formats import read_file

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "Log-20220531-085930 Goodwood Motorcircuit - 2.57.527.csv"
        rows = build_hour_file(path)
        size_mb = path.stat().st_size / 1e6
        session = read_file(path)
        assert session.row_count == rows
        ours = best_of(lambda: read_file(path))
        baseline = best_of(lambda: pd.read_csv(path, comment="#"))
        peak = peak_mb(lambda: read_file(path))
        small = SAMPLE.parent / "sample_01.csv"
        small_ours = best_of(lambda: read_file(small))
        small_baseline = best_of(lambda: pd.read_csv(small, comment="#"))
    return [
        {
            "name": "reader: parse 1 h file",
            "seconds": ours,
            "baseline_seconds": baseline,
            "ratio": ours / baseline,
            "peak_mb": peak,
            "target": f"{size_mb:.1f} MB, {rows} rows: <= pandas.read_csv(comment='#'), peak <= ~4x file",
        },
        {
            "name": "reader: parse sample_01.csv (2.9 MB)",
            "seconds": small_ours,
            "baseline_seconds": small_baseline,
            "ratio": small_ours / small_baseline,
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
