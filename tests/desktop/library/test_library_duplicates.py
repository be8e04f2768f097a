"""Duplicates are recognised by the recording, not the raw bytes: the real sample S2 saved again with CRLF line
endings or a UTF-8 BOM stores nothing, also in a library made before sessions had a recording key."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from library_fakes import table_dump
from test_library_schema import downgrade

from racetrace_desktop.library import Library, open_library, session_store_repo
from racetrace_desktop.services import library_service
from racetrace_desktop.services.importer import ImportStatus, import_files

BOM = b"\xef\xbb\xbf"


def resaved(sample: Path, folder: Path) -> dict[str, Path]:
    """The same recording as another editor or OS would save it (never byte-identical to the original)."""
    data = sample.read_bytes()
    variants = {
        "crlf": data.replace(b"\n", b"\r\n"),
        "bom": BOM + data,
        "bom+crlf": BOM + data.replace(b"\n", b"\r\n"),
        "no final newline": data.rstrip(b"\n"),
    }
    paths = {}
    for label, content in variants.items():
        assert content != data
        paths[label] = folder / f"{label} {sample.name}"
        paths[label].write_bytes(content)
    return paths


@pytest.fixture
def s2(trackaddict_samples: Path) -> Path:
    return trackaddict_samples / "sample_02.csv"


def test_the_same_recording_saved_again_is_a_duplicate_of_the_first_session(
    library: Library, s2: Path, tmp_path: Path
) -> None:
    (first,) = import_files(library, [s2]).results
    assert first.status == ImportStatus.IMPORTED
    before = table_dump(library)

    report = import_files(library, list(resaved(s2, tmp_path).values()))

    assert [r.status for r in report.results] == [ImportStatus.DUPLICATE] * 4
    assert {r.session_uuid for r in report.results} == {first.session_uuid}
    for result in report.results:
        assert result.error is not None and result.error.message == (
            "already in the library as 'sample_02.csv' (the same recording saved with other line endings or a "
            f"byte-order mark): duplicate of session {first.session_uuid}"
        )
    assert table_dump(library) == before


def test_a_different_recording_is_not_a_duplicate(library: Library, s2: Path, tmp_path: Path) -> None:
    import_files(library, [s2])
    lines = s2.read_bytes().split(b"\n")
    lines.insert(100, lines[99])  # one more row: another recording, however similar
    other = tmp_path / "other.csv"
    other.write_bytes(b"\n".join(lines).replace(b"\n", b"\r\n"))
    (result,) = import_files(library, [other]).results
    assert result.status == ImportStatus.IMPORTED
    assert len(library_service.list_sessions(library)) == 2


def test_a_deleted_sessions_recording_imports_again(library: Library, s2: Path, tmp_path: Path) -> None:
    (first,) = import_files(library, [s2]).results
    library_service.delete_session(library, first.session_uuid)
    (again,) = import_files(library, [resaved(s2, tmp_path)["crlf"]]).results
    assert again.status == ImportStatus.IMPORTED and again.session_uuid != first.session_uuid
    assert [s.uuid for s in library_service.list_sessions(library)] == [again.session_uuid]


def test_a_library_made_before_recording_keys_recognises_a_resaved_copy(
    racetrace_home: Path, s2: Path, tmp_path: Path
) -> None:
    path = racetrace_home / "library.sqlite"
    library = open_library(path)
    (first,) = import_files(library, [s2]).results
    library.close()
    downgrade(path, "0002")  # the file as the previous app version left it: no recording_key column
    with sqlite3.connect(path) as connection:
        assert "recording_key" not in [row[1] for row in connection.execute("PRAGMA table_info(sessions)")]

    library = open_library(path)  # migrates, filling the key from the stored original
    try:
        with sqlite3.connect(path) as connection:
            (key,) = connection.execute("SELECT recording_key FROM sessions").fetchone()
        assert key == session_store_repo.recording_key(s2.read_bytes())
        (result,) = import_files(library, [resaved(s2, tmp_path)["bom+crlf"]]).results
        assert result.status == ImportStatus.DUPLICATE and result.session_uuid == first.session_uuid
    finally:
        library.close()


def test_recording_key_ignores_bom_and_line_ends_only() -> None:
    text = b"# RaceRender Data\n\"Time\"\n0.000\n0.050\n"
    key = session_store_repo.recording_key(text)
    assert session_store_repo.recording_key(BOM + text.replace(b"\n", b"\r\n")) == key
    assert session_store_repo.recording_key(text.replace(b"\n", b"\r")) == key
    assert session_store_repo.recording_key(text + b"\n\n") == key
    assert session_store_repo.recording_key(text.replace(b"0.050", b"0.051")) != key
    assert session_store_repo.recording_key(text.replace(b"\n", b" \n")) != key  # trailing blanks are content
