"""Sign-in and tokens as an attacker would probe them (issue 13, "Hostile input")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select, update

from sync_server.app import create_app
from sync_server.models import User
from sync_server.settings import Settings

from .conftest import PASSWORD, Api

VISIBLE_HEADERS = ("content-type", "www-authenticate", "retry-after", "set-cookie")


def _answer(response) -> tuple[int, dict, dict]:
    return response.status_code, response.json(), {h: response.headers.get(h) for h in VISIBLE_HEADERS}


def test_a_locked_account_answers_exactly_like_an_account_that_does_not_exist(api: Api) -> None:
    api.register("alice")
    real = [_answer(api.login("alice", password="wrong password")) for _ in range(7)]
    unknown = [_answer(api.login("nobody", password="wrong password")) for _ in range(7)]
    assert real == unknown
    assert {status for status, _, _ in real} == {401}


def test_the_lockout_still_refuses_the_right_password_and_lifts_after_its_time(api: Api) -> None:
    api.register("alice")
    for _ in range(5):
        api.login("alice", password="wrong password")
    assert _answer(api.login("alice")) == _answer(api.login("nobody"))
    with api.database.engine.begin() as connection:
        connection.execute(update(User).values(locked_until=datetime.now(UTC) - timedelta(seconds=1)))
    assert api.login("alice").status_code == 200


def _me(api: Api, headers: dict[str, str]) -> int:
    return api.client.get("/api/v1/users/me", headers=headers).status_code


def test_logout_revokes_the_access_token_at_once(api: Api) -> None:
    alice = api.account("alice")
    assert _me(api, alice.headers) == 200
    api.client.post("/api/v1/auth/logout", json={"refresh_token": alice.refresh_token})
    refused = api.client.get("/api/v1/users/me", headers=alice.headers)
    assert refused.status_code == 401 and refused.json()["code"] == "token_revoked"


def test_a_password_change_revokes_every_access_token(api: Api) -> None:
    alice = api.account("alice")
    laptop = api.login("alice").json()["access_token"]
    changed = api.client.post(
        "/api/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": "a new password 42"},
        headers=alice.headers,
    )
    assert changed.status_code == 204
    assert _me(api, alice.headers) == 401
    assert _me(api, {"Authorization": f"Bearer {laptop}"}) == 401
    fresh = api.login("alice", password="a new password 42").json()["access_token"]
    assert _me(api, {"Authorization": f"Bearer {fresh}"}) == 200


def test_refresh_token_reuse_revokes_the_thiefs_access_token_too(api: Api) -> None:
    alice = api.account("alice")
    stolen = alice.refresh_token
    thief = api.client.post("/api/v1/auth/refresh", json={"refresh_token": stolen}).json()
    reuse = api.client.post("/api/v1/auth/refresh", json={"refresh_token": stolen})
    assert reuse.status_code == 401 and reuse.json()["code"] == "refresh_token_reused"
    assert _me(api, {"Authorization": f"Bearer {thief['access_token']}"}) == 401
    assert api.client.post("/api/v1/auth/refresh", json={"refresh_token": thief["refresh_token"]}).status_code == 401


def test_wrong_current_passwords_are_limited_like_sign_ins(api: Api) -> None:
    alice = api.account("alice")

    def change(current: str) -> int:
        body = {"current_password": current, "new_password": "a new password 42"}
        return api.client.post("/api/v1/users/me/password", json=body, headers=alice.headers).status_code

    assert [change("guess") for _ in range(5)] == [403] * 5
    assert change(PASSWORD) == 423  # locked: even the right password waits
    assert api.login("alice").status_code == 401
    with api.database.sessions() as db:
        assert db.scalar(select(User.hashed_password).where(User.username == "alice")) is not None


def test_an_invalid_token_says_so_plainly(api: Api) -> None:
    refused = api.client.get("/api/v1/users/me", headers={"Authorization": "Bearer not-a-token"})
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Invalid access token"


@pytest.mark.parametrize("key", [" " * 40, "a" * 64, "ab" * 32])
def test_production_refuses_a_long_but_trivial_secret_key(key: str) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key=key, database_url="sqlite://")


def test_a_wildcard_cors_origin_is_refused_at_start_up() -> None:
    with pytest.raises(ValidationError, match="CORS_ORIGINS"):
        Settings(environment="test", cors_origins=["*"], database_url="sqlite://")


def test_production_serves_no_docs_page_with_cdn_scripts(api: Api, database_url: str) -> None:
    from fastapi.testclient import TestClient

    settings = Settings(environment="production", secret_key="k3y-" + "0123456789abcdefghij" * 3,
                        database_url=database_url)
    with TestClient(create_app(settings, database=api.database), base_url="https://testserver") as client:
        assert client.get("/docs").status_code == 404
        assert client.get("/redoc").status_code == 404
        assert client.get("/openapi.json").status_code == 200
