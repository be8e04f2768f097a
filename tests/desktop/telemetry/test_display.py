"""The one lap-time format, flag order and best sectors that the CLI, the window and the web pages show."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from racetrace_desktop.telemetry.display import NO_TIME, best_sector_times, lap_flags, lap_time, sector_bests


@pytest.mark.parametrize(("ms", "text"), [
    (59_123, "0:59.123"), (107_089, "1:47.089"), (60_000, "1:00.000"), (3_599_999, "59:59.999"),
    (3_600_000, "60:00.000"), (5, "0:00.005"), (0, "0:00.000"), (-1_234, "-0:01.234"), (107_088.6, "1:47.089"),
    (None, NO_TIME), (math.nan, NO_TIME), (math.inf, NO_TIME),
])  # fmt: skip
def test_lap_time_reads_minutes_seconds_milliseconds(ms: float | None, text: str) -> None:
    assert lap_time(ms) == text


def test_flags_come_in_a_fixed_order() -> None:
    assert lap_flags(is_outlap=False, is_inlap=True, is_pit=True) == ["in-lap", "pit"]
    assert lap_flags(is_outlap=True, is_inlap=False, is_pit=False) == ["out-lap"]
    assert lap_flags(is_outlap=False, is_inlap=False, is_pit=False) == []


@dataclass(frozen=True)
class Lap:
    is_valid: bool
    sector_times_ms: tuple[int | None, ...]


def test_sector_bests_take_valid_laps_only_and_keep_every_sector() -> None:
    laps = [Lap(True, (30_100, 40_200, None)), Lap(True, (30_050, 40_900, 35_000)),
            Lap(False, (20_000, 20_000, 20_000, 20_000))]  # invalid: faster, and one sector more

    assert sector_bests(laps) == [30_050, 40_200, 35_000, None]
    assert sector_bests([]) == []
    assert best_sector_times([(None, 5), (7,)]) == [7, 5]
