"""Generated recordings shared by the analysis, compare and synthetic tests (built once per test run)."""

from __future__ import annotations

from functools import lru_cache

from racetrace_desktop.telemetry.formats import read_bytes
from racetrace_desktop.telemetry.model import AnalysedSession, RawSession
from racetrace_desktop.telemetry.session import analyse
from racetrace_desktop.telemetry.synthetic import SyntheticSession, generate_session
from racetrace_desktop.telemetry.synthetic_accuracy import true_delta

__all__ = ["analysed", "raw_of", "recording", "true_delta"]


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
