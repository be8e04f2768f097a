"""Google and GitHub sign-in in the browser flow against the fake provider: accounts, linking, refusals."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy import select, update

from sync_server.models import OAuthAccount, User

from .conftest import browser_sign_in, me, query_of, to_provider_and_back
from .fake_provider import FakeUser


def test_only_configured_providers_are_offered(make_client, provider):
    bare = make_client()
    assert bare.get("/api/v1/auth/providers").json() == {"providers": []}
    missing = bare.get("/api/v1/auth/google/login", follow_redirects=False)
    assert missing.status_code == 404
    assert missing.json()["code"] == "provider_not_configured"
    assert "Google sign-in is not enabled" in missing.json()["detail"]
    only_github = make_client(**{k: v for k, v in provider.settings().items() if k.startswith("github")})
    offered = only_github.get("/api/v1/auth/providers").json()["providers"]
    assert [p["name"] for p in offered] == ["github"]
    assert offered[0]["desktop_login_url"] == "/api/v1/auth/github/desktop/login"


def test_google_browser_sign_in_creates_an_account_and_sets_the_refresh_cookie(client):
    response = browser_sign_in(client, "google")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["refresh_token"] is None
    cookie = response.headers["set-cookie"].lower()
    assert "racetrace_refresh=" in cookie and "httponly" in cookie and "secure" in cookie
    profile = me(client, body["access_token"])
    assert profile["email"] == "ayrton@example.com"
    assert profile["username"] == "ayrton"
    refreshed = client.post("/api/v1/auth/refresh")
    assert refreshed.status_code == 200, refreshed.text


def test_github_browser_sign_in_uses_the_primary_verified_email(client, provider):
    provider.user = FakeUser("4242", "lewis@example.com", login="LewisH", name="Lewis")
    response = browser_sign_in(client, "github")
    assert response.status_code == 200, response.text
    profile = me(client, response.json()["access_token"])
    assert profile["email"] == "lewis@example.com"
    assert profile["username"] == "lewish"
    assert profile["display_name"] == "Lewis"


def test_signing_in_again_reuses_the_same_account(client, clean_database):
    first = me(client, browser_sign_in(client, "google").json()["access_token"])
    second = me(client, browser_sign_in(client, "google").json()["access_token"])
    assert first["id"] == second["id"]
    with clean_database.sessions() as db:
        assert db.scalar(select(OAuthAccount.subject)) == "1001"
        assert len(db.scalars(select(User)).all()) == 1


def test_verified_email_never_links_to_a_password_account(client, api, clean_database):
    """Registration does not verify addresses: a squatter's password account must not absorb the real owner."""
    existing = api.register("ayrton", email="Ayrton@Example.com")
    response = browser_sign_in(client, "google")
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "account_exists"
    assert "Sign in with its password" in response.json()["detail"]
    with clean_database.sessions() as db:
        assert db.scalars(select(OAuthAccount)).all() == []
        assert [str(u.id) for u in db.scalars(select(User))] == [existing["id"]]


def test_verified_email_links_accounts_made_by_another_provider(client, provider, clean_database):
    provider.user = FakeUser("4242", "ayrton@example.com", login="ayrton")
    first = me(client, browser_sign_in(client, "github").json()["access_token"])
    provider.user = FakeUser("1001", "ayrton@example.com")
    second = me(client, browser_sign_in(client, "google").json()["access_token"])
    assert first["id"] == second["id"]
    with clean_database.sessions() as db:
        assert sorted(link.provider for link in db.scalars(select(OAuthAccount))) == ["github", "google"]


def test_unverified_email_never_links_to_an_existing_account(client, api, provider, clean_database):
    api.register("ayrton", email="ayrton@example.com")
    provider.user = FakeUser("666", "ayrton@example.com", email_verified=False)
    for name in ("google", "github"):
        response = browser_sign_in(client, name)
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "email_not_verified"
    with clean_database.sessions() as db:
        assert db.scalars(select(OAuthAccount)).all() == []


def test_deactivated_account_cannot_sign_in_with_oauth(client, clean_database):
    browser_sign_in(client, "google")
    with clean_database.engine.begin() as connection:
        connection.execute(update(User).values(is_active=False))
    response = browser_sign_in(client, "google")
    assert response.status_code == 403
    assert response.json()["code"] == "account_inactive"


def test_forged_state_is_refused(client, provider):
    callback = to_provider_and_back(client, "/api/v1/auth/google/login")
    code = query_of(callback)["code"]
    forged = client.get(f"/api/v1/auth/google/callback?{urlencode({'code': code, 'state': 'forged-state'})}")
    assert forged.status_code == 400
    assert forged.json()["code"] == "invalid_state"
    assert provider.token_requests == 0


def test_callback_without_a_started_sign_in_is_refused(client):
    response = client.get("/api/v1/auth/github/callback?code=abc&state=def")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_state"


@pytest.mark.parametrize("lie", ["wrong_key", "wrong_nonce", "wrong_audience"])
def test_bad_id_token_is_refused(client, provider, clean_database, lie):
    provider.misbehave.add(lie)
    response = browser_sign_in(client, "google")
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_id_token"
    with clean_database.sessions() as db:
        assert db.scalars(select(User)).all() == []


def test_unreachable_provider_is_a_clean_502(make_client, provider):
    settings = {**provider.settings(), "google_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
    response = make_client(**settings).get("/api/v1/auth/google/login", follow_redirects=False)
    assert response.status_code == 502
    assert "Could not complete the request to Google" in response.json()["detail"]
