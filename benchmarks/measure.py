"""Timing and memory helpers shared by the benchmark modules."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

REPEATS = 5


def best_of(function: Callable[[], Any], repeats: int = REPEATS, setup: Callable[[], Any] | None = None) -> float:
    """Fastest of `repeats` runs in seconds (the least disturbed by other work on the machine)."""
    best = float("inf")
    for _ in range(repeats):
        if setup is not None:
            setup()
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def peak_mb(function: Callable[[], Any]) -> float:
    """Peak Python heap (tracemalloc, numpy buffers included) while `function` runs, in MB."""
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


@dataclass(frozen=True)
class Timing:
    wall_s: float  # fastest elapsed time
    cpu_s: float  # least CPU time of the process (all threads): steadier than wall time on a busy machine


def best_of_each(functions: dict[str, Callable[[], Any]], repeats: int = 9) -> dict[str, Timing]:
    """Fastest run of each function, the runs interleaved (a, b, c, a, b, c, ...) so that a machine busy with
    other work slows every contender alike and their ratios stay comparable."""
    wall = dict.fromkeys(functions, float("inf"))
    cpu = dict.fromkeys(functions, float("inf"))
    for _ in range(repeats):
        for name, function in functions.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            function()
            wall[name] = min(wall[name], time.perf_counter() - start)
            cpu[name] = min(cpu[name], time.process_time() - start_cpu)
    return {name: Timing(wall[name], cpu[name]) for name in functions}
