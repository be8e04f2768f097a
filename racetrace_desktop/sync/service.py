"""The sync use cases for the UI and the CLI (Qt-free): account, sync, status, leaderboard, downloaded laps.

Everything works without a server: status, cached leaderboards and downloaded laps come from the library; calls
that need the server raise a typed SyncError whose message says what to do.
"""

from __future__ import annotations

import uuid
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from racetrace_desktop.library import Library, remote_repo, sync_repo
from racetrace_desktop.library.read_models import ConfigurationRecord
from racetrace_desktop.library.remote_repo import DownloadedLapRecord
from racetrace_desktop.sync import engine, oauth, transfers
from racetrace_desktop.sync.client import ApiClient, normalise_url
from racetrace_desktop.sync.context import ProgressCallback, SyncContext
from racetrace_desktop.sync.engine import SyncReport
from racetrace_desktop.sync.errors import NotSignedIn, ServerMessage, SyncError
from racetrace_desktop.sync.leaderboard import DownloadedLap, LeaderboardView, cached_entry, download_entry_lap
from racetrace_desktop.sync.leaderboard import leaderboard as fetch_leaderboard
from racetrace_desktop.sync.settings import SyncSettings, load_settings, save_settings, settings_path
from racetrace_desktop.sync.tokens import TokenStore
from racetrace_desktop.telemetry.lap_document import TelemetryDocumentError


@dataclass(frozen=True)
class SyncStatus:
    """What the status line shows."""

    server_url: str | None
    username: str | None
    signed_in: bool  # a refresh or access token is at hand
    linked_account: str | None  # the account this library syncs with (None: never synced)
    last_sync_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    pending_changes: int
    last_counts: dict[str, Any]
    keyring_problem: str | None


@dataclass(frozen=True)
class AccountInfo:
    server_url: str
    username: str
    display_name: str
    user_id: str
    keyring_problem: str | None  # set when the sign-in cannot be kept past this run


