"""A clone without the real-sample corpus: its tests are skipped with one line saying what is missing; CI fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE_TESTS = "tests/desktop/test_cli.py::test_import_reports_stated_lap_times_and_flags"


def _run_without_corpus(tmp_path: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "RACETRACE_REQUIRE_ALL")}
    env.update(RACETRACE_SHARED=str(tmp_path / "no-corpus"), **extra_env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", SAMPLE_TESTS, "-q", "-p", "no:cacheprovider"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_a_missing_corpus_skips_its_tests_with_one_line_naming_it(tmp_path: Path) -> None:
    run = _run_without_corpus(tmp_path)

    assert run.returncode == 0, run.stdout + run.stderr
    skipped = [line for line in run.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == 1
    assert str(tmp_path / "no-corpus") in skipped[0] and "RACETRACE_SHARED" in skipped[0]


def test_in_ci_a_missing_corpus_fails_the_run(tmp_path: Path) -> None:
    assert _run_without_corpus(tmp_path, CI="true").returncode != 0
    assert _run_without_corpus(tmp_path, RACETRACE_REQUIRE_ALL="1").returncode != 0
