"""Import telemetry files into the library: read -> analyse -> store, one transaction per file.

Each file stands alone: a bad file is reported with its name, line and reason and the others go on; a file
already in the library is reported as a duplicate and stores nothing: the same bytes (SHA-256, whatever its
name) or the same recording saved again with other line endings or a byte-order mark
(session_store_repo.recording_key).
The original is compressed on a worker thread while the file is parsed (the compressor releases the GIL).
"""

from __future__ import annotations

import enum
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from racetrace_desktop.library import Library, LibrarySession, lapdata_repo, session_store_repo, tracks_repo
from racetrace_desktop.library.read_models import ConfigurationRecord
from racetrace_desktop.services.car_matching import attach_vehicle_car
from racetrace_desktop.services.changes import Changes, ids
from racetrace_desktop.services.track_matching import TrackPlan, plan_track, resolve_configuration
from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats import read_bytes
from racetrace_desktop.telemetry.model import AnalysedSession, RawSession, TrackDefinition
from racetrace_desktop.telemetry.session import analyse

log = logging.getLogger(__name__)

Reader = Callable[[bytes, str], RawSession]
Analyser = Callable[[RawSession, TrackDefinition | None], AnalysedSession]
_compressor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="racetrace-compress")


class ImportStatus(enum.StrEnum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass(frozen=True)
class FileError:
    """Why a file was not imported: the file, the 1-based line when known, and a message for the user."""

    file: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportProgress:
    file_index: int  # 0-based position in the batch
    file_count: int
    path: Path
    stage: str  # "reading", "analysing", "storing", "done"
    fraction: float  # of the whole batch, 0..1


ProgressCallback = Callable[[ImportProgress], None]
_STAGES = {"reading": 0.0, "analysing": 0.4, "storing": 0.7, "done": 1.0}


@dataclass(frozen=True)
class FileImportResult:
    path: Path
    status: ImportStatus
    session_uuid: uuid.UUID | None = None  # the new session, or the one this file duplicates
    track_name: str | None = None
    configuration_id: int | None = None
    new_track: bool = False
    lap_count: int = 0
    best_lap_ms: int | None = None
    warnings: tuple[str, ...] = ()
    error: FileError | None = None
    changes: Changes = field(default_factory=Changes)


@dataclass(frozen=True)
class ImportReport:
    results: tuple[FileImportResult, ...]

    @property
    def changes(self) -> Changes:
        merged = Changes()
        for result in self.results:
            merged = merged | result.changes
        return merged

    def with_status(self, status: ImportStatus) -> list[FileImportResult]:
        return [result for result in self.results if result.status == status]

    @property
    def imported(self) -> list[FileImportResult]:
        return self.with_status(ImportStatus.IMPORTED)

    @property
    def duplicates(self) -> list[FileImportResult]:
        return self.with_status(ImportStatus.DUPLICATE)

    @property
    def failed(self) -> list[FileImportResult]:
        return self.with_status(ImportStatus.FAILED)


def default_reader(data: bytes, name: str) -> RawSession:
    return read_bytes(data, name)


def default_analyser(raw: RawSession, track: TrackDefinition | None) -> AnalysedSession:
    return analyse(raw, track)


def import_files(
    library: Library,
    paths: Iterable[Path | str],
    progress: ProgressCallback | None = None,
    reader: Reader = default_reader,
    analyser: Analyser = default_analyser,
) -> ImportReport:
    """Import every file on its own (one transaction each); failures are reported, never raised."""
    batch = [Path(p) for p in paths]
    results = [
        _import_path(library, path, _stage_reporter(progress, index, len(batch), path), reader, analyser)
        for index, path in enumerate(batch)
    ]
    return ImportReport(tuple(results))


def import_file(
    library: Library,
    path: Path | str,
    progress: ProgressCallback | None = None,
    reader: Reader = default_reader,
    analyser: Analyser = default_analyser,
) -> FileImportResult:
    """Import one file. Any failure leaves the library exactly as it was and comes back as a FAILED result."""
    path = Path(path)
    return _import_path(library, path, _stage_reporter(progress, 0, 1, path), reader, analyser)


def _stage_reporter(progress: ProgressCallback | None, index: int, count: int, path: Path) -> Callable[[str], None]:
    if progress is None:
        return lambda _stage: None

    def report(stage: str) -> None:
        progress(ImportProgress(index, count, path, stage, (index + _STAGES[stage]) / count))

    return report


def _import_path(
    library: Library, path: Path, stage: Callable[[str], None], reader: Reader, analyser: Analyser
) -> FileImportResult:
    stage("reading")
    try:
        data = path.read_bytes()
    except OSError as error:
        result = _failed(path, FileError(str(path), f"cannot read the file: {error.strerror or error}"))
    else:
        result = import_bytes(library, data, path.name, stage, reader=reader, analyser=analyser, path=path)
    stage("done")
    return result


def import_bytes(
    library: Library,
    data: bytes,
    name: str,
    stage: Callable[[str], None] = lambda _stage: None,
    reader: Reader = default_reader,
    analyser: Analyser = default_analyser,
    path: Path | None = None,
) -> FileImportResult:
    """Import a file's content (e.g. dropped from another app). `name` is shown to the user and in errors."""
    path = path or Path(name)
    try:
        return _import(library, data, name, path, stage, reader, analyser)
    except TelemetryFormatError as error:
        return _failed(path, FileError(error.file or name, error.message, error.line))
    except Exception as error:  # a per-file error report, never a crashed batch
        log.exception("import of %s failed", name)
        return _failed(path, FileError(name, f"import failed ({type(error).__name__}: {error})"))


def _failed(path: Path, error: FileError) -> FileImportResult:
    return FileImportResult(path, ImportStatus.FAILED, error=error)


@dataclass
class _Prepared:
    """Everything computed before taking the writer: the write transaction then only inserts."""

    path: Path
    name: str
    sha256: str
    recording_key: str
    size: int
    compressed: Future[tuple[str, bytes]]
    raw: RawSession
    plan: TrackPlan
    analysed: AnalysedSession
    encoded: list[lapdata_repo.EncodedLap | None]


def _import(
    library: Library, data: bytes, name: str, path: Path, stage: Callable[[str], None],
    reader: Reader, analyser: Analyser,
) -> FileImportResult:  # fmt: skip
    sha256 = hashlib.sha256(data).hexdigest()
    key = session_store_repo.recording_key(data, sha256)
    with library.read() as db:
        duplicate = _duplicate_of(db, sha256, key, path)
    if duplicate:
        return duplicate
    compressed = _compressor.submit(lapdata_repo.compress_original, data)
    raw = reader(data, name)
    stage("analysing")
    with library.read() as db:
        plan = plan_track(db, raw)
    analysed = analyser(raw, plan.definition)
    stage("storing")
    encoded = session_store_repo.encode_laps(analysed)
    prepared = _Prepared(path, name, sha256, key, len(data), compressed, raw, plan, analysed, encoded)
    return _store(library, prepared, analyser)


def _duplicate_of(db: LibrarySession, sha256: str, key: str, path: Path) -> FileImportResult | None:
    existing = session_store_repo.session_by_sha(db, sha256)
    if existing is not None and existing.deleted_at is None:
        message = f"already in the library as {existing.source_name!r}: duplicate of session {existing.uuid}"
    else:  # a deleted session's file may come back: it revives the same session identity
        existing = session_store_repo.live_session_by_recording(db, key)
        if existing is None:
            return None
        message = (
            f"already in the library as {existing.source_name!r} (the same recording saved with other line "
            f"endings or a byte-order mark): duplicate of session {existing.uuid}"
        )
    return FileImportResult(
        path, ImportStatus.DUPLICATE, session_uuid=existing.uuid, error=FileError(path.name, message)
    )


def _store(library: Library, job: _Prepared, analyser: Analyser) -> FileImportResult:
    with library.write() as db:
        if (duplicate := _duplicate_of(db, job.sha256, job.recording_key, job.path)) is not None:
            return duplicate  # the same file finished importing on another thread meanwhile
        current = plan_track(db, job.raw)
        if current.key != job.plan.key:  # another import created or changed a matching track meanwhile
            job.analysed = analyser(job.raw, current.definition)
            job.encoded = session_store_repo.encode_laps(job.analysed)
        configuration, new_track = resolve_configuration(db, current)
        source = session_store_repo.SourceInfo(job.sha256, job.name, job.size, job.compressed.result(),
                                               job.recording_key)
        stored = session_store_repo.insert_session(db, job.analysed, source, configuration, job.encoded)
        attach_vehicle_car(db, stored.session_id)  # the file's `# Vehicle:` line names the car
        if configuration is not None:
            tracks_repo.set_length_if_unknown(db, configuration.id, _typical_lap_length(job.analysed))
    return _imported(job, stored, configuration, new_track)


def _imported(
    job: _Prepared, stored: session_store_repo.StoredSession, configuration: ConfigurationRecord | None, new_track: bool
) -> FileImportResult:
    created = configuration if configuration is not None and new_track else None
    changes = Changes(
        sessions_added=ids([stored.session_uuid]),
        laps_changed=ids(stored.lap_uuids),
        tracks_changed=frozenset([created.track_id] if created else []),
        configurations_changed=frozenset([created.id] if created else []),
    )
    best = job.analysed.best_lap
    return FileImportResult(
        job.path, ImportStatus.IMPORTED, session_uuid=stored.session_uuid,
        track_name=configuration.track_name if configuration else None,
        configuration_id=configuration.id if configuration else None, new_track=new_track,
        lap_count=len(job.analysed.laps), best_lap_ms=best.lap_time_ms if best else None,
        warnings=tuple(dict.fromkeys([*job.raw.warnings, *job.analysed.warnings])), changes=changes,
    )  # fmt: skip


def _typical_lap_length(analysed: AnalysedSession) -> float | None:
    """Median length of the valid timed laps: out-laps, in-laps and pit laps do not describe the track."""
    lengths: Sequence[float] = sorted(
        lap.length_m for lap in analysed.laps if lap.is_valid and lap.lap_time_ms and lap.length_m
    )
    return lengths[len(lengths) // 2] if lengths else None
