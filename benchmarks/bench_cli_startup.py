"""CLI start-up: `racetrace --version`, `--help` and `sessions` on a 100-session library, next to `python -c pass`
measured in the same run (the interpreter's own start-up, which no change of ours can remove)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.measure import best_of

SESSIONS = 100


def _racetrace(*args: str) -> list[str]:
    """The installed console script (what a user types), else the module."""
    script = Path(sys.executable).with_name("racetrace")
    return [str(script), *args] if script.is_file() else [sys.executable, "-m", "racetrace_desktop", *args]


def _fill(home: Path) -> None:
    """A library of SESSIONS short generated sessions (each its own file, as a driver's season would be)."""
    from racetrace_desktop.library import open_library
    from racetrace_desktop.services.importer import import_files
    from racetrace_desktop.telemetry.synthetic import generate_session

    files = home / "files"
    files.mkdir()
    paths = [generate_session(laps=2, seed=i, gps_hz=1.0, obd=False).write(files / f"s{i:03}.csv") for i in
             range(SESSIONS)]  # fmt: skip
    library = open_library(home / "library.sqlite")
    try:
        import_files(library, paths)
    finally:
        library.close()


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as scratch:
        home = Path(scratch)
        _fill(home)
        env = {**os.environ, "RACETRACE_HOME": str(home)}

        def timed(command: list[str]) -> float:
            return best_of(lambda: subprocess.run(command, env=env, check=True, capture_output=True))

        python = timed([sys.executable, "-c", "pass"])
        rows = []
        for args, target in ((("--version",), 0.3), (("--help",), 0.3), (("sessions",), 0.8)):
            seconds = timed(_racetrace(*args))
            rows.append({"name": f"cli: racetrace {' '.join(args)}" + (" (100 sessions)" if "sessions" in args
                                                                        else ""),
                         "seconds": seconds, "baseline_seconds": python, "ratio": seconds / python,
                         "target": f"<= {target} s (baseline: python -c pass)"})  # fmt: skip
        return rows
