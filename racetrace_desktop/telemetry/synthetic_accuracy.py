"""Delta-T accuracy cases with ground truth, shared by the tests and `benchmarks/bench_delta_accuracy.py`.

A case is a GPS rate, a receiver drift and whether the compared laps come from a second recording whose fixes
are displaced by a constant 2-4 m. Each seed generates the recordings, reads and analyses them as the app does,
and keeps what really happened, so any compare result can be scored against the true delta.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .compare import CompareLap, CompareResult
from .formats import read_bytes
from .session import analyse
from .synthetic import SyntheticTruth, generate_session
from .synthetic_receiver import ReceiverModel

TRIM_FRACTION = 0.005  # the first and last 0.5 % of the lap are not scored (laps start and end at the line)
LINE_WANDER_M = 1.5


@dataclass(frozen=True)
class AccuracyCase:
    name: str  # GPS rate, receiver drift RMS per axis, and whether the compared laps are another recording
    gps_hz: float
    drift_rms_m: float
    cross_recording: bool = False
    laps: int = 4


CASES = (AccuracyCase("10 Hz 1.5 m", 10.0, 1.5),
         AccuracyCase("1 Hz 2.5 m", 1.0, 2.5),
         AccuracyCase("10 Hz 1.5 m x-rec", 10.0, 1.5, cross_recording=True),  # x-rec: another recording, 2-4 m off
         AccuracyCase("1 Hz 2.5 m x-rec", 1.0, 2.5, cross_recording=True))
TARGET_P95_S = {10.0: 0.02, 1.0: 0.06}


@dataclass
class CaseLaps:
    laps: list[CompareLap]
    reference_key: str
    scored: list[str]  # keys whose error counts (for a cross-recording case: the other recording's laps)
    truth_of: dict[str, tuple[SyntheticTruth, int]]
    offset_m: tuple[float, float] = (0.0, 0.0)  # constant displacement of the other recording's fixes


@lru_cache(maxsize=16)
def case_laps(case: AccuracyCase, seed: int) -> CaseLaps:
    own = _recording_laps(case, seed, "A", (0.0, 0.0))
    reference = min(own[0], key=lambda lap: lap.lap_time_ms)
    if not case.cross_recording:
        keys = [lap.key for lap in own[0] if lap.key != reference.key]
        return CaseLaps(own[0], reference.key, keys, own[1])
    rng = np.random.default_rng(seed + 7919)
    size, angle = rng.uniform(2.0, 4.0), rng.uniform(0, 2 * np.pi)
    offset = (float(size * np.sin(angle)), float(size * np.cos(angle)))
    other = _recording_laps(case, seed + 1000, "B", offset)
    return CaseLaps([reference, *other[0]], reference.key, [lap.key for lap in other[0]],
                    {reference.key: own[1][reference.key], **other[1]}, offset)


def _recording_laps(case: AccuracyCase, seed: int, source: str, offset: tuple[float, float]
                    ) -> tuple[list[CompareLap], dict[str, tuple[SyntheticTruth, int]]]:
    receiver = ReceiverModel(drift_rms_m=case.drift_rms_m, offset_m=offset)
    session = generate_session(laps=case.laps, gps_hz=case.gps_hz, seed=seed, obd=False,
                               line_wander_m=LINE_WANDER_M, receiver=receiver)
    analysed = analyse(read_bytes(session.csv_bytes, session.file_name))
    laps = [CompareLap.from_lap(lap, f"{source}{lap.number}", source=source)
            for lap in analysed.laps if lap.number in session.truth.timed_laps]
    return laps, {lap.key: (session.truth, int(lap.key[1:])) for lap in laps}


def true_delta(result: CompareResult, truth_of: dict[str, tuple[SyntheticTruth, int]]) -> dict[str, np.ndarray]:
    """The exact delta-T of every compared lap on the result's grid.

    Each grid point is a place on the reference lap; the truth says which centreline position the reference
    car was at when it got there, and when every other car passed that same centreline position.
    """
    ref_truth, ref_lap = truth_of[result.reference_key]
    when = ref_truth.crossing_times_s[ref_lap - 1] + result.time_s[result.reference_key]
    drive = ref_truth.drive
    place = drive.at_times(when, drive.sigma) - (ref_lap - 1) * ref_truth.track_length_m
    ref_time = ref_truth.time_at(ref_lap, place)
    return {key: truth.time_at(lap, place) - ref_time for key, (truth, lap) in truth_of.items()}


def scored_errors(result: CompareResult, case: CaseLaps) -> dict[str, np.ndarray]:
    """Signed error (trace - truth) of each scored lap, without the first and last TRIM_FRACTION of the lap."""
    exact = true_delta(result, case.truth_of)
    grid = result.distance_m
    inner = (grid >= TRIM_FRACTION * grid[-1]) & (grid <= (1 - TRIM_FRACTION) * grid[-1])
    return {key: (result.delta_s[key] - exact[key])[inner] for key in case.scored}
