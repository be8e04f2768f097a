"""The PyInstaller spec (executed with recording stand-ins for PyInstaller's build classes) and its filters."""

from __future__ import annotations

import subprocess
from pathlib import Path

import bundle_filters
import numpy
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC = REPO_ROOT / "packaging" / "racetrace.spec"
RECORDED: dict[str, Recorder] = {}


class Recorder:
    """Stands in for Analysis/PYZ/EXE/COLLECT: keeps the arguments, exposes empty TOC lists."""

    def __init__(self, kind: str, *args, **kwargs) -> None:
        self.args, self.kwargs = args, kwargs
        self.datas = list(kwargs.get("datas", []))
        self.binaries: list = []
        self.pure: list = []
        self.scripts: list = []
        RECORDED[kind] = self


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Recorder]:
    RECORDED.clear()
    namespace = {name: (lambda *a, _kind=name, **k: Recorder(_kind, *a, **k))
                 for name in ("Analysis", "PYZ", "EXE", "COLLECT")}
    namespace.update(SPECPATH=str(SPEC.parent), workpath=str(tmp_path_factory.mktemp("work")), __file__=str(SPEC))
    exec(compile(SPEC.read_text(), str(SPEC), "exec"), namespace)  # noqa: S102 (our own spec file)
    return dict(RECORDED)


def test_spec_builds_a_windowed_one_folder_app_named_racetrace(spec) -> None:
    exe, collect = spec["EXE"].kwargs, spec["COLLECT"].kwargs
    assert exe["name"] == collect["name"] == "RaceTrace"
    assert exe["exclude_binaries"] is True  # one folder: binaries go to COLLECT, not into the executable
    assert exe["console"] is False
    assert Path(exe["icon"]).is_file()
    assert Path(spec["Analysis"].args[0][0]).is_file()


def test_qml_quick_and_unused_modules_are_excluded(spec) -> None:
    excludes = set(spec["Analysis"].kwargs["excludes"])
    assert {"PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtPositioning"} <= excludes
    assert {"pyqtgraph.opengl", "pyqtgraph.examples", "sync_server", "tkinter"} <= excludes
    kept = {"PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebChannel", "PySide6.QtWidgets",
            "PySide6.QtOpenGLWidgets", "PySide6.QtSvg", "numpy", "sqlalchemy", "alembic", "folium", "requests"}
    assert not kept & excludes


def test_data_files_include_leaflet_migrations_map_scripts_and_resources(spec) -> None:
    datas = spec["Analysis"].kwargs["datas"]
    for source, _dest in datas:
        assert Path(source).exists(), source
    by_dest = {(Path(dest) / Path(source).name).as_posix() for source, dest in datas}
    assert "racetrace_desktop/library/migrations/env.py" in by_dest
    versions = REPO_ROOT / "racetrace_desktop" / "library" / "migrations" / "versions"
    for migration in versions.glob("*.py"):
        assert f"racetrace_desktop/library/migrations/versions/{migration.name}" in by_dest
    assert "racetrace_desktop/ui/map/racetrace_map.js" in by_dest
    assert {"xstatic/pkg/leaflet/data/leaflet.js", "xstatic/pkg/leaflet/data/leaflet.css"} <= by_dest
    assert not any(d.endswith(".map") for d in by_dest)  # no Leaflet source maps
    assert (str(REPO_ROOT / "resources"), "resources") in datas


def test_hidden_imports_cover_the_migrations_and_the_format_readers(spec) -> None:
    hidden = set(spec["Analysis"].kwargs["hiddenimports"])
    assert {"alembic.op", "alembic.context", "sqlalchemy", "racetrace_desktop.library.migrate"} <= hidden
    assert "racetrace_desktop.telemetry.formats.trackaddict" in hidden
    assert "__future__" not in hidden


def test_runtime_hooks_exist(spec) -> None:
    hooks = [Path(p) for p in spec["Analysis"].kwargs["runtime_hooks"]]
    assert {p.name for p in hooks} == {"rthook_portable.py", "rthook_webengine_sandbox.py"}
    assert all(p.is_file() for p in hooks)


@pytest.mark.parametrize(("dest", "kept"), [
    ("PySide6/Qt/translations/qtwebengine_locales/en-US.pak", True),
    ("PySide6/Qt/translations/qtwebengine_locales/de.pak", False),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("PySide6/Qt/resources/qtwebengine_devtools_resources.pak", False),
    ("PySide6/Qt/resources/qtwebengine_resources.pak", True),
    ("PySide6/Qt/resources/icudtl.dat", True),
    ("folium/templates/fol_template.html", True),
])
def test_keep_data_file(dest: str, kept: bool) -> None:
    assert bundle_filters.keep_data_file(dest) is kept


