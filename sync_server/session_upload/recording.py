"""A received logger file -> the session, laps and lap telemetry the server stores, exactly as a desktop would push
them. Pure computation (no database): it runs on a worker thread, outside any transaction.

The file is read by the desktop's own format registry (every format the desktop reads) and analysed by its
telemetry analysis, on the server configuration the file's start/finish matches (if any).
"""

from __future__ import annotations

import hashlib
import math
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from racetrace_desktop.telemetry import lap_document
from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats import read_bytes
from racetrace_desktop.telemetry.model import AnalysedSession, ChannelInfo, Lap, RawSession
from racetrace_desktop.telemetry.model import LapData as LapArrays
from racetrace_desktop.telemetry.session import analyse, derived_channel_info
from sync_server.errors import InvalidError
from sync_server.sync import telemetry_format
from sync_server.sync.kinds import DAY_MS, LapData, SessionData
from sync_server.sync.telemetry_format import LapTelemetryDocument
from sync_server.tracks.matching import KnownConfiguration, nearest, probe_points

UTF8_BOM = b"\xef\xbb\xbf"
ORIGINAL_ZLIB_LEVEL = 1  # a 12 MB log: 0.4 s to 3.0 MB at level 1, 2.4 s to 2.3 MB at level 6
_compressor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="racetrace-upload-compress")


class UnreadableFileError(InvalidError):
    """422 naming the file and the line, with both as fields too."""

    code = "invalid_file"


def recording_hashes(data: bytes) -> set[str]:
    """SHA-256 of the file as received and of its re-saves with other line endings or a BOM: the same recording.

    A session's `file_sha256` is the hash of the file as its logger wrote it; a driver may upload a copy an
    editor saved again (CRLF <-> LF, UTF-8 BOM added or dropped), which is still that recording.
    """
    text = data.removeprefix(UTF8_BOM).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    crlf = text.replace(b"\n", b"\r\n")
    variants = (data, text, crlf, UTF8_BOM + text, UTF8_BOM + crlf)
    return {hashlib.sha256(variant).hexdigest() for variant in variants}


@dataclass(frozen=True)
class OriginalFile:
    sha256: str
    size: int
    compressed: bytes


@dataclass(frozen=True)
class PreparedTelemetry:
    document: bytes  # the JSON document as GET .../telemetry serves it
    content_sha256: str
    sample_count: int
    channel_keys: list[str]


@dataclass(frozen=True)
class PreparedLap:
    id: uuid.UUID
    data: LapData
    telemetry: PreparedTelemetry | None


@dataclass
class PreparedUpload:
    session_id: uuid.UUID
    session: SessionData
    laps: list[PreparedLap]
    original: OriginalFile
    recording_hashes: set[str]
    warnings: list[str] = field(default_factory=list)


def read_recording(data: bytes, file_name: str) -> RawSession:
    try:
        return read_bytes(data, file_name)
    except TelemetryFormatError as error:
        raise UnreadableFileError(str(error), file=error.file, line=error.line) from error


def prepare(
    data: bytes, file_name: str, configurations: list[KnownConfiguration], *, is_public: bool
) -> PreparedUpload:
    """Parse, match the track, analyse, and encode everything the push of this file would carry."""
    compressed = _compressor.submit(zlib.compress, data, ORIGINAL_ZLIB_LEVEL)  # zlib releases the GIL: in parallel
    raw = read_recording(data, file_name)
    configuration = nearest(configurations, *probe_points(raw))
    analysed = analyse(raw, configuration.definition if configuration else None)
    session_id = uuid.uuid4()
    infos = {**derived_channel_info(), **raw.channel_info}
    laps = [_prepared_lap(session_id, lap, infos) for lap in analysed.laps]
    original = OriginalFile(hashlib.sha256(data).hexdigest(), len(data), compressed.result())
    warnings = list(dict.fromkeys([*raw.warnings, *analysed.warnings]))
    session = _session_data(analysed, file_name, original, configuration, is_public)
    return PreparedUpload(session_id, session, laps, original, recording_hashes(data), warnings)


