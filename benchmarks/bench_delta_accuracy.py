"""Delta-T accuracy against ground truth: p95 and max |error| per method and case, over 5 seeds.

Generated recordings with a drifting receiver (synthetic_accuracy.CASES), read and analysed as the app does.
Two baselines are computed in the same run: "raw GPS distance" (each lap's own GPS distance, no alignment) and
"speed integral" (the logged Doppler speed integrated over each lap and scaled to the reference length). Errors
skip the first and last 0.5 % of the lap. Also the time of a 10-lap compare with the default method.

    python -m benchmarks delta_accuracy
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from benchmarks.measure import best_of, peak_mb

SEEDS = range(5)


def speed_integral(result: object, laps: list) -> object:
    """The baseline: distance = integral of the logged speed, every lap scaled to the reference's length."""
    grid = result.distance_m  # type: ignore[attr-defined]
    time_s = {}
    for lap in laps:
        t = lap.data.time_s
        speed = np.nan_to_num(lap.data.channels["speed"])
        # A lap's first row comes a moment after its start crossing: start from its GPS distance there.
        q = lap.data.distance_m[0] + np.concatenate(([0.0], np.cumsum(np.diff(t) * (speed[1:] + speed[:-1]) / 2)))
        q_lap = float(np.interp(lap.lap_time_ms / 1000, t, q))
        inside = (t > 0) & (t < lap.lap_time_ms / 1000)
        s = np.concatenate(([0.0], q[inside] * grid[-1] / q_lap, [grid[-1]]))
        tt = np.concatenate(([0.0], t[inside], [lap.lap_time_ms / 1000]))
        s, first = np.unique(s, return_index=True)
        time_s[lap.key] = np.interp(grid, s, tt[first])
    ref = result.reference_key  # type: ignore[attr-defined]
    return replace(result, time_s=time_s, delta_s={k: v - time_s[ref] for k, v in time_s.items()})  # type: ignore


def accuracy_rows() -> list[dict]:
    from racetrace_desktop.telemetry.compare import METHODS, compare_laps
    from racetrace_desktop.telemetry.synthetic_accuracy import CASES, TARGET_P95_S, case_laps, scored_errors

    rows = []
    for case in CASES:
        errors: dict[str, list[np.ndarray]] = {}
        for seed in SEEDS:
            data = case_laps(case, seed)
            for method in METHODS:
                result = compare_laps(data.laps, reference_key=data.reference_key, method=method)
                errors.setdefault(method, []).extend(scored_errors(result, data).values())
                if method == "raw":
                    errors.setdefault("baseline: raw GPS distance", []).extend(scored_errors(result, data).values())
            base = speed_integral(compare_laps(data.laps, reference_key=data.reference_key, method="distance"),
                                  data.laps)
            errors.setdefault("baseline: speed integral", []).extend(scored_errors(base, data).values())
        errors.pop("raw", None)
        for method, parts in errors.items():
            pooled = np.abs(np.concatenate(parts))
            rows.append({"name": f"{case.name}: {method} p95", "value": float(np.percentile(pooled, 95)),
                         "unit": "s", "target": f"<= {TARGET_P95_S[case.gps_hz]} s (default method)"})
            rows.append({"name": f"{case.name}: {method} max", "value": float(pooled.max()), "unit": "s"})
    return rows


def timing_rows() -> list[dict]:
    from benchmarks.bench_compare import ten_laps
    from racetrace_desktop.telemetry.compare import compare_laps

    rows = []
    for gps_hz in (10, 1):
        laps = ten_laps(gps_hz)
        compare_laps(laps)
        rows.append({"name": f"compare 10 laps, default method ({gps_hz:g} Hz GPS)",
                     "seconds": best_of(lambda laps=laps: compare_laps(laps)),
                     "peak_mb": peak_mb(lambda laps=laps: compare_laps(laps)), "target": "<= 50 ms"})
    return rows


def run() -> list[dict]:
    return accuracy_rows() + timing_rows()


if __name__ == "__main__":
    for row in run():
        print(row)
