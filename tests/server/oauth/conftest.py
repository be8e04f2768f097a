"""OAuth test fixtures: a fake Google/GitHub provider on 127.0.0.1 and helpers that walk the browser through it."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from ..live_server import serve
from .fake_provider import FakeProvider

LOOPBACK = "http://127.0.0.1:53682/racetrace/callback"


@pytest.fixture(scope="session")
def fake_provider():
    provider = FakeProvider()
    with serve(provider.app()) as url:
        provider.base_url = url
        yield provider


@pytest.fixture
def provider(fake_provider):
    fake_provider.reset()
    return fake_provider


@pytest.fixture
def client(make_client, provider):
    return make_client(**provider.settings())


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def to_provider_and_back(client, start_path: str) -> str:
    """Follow the server's redirect to the fake provider, which consents and points back at the callback."""
    start = client.get(start_path, follow_redirects=False)
    assert start.status_code == 302, start.text
    at_provider = httpx.get(start.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text
    return at_provider.headers["location"]


def browser_sign_in(client, provider_name: str):
    callback = to_provider_and_back(client, f"/api/v1/auth/{provider_name}/login")
    return client.get(callback, follow_redirects=False)


def desktop_start(provider_name: str, challenge: str, state: str = "desktop-state-123", redirect_uri: str = LOOPBACK):
    query = urlencode(
        {"redirect_uri": redirect_uri, "code_challenge": challenge, "code_challenge_method": "S256", "state": state}
    )
    return f"/api/v1/auth/{provider_name}/desktop/login?{query}"


def desktop_redirect(client, provider_name: str, challenge: str) -> dict[str, str]:
    """Run the desktop flow up to the redirect to the app's loopback URI; return that URI's query."""
    callback = to_provider_and_back(client, desktop_start(provider_name, challenge))
    back = client.get(callback, follow_redirects=False)
    assert back.status_code == 302, back.text
    assert back.headers["location"].startswith(LOOPBACK + "?")
    return query_of(back.headers["location"])


def redeem(client, code: str, verifier: str, redirect_uri: str = LOOPBACK):
    return client.post(
        "/api/v1/auth/desktop/token", data={"code": code, "code_verifier": verifier, "redirect_uri": redirect_uri}
    )


def me(client, access_token: str) -> dict:
    response = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {access_token}"})
    assert response.status_code == 200, response.text
    return response.json()
