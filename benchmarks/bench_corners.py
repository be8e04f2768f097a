"""Corner analysis speed and memory on a 10-lap compare of a ~4 km circuit (the laps of bench_compare).

"corner analysis" is what a compare adds for corners: the stored corners placed on the compare grid, every lap's
figures per corner, hints, and the realistic and rolling best. Detection runs once per track configuration and
is timed on its own. The compare itself is timed in the same run as the baseline. Target: <= 50 ms for the
corner analysis of 10 laps.
"""

from __future__ import annotations

from functools import partial

from benchmarks.bench_compare import ten_laps
from benchmarks.measure import best_of, peak_mb


def run() -> list[dict]:
    from racetrace_desktop.telemetry.compare import compare_laps
    from racetrace_desktop.telemetry.corner_figures import corner_figures, fix_interval, hints
    from racetrace_desktop.telemetry.corners import ReferencePath, detect_corners, place_corners
    from racetrace_desktop.telemetry.realistic_best import lap_segments, realistic_best, rolling_best, segment_cuts

    rows = []
    for gps_hz in (10, 1):
        laps = ten_laps(gps_hz)
        result = compare_laps(laps)
        ref = result.reference_key
        intervals = {lap.key: fix_interval(lap.data) for lap in laps}

        def detect(result=result, ref=ref):
            path = ReferencePath.of(result.distance_m, result.lat, result.lon, result.channels[ref].get("speed"))
            return detect_corners(path)

        corners = detect()

        def analysis(result=result, corners=corners, ref=ref, intervals=intervals):
            placed = place_corners(corners, result.distance_m, result.lat, result.lon)
            figures = corner_figures(result, placed, intervals)
            said = {key: hints(placed, figures, key, ref) for key in result.keys}
            segments = lap_segments(result, segment_cuts(placed, float(result.distance_m[-1])))
            return said, realistic_best(list(segments.values())), rolling_best([list(segments.values())])

        baseline = best_of(partial(compare_laps, laps))
        rows.append({"name": f"corner analysis, 10 laps, {len(corners)} corners ({gps_hz:g} Hz)",
                     "seconds": best_of(analysis), "baseline_seconds": baseline,
                     "ratio": best_of(analysis) / baseline, "peak_mb": peak_mb(analysis), "target": "<= 50 ms"})
        def whole(laps=laps, corners=corners, analysis=analysis):
            result = compare_laps(laps)
            return analysis(result, corners, result.reference_key)

        rows.append({"name": f"compare + corner analysis, 10 laps ({gps_hz:g} Hz)", "seconds": best_of(whole),
                     "baseline_seconds": baseline, "peak_mb": peak_mb(whole)})
        rows.append({"name": f"corner detection, once per configuration ({gps_hz:g} Hz)",
                     "seconds": best_of(detect), "peak_mb": peak_mb(detect)})
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
