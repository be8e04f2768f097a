"""`racetrace --version` and `--help` answer without loading the library's machinery (SQLAlchemy, numpy, httpx):
the parser is built from the standard library alone and a command's modules load only when it runs.
(How fast that is, is measured by `python -m benchmarks cli_startup`, not here.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from racetrace_desktop import __version__

HEAVY = ("sqlalchemy", "alembic", "numpy", "httpx", "PySide6")

# Runs the console entry point in a fresh interpreter, then lists which heavy packages it imported.
PROBE = """
import json, sys
from racetrace_desktop.entry import main
try:
    code = main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY))
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
""".replace("HEAVY", repr(HEAVY))


def run_entry(*args: str) -> tuple[str, dict]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60)
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_load_no_library_machinery(flag: str) -> None:
    out, probe = run_entry(flag)

    assert probe == {"code": 0, "loaded": []}
    if flag == "--version":
        assert out.strip() == f"racetrace {__version__}"
    else:
        assert "sessions" in out and "leaderboard" in out


def test_a_library_command_migrates_a_new_file_then_opens_it_without_alembic(racetrace_home: Path) -> None:
    """`sessions` opens the library (SQLAlchemy); Alembic loads only while the file needs migrating."""
    out, first = run_entry("sessions")
    again, second = run_entry("sessions")

    assert first["code"] == 0 and {"sqlalchemy", "alembic"} <= set(first["loaded"])
    assert second["code"] == 0 and "sqlalchemy" in second["loaded"] and "alembic" not in second["loaded"]
    assert "The library is empty" in out and again == out
