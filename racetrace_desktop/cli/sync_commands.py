"""`racetrace account|sync|publish|leaderboard`: the sync commands of the CLI and their text/JSON renderings;
and what `racetrace compare` needs from sync (laps of the leaderboard and arrays of other devices' laps on demand).

Each command returns (payload for --json, text, exit code) like the other CLI commands; sync errors are raised as
`SyncError` and reported by `commands.run` with their message. Their arguments are in `cli.parser`.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from racetrace_desktop.services import library_service
from racetrace_desktop.services.library_access import Library
from racetrace_desktop.services.lookup import NotFoundError, resolve_lap, resolve_session
from racetrace_desktop.telemetry.display import lap_time

if TYPE_CHECKING:  # the sync package (httpx, keyring) is imported only by the commands that use it
    from racetrace_desktop.sync import SyncProgress, SyncService, SyncStatus
    from racetrace_desktop.sync.leaderboard import LeaderboardView
    from racetrace_desktop.sync.service import AccountInfo

Result = tuple[Any, str, int]


def read_password() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise ValueError("no password on standard input (--password-stdin reads its first line)")
    return password


def _service(library: Library) -> SyncService:
    from racetrace_desktop.sync import SyncService

    return SyncService(library)


def cmd_account(library: Library, args: argparse.Namespace) -> Result:
    service = _service(library)
    if args.action in ("register", "login"):
        password = read_password()
        if args.action == "register":
            if not args.email:
                raise ValueError("account register needs --email")
            service.register(args.server, args.username, args.email, password)
        info = service.sign_in(args.server, args.username, password)
        return _account_json(info), _account_text(info, args.action), 0
    if args.action == "logout":
        who = service.settings.username
        service.sign_out()
        return {"signed_out": who}, f"signed out{f' {who}' if who else ''}", 0
    if args.action == "unlink":
        service.unlink()
        return {"unlinked": True}, "library unlinked: the next sync uploads everything to the signed-in account", 0
    status = service.status()
    return status_json(status), status_text(status), 0


def _account_json(info: AccountInfo) -> dict[str, Any]:
    return {"server": info.server_url, "username": info.username, "display_name": info.display_name,
            "user_id": info.user_id, "keyring_problem": info.keyring_problem}  # fmt: skip


def _account_text(info: AccountInfo, action: str) -> str:
    verb = "registered and signed in" if action == "register" else "signed in"
    text = f"{verb} as {info.username} ({info.display_name}) on {info.server_url}"
    return f"{text}\nwarning: {info.keyring_problem}" if info.keyring_problem else text


def status_json(status: SyncStatus) -> dict[str, Any]:
    moment = lambda value: value.isoformat() if value else None  # noqa: E731 - tiny local formatter
    return {
        "server": status.server_url, "username": status.username, "signed_in": status.signed_in,
        "linked_account": status.linked_account, "last_sync_at": moment(status.last_sync_at),
        "last_attempt_at": moment(status.last_attempt_at), "last_error": status.last_error,
        "pending_changes": status.pending_changes, "last_counts": status.last_counts,
        "keyring_problem": status.keyring_problem,
    }  # fmt: skip


def status_text(status: SyncStatus) -> str:
    if not status.server_url:
        who = "not signed in (racetrace account login --server URL --username U --password-stdin)"
    else:
        who = f"{status.username or 'signed out'} on {status.server_url}" + ("" if status.signed_in else " (sign in)")
    last = status.last_sync_at.strftime("%Y-%m-%d %H:%M:%S UTC") if status.last_sync_at else "never"
    lines = [f"account: {who}", f"last sync: {last}", f"pending changes: {status.pending_changes}"]
    if status.last_error:
        lines.append(f"last error: {status.last_error}")
    if status.keyring_problem:
        lines.append(f"keyring: {status.keyring_problem}")
    return "\n".join(lines)


def _print_progress(progress: SyncProgress) -> None:
    amount = f" {progress.done}/{progress.total}" if progress.total else ""
    detail = f" {progress.message}" if progress.message else ""
    print(f"sync: {progress.stage}{amount}{detail}", file=sys.stderr, flush=True)


def cmd_sync(library: Library, args: argparse.Namespace) -> Result:
    service = _service(library)
    report = service.sync(progress=_print_progress if args.progress else None)
    counts = report.counts
    lines = [f"pushed {counts.pushed}, pulled {counts.pulled}, conflicts merged {counts.conflicts}",
             f"telemetry: {counts.telemetry_uploaded} uploaded, {counts.telemetry_downloaded} downloaded; "
             f"files: {counts.files_uploaded} uploaded; leaderboards: {counts.leaderboards} refreshed"]  # fmt: skip
    if counts.full_resync:
        lines.append("the server asked for a full resync: everything was pulled again")
    lines.extend(counts.track_changes)
    lines.extend(f"held back: {message}" for message in counts.held_back)
    lines.extend(f"problem: {message}" for message in counts.problems)
    lines.append(f"pending changes: {service.status().pending_changes}")
    return report.as_dict(), "\n".join(lines), 1 if counts.held_back or counts.problems else 0


def cmd_publish(library: Library, args: argparse.Namespace) -> Result:
    if args.lap:
        lap = resolve_lap(library, args.lap)
        library_service.set_lap_public(library, lap.uuid, True)
        payload = {"lap_id": str(lap.uuid), "session_id": str(lap.session_uuid), "public": True}
        return payload, f"lap {lap.number} ({lap.uuid}) is public; run `racetrace sync` to share it", 0
    if not args.session:
        raise ValueError("publish needs a SESSION_ID (or --lap LAP_ID)")
    session = resolve_session(library, args.session)
    library_service.set_session_public(library, session.uuid, True)
    text = f"session {session.source_name} ({session.uuid}) is public; run `racetrace sync` to share it"
    return {"session_id": str(session.uuid), "public": True}, text, 0


def cmd_leaderboard(library: Library, args: argparse.Namespace) -> Result:
    service = _service(library)
    if args.words:
        if len(args.words) != 2 or args.words[0] != "download":
            raise ValueError("use `racetrace leaderboard download LAP_ID`")
        got = service.download_leaderboard_lap(args.words[1])
        payload = {"lap_id": str(got.lap_uuid), "session_id": str(got.session_uuid), "already_there": got.already_there}
        where = "already in the library" if got.already_there else "downloaded"
        return payload, f"{where}: lap {got.lap_uuid} (compare it: racetrace compare YOUR_LAP {got.lap_uuid})", 0
    configurations = _configurations(service, args.track_config)
    views = [(c, service.leaderboard(c.server_id or "", args.category)) for c in configurations]
    payload = {"leaderboards": [_board_json(c, v) for c, v in views]}
    text = "\n\n".join(_board_text(c, v) for c, v in views) or (
        "no server track configurations in the library yet: run `racetrace sync`")
    return payload, text, 0


def _configurations(service: SyncService, wanted: str | None) -> list[Any]:
    every = service.leaderboard_configurations()
    if wanted:
        matches = [c for c in every if (c.server_id or "").startswith(wanted.lower()) or str(c.id) == wanted]
        if len(matches) != 1:
            raise ValueError(f"track configuration {wanted!r} {'is ambiguous' if matches else 'is not known'}: "
                             "see `racetrace leaderboard`")  # fmt: skip
        return matches
    return service.leaderboard_configurations(with_own_sessions=True) or every


def _board_json(configuration: Any, view: LeaderboardView | None) -> dict[str, Any]:
    return {
        "track": configuration.track_name, "configuration": configuration.name,
        "track_configuration_id": configuration.server_id,
        "fetched_at": view.fetched_at.isoformat() if view else None, "stale": view.stale if view else None,
        "problem": view.problem if view else "never fetched", "entries": view.entries if view else [],
    }  # fmt: skip


def _board_text(configuration: Any, view: LeaderboardView | None) -> str:
    title = f"{configuration.track_name} - {configuration.name} ({configuration.server_id})"
    if view is None:
        return f"{title}\n  no leaderboard yet (the server could not be asked)"
    lines = [title]
    if view.stale:
        lines.append(f"  offline copy from {view.fetched_at:%Y-%m-%d %H:%M} UTC ({view.problem})")
    for entry in view.entries:
        car = entry.get("car") or {}
        car_name = " ".join(str(car.get(k)) for k in ("make", "model") if car.get(k))
        lines.append(f"  {entry['rank']:>3}. {lap_time(entry['lap_time_ms']):>9}  {entry['driver']['display_name']:<24}"
                     f"  {car_name:<20}  {entry['lap_id']}")  # fmt: skip
    if not view.entries:
        lines.append("  no public laps yet")
    return "\n".join(lines)


def telemetry_fetcher(library: Library) -> Callable[[uuid.UUID], str | None]:
    """For `racetrace compare`: download a lap's missing arrays through the sync service (loaded only if needed)."""

    def fetch(lap_uuid: uuid.UUID) -> str | None:
        return _service(library).fetch_lap_telemetry(lap_uuid)

    return fetch


def resolve_compare_lap(library: Library, text: str) -> uuid.UUID:
    """A lap of the library, else a lap of a cached leaderboard, downloaded now (a lap not downloaded yet)."""
    try:
        return resolve_lap(library, text).uuid
    except NotFoundError:
        from racetrace_desktop.sync.leaderboard import cached_entry

        entry = cached_entry(library, text)
        if entry is None:
            raise
        return _download_for_compare(library, entry)


def _download_for_compare(library: Library, entry: dict[str, Any]) -> uuid.UUID:
    from racetrace_desktop.services.compare_service import MissingTelemetryError
    from racetrace_desktop.sync.errors import SyncError

    try:
        return _service(library).download_leaderboard_lap(entry).lap_uuid
    except SyncError as error:
        driver = (entry.get("driver") or {}).get("display_name") or "another driver"
        raise MissingTelemetryError(
            f"leaderboard lap {entry['lap_id']} of {driver} ({lap_time(entry.get('lap_time_ms'))}) has no telemetry "
            f"on this computer yet: sync or sign in to download it ({error.message})"
        ) from error
