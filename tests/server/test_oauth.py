"""Google and GitHub sign-in against a fake provider served on 127.0.0.1: browser flow and RFC 8252 desktop flow."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.python.asgi import get_client
from sqlalchemy import select, update

from sync_server.app import create_app
from sync_server.models import DesktopLoginCode, OAuthAccount, User
from sync_server.oauth.loopback import OAuthFlowError, check_loopback_redirect

from .conftest import server_settings
from .fake_provider import FakeProvider, FakeUser
from .live_server import serve

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
    query = urlencode({"redirect_uri": redirect_uri, "code_challenge": challenge, "code_challenge_method": "S256",
                       "state": state})
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


# --- configuration ---


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


# --- browser flow ---


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


def test_verified_email_links_to_the_existing_password_account(client, api, clean_database):
    existing = api.register("ayrton", email="Ayrton@Example.com")
    profile = me(client, browser_sign_in(client, "google").json()["access_token"])
    assert profile["id"] == existing["id"]
    with clean_database.sessions() as db:
        link = db.scalar(select(OAuthAccount))
        assert (link.provider, str(link.user_id)) == ("google", existing["id"])
    assert api.login("ayrton").status_code == 200  # the password still works


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


# --- desktop flow (RFC 8252) ---


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


# --- attacks and provider failures: clean 400s ---


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


def test_unreachable_provider_is_a_clean_502(make_client, provider):
    settings = {**provider.settings(), "google_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
    response = make_client(**settings).get("/api/v1/auth/google/login", follow_redirects=False)
    assert response.status_code == 502
    assert "Could not complete the request to Google" in response.json()["detail"]


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


# --- fuzzing the OAuth endpoints with both providers configured ---

OAUTH_SCHEMA = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(server_settings("sqlite://", google_client_id="x", google_client_secret="y"))
)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def fuzzer(operation, session):
    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        case.validate_response(case.call(session=session), checks=CHECKS)

    return run


def test_oauth_endpoints_have_no_server_errors(client):
    """Providers configured against the fake: fuzzed logins, callbacks and code exchanges never answer 5xx."""
    session = get_client(client.app)
    failures, fuzzed = [], []
    for result in OAUTH_SCHEMA.get_all_operations():
        operation = result.ok()
        name = operation.path.removeprefix("/api/v1/auth/").split("/")[0]
        if not operation.path.startswith("/api/v1/auth/") or name in {"register", "login", "refresh", "logout",
                                                                       "admin"}:
            continue
        fuzzed.append(operation.path)
        try:
            fuzzer(operation, session)()
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert len(fuzzed) == 5
    assert not failures, "\n\n".join(failures)
