"""Generated recordings shared by the analysis, compare and synthetic tests (built once per test run)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from racetrace_desktop.telemetry.compare import CompareResult
from racetrace_desktop.telemetry.formats import read_bytes
from racetrace_desktop.telemetry.model import AnalysedSession, RawSession
from racetrace_desktop.telemetry.session import analyse
from racetrace_desktop.telemetry.synthetic import SyntheticSession, SyntheticTruth, generate_session


@lru_cache(maxsize=32)
def recording(laps: int = 5, gps_hz: float = 1.0, seed: int = 0, **options: object) -> SyntheticSession:
    return generate_session(laps=laps, gps_hz=gps_hz, seed=seed, **options)  # type: ignore[arg-type]


@lru_cache(maxsize=32)
def raw_of(laps: int = 5, gps_hz: float = 1.0, seed: int = 0, **options: object) -> RawSession:
    session = recording(laps, gps_hz, seed, **options)
    return read_bytes(session.csv_bytes, session.file_name)


@lru_cache(maxsize=32)
def analysed(laps: int = 5, gps_hz: float = 1.0, seed: int = 0, **options: object) -> AnalysedSession:
    return analyse(raw_of(laps, gps_hz, seed, **options))


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
