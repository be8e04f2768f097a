"""Bulk transfers after the records: lap arrays up (public laps, and every lap for the owner's other devices when
the setting is on), lap arrays down (on demand, or eagerly), original files up (optional, size-capped).

Each transfer is remembered in the library as soon as the server confirmed it, so a killed sync resumes with
the next lap. Uploads are PUTs: sending one again is harmless ("unchanged").
"""

from __future__ import annotations

import uuid
from typing import Any

from racetrace_desktop.library import Library, lapdata_repo, remote_repo, sync_repo
from racetrace_desktop.library.sync_repo import ServerCopy
from racetrace_desktop.sync.client import ApiClient
from racetrace_desktop.sync.context import SyncContext
from racetrace_desktop.sync.errors import ServerMessage, UploadTooLarge
from racetrace_desktop.telemetry import lap_document
from racetrace_desktop.telemetry.lap_document import TelemetryDocumentError

TELEMETRY = "lap_telemetry"
FILE = "session_file"


def upload_telemetry(ctx: SyncContext) -> None:
    with ctx.library.read() as db:
        candidates = remote_repo.telemetry_upload_candidates(db, ctx.settings.upload_telemetry_for_devices)
    for index, candidate in enumerate(candidates):
        ctx.report("uploading telemetry", index, len(candidates))
        _upload_lap(ctx, candidate)


def _upload_lap(ctx: SyncContext, candidate: remote_repo.UploadCandidate) -> None:
    lap_uuid = candidate.lap_uuid
    with ctx.library.read() as db:
        data, infos = lapdata_repo.load_lap_arrays(db, lap_uuid)
    document = lap_document.encode(data, infos)
    fingerprint = lap_document.digest(document)
    known = candidate.marker.data if candidate.marker is not None else {}
    marker = {**known, "local_updated_at": remote_repo.stamp(candidate.updated_at), "doc_sha256": fingerprint}
    if known.get("doc_sha256") == fingerprint:
        _remember(ctx.library, TELEMETRY, lap_uuid, candidate.marker.rev if candidate.marker else None, marker)
        return
    replace = bool(known.get("doc_sha256"))  # this device uploaded other arrays before (a re-lap): overwrite them
    try:
        answer = ctx.client.request(
            "PUT", f"/sync/laps/{lap_uuid}/telemetry", json=document, params={"replace": "true"} if replace else None
        ).json()
    except UploadTooLarge as error:
        ctx.counts.problems.append(f"lap {lap_uuid}: telemetry not uploaded ({error.message})")
        _remember(ctx.library, TELEMETRY, lap_uuid, None, {**marker, "refused": error.message})
        return
    except ServerMessage as error:
        if error.code == "telemetry_exists":  # another device of the owner uploaded this lap's arrays first
            _remember(ctx.library, TELEMETRY, lap_uuid, None, {**marker, "doc_sha256": None})
            return
        if error.status in (404, 409, 422):
            ctx.counts.problems.append(f"lap {lap_uuid}: telemetry refused by the server ({error.message})")
            _remember(ctx.library, TELEMETRY, lap_uuid, None, {**marker, "refused": error.message})
            return
        raise
    marker.update(content_sha256=answer["content_sha256"], sample_count=answer["sample_count"])
    marker.pop("refused", None)
    _remember(ctx.library, TELEMETRY, lap_uuid, answer["rev"], marker)
    ctx.counts.telemetry_uploaded += 1


def _remember(library: Library, kind: str, record_uuid: uuid.UUID, rev: int | None, data: dict[str, Any]) -> None:
    with library.write() as db:
        previous = sync_repo.server_copy(db, kind, record_uuid)
        rev = rev if rev is not None else (previous.rev if previous else None)
        sync_repo.store_server_copy(db, ServerCopy(kind, record_uuid, rev, False, None, data))


def download_telemetry(client: ApiClient, library: Library, lap_uuid: uuid.UUID) -> None:
    """Fetch a lap's arrays from the server into the library (own lap of another device, or a public lap)."""
    document = client.get(f"/sync/laps/{lap_uuid}/telemetry")
    data, infos = lap_document.decode(document)
    with library.write() as db:
        remote_repo.store_arrays(db, lap_uuid, data, infos)
        updated_at = remote_repo.lap_updated_at(db, lap_uuid)
        previous = sync_repo.server_copy(db, TELEMETRY, lap_uuid)
        marker = {**(previous.data if previous else {}), "local_updated_at": remote_repo.stamp(updated_at)}
        marker.pop("doc_sha256", None)  # not this device's upload: never overwrite it
        sync_repo.store_server_copy(db, ServerCopy(TELEMETRY, lap_uuid, previous.rev if previous else None, False,
                                                   None, marker))  # fmt: skip


def download_missing_telemetry(ctx: SyncContext) -> None:
    with ctx.library.read() as db:
        missing = remote_repo.laps_missing_arrays(db)
    for index, lap_uuid in enumerate(missing):
        ctx.report("downloading telemetry", index, len(missing))
        try:
            download_telemetry(ctx.client, ctx.library, lap_uuid)
        except (ServerMessage, TelemetryDocumentError) as error:  # one bad lap never stops the others
            ctx.counts.problems.append(f"lap {lap_uuid}: telemetry not downloaded ({error})")
            continue
        ctx.counts.telemetry_downloaded += 1


def upload_files(ctx: SyncContext) -> None:
    """Original files of pushed sessions, when the setting is on; larger than the cap: skipped, said once."""
    cap = int(ctx.settings.max_file_upload_mb * 1024 * 1024)
    with ctx.library.read() as db:
        waiting = remote_repo.sessions_needing_file(db)
    for index, (session_uuid, size) in enumerate(waiting):
        ctx.report("uploading files", index, len(waiting))
        if size > cap:
            message = f"original file of session {session_uuid} not uploaded: {size / 1e6:.1f} MB is over the limit"
            ctx.counts.problems.append(message)
            _remember(ctx.library, FILE, session_uuid, None, {"status": "too_large", "size": size})
            continue
        with ctx.library.read() as db:
            _name, content = remote_repo.original_of(db, session_uuid)
        try:
            answer = ctx.client.request(
                "PUT", f"/sync/sessions/{session_uuid}/file", content=content,
                headers={"Content-Type": "application/octet-stream"},
            ).json()  # fmt: skip
        except UploadTooLarge as error:
            ctx.counts.problems.append(f"original file of session {session_uuid} not uploaded: {error.message}")
            _remember(ctx.library, FILE, session_uuid, None, {"status": "too_large", "size": size})
            continue
        _remember(ctx.library, FILE, session_uuid, None, {"status": answer["status"], "sha256": answer["sha256"]})
        ctx.counts.files_uploaded += 1