def _cut(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


def _finite(value: float | None, low: float, high: float) -> float | None:
    if value is None or not math.isfinite(value) or not low <= value <= high:
        return None
    return float(value)


def _ms(value: int | None, low: int = 1) -> int | None:
    return int(value) if value is not None and low <= value <= DAY_MS else None


def _gps_rate_hz(raw: RawSession) -> float | None:
    fix_times = raw.time_s[raw.gps_fix.astype(bool)]
    if fix_times.size < 2 or fix_times[-1] <= fix_times[0]:
        return None
    return float((fix_times.size - 1) / (fix_times[-1] - fix_times[0]))


def _session_data(
    analysed: AnalysedSession, file_name: str, original: OriginalFile,
    configuration: KnownConfiguration | None, is_public: bool,
) -> SessionData:  # fmt: skip
    raw, meta = analysed.raw, analysed.raw.metadata
    duration = float(raw.time_s[-1] - raw.time_s[0]) if raw.row_count else 0.0
    return SessionData(
        track_configuration_id=configuration.id if configuration else None,
        track_configuration_version=configuration.version if configuration else None,
        is_public=is_public,
        recorded_at=meta.session_start_utc,
        recorded_at_local=meta.local_start.isoformat()[:32] if meta.local_start else None,
        file_sha256=original.sha256, file_name=_cut(file_name, 255), file_size=original.size,
        format_name=_cut(meta.format_name, 64), app_version=_cut(meta.app_version, 64),
        device=_cut(meta.device, 128), os_name=_cut(meta.os_name, 64), os_version=_cut(meta.os_version, 64),
        gps_source=_cut(meta.gps_source, 128), obd_adapter=_cut(meta.obd_adapter, 128),
        vehicle_hint=_cut(meta.vehicle, 128), gps_rate_hz=_finite(_gps_rate_hz(raw), 0, 1000),
        row_count=raw.row_count, duration_s=_finite(duration, 0, 1e9),
        theoretical_best_ms=_ms(analysed.theoretical_best_ms, 0),
    )  # fmt: skip


def _prepared_lap(session_id: uuid.UUID, lap: Lap, infos: dict[str, ChannelInfo]) -> PreparedLap:
    stats = {str(k)[:64]: float(v) for k, v in lap.stats.items() if v is not None and math.isfinite(v)}
    data = LapData(
        session_id=session_id, lap_number=int(lap.number), lap_time_ms=_ms(lap.lap_time_ms),
        time_source=lap.time_source, gps_time_ms=_ms(lap.gps_time_ms), is_outlap=lap.is_outlap,
        is_inlap=lap.is_inlap, is_pit=lap.is_pit, is_valid=lap.is_valid,
        invalid_reason=_cut(lap.invalid_reason, 200),
        length_m=_finite(lap.length_m, 0, 1_000_000),
        sector_times_ms=[_ms(t, 0) for t in lap.sector_times_ms][:64],
        stats=dict(list(stats.items())[:64]),
    )  # fmt: skip
    telemetry = _telemetry(lap.data, infos) if lap.data is not None and lap.data.row_count else None
    return PreparedLap(uuid.uuid4(), data, telemetry)


def _telemetry(arrays: LapArrays, infos: dict[str, ChannelInfo]) -> PreparedTelemetry | None:
    """The lap's arrays in the server's telemetry document, as the desktop encodes them for its uploads."""
    if arrays.row_count > telemetry_format.MAX_SAMPLES:
        return None
    document = LapTelemetryDocument.model_validate(lap_document.encode(arrays, infos))
    try:
        decoded = telemetry_format.decode(document)
    except InvalidError:  # e.g. no distance without GPS or speed: the lap is stored, its arrays are not
        return None
    return PreparedTelemetry(
        document=document.model_dump_json().encode(),
        content_sha256=telemetry_format.content_sha256(document, decoded),
        sample_count=document.sample_count,
        channel_keys=[channel.key for channel in document.channels],
    )