def test_prune_drops_plugins_and_libraries_only_they_need() -> None:
    needs = {
        "/src/libqgtk3.so": ["libgtk-3.so.0", "libglib-2.0.so.0", "libQt6Gui.so.6"],
        "/src/libgtk-3.so.0": ["libcairo.so.2", "libglib-2.0.so.0"],
        "/src/libcairo.so.2": [],
        "/src/libglib-2.0.so.0": [],
        "/src/libQt6Gui.so.6": ["libglib-2.0.so.0"],
        "/src/QtGui.abi3.so": ["libQt6Gui.so.6"],
        "/src/libqxcb.so": ["libQt6Gui.so.6"],
        "/src/libcupsprintersupport.so": ["libcups.so.2"],
        "/src/libcups.so.2": [],
    }
    binaries = [
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/src/libqgtk3.so", "BINARY"),
        ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", "/src/libcupsprintersupport.so", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY"),
        ("libgtk-3.so.0", "/src/libgtk-3.so.0", "BINARY"),
        ("libcairo.so.2", "/src/libcairo.so.2", "BINARY"),
        ("libcups.so.2", "/src/libcups.so.2", "BINARY"),
        ("libglib-2.0.so.0", "/src/libglib-2.0.so.0", "BINARY"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/src/libQt6Gui.so.6", "BINARY"),
        ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
        ("PySide6/QtGui.abi3.so", "/src/QtGui.abi3.so", "EXTENSION"),
    ]
    kept, dropped = bundle_filters.prune_binaries(binaries, lambda source: needs[source])
    assert dropped == {"libgtk-3.so.0", "libcairo.so.2", "libcups.so.2"}
    assert {entry[0] for entry in kept} == {
        "PySide6/Qt/plugins/platforms/libqxcb.so", "libglib-2.0.so.0", "PySide6/Qt/lib/libQt6Gui.so.6",
        "libQt6Gui.so.6", "PySide6/QtGui.abi3.so"}


def test_prune_keeps_a_library_a_dropped_plugin_shares_with_a_kept_one() -> None:
    needs = {"/p/libqpdf.so": ["libQt6Pdf.so.6"], "/p/libqsvg.so": ["libQt6Pdf.so.6"], "/p/libQt6Pdf.so.6": []}
    binaries = [("PySide6/Qt/plugins/imageformats/libqpdf.so", "/p/libqpdf.so", "BINARY"),
                ("PySide6/Qt/plugins/imageformats/libqsvg.so", "/p/libqsvg.so", "BINARY"),
                ("PySide6/Qt/lib/libQt6Pdf.so.6", "/p/libQt6Pdf.so.6", "BINARY")]
    kept, dropped = bundle_filters.prune_binaries(binaries, lambda source: needs[source])
    assert dropped == set()
    assert len(kept) == 2


def test_elf_needed_reads_real_dependencies() -> None:
    extension = next(Path(numpy.__file__).parent.glob("_core/_multiarray_umath*.so"))
    assert "libc.so.6" in bundle_filters.elf_needed(str(extension))


def test_migration_imports_lists_modules_not_functions(tmp_path: Path) -> None:
    (tmp_path / "versions").mkdir()
    (tmp_path / "versions" / "0002_x.py").write_text(
        "from __future__ import annotations\nimport sqlalchemy as sa\nfrom alembic import op\n"
        "from json import dumps\nfrom . import sibling\n")
    assert bundle_filters.migration_imports(tmp_path) == ["alembic", "alembic.op", "json", "sqlalchemy"]


def test_strip_leaves_auditwheel_libraries_and_binaries_without_debug_info_alone(tmp_path: Path) -> None:
    vendored = next((Path(numpy.__file__).parent.parent / "numpy.libs").glob("*.so*"))
    plain = tmp_path / "plain.so"
    subprocess.run(["strip", "--strip-debug", "-o", str(plain), str(_an_extension())], check=True)
    entries = [("numpy.libs/" + vendored.name, str(vendored), "BINARY"), ("plain.so", str(plain), "EXTENSION")]
    kept, stripped = bundle_filters.strip_debug_info(entries, tmp_path / "out")
    assert kept == entries
    assert stripped == []
    assert not (tmp_path / "out").exists()


def test_strip_removes_debug_sections_into_the_work_folder(tmp_path: Path) -> None:
    blob = tmp_path / "debug.bin"
    blob.write_bytes(b"\0" * 200_000)
    plain, library = tmp_path / "plain.so", tmp_path / "libdebug.so"
    subprocess.run(["strip", "--strip-debug", "-o", str(plain), str(_an_extension())], check=True)
    # the same extension module with a (fake) 200 KB DWARF section: binutils only, no compiler needed
    subprocess.run(["objcopy", "--add-section", f".debug_info={blob}", str(plain), str(library)], check=True)
    assert bundle_filters._has_debug_info(str(library))
    kept, stripped = bundle_filters.strip_debug_info([("libdebug.so", str(library), "BINARY")], tmp_path / "out")
    assert stripped == ["libdebug.so"]
    copy = Path(kept[0][1])
    assert copy == tmp_path / "out" / "libdebug.so"
    assert copy.stat().st_size < library.stat().st_size - 150_000
    assert not bundle_filters._has_debug_info(str(copy))
    assert bundle_filters._has_debug_info(str(library))  # the original is untouched


def test_the_spec_ran_to_the_end(spec) -> None:
    assert set(spec) == {"Analysis", "PYZ", "EXE", "COLLECT"}


def _an_extension() -> Path:
    return next(Path(numpy.__file__).parent.glob("_core/_multiarray_umath*.so"))