class SyncService:
    """One library and the account it syncs with. Safe to share between the UI thread and one worker."""

    def __init__(
        self,
        library: Library,
        settings_file: Path | None = None,
        transport: httpx.BaseTransport | None = None,
        retries: int = 4,
        backoff_s: float = 0.5,
    ) -> None:
        self.library = library
        self.settings_file = settings_file or settings_path()
        self.settings = load_settings(self.settings_file)
        self._transport = transport
        self._retries, self._backoff_s = retries, backoff_s
        self._tokens: TokenStore | None = None
        if self.settings.server_url and self.settings.username:
            self._tokens = TokenStore(self.settings.server_url, self.settings.username)

    @property
    def token_store(self) -> TokenStore | None:
        """The signed-in account's tokens (None when signed out)."""
        return self._tokens

    # --- settings and clients ---------------------------------------------------------------------------------

    def update_settings(self, **changes: Any) -> SyncSettings:
        self.settings = self.settings.with_changes(**changes)
        save_settings(self.settings, self.settings_file)
        return self.settings

    def client(self, server_url: str | None = None, signed_in: bool = True) -> ApiClient:
        url = server_url or self.settings.server_url
        if not url:
            raise NotSignedIn("no sync server set: sign in with a server URL first")
        tokens = self._tokens if signed_in else None
        if signed_in and tokens is None:
            raise NotSignedIn("not signed in to a sync server: sign in first")
        return ApiClient(url, tokens, transport=self._transport, retries=self._retries, backoff_s=self._backoff_s)

    # --- account ----------------------------------------------------------------------------------------------

    def register(
        self, server_url: str, username: str, email: str, password: str, display_name: str | None = None
    ) -> dict[str, Any]:
        body = {"username": username, "email": email, "password": password}
        if display_name:
            body["display_name"] = display_name
        with self.client(server_url, signed_in=False) as client:
            answer = client.request("POST", "/auth/register", auth=False, idempotent=False, json=body)
            account: dict[str, Any] = answer.json()
            return account

    def sign_in(self, server_url: str, username: str, password: str) -> AccountInfo:
        """Password sign-in as the desktop client (the refresh token comes in the body and goes to the keyring)."""
        with self.client(server_url, signed_in=False) as client:
            form = {"username": username, "password": password, "client": "desktop"}
            tokens = client.request("POST", "/auth/login", auth=False, idempotent=False, data=form).json()
        return self._signed_in(server_url, tokens)

    def sign_in_with_provider(
        self, server_url: str, provider: str, open_browser: Callable[[str], Any] = webbrowser.open,
        timeout_s: float = 300.0,
    ) -> AccountInfo:  # fmt: skip
        """Google or GitHub via the system browser (RFC 8252 loopback redirect, PKCE, state)."""
        with self.client(server_url, signed_in=False) as client:
            tokens = oauth.sign_in_with_provider(client, provider, open_browser, timeout_s)
        return self._signed_in(server_url, tokens)

    def providers(self, server_url: str | None = None) -> list[dict[str, Any]]:
        with self.client(server_url, signed_in=False) as client:
            return list(client.get("/auth/providers", auth=False)["providers"])

    def _signed_in(self, server_url: str, answer: dict[str, Any]) -> AccountInfo:
        url = normalise_url(server_url)
        probe = TokenStore(url, "?")
        probe.store(answer["access_token"], answer["expires_in"], None)
        with ApiClient(url, probe, transport=self._transport, retries=self._retries) as client:
            me = client.get("/users/me")
        tokens = TokenStore(url, me["username"])
        tokens.store(answer["access_token"], answer["expires_in"], answer.get("refresh_token"))
        self._tokens = tokens
        self.update_settings(server_url=url, username=me["username"])
        return AccountInfo(url, me["username"], me["display_name"], str(me["id"]), tokens.problem)

    def sign_out(self) -> None:
        """Revoke the sign-in on the server (when it answers) and forget the tokens here and in the keyring."""
        tokens = self._tokens
        if tokens is not None:
            refresh = tokens.refresh_token()
            if refresh:
                try:
                    with self.client() as client:
                        client.request("POST", "/auth/logout", auth=False, json={"refresh_token": refresh})
                except SyncError:
                    pass  # offline: the token expires on the server by itself; it is gone from here anyway
            tokens.clear()
        self._tokens = None
        self.update_settings(username=None)

    def unlink(self) -> None:
        """Detach the library from its server account: the next sync uploads everything as new."""
        with self.library.write() as db:
            sync_repo.unlink(db)

    # --- status and sync --------------------------------------------------------------------------------------

    def status(self) -> SyncStatus:
        with self.library.read() as db:
            state = sync_repo.get_state(db)
            pending = sync_repo.pending_count(db)
        tokens = self._tokens
        signed_in = tokens is not None and (tokens.access_token() is not None or tokens.refresh_token() is not None)
        return SyncStatus(
            server_url=self.settings.server_url, username=self.settings.username, signed_in=signed_in,
            linked_account=state.username, last_sync_at=state.last_sync_at, last_attempt_at=state.last_attempt_at,
            last_error=state.last_error, pending_changes=pending, last_counts=state.last_counts,
            keyring_problem=tokens.problem if tokens is not None else None,
        )  # fmt: skip

    def sync(self, progress: ProgressCallback | None = None, cancelled: Callable[[], bool] | None = None) -> SyncReport:
        """Sync now. Raises SyncError subclasses (AuthFailed, ServerUnreachable, ...) with a message in words."""
        with self.client() as client:
            ctx = SyncContext(self.library, client, self.settings, progress or (lambda _p: None),
                              cancelled or (lambda: False))  # fmt: skip
            return engine.run(ctx)

    def ensure_lap_telemetry(self, lap_uuid: uuid.UUID) -> bool:
        """Make a lap's arrays available locally (download them from the server if needed). True if downloaded."""
        with self.library.read() as db:
            if remote_repo.has_arrays(db, lap_uuid):
                return False
        with self.client() as client:
            transfers.download_telemetry(client, self.library, lap_uuid)
        return True

    def fetch_lap_telemetry(self, lap_uuid: uuid.UUID) -> str | None:
        """A compare's `TelemetryFetcher`: download a lap's arrays when signed in. None when they are here now,
        else why not, in words (offline, signed out, the server has none)."""
        try:
            self.ensure_lap_telemetry(lap_uuid)
        except SyncError as error:
            return error.message
        except TelemetryDocumentError as error:
            return f"the server's telemetry of this lap cannot be read ({error})"
        return None

    # --- leaderboard ------------------------------------------------------------------------------------------

    def leaderboard_configurations(self, with_own_sessions: bool = False) -> list[ConfigurationRecord]:
        with self.library.read() as db:
            return remote_repo.server_configurations(db, with_own_sessions)

    def leaderboard(
        self, configuration_server_id: str, car_category: str | None = None, event_id: str | None = None,
        page: int = 1, page_size: int = 50,
    ) -> LeaderboardView | None:  # fmt: skip
        """Fresh from the server when it answers (and cached), else the cached copy marked stale."""
        client = self.client(signed_in=False) if self.settings.server_url else None
        try:
            return fetch_leaderboard(client, self.library, configuration_server_id, car_category, event_id, page,
                                     page_size)  # fmt: skip
        finally:
            if client is not None:
                client.close()

    def download_leaderboard_lap(self, entry_or_lap_id: dict[str, Any] | str) -> DownloadedLap:
        """Store a leaderboard lap (entry dict, or a lap id / unique prefix from a cached board) for compare."""
        entry = entry_or_lap_id if isinstance(entry_or_lap_id, dict) else cached_entry(self.library, entry_or_lap_id)
        if entry is None:
            raise ServerMessage(f"no leaderboard entry with lap id {entry_or_lap_id!r} (see `racetrace leaderboard`)")
        with self.client() as client:
            return download_entry_lap(client, self.library, entry)

    def downloaded_laps(self) -> list[DownloadedLapRecord]:
        with self.library.read() as db:
            return remote_repo.downloaded_laps(db)
