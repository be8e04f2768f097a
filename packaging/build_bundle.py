"""Build dist/RaceTrace/ with PyInstaller, check it, and smoke-test it the way a user's machine would run it.

    packaging/tasks.sh package [--clean] [--skip-build]

Steps: PyInstaller with packaging/racetrace.spec; desktop entry, icons and the installer script into the bundle;
content checks (Leaflet, migrations, resources present; QML, Qt translations and foreign locales absent); size
(du, limit 450 MB); `RaceTrace --smoke-test` in a clean environment (`env -i`, PATH=/usr/bin:/bin, an empty HOME,
offscreen, no PYTHONPATH; as root the build's Python, virtual environment and source tree are also hidden);
portable mode through the runtime hook. Prints the build time, the size and the smoke-test JSON; any failure
exits 1 with the reason.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "racetrace.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
BUNDLE = DIST / "RaceTrace"
SIZE_LIMIT_MB = 450
SMOKE_TIMEOUT_S = 300
CLEAN_PATH = "/usr/bin:/bin"

REQUIRED_FILES = (
    "RaceTrace",
    "install-desktop-entry.sh",
    "share/applications/racetrace.desktop",
    "share/icons/hicolor/256x256/apps/racetrace.png",
    "share/icons/hicolor/scalable/apps/racetrace.svg",
    "_internal/resources/icons/racetrace-256.png",
    "_internal/racetrace_desktop/ui/map/racetrace_map.js",
    "_internal/racetrace_desktop/library/migrations/env.py",
    "_internal/xstatic/pkg/leaflet/data/leaflet.js",
    "_internal/xstatic/pkg/leaflet/data/leaflet.css",
    "_internal/folium/templates",
    "_internal/branca/templates",
    "_internal/PySide6/Qt/libexec/QtWebEngineProcess",
    "_internal/PySide6/Qt/resources/icudtl.dat",
    "_internal/PySide6/Qt/translations/qtwebengine_locales/en-US.pak",
)
FORBIDDEN_GLOBS = (
    "_internal/PySide6/Qt/qml",  # the QML tree the QtWebEngine hook would pull in without the excludes
    "_internal/PySide6/QtQml*",
    "_internal/PySide6/QtQuick*",
    "_internal/**/*.qm",  # Qt translations
    "_internal/PySide6/Qt/plugins/platformthemes/libqgtk3.so",
)


class BundleError(RuntimeError):
    """The bundle could not be built, or it does not do what it must."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build_bundle.py", description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="drop PyInstaller's caches first")
    parser.add_argument("--skip-build", action="store_true", help="check and smoke-test the existing dist/RaceTrace")
    args = parser.parse_args(argv)
    try:
        if not args.skip_build:
            print(f"build time: {build(args.clean):.1f} s", flush=True)
        add_desktop_integration(BUNDLE)
        check_contents(BUNDLE)
        size = du_megabytes(BUNDLE)
        print(f"bundle size: {size:.0f} MB (as du -sh counts; limit {SIZE_LIMIT_MB} MB) in {BUNDLE}")
        if size > SIZE_LIMIT_MB:
            raise BundleError(f"the bundle is {size:.0f} MB, more than {SIZE_LIMIT_MB} MB")
        report = smoke_test(BUNDLE)
        print(f"smoke test: {json.dumps(report)}", flush=True)
        print(f"portable mode: {check_portable_mode(BUNDLE)}")
    except BundleError as error:
        print(f"build_bundle: FAILED: {error}", file=sys.stderr)
        return 1
    print(f"build_bundle: OK: {BUNDLE}")
    return 0


def build(clean: bool) -> float:
    """Run PyInstaller; returns the wall-clock seconds it took."""
    if shutil.which("objdump") is None:
        raise BundleError("PyInstaller needs objdump on Linux: apt-get install binutils")
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
               "--distpath", str(DIST), "--workpath", str(WORK), str(SPEC)]
    if clean:
        command.insert(3, "--clean")
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, check=False)  # noqa: S603 (our own interpreter and spec)
    if result.returncode != 0:
        raise BundleError(f"PyInstaller failed with exit code {result.returncode}")
    return time.perf_counter() - started


def add_desktop_integration(bundle: Path) -> None:
    """The desktop entry and icons in the freedesktop layout, plus the script that installs them for a user."""
    resources = ROOT / "resources"
    icons = bundle / "share" / "icons" / "hicolor"
    copies = {
        resources / "racetrace.desktop": bundle / "share" / "applications" / "racetrace.desktop",
        resources / "icons" / "racetrace-256.png": icons / "256x256" / "apps" / "racetrace.png",
        resources / "icons" / "racetrace-64.png": icons / "64x64" / "apps" / "racetrace.png",
        resources / "icons" / "racetrace.svg": icons / "scalable" / "apps" / "racetrace.svg",
        ROOT / "packaging" / "install-desktop-entry.sh": bundle / "install-desktop-entry.sh",
    }
    for source, target in copies.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def check_contents(bundle: Path) -> None:
    missing = [name for name in REQUIRED_FILES if not (bundle / name).exists()]
    if missing:
        raise BundleError(f"missing from the bundle: {', '.join(missing)}")
    forbidden = sorted(str(path.relative_to(bundle)) for pattern in FORBIDDEN_GLOBS for path in bundle.glob(pattern))
    if forbidden:
        raise BundleError(f"should not be in the bundle: {', '.join(forbidden[:10])}")
    locales = sorted(p.name for p in (bundle / REQUIRED_FILES[-1]).parent.iterdir())
    if locales != ["en-US.pak"]:
        raise BundleError(f"QtWebEngine locales other than en-US in the bundle: {locales}")
    source = ROOT / "racetrace_desktop" / "library" / "migrations" / "versions"
    bundled = bundle / "_internal" / "racetrace_desktop" / "library" / "migrations" / "versions"
    lost = sorted({p.name for p in source.glob("*.py")} - {p.name for p in bundled.glob("*.py")})
    if lost:
        raise BundleError(f"library migrations missing from the bundle: {', '.join(lost)}")


