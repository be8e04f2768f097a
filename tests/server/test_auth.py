"""Registration, password sign-in, refresh rotation and reuse detection, logout, lockout, deactivation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from sync_server.models import User

from .conftest import PASSWORD


def test_register_then_profile_shows_the_account(api):
    account = api.account("Alice")
    me = api.client.get("/api/v1/users/me", headers=account.headers)
    assert me.status_code == 200
    assert me.json()["username"] == "alice"
    assert me.json()["email"] == "alice@example.com"
    assert me.json()["teams"] == []


def test_duplicate_username_and_email_are_refused(api):
    api.register("alice")
    again = api.client.post(
        "/api/v1/auth/register", json={"username": "ALICE", "email": "other@example.com", "password": PASSWORD}
    )
    assert again.status_code == 409
    assert again.json()["code"] == "username_taken"
    same_mail = api.client.post(
        "/api/v1/auth/register", json={"username": "bob", "email": "Alice@Example.com", "password": PASSWORD}
    )
    assert same_mail.status_code == 409
    assert same_mail.json()["code"] == "email_taken"


def test_register_rejects_bad_fields_naming_them(api):
    response = api.client.post(
        "/api/v1/auth/register", json={"username": "a b", "email": "not-an-email", "password": "short"}
    )
    assert response.status_code == 422
    fields = {error["loc"][-1] for error in response.json()["errors"]}
    assert fields == {"username", "email", "password"}
    assert "body.email" in response.json()["detail"]


def test_password_is_stored_hashed(api, clean_database):
    api.register("alice")
    with clean_database.sessions() as db:
        stored = db.query(User).one().hashed_password
    assert PASSWORD not in stored
    assert stored.startswith("$argon2id$")


def test_browser_login_sets_a_secure_httponly_cookie_and_no_body_token(api):
    api.register("alice")
    response = api.login("alice", desktop=False)
    assert response.status_code == 200
    assert response.json()["refresh_token"] is None
    cookie = response.headers["set-cookie"].lower()
    for attribute in ("httponly", "secure", "samesite=strict", "path=/api/v1/auth"):
        assert attribute in cookie


def test_desktop_login_returns_the_refresh_token_in_the_body(api):
    api.register("alice")
    by_field = api.login("alice", desktop=True)
    assert by_field.json()["refresh_token"]
    assert "set-cookie" not in by_field.headers
    by_header = api.client.post(
        "/api/v1/auth/login",
        data={"username": "alice", "password": PASSWORD},
        headers={"X-RaceTrace-Client": "desktop"},
    )
    assert by_header.json()["refresh_token"]


def test_login_by_email_works(api):
    api.register("alice")
    assert api.login("alice@example.com").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_answer(api):
    api.register("alice")
    wrong = api.login("alice", password="wrong password")
    unknown = api.login("nobody", password="wrong password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_cookie_refresh_rotates_and_the_old_cookie_is_spent(api):
    api.register("alice")
    first = api.login("alice", desktop=False)
    old_cookie = first.cookies["racetrace_refresh"]
    refreshed = api.client.post("/api/v1/auth/refresh")
    assert refreshed.status_code == 200
    new_cookie = refreshed.cookies["racetrace_refresh"]
    assert new_cookie != old_cookie
    me = api.client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {refreshed.json()['access_token']}"})
    assert me.status_code == 200


def test_body_refresh_rotates(api):
    account = api.account("alice")
    response = api.client.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert response.status_code == 200
    assert response.json()["refresh_token"] not in (None, account.refresh_token)


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(api):
    account = api.account("alice")
    second = api.client.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token}).json()
    reuse = api.client.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert reuse.status_code == 401
    assert reuse.json()["code"] == "refresh_token_reused"
    # The legitimate successor is dead too: the thief and the owner both have to sign in again.
    after = api.client.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert after.status_code == 401
    # Another sign-in (another family) is untouched.
    assert api.login("alice").status_code == 200


def test_other_families_survive_reuse_detection(api):
    account = api.account("alice")
    other = api.login("alice").json()["refresh_token"]
    api.client.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    api.client.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert api.client.post("/api/v1/auth/refresh", json={"refresh_token": other}).status_code == 200


def test_refresh_tokens_are_stored_only_as_sha256(api, clean_database):
    account = api.account("alice")
    with clean_database.engine.connect() as connection:
        dump = connection.exec_driver_sql("SELECT token_hash FROM refresh_tokens").scalars().all()
    assert account.refresh_token not in dump
    import hashlib

    assert hashlib.sha256(account.refresh_token.encode()).hexdigest() in dump


def test_unknown_or_missing_refresh_token_is_401(api):
    assert api.client.post("/api/v1/auth/refresh").status_code == 401
    unknown = api.client.post("/api/v1/auth/refresh", json={"refresh_token": "x" * 43})
    assert unknown.status_code == 401


def test_logout_revokes_the_refresh_token_and_clears_the_cookie(api):
    api.register("alice")
    api.login("alice", desktop=False)
    response = api.client.post("/api/v1/auth/logout")
    assert response.status_code == 204
    assert "racetrace_refresh=" in response.headers["set-cookie"]
    assert api.client.post("/api/v1/auth/refresh").status_code == 401


def test_desktop_logout_revokes_its_token(api):
    account = api.account("alice")
    assert api.client.post("/api/v1/auth/logout", json={"refresh_token": account.refresh_token}).status_code == 204
    assert api.client.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token}).status_code == 401


def test_five_failures_lock_the_account_even_for_the_right_password(api):
    api.register("alice")
    codes = [api.login("alice", password="wrong password").status_code for _ in range(5)]
    assert codes == [401, 401, 401, 401, 401]
    locked = api.login("alice")
    assert locked.status_code == 401  # the same answer as a wrong password: no hint the account exists
    assert "too many failed sign-ins" in locked.json()["detail"]
    assert "15 minutes" in locked.json()["detail"]


def test_lock_expires(api, clean_database):
    api.register("alice")
    for _ in range(5):
        api.login("alice", password="wrong password")
    assert api.login("alice").status_code == 401
    # Let the 15 minutes pass.
    past = datetime.now(UTC) - timedelta(seconds=1)
    with clean_database.engine.begin() as connection:
        connection.execute(update(User).values(locked_until=past))
    assert api.login("alice").status_code == 200


def test_successful_login_resets_the_failure_counter(api):
    api.register("alice")
    for _ in range(4):
        api.login("alice", password="wrong password")
    assert api.login("alice").status_code == 200
    codes = [api.login("alice", password="wrong password").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 401]
    assert api.login("alice").status_code == 200


def test_deactivated_user_can_neither_login_nor_refresh_nor_use_a_token(api, clean_database):
    account = api.account("alice")
    with clean_database.engine.begin() as connection:
        connection.execute(update(User).values(is_active=False))
    login = api.login("alice")
    assert login.status_code == 403
    assert "deactivated" in login.json()["detail"]
    assert api.client.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token}).status_code == 401
    assert api.client.get("/api/v1/users/me", headers=account.headers).status_code == 401


def test_admin_login_requires_the_admin_flag(api):
    api.register("alice")
    refused = api.client.post("/api/v1/auth/admin/login", data={"username": "alice", "password": PASSWORD})
    assert refused.status_code == 403
    api.make_admin("alice")
    granted = api.client.post("/api/v1/auth/admin/login", data={"username": "alice", "password": PASSWORD})
    assert granted.status_code == 200
    assert granted.json()["expires_in"] == 2 * 60 * 60
    assert granted.json()["refresh_token"] is None


def test_profile_update_and_password_change(api):
    account = api.account("alice")
    api.register("bob")
    taken = api.client.patch("/api/v1/users/me", json={"email": "bob@example.com"}, headers=account.headers)
    assert taken.status_code == 409
    changed = api.client.patch(
        "/api/v1/users/me", json={"display_name": "Alice R.", "email": "a@example.com"}, headers=account.headers
    )
    assert changed.json()["display_name"] == "Alice R."
    assert changed.json()["email"] == "a@example.com"
    wrong = api.client.post(
        "/api/v1/users/me/password",
        json={"current_password": "nope", "new_password": "a brand new password"},
        headers=account.headers,
    )
    assert wrong.status_code == 403
    ok = api.client.post(
        "/api/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": "a brand new password"},
        headers=account.headers,
    )
    assert ok.status_code == 204
    assert api.client.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token}).status_code == 401
    assert api.login("alice", password="a brand new password").status_code == 200


def test_expired_refresh_tokens_are_refused_and_purged_on_the_next_sign_in(api, clean_database):
    from sync_server.models import RefreshToken

    account = api.account("alice")
    past = datetime.now(UTC) - timedelta(seconds=1)
    with clean_database.engine.begin() as connection:
        connection.execute(update(RefreshToken).values(expires_at=past))
    response = api.client.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert response.status_code == 401
    api.login("alice")
    with clean_database.sessions() as db:
        assert db.query(RefreshToken).count() == 1
