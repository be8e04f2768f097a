"""build_bundle.py's checks and the desktop integration it puts into the bundle (the full build runs in .ci/run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import build_bundle
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def fake_bundle(folder: Path) -> Path:
    """Every file build_bundle requires, as empty files, plus the real desktop integration."""
    bundle = folder / "RaceTrace"
    for name in build_bundle.REQUIRED_FILES:
        path = bundle / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    (bundle / "RaceTrace").chmod(0o755)
    versions = bundle / "_internal" / "racetrace_desktop" / "library" / "migrations" / "versions"
    versions.mkdir(parents=True)
    for migration in (REPO_ROOT / "racetrace_desktop" / "library" / "migrations" / "versions").glob("*.py"):
        (versions / migration.name).write_text("")
    build_bundle.add_desktop_integration(bundle)
    return bundle


def test_a_complete_bundle_passes_the_content_check(tmp_path: Path) -> None:
    build_bundle.check_contents(fake_bundle(tmp_path))


@pytest.mark.parametrize("extra", [
    "_internal/PySide6/Qt/translations/qtbase_de.qm",
    "_internal/PySide6/Qt/qml/QtQuick/qmldir",
    "_internal/PySide6/QtQuick.abi3.so",
])
def test_content_check_names_what_should_not_be_there(tmp_path: Path, extra: str) -> None:
    bundle = fake_bundle(tmp_path)
    (bundle / extra).parent.mkdir(parents=True, exist_ok=True)
    (bundle / extra).write_text("")
    with pytest.raises(build_bundle.BundleError, match="should not be in the bundle"):
        build_bundle.check_contents(bundle)


def test_content_check_refuses_other_webengine_locales(tmp_path: Path) -> None:
    bundle = fake_bundle(tmp_path)
    (bundle / "_internal/PySide6/Qt/translations/qtwebengine_locales/de.pak").write_text("")
    with pytest.raises(build_bundle.BundleError, match=r"locales other than en-US.*de\.pak"):
        build_bundle.check_contents(bundle)


def test_content_check_names_missing_leaflet_and_migrations(tmp_path: Path) -> None:
    bundle = fake_bundle(tmp_path)
    (bundle / "_internal/xstatic/pkg/leaflet/data/leaflet.js").unlink()
    with pytest.raises(build_bundle.BundleError, match=r"missing from the bundle: .*leaflet\.js"):
        build_bundle.check_contents(bundle)
    (bundle / "_internal/xstatic/pkg/leaflet/data/leaflet.js").write_text("")
    next((bundle / "_internal/racetrace_desktop/library/migrations/versions").glob("*.py")).unlink()
    with pytest.raises(build_bundle.BundleError, match="library migrations missing"):
        build_bundle.check_contents(bundle)


def test_installer_script_adds_and_removes_the_desktop_entry(tmp_path: Path) -> None:
    bundle = fake_bundle(tmp_path / "opt")
    data = tmp_path / "xdg-data"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(data)}
    script = str(bundle / "install-desktop-entry.sh")
    subprocess.run(["/bin/sh", script], env=env, check=True, capture_output=True)
    entry = (data / "applications" / "racetrace.desktop").read_text()
    assert f'Exec="{bundle}/RaceTrace"' in entry
    assert "Name=RaceTrace" in entry and "Icon=racetrace" in entry
    for icon in ("256x256/apps/racetrace.png", "64x64/apps/racetrace.png", "scalable/apps/racetrace.svg"):
        assert (data / "icons" / "hicolor" / icon).stat().st_size > 0
    subprocess.run(["/bin/sh", script, "--remove"], env=env, check=True, capture_output=True)
    assert not (data / "applications" / "racetrace.desktop").exists()
    assert not (data / "icons" / "hicolor" / "256x256/apps/racetrace.png").exists()


def test_bundle_gets_the_desktop_entry_and_icons_from_resources(tmp_path: Path) -> None:
    bundle = fake_bundle(tmp_path)
    resources = REPO_ROOT / "resources"
    assert (bundle / "share/applications/racetrace.desktop").read_bytes() == (
        resources / "racetrace.desktop").read_bytes()
    assert (bundle / "share/icons/hicolor/64x64/apps/racetrace.png").read_bytes() == (
        resources / "icons" / "racetrace-64.png").read_bytes()
    assert os.access(bundle / "install-desktop-entry.sh", os.X_OK)


def test_clean_environment_has_no_python_settings(tmp_path: Path) -> None:
    env = build_bundle.clean_environment(tmp_path, RACETRACE_PORTABLE="1")
    assert env == {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen",
                   "RACETRACE_PORTABLE": "1"}


def test_hidden_build_paths_are_the_venv_and_sources_never_the_system(tmp_path: Path) -> None:
    hidden = build_bundle.hidden_build_paths()
    assert REPO_ROOT / "racetrace_desktop" in hidden
    if sys.prefix != sys.base_prefix:  # running from the project's virtual environment
        assert Path(sys.prefix) in hidden
    assert not {Path("/usr"), Path("/usr/local"), Path("/")} & set(hidden)


def test_size_counts_hard_links_once(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "a.bin").write_bytes(os.urandom(3 * 2**20))
    os.link(folder / "a.bin", folder / "b.bin")
    assert 2.9 < build_bundle.du_megabytes(folder) < 3.5


def test_ci_builds_and_smoke_tests_the_bundle_after_the_tests() -> None:
    lines = [line.strip() for line in (REPO_ROOT / ".ci" / "run").read_text().splitlines()]
    assert "set -euo pipefail" in lines
    assert lines.index("packaging/tasks.sh package") > lines.index("packaging/tasks.sh test")
