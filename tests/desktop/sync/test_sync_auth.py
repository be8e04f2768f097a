"""Sign-in: the access token expiring during a sync (one refresh, then on), a refused refresh ("sign in again"),
no keyring on the machine, sign-out revoking on the server, and the RFC 8252 desktop flow with a fake provider."""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import jwt
import keyring
import pytest
from conftest import BACKENDS, PASSWORD, REPO, SECRET, Server, signed_up, start_server, unique
from keyring.backends import fail
from test_sync_convergence import generated, imported, server_counts
from test_sync_faults import Recorder

from racetrace_desktop.sync import AuthFailed, NotSignedIn, SyncProgress, SyncService


def _server_test_module(name: str) -> ModuleType:
    """A helper module of tests/server (the fake OAuth provider, the threaded uvicorn), loaded by path wherever
    the server tests keep it."""
    path = min((REPO / "tests" / "server").rglob(f"{name}.py"))
    spec = importlib.util.spec_from_file_location(f"racetrace_server_tests_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_fake = _server_test_module("fake_provider")
FakeProvider, FakeUser = _fake.FakeProvider, _fake.FakeUser
serve = _server_test_module("live_server").serve


def expired(access_token: str) -> str:
    """The same access token with its expiry moved into the past: the test's clock, not a 30-second wait."""
    claims = jwt.decode(access_token, options={"verify_signature": False})
    claims["exp"] = int(time.time()) - 5
    return jwt.encode(claims, SECRET, algorithm="HS256")


def test_an_access_token_expiring_during_a_sync_is_refreshed_once(server: Server, make_device, tmp_path: Path) -> None:
    transport = Recorder()
    device = make_device("a", transport=transport)
    signed_up(device, server, unique("lena"))
    imported(device, generated(tmp_path / "files", 30), generated(tmp_path / "files", 31))
    device.service.update_settings(push_chunk_size=4)
    tokens = device.service.token_store
    assert tokens is not None
    expired_between_chunks: list[str] = []

    def expire_token(progress: SyncProgress) -> None:
        if progress.stage == "pushing" and progress.done > 0 and not expired_between_chunks:  # between two chunks
            expired_between_chunks.append(expired(tokens.current_access_token() or ""))
            tokens.store(expired_between_chunks[0], 10**6, None)  # this client trusts its token far too long

    report = device.service.sync(progress=expire_token)

    assert expired_between_chunks and report.counts.pushed == 13  # 2 sessions, 10 laps, their car (Vehicle line)
    assert transport.paths.count("/api/v1/auth/refresh") == 1
    assert tokens.current_access_token() != expired_between_chunks[0]
    assert server_counts(server, device.service.settings.username) == (2, 10)


def test_a_refused_refresh_stops_the_sync_with_sign_in_again(server: Server, make_device, tmp_path: Path) -> None:
    device = make_device("a")
    signed_up(device, server, unique("mia"))
    imported(device, generated(tmp_path / "files", 32))
    tokens = device.service.token_store
    assert tokens is not None
    stolen = tokens.refresh_token()
    assert httpx.post(f"{server.url}/api/v1/auth/logout", json={"refresh_token": stolen}).status_code == 204
    tokens.store("not-a-valid-access-token", 10**6, None)

    with pytest.raises(AuthFailed, match="sign in again"):
        device.service.sync()

    status = device.service.status()
    assert not status.signed_in and "sign in again" in (status.last_error or "")
    assert status.pending_changes == 7  # session, 5 laps, its car: the queue waits for the next sign-in
    assert keyring.get_password("RaceTrace sync", f"{device.service.settings.username}@{server.url}") is None


def test_sign_out_revokes_the_refresh_token_on_the_server(server: Server, make_device) -> None:
    device = make_device("a")
    name = signed_up(device, server, unique("nico"))
    tokens = device.service.token_store
    assert tokens is not None
    refresh = tokens.refresh_token()

    device.service.sign_out()

    assert httpx.post(f"{server.url}/api/v1/auth/refresh", json={"refresh_token": refresh}).status_code == 401
    assert not device.service.status().signed_in and device.service.status().username is None
    with pytest.raises(NotSignedIn, match="sign in first"):
        device.service.sync()
    assert device.service.sign_in(server.url, name, PASSWORD).username == name


def test_without_a_keyring_the_sign_in_lasts_one_run_and_says_so(server: Server, make_device) -> None:
    keyring.set_keyring(fail.Keyring())  # a headless machine: get and set both raise NoKeyringError
    device = make_device("a")
    name = unique("olga")
    device.service.register(server.url, name, f"{name}@example.com", PASSWORD)

    info = device.service.sign_in(server.url, name, PASSWORD)

    assert info.keyring_problem and "no usable keyring" in info.keyring_problem
    assert device.service.sync().counts.pulled >= 2  # works for this run
    assert "sync.json" in str(device.service.settings_file)
    assert PASSWORD not in device.service.settings_file.read_text()
    restarted = device.reopen()
    assert not restarted.service.status().signed_in
    with pytest.raises(NotSignedIn, match="no usable keyring on this computer"):
        restarted.service.sync()


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider()
    with serve(fake.app()) as url:
        fake.base_url = url
        yield fake


def browser() -> tuple[httpx.Client, list[str]]:
    """The "system browser": follows every redirect with its own cookie jar, as a real browser would."""
    visited: list[str] = []
    client = httpx.Client(follow_redirects=True, event_hooks={"request": [lambda r: visited.append(str(r.url))]})
    return client, visited


@pytest.mark.parametrize("backend", BACKENDS)
def test_desktop_sign_in_with_a_provider_through_the_browser(
    backend: str, provider: FakeProvider, make_device, tmp_path: Path
) -> None:
    provider.reset()
    provider.user = FakeUser("2002", "pat@example.com", name="Pat Driver", login="pat")
    settings = {k: str(v) for k, v in provider.settings().items()}
    oauth_server = start_server(backend, tmp_path / "server", cookie_secure="false", **settings)
    try:
        device = make_device("a")
        agent, visited = browser()

        info = device.service.sign_in_with_provider(oauth_server.url, "github", open_browser=agent.get, timeout_s=30)

        assert (info.username, info.display_name) == ("pat", "Pat Driver")
        loopback = visited[-1]
        assert loopback.startswith("http://127.0.0.1:") and "/racetrace/callback?code=" in loopback
        assert any(url.startswith(provider.base_url) for url in visited)  # the provider saw the browser
        assert "code_challenge_method=S256" in visited[0] and "state=" in visited[0]
        assert device.service.sync().counts.pulled == 0
        restarted = device.reopen()  # the refresh token survived in the keyring
        assert restarted.service.status().signed_in and restarted.service.sync() is not None
        replay = httpx.post(f"{oauth_server.url}/api/v1/auth/desktop/token", data={
            "code": loopback.split("code=")[1].split("&")[0], "code_verifier": "x" * 43,
            "redirect_uri": loopback.split("?")[0]})  # fmt: skip
        assert replay.status_code == 400  # the one-time code is spent
    finally:
        oauth_server.kill()


def test_a_denied_provider_sign_in_is_an_auth_error(provider: FakeProvider, make_device, tmp_path: Path) -> None:
    provider.reset()
    provider.misbehave.add("deny")
    settings = {k: str(v) for k, v in provider.settings().items()}
    oauth_server = start_server("sqlite", tmp_path / "server", cookie_secure="false", **settings)
    try:
        device = make_device("a")
        agent, _visited = browser()
        with pytest.raises(AuthFailed, match="google sign-in failed"):
            device.service.sign_in_with_provider(oauth_server.url, "google", open_browser=agent.get, timeout_s=30)
        assert not device.service.status().signed_in
        assert SyncService(device.library, device.folder / "sync.json").settings.username is None
    finally:
        oauth_server.kill()
