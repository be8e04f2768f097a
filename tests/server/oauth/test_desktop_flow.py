"""The desktop sign-in of RFC 8252: loopback redirect, S256 PKCE, state, one-time codes."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from sync_server.models import DesktopLoginCode, User
from sync_server.oauth.loopback import OAuthFlowError, check_loopback_redirect

from .conftest import (
    LOOPBACK,
    browser_sign_in,
    desktop_redirect,
    desktop_start,
    me,
    pkce_pair,
    query_of,
    redeem,
    to_provider_and_back,
)


@pytest.mark.parametrize("provider_name", ["google", "github"])
def test_desktop_flow_hands_a_one_time_code_to_the_loopback_uri(client, provider_name):
    verifier, challenge = pkce_pair()
    back = desktop_redirect(client, provider_name, challenge)
    assert back["state"] == "desktop-state-123"
    assert set(back) == {"code", "state"}
    tokens = redeem(client, back["code"], verifier)
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["refresh_token"] and body["access_token"]
    assert me(client, body["access_token"])["email"] == "ayrton@example.com"
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text


def test_ipv6_loopback_redirect_is_accepted(client):
    _, challenge = pkce_pair()
    start = client.get(desktop_start("google", challenge, redirect_uri="http://[::1]:49152/cb"), follow_redirects=False)
    assert start.status_code == 302


def test_only_the_code_hash_is_stored(client, clean_database):
    _, challenge = pkce_pair()
    code = desktop_redirect(client, "google", challenge)["code"]
    with clean_database.sessions() as db:
        stored = db.scalar(select(DesktopLoginCode))
        assert stored.code_hash != code and code not in stored.code_hash
        assert stored.code_hash == hashlib.sha256(code.encode()).hexdigest()


def test_reused_code_is_refused_and_revokes_what_it_issued(client):
    verifier, challenge = pkce_pair()
    code = desktop_redirect(client, "google", challenge)["code"]
    first = redeem(client, code, verifier)
    assert first.status_code == 200
    again = redeem(client, code, verifier)
    assert again.status_code == 400
    assert again.json()["code"] == "invalid_grant"
    assert "already used" in again.json()["detail"]
    stolen = client.post("/api/v1/auth/refresh", json={"refresh_token": first.json()["refresh_token"]})
    assert stolen.status_code == 401


def test_wrong_pkce_verifier_is_refused_and_spends_the_code(client):
    verifier, challenge = pkce_pair()
    code = desktop_redirect(client, "github", challenge)["code"]
    wrong = redeem(client, code, pkce_pair()[0])
    assert wrong.status_code == 400
    assert "code_verifier does not match" in wrong.json()["detail"]
    assert redeem(client, code, verifier).status_code == 400


def test_code_redeemed_for_a_deactivated_account_stays_spent(client, clean_database):
    verifier, challenge = pkce_pair()
    code = desktop_redirect(client, "google", challenge)["code"]
    with clean_database.engine.begin() as connection:
        connection.execute(update(User).values(is_active=False))
    refused = redeem(client, code, verifier)
    assert refused.status_code == 403
    assert refused.json()["code"] == "account_inactive"
    with clean_database.engine.begin() as connection:
        connection.execute(update(User).values(is_active=True))
    again = redeem(client, code, verifier)  # the refusal was an attempt: the code is spent although it failed
    assert again.status_code == 400
    assert "already used" in again.json()["detail"]


def test_code_is_bound_to_its_redirect_uri_and_expires(client, clean_database):
    verifier, challenge = pkce_pair()
    code = desktop_redirect(client, "google", challenge)["code"]
    moved = redeem(client, code, verifier, redirect_uri="http://127.0.0.1:1/other")
    assert moved.status_code == 400
    assert "redirect_uri differs" in moved.json()["detail"]
    code = desktop_redirect(client, "google", challenge)["code"]
    with clean_database.engine.begin() as connection:
        connection.execute(update(DesktopLoginCode).values(expires_at=DesktopLoginCode.created_at))
    expired = redeem(client, code, verifier)
    assert expired.status_code == 400
    assert "expired" in expired.json()["detail"]


def test_unknown_or_malformed_codes_are_clean_errors(client):
    verifier, _ = pkce_pair()
    assert redeem(client, "x" * 43, verifier).status_code == 400
    malformed = redeem(client, "x" * 43, "short")
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["loc"][-1] == "code_verifier"


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/callback",
        "http://evil.example:8080/callback",
        "http://localhost:5000/callback",
        "http://127.0.0.1/callback",
        "http://127.0.0.1:5000@evil.example/callback",
        "http://user:pw@127.0.0.1:5000/callback",
        "http://192.168.1.20:5000/callback",
        "http://127.0.0.1:99999/callback",
        "http://127.0.0.1:0/callback",
        "http://[::1/callback",
        "javascript:alert(1)",
    ],
)
def test_non_loopback_redirect_uri_is_refused(client, provider, redirect_uri):
    _, challenge = pkce_pair()
    response = client.get(desktop_start("google", challenge, redirect_uri=redirect_uri), follow_redirects=False)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_redirect_uri"
    assert "127.0.0.1" in response.json()["detail"]
    assert provider.codes == {}


def test_plain_pkce_and_missing_state_are_refused(client):
    _, challenge = pkce_pair()
    plain = client.get(desktop_start("google", challenge).replace("S256", "plain"), follow_redirects=False)
    assert plain.status_code == 422
    no_state = client.get(
        f"/api/v1/auth/google/desktop/login?{urlencode({'redirect_uri': LOOPBACK, 'code_challenge': challenge})}",
        follow_redirects=False,
    )
    assert no_state.status_code == 422
    assert no_state.json()["errors"][0]["loc"][-1] == "state"


def test_bad_id_token_in_the_desktop_flow_reports_the_error_to_the_app(client, provider):
    provider.misbehave.add("wrong_key")
    _, challenge = pkce_pair()
    callback = to_provider_and_back(client, desktop_start("google", challenge))
    back = client.get(callback, follow_redirects=False)
    assert back.status_code == 302
    answer = query_of(back.headers["location"])
    assert answer["error"] == "access_denied"
    assert "ID token failed verification" in answer["error_description"]
    assert answer["state"] == "desktop-state-123"
    assert "code" not in answer


def test_consent_denied_at_the_provider(client, provider):
    provider.misbehave.add("deny")
    response = browser_sign_in(client, "github")
    assert response.status_code == 400
    assert "access_denied" in response.json()["detail"]
    _, challenge = pkce_pair()
    callback = to_provider_and_back(client, desktop_start("github", challenge))
    answer = query_of(client.get(callback, follow_redirects=False).headers["location"])
    assert answer["error"] == "access_denied"
    assert "code" not in answer


@given(st.text(max_size=80) | st.from_regex(r"http://(127\.0\.0\.1|\[::1\]|\[::1|localhost)(:-?\d{0,6})?/[ -~]{0,20}"))
@settings(max_examples=300, deadline=None)
def test_any_redirect_uri_is_accepted_only_when_loopback_with_a_port(uri):
    try:
        accepted = check_loopback_redirect(uri)
    except OAuthFlowError as exc:
        assert exc.code == "invalid_redirect_uri"
        return
    parts = urlsplit(accepted)
    assert parts.scheme == "http" and parts.hostname in ("127.0.0.1", "::1") and 0 < parts.port < 65536
