"""What the RaceTrace spec adds to and removes from PyInstaller's analysis (imported by racetrace.spec).

PyInstaller's hooks collect every Qt plugin of a type and every library those plugins link against. A few
plugins are of no use to RaceTrace and drag in large host libraries (the GTK platform theme brings the whole
GTK/cairo/pango stack of the build machine, the CUPS print backend brings CUPS/GnuTLS/Kerberos). They are dropped
here, together with the libraries that nothing else in the bundle links against. PyInstaller has no option for
this, so the spec filters its TOC lists, which is the documented way to change what a build contains.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import subprocess
from collections.abc import Callable, Iterable
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

# TOC entries are (destination name, source path, type code).
TocEntry = tuple[str, str, str]

KEPT_WEBENGINE_LOCALES = frozenset({"en-US.pak"})
# Chromium's DevTools front end (11 MB): the app never opens the inspector.
DROPPED_WEBENGINE_RESOURCES = frozenset({"qtwebengine_devtools_resources.pak"})
# Plugin paths below PySide6/Qt/plugins/ (glob patterns).
DROPPED_QT_PLUGINS = (
    "platformthemes/libqgtk3.so",  # host GTK 3 stack; Qt's own dialogs and Fusion style are used instead
    "printsupport/*",  # CUPS; RaceTrace does not print
    "imageformats/libqpdf.so",  # PDF as an image format (pulls in QtPdf)
    "platforminputcontexts/libqtvirtualkeyboardplugin.so",  # on-screen keyboard (pulls in QtVirtualKeyboard)
    "platforms/libqeglfs.so", "platforms/libqlinuxfb.so", "platforms/libqvnc.so", "platforms/libqvkkhrdisplay.so",
    "platforms/libqminimalegl.so", "egldeviceintegrations/*",  # embedded devices without a window system
)


def keep_data_file(dest: str) -> bool:
    """False for Qt .qm translations (the UI is English only), Chromium locales other than en-US and DevTools."""
    path = PurePosixPath(dest)
    if path.suffix == ".qm" and "translations" in path.parts:
        return False
    if path.parent.name == "qtwebengine_locales":
        return path.name in KEPT_WEBENGINE_LOCALES
    return path.name not in DROPPED_WEBENGINE_RESOURCES


def is_dropped_plugin(dest: str) -> bool:
    parts = PurePosixPath(dest).parts
    if "plugins" not in parts:
        return False
    below = "/".join(parts[parts.index("plugins") + 1:])
    return any(fnmatch(below, pattern) for pattern in DROPPED_QT_PLUGINS)


def prune_binaries(binaries: Iterable[TocEntry], needed: Callable[[str], Iterable[str]]) -> tuple[list, set[str]]:
    """Drop the unwanted plugins and the shared libraries only they link against.

    `needed(source_path)` gives the library names a binary links against (ELF NEEDED). Returns the kept entries and
    the names of the libraries removed with the plugins. A library still needed by anything kept stays.
    """
    entries = list(binaries)
    plugins = [e for e in entries if is_dropped_plugin(e[0])]
    kept = [e for e in entries if not is_dropped_plugin(e[0])]
    libraries = _libraries_by_name(kept)
    candidates = _reachable(plugins, libraries, needed)
    roots = [e for e in kept if _is_binary_file(e) and not (_is_library(e) and _name(e) in candidates)]
    orphans = candidates - _reachable(roots, libraries, needed)
    return [e for e in kept if not (_is_library(e) and _name(e) in orphans)], orphans


def _name(entry: TocEntry) -> str:
    return PurePosixPath(entry[0]).name


def _is_binary_file(entry: TocEntry) -> bool:
    return entry[2] in ("BINARY", "EXTENSION", "EXECUTABLE")


def _is_library(entry: TocEntry) -> bool:
    """A shared library other binaries link against (not a Python extension, not a plugin)."""
    in_plugins = "plugins" in PurePosixPath(entry[0]).parts
    return entry[2] in ("BINARY", "SYMLINK") and ".so" in _name(entry) and not in_plugins


def _libraries_by_name(entries: list[TocEntry]) -> dict[str, list[TocEntry]]:
    found: dict[str, list[TocEntry]] = {}
    for entry in entries:
        if _is_library(entry) and entry[2] == "BINARY":
            found.setdefault(_name(entry), []).append(entry)
    for entry in entries:  # a symlink (libQt6Pdf.so.6 -> PySide6/Qt/lib/...) answers to its own name
        if entry[2] == "SYMLINK":
            found.setdefault(_name(entry), []).extend(found.get(PurePosixPath(entry[1]).name, []))
    return found


def _reachable(start: list[TocEntry], libraries: dict[str, list[TocEntry]], needed: Callable) -> set[str]:
    """Names of the bundled libraries that `start` links against, directly or through other bundled libraries."""
    seen: set[str] = set()
    todo = [e for e in start if _is_binary_file(e)]
    while todo:
        entry = todo.pop()
        for name in needed(entry[1]):
            if name in libraries and name not in seen:
                seen.add(name)
                todo.extend(libraries[name])
    return seen


@functools.cache
def elf_needed(path: str) -> list[str]:
    """Library names `path` links against, via PyInstaller's own dependency reader."""
    from PyInstaller.depend import bindepend

    return [PurePosixPath(name).name for name, _resolved in bindepend.get_imports(path)]


def strip_debug_info(binaries: Iterable[TocEntry], folder: Path) -> tuple[list[TocEntry], list[str]]:
    """Collect copies without debug sections (`strip --strip-debug`) of binaries that carry them.

    PyInstaller's own `strip=True` strips every binary and breaks auditwheel-repaired libraries such as numpy's
    OpenBLAS ("ELF load command address/offset not page-aligned"); those (`<package>.libs/`) are left alone.
    A Python built from source (pyenv) ships libpython and its extension modules with ~25 MB of DWARF data.
    """
    kept, stripped = [], []
    for dest, source, kind in binaries:
        if kind in ("BINARY", "EXTENSION") and not _auditwheel_vendored(source) and _has_debug_info(source):
            target = folder / dest
            if not target.is_file() or target.stat().st_mtime < Path(source).stat().st_mtime:
                target.parent.mkdir(parents=True, exist_ok=True)
                subprocess.run(["strip", "--strip-debug", "-o", str(target), source], check=True)  # noqa: S603, S607
            source = str(target)
            stripped.append(dest)
        kept.append((dest, source, kind))
    return kept, stripped


def _auditwheel_vendored(source: str) -> bool:
    return PurePosixPath(source).parent.name.endswith(".libs")


def _has_debug_info(source: str) -> bool:
    sections = subprocess.run(["objdump", "-h", source], capture_output=True, text=True, check=False)  # noqa: S603, S607
    return ".debug_info" in sections.stdout


def migration_imports(folder) -> list[str]:
    """Modules the Alembic scripts import. Alembic loads env.py and versions/*.py from disk at run time, so
    PyInstaller's import analysis never sees them; later migrations are covered without editing the spec."""
    names: set[str] = set()
    for script in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"), str(script))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return sorted(name for name in names if name != "__future__" and _is_module(name))


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # `from x import function` also yields names that are not modules
        return False
