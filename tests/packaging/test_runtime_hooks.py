"""The PyInstaller runtime hooks, run as the frozen app runs them: before any app code, with sys.frozen set and
sys.executable pointing into the bundle folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HOOKS = Path(__file__).resolve().parents[2] / "packaging" / "rthooks"
PROBE = """
import json, os, runpy, sys
sys.frozen = True
sys.executable = {executable!r}
os.geteuid = lambda: {euid}
runpy.run_path({hook!r})
from racetrace_desktop import paths
home = os.environ.get("RACETRACE_HOME")
print(json.dumps({{"home": home, "data_dir": str(paths.data_dir()) if home else None,
                  "sandbox": os.environ.get("QTWEBENGINE_DISABLE_SANDBOX")}}))
"""


def run_hook(hook: str, bundle: Path, euid: int = 1000, **env: str) -> dict:
    executable = bundle / "RaceTrace"
    code = PROBE.format(executable=str(executable), euid=euid, hook=str(HOOKS / hook))
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    result = subprocess.run([sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    folder = tmp_path / "RaceTrace"
    folder.mkdir()
    (folder / "RaceTrace").write_text("")
    return folder


def test_portable_variable_puts_the_data_folder_next_to_the_executable(bundle: Path) -> None:
    seen = run_hook("rthook_portable.py", bundle, RACETRACE_PORTABLE="1")
    assert seen["home"] == str(bundle / "data")
    assert seen["data_dir"] == str(bundle / "data")
    assert (bundle / "data").is_dir()  # paths.data_dir() created it


def test_portable_file_next_to_the_executable_switches_portable_mode_on(bundle: Path) -> None:
    (bundle / "portable").write_text("")
    assert run_hook("rthook_portable.py", bundle)["home"] == str(bundle / "data")


def test_without_variable_or_file_the_normal_data_folder_is_used(bundle: Path) -> None:
    assert run_hook("rthook_portable.py", bundle)["home"] is None
    assert not (bundle / "data").exists()


def test_portable_zero_wins_over_the_file(bundle: Path) -> None:
    (bundle / "portable").write_text("")
    assert run_hook("rthook_portable.py", bundle, RACETRACE_PORTABLE="0")["home"] is None


def test_explicit_racetrace_home_wins_over_portable_mode(bundle: Path, tmp_path: Path) -> None:
    chosen = tmp_path / "elsewhere"
    seen = run_hook("rthook_portable.py", bundle, RACETRACE_PORTABLE="1", RACETRACE_HOME=str(chosen))
    assert seen["home"] == str(chosen)
    assert not (bundle / "data").exists()


def test_sandbox_is_disabled_for_root_only(bundle: Path) -> None:
    assert run_hook("rthook_webengine_sandbox.py", bundle, euid=0)["sandbox"] == "1"
    assert run_hook("rthook_webengine_sandbox.py", bundle, euid=1000)["sandbox"] is None


def test_sandbox_hook_keeps_an_explicit_choice(bundle: Path) -> None:
    seen = run_hook("rthook_webengine_sandbox.py", bundle, euid=0, QTWEBENGINE_DISABLE_SANDBOX="0")
    assert seen["sandbox"] == "0"
