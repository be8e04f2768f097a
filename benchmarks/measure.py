"""Timing and memory helpers shared by the benchmark modules."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
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


def best_of_each(functions: dict[str, Callable[[], Any]], repeats: int = 9) -> dict[str, float]:
    """Fastest run of each function, the runs interleaved (a, b, c, a, b, c, ...) so that a machine busy with
    other work slows every contender alike and their ratios stay comparable."""
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            best[name] = min(best[name], time.perf_counter() - start)
    return best
