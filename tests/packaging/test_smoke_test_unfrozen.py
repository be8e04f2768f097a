"""`python -m racetrace_desktop --smoke-test` from the source tree: the same path the bundle runs in CI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import xstatic.pkg.leaflet as leaflet

from racetrace_desktop import __version__

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_smoke(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)}  # no QT_QPA_PLATFORM: it must force it
    return subprocess.run([sys.executable, "-m", "racetrace_desktop", "--smoke-test", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def passing_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    folder = tmp_path_factory.mktemp("smoke")
    return run_smoke(folder), folder / "home"


def test_smoke_test_passes_and_prints_one_json_line(passing_run) -> None:
    result, _home = passing_run
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    report = json.loads(lines[0])
    assert report["ok"] is True
    assert report["error"] is None
    assert report["frozen"] is False
    assert report["bundle"] is None


def test_report_names_versions_timings_and_identity(passing_run) -> None:
    report = json.loads(passing_run[0].stdout)
    versions = report["versions"]
    assert versions["racetrace"] == __version__
    assert versions["python"] == ".".join(map(str, sys.version_info[:3]))
    assert {"pyside6", "qt", "numpy", "sqlalchemy", "alembic", "folium"} <= set(versions)
    assert {"qt", "window", "map", "import", "compare", "window_compare", "total"} <= set(report["timings_s"])
    assert report["qt"]["platform"] == "offscreen"
    assert (report["qt"]["application"], report["qt"]["organization"]) == ("RaceTrace", "RaceTrace")
    assert Path(report["qt"]["icon"]).is_file()


def test_map_loaded_offline_leaflet_and_drew_the_compared_laps(passing_run) -> None:
    report = json.loads(passing_run[0].stdout)
    assert report["leaflet"]["version"] == leaflet.VERSION
    assert report["window"]["title"] == "RaceTrace"
    assert report["window"]["sessions_listed"] == 1
    assert report["window"]["compared_laps"] == 2
    assert report["window"]["map_svg_paths"] > 0


def test_import_and_compare_close_on_the_lap_time_difference(passing_run) -> None:
    report = json.loads(passing_run[0].stdout)
    lap_times = report["import"]["lap_times_ms"]
    assert len(lap_times) == 3  # the generated file's timed laps
    compare = report["compare"]
    reference_ms, other_ms = compare["lap_times_ms"]
    assert compare["lap_time_difference_s"] == pytest.approx((other_ms - reference_ms) / 1000)
    assert compare["delta_at_finish_s"] == pytest.approx(compare["lap_time_difference_s"], abs=0.002)


def test_library_lived_in_a_temporary_folder_and_home_stays_empty(passing_run) -> None:
    result, home = passing_run
    report = json.loads(result.stdout)
    library = Path(report["import"]["library"])
    assert library.parent.parent.name.startswith("racetrace-smoke-")  # <scratch>/home/library.sqlite
    assert not library.exists()  # removed with the temporary folder
    assert list(home.iterdir()) == []


def test_a_failing_step_exits_nonzero_with_the_reason_in_json_and_stderr(tmp_path: Path) -> None:
    result = run_smoke(tmp_path, "--timeout", "0")
    assert result.returncode == 1
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["ok"] is False
    assert report["error"].startswith("map: the map page did not become ready (timed out)")
    assert "smoke test FAILED: map: the map page did not become ready" in result.stderr
