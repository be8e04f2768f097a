"""compare_laps speed and memory: 10 laps of a ~4 km circuit, every channel, 1 m grid, per alignment method.

The laps come from a generated recording (20 Hz rows with OBD), read back through the TrackAddict reader and
analysed, exactly as the app would hand them over from the library. Target: <= 50 ms for 10 laps.
"""

from __future__ import annotations

from functools import partial

from benchmarks.measure import best_of, peak_mb


def ten_laps(gps_hz: float) -> list:
    from racetrace_desktop.telemetry.compare import CompareLap
    from racetrace_desktop.telemetry.formats import read_bytes
    from racetrace_desktop.telemetry.session import analyse
    from racetrace_desktop.telemetry.synthetic import generate_session

    session = generate_session(laps=10, gps_hz=gps_hz, obd=True, seed=21, track_length_m=4000.0)
    analysed = analyse(read_bytes(session.csv_bytes, session.file_name))
    return [CompareLap.from_lap(lap, f"lap {lap.number}") for lap in analysed.laps
            if lap.number in session.truth.timed_laps]


def run() -> list[dict]:
    from racetrace_desktop.telemetry.compare import compare_laps

    rows = []
    for gps_hz in (10, 1):
        laps = ten_laps(gps_hz)
        channels = len(laps[0].data.channels)
        for method in ("doppler", "projection", "distance"):
            compare_laps(laps, method=method)  # warm-up
            rows.append({
                "name": f"compare 10 laps ({gps_hz:g} Hz GPS, {method}, {channels} ch)",
                "seconds": best_of(partial(compare_laps, laps, method=method)),
                "peak_mb": peak_mb(partial(compare_laps, laps, method=method)),
                "target": "<= 50 ms",
            })
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
