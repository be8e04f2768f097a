"""analyse() speed and memory on a generated 1-hour session: 20 Hz rows, OBD, 1 Hz and 10 Hz GPS.

The RawSession is built through the TrackAddict reader from the generated CSV, as on import. Also times the
generator itself (a 1-hour file must be quick to make for tests and demo data).
"""

from __future__ import annotations

from functools import partial

from benchmarks.measure import best_of, peak_mb


def run() -> list[dict]:
    from racetrace_desktop.telemetry.formats import read_bytes
    from racetrace_desktop.telemetry.session import analyse
    from racetrace_desktop.telemetry.synthetic import SyntheticSession, generate_session

    rows = []
    for gps_hz in (1, 10):
        def make(gps_hz: float = gps_hz) -> SyntheticSession:
            return generate_session(duration_s=3600, gps_hz=gps_hz, obd=True, seed=5)

        session = make()
        raw = read_bytes(session.csv_bytes, session.file_name)
        laps = len(analyse(raw).laps)
        label = f"{raw.row_count:,} rows, {laps} laps"
        rows.append({"name": f"analyse 1 h file ({gps_hz:g} Hz GPS, {label})",
                     "seconds": best_of(partial(analyse, raw)),
                     "peak_mb": peak_mb(partial(analyse, raw))})
        rows.append({"name": f"synthetic: generate 1 h file ({gps_hz:g} Hz GPS, "
                             f"{len(session.csv_bytes) / 1e6:.1f} MB)",
                     "seconds": best_of(make, repeats=3), "peak_mb": peak_mb(make)})
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