def du_megabytes(folder: Path) -> float:
    """Disk usage like `du -s` (allocated blocks, hard links once), in MiB as `du -sh` shows it."""
    seen: set[tuple[int, int]] = set()
    blocks = 0
    for path in [folder, *folder.rglob("*")]:
        info = path.lstat()
        if (info.st_dev, info.st_ino) not in seen:
            seen.add((info.st_dev, info.st_ino))
            blocks += info.st_blocks
    return blocks * 512 / 2**20


def clean_environment(home: Path, **extra: str) -> dict[str, str]:
    """What a fresh login on a machine without Python would have: no PYTHONPATH, no venv, an empty HOME."""
    return {"PATH": CLEAN_PATH, "HOME": str(home), "QT_QPA_PLATFORM": "offscreen", **extra}


def hidden_build_paths() -> list[Path]:
    """The build's virtual environment, its base Python (unless it is the system's) and the source tree."""
    paths = [Path(sys.prefix), ROOT / "racetrace_desktop"]
    base = Path(sys.base_prefix)
    if base not in (Path("/usr"), Path("/usr/local"), Path("/")) and base != Path(sys.prefix):
        paths.append(base)
    return [p for p in paths if p.is_dir()]


def without_build_python(command: list[str], hidden: list[Path]) -> tuple[list[str], bool]:
    """Run `command` in a private mount namespace where `hidden` are empty folders (root with unshare only)."""
    unshare = shutil.which("unshare", path=CLEAN_PATH)
    if not hidden or os.geteuid() != 0 or unshare is None:
        return command, False
    probe = subprocess.run([unshare, "--mount", "true"], capture_output=True, check=False)  # noqa: S603
    if probe.returncode != 0:  # e.g. a container without CAP_SYS_ADMIN
        return command, False
    mounts = "".join(f'mount -t tmpfs racetrace-hidden "{path}" && ' for path in hidden)
    return [unshare, "--mount", "--propagation", "private", "/bin/sh", "-c", mounts + 'exec "$@"', "sh",
            *command], True


def smoke_test(bundle: Path) -> dict:
    """`RaceTrace --smoke-test` in a clean environment; returns its JSON report."""
    with tempfile.TemporaryDirectory(prefix="racetrace-clean-home-") as home:
        hidden = hidden_build_paths()
        command, isolated = without_build_python([str(bundle / "RaceTrace"), "--smoke-test"], hidden)
        try:
            result = subprocess.run(command, env=clean_environment(Path(home)), capture_output=True,  # noqa: S603
                                    text=True, timeout=SMOKE_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired as error:
            raise BundleError(f"the smoke test did not finish within {SMOKE_TIMEOUT_S} s") from error
        left_in_home = sorted(p.name for p in Path(home).iterdir())
    report = _last_json_line(result.stdout)
    if result.returncode != 0 or report is None or not report.get("ok"):
        reason = (report or {}).get("error") or result.stderr.strip()[-2000:] or f"exit code {result.returncode}"
        raise BundleError(f"the bundle's smoke test failed (exit {result.returncode}): {reason}")
    _check_report(report, bundle)
    report["clean_environment"] = {"home_left_empty": not left_in_home, "hidden_build_paths":
                                   [str(p) for p in hidden] if isolated else "not hidden (needs root and unshare)"}
    if left_in_home:
        raise BundleError(f"the smoke test wrote into HOME: {left_in_home}")
    return report


def _last_json_line(stdout: str) -> dict | None:
    for line in reversed(stdout.strip().splitlines()):
        try:
            return json.loads(line)
        except json.JSONDecodeError:
            continue
    return None


def _check_report(report: dict, bundle: Path) -> None:
    if not report.get("frozen") or Path(report.get("bundle") or "") != bundle:
        raise BundleError(f"the smoke test did not run from the bundle {bundle}: {report.get('executable')}")


def check_portable_mode(bundle: Path) -> str:
    """RACETRACE_PORTABLE=1 puts the library in data/ next to the executable (runtime hook); the CLI proves it."""
    data = bundle / "data"
    if data.exists():
        return f"not checked: {data} already exists"
    try:
        with tempfile.TemporaryDirectory(prefix="racetrace-clean-home-") as home:
            env = clean_environment(Path(home), RACETRACE_PORTABLE="1")
            result = subprocess.run([str(bundle / "RaceTrace"), "sessions", "--json"], env=env,  # noqa: S603
                                    capture_output=True, text=True, timeout=120, check=False)
        library = data / "library.sqlite"
        if result.returncode != 0 or not library.is_file():
            raise BundleError(f"portable mode did not create {library}: {result.stderr.strip()[-500:]}")
        return f"library created in {library.relative_to(bundle)}"
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
