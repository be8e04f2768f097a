"""One sync run: check the account, pull, re-lap sessions onto the shared track configurations, push, transfers,
leaderboards, pull again (consumes the echo of what was just pushed, so the next sync with nothing new transfers
almost nothing). Every outcome is recorded in the library so the status line can show it after a restart."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from racetrace_desktop.library import LibrarySession, remote_repo, sync_repo
from racetrace_desktop.services import shared_tracks
from racetrace_desktop.services.relap import RelapProgress
from racetrace_desktop.sync import pull, push, transfers
from racetrace_desktop.sync.client import TrafficStats
from racetrace_desktop.sync.context import SyncContext, SyncCounts
from racetrace_desktop.sync.errors import AccountMismatch, ClockIncorrect, SyncError
from racetrace_desktop.sync.leaderboard import leaderboard
from racetrace_desktop.sync.lock import SyncLock

MAX_CLOCK_SKEW_S = 300.0  # as Anki: newest-wins merging needs clocks that roughly agree


@dataclass(frozen=True)
class SyncReport:
    counts: SyncCounts
    seconds: float
    traffic: TrafficStats

    def as_dict(self) -> dict[str, Any]:
        return {**self.counts.as_dict(), "seconds": round(self.seconds, 3), "requests": self.traffic.requests,
                "bytes_sent": self.traffic.bytes_sent, "bytes_received": self.traffic.bytes_received}  # fmt: skip


def run(ctx: SyncContext) -> SyncReport:
    """Sync once under the library's sync lock. Raises a SyncError (recorded as the last error) on failure."""
    started = time.monotonic()
    before = TrafficStats(**ctx.client.stats.__dict__)
    with SyncLock(ctx.library.path):
        try:
            _steps(ctx)
        except SyncError as error:
            _record(ctx, error.message)
            raise
        except Exception as error:  # a bug or a damaged library: still visible in the status line
            _record(ctx, f"sync failed ({type(error).__name__}: {error})")
            raise
        _record(ctx, None)
    after = ctx.client.stats
    traffic = TrafficStats(after.requests - before.requests, after.bytes_sent - before.bytes_sent,
                           after.bytes_received - before.bytes_received)  # fmt: skip
    return SyncReport(ctx.counts, time.monotonic() - started, traffic)


def _record(ctx: SyncContext, error: str | None) -> None:
    with ctx.library.write() as db:
        sync_repo.record_attempt(db, error, ctx.counts.as_dict())


def _steps(ctx: SyncContext) -> None:
    ctx.report("connecting")
    _check_account(ctx)
    pull.pull(ctx)
    _follow_shared_tracks(ctx)
    push.push(ctx)
    transfers.upload_telemetry(ctx)
    if ctx.settings.upload_original_files:
        transfers.upload_files(ctx)
    if ctx.settings.download_telemetry == "eager":
        transfers.download_missing_telemetry(ctx)
    _refresh_leaderboards(ctx)
    pull.pull(ctx)
    ctx.report("done", 1, 1)


def _follow_shared_tracks(ctx: SyncContext) -> None:
    """Before pushing: sessions on local tracks the pulled configurations cover, and sessions on configurations
    edited on the server (or re-lapped by another device), are re-lapped so the push carries them."""
    ctx.report("matching tracks")

    def relapping(progress: RelapProgress) -> None:
        ctx.report("re-lapping sessions", progress.index, progress.count, progress.source_name)

    report = shared_tracks.refresh_shared_tracks(ctx.library, progress=relapping)
    ctx.counts.sessions_moved += report.moved
    ctx.counts.sessions_relapped += report.relapped
    ctx.counts.track_changes.extend(report.messages)
    ctx.counts.problems.extend(report.problems)


def _check_account(ctx: SyncContext) -> None:
    me = ctx.client.get("/users/me")
    offset = ctx.client.clock_offset_s
    if offset is not None and abs(offset) > MAX_CLOCK_SKEW_S:
        raise ClockIncorrect(
            f"this computer's clock is {abs(offset) / 60:.0f} minutes {'behind' if offset > 0 else 'ahead of'} the "
            "server's: set the clock right, then sync again (edits are merged by time)"
        )
    with ctx.library.write() as db:
        _bind(db, ctx.client.server_url, str(me["id"]), str(me["username"]))


def _bind(db: LibrarySession, server_url: str, account_id: str, username: str) -> None:
    state = sync_repo.get_state(db)
    if state.account_id is None:
        sync_repo.bind_account(db, server_url, account_id, username)
        return
    if state.account_id != account_id or (state.server_url or "").rstrip("/") != server_url.rstrip("/"):
        raise AccountMismatch(
            f"this library syncs with account {state.username!r} on {state.server_url}; sign in with that account, "
            f"or unlink the library (racetrace account unlink) to sync it with {username!r} on {server_url}"
        )
    sync_repo.bind_account(db, server_url, account_id, username)


def _refresh_leaderboards(ctx: SyncContext) -> None:
    """Cache the first page of every board the driver has sessions on, for offline viewing."""
    with ctx.library.read() as db:
        configurations = remote_repo.server_configurations(db, with_own_sessions=True)
    for index, configuration in enumerate(configurations):
        ctx.report("leaderboards", index, len(configurations), configuration.track_name)
        assert configuration.server_id is not None
        view = leaderboard(ctx.client, ctx.library, configuration.server_id)
        if view is not None and not view.stale:
            ctx.counts.leaderboards += 1
