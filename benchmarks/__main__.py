"""Run every `benchmarks/bench_*.py` module's `run()` and print one table.

Each `run()` returns rows: {"name", "seconds" | "value", optional "baseline_seconds", "ratio", "peak_mb",
"target", "unit"}. Baselines are measured in the same run, so ratios are comparable across machines.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _modules(selected: list[str]) -> list[str]:
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if selected:
        names = [n for n in names if any(s in n for s in selected)]
    return names


def _fmt(row: dict) -> str:
    if "seconds" in row:
        figure = f"{row['seconds'] * 1000:9.1f} ms"
    else:
        figure = f"{row.get('value', float('nan')):9.3f} {row.get('unit', '')}".rstrip()
    baseline = f"{row['baseline_seconds'] * 1000:8.1f} ms" if "baseline_seconds" in row else " " * 11
    ratio = f"x{row['ratio']:.2f}" if "ratio" in row else ""
    peak = f"{row['peak_mb']:7.1f} MB" if "peak_mb" in row else ""
    target = row.get("target", "")
    return f"{row['name'][:52]:52} {figure:>14} {baseline:>11} {ratio:>7} {peak:>10}  {target}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", help="run only modules whose name contains one of these")
    parser.add_argument("--json", type=Path, help="also write all rows to this JSON file")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE.parent))
    rows: list[dict] = []
    failed = False
    print(f"{'benchmark':52} {'figure':>14} {'baseline':>11} {'ratio':>7} {'peak':>10}  target")
    for name in _modules(args.names):
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            for row in module.run():
                rows.append(row)
                print(_fmt(row), flush=True)
        except Exception:
            failed = True
            print(f"{name}: FAILED", flush=True)
            traceback.print_exc()
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
