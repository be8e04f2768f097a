"""Access tokens that must be refused: tampered, expired, unsigned, wrongly signed, incomplete, wrong type."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest


def _claims(account, **changes):
    now = datetime.now(UTC)
    claims = {
        "sub": str(account.id),
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": "abc",
        "typ": "access",
        "role": "user",
        "iss": "racetrace",
        "gen": 0,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _me(api, token):
    return api.client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})


def test_a_valid_server_signed_token_is_accepted(api):
    account = api.account("alice")
    assert _me(api, api.client.app.state.tokens.sign(_claims(account))).status_code == 200


def test_tampered_payload_is_refused(api):
    account = api.account("alice")
    other = api.account("bob")
    header, payload, signature = account.access_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = str(other.id)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    response = _me(api, f"{header}.{forged}.{signature}")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_expired_token_is_refused(api):
    account = api.account("alice")
    past = datetime.now(UTC) - timedelta(hours=1)
    token = api.client.app.state.tokens.sign(_claims(account, iat=past, exp=past + timedelta(minutes=15)))
    response = _me(api, token)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_alg_none_is_refused(api):
    account = api.account("alice")
    token = jwt.encode(_claims(account), key=None, algorithm="none")
    assert _me(api, token).status_code == 401


def test_wrong_key_is_refused(api):
    account = api.account("alice")
    token = jwt.encode(_claims(account), "another-secret-key-of-sufficient-length-000", algorithm="HS256")
    assert _me(api, token).status_code == 401


@pytest.mark.parametrize("missing", ["exp", "sub", "iat", "jti", "typ"])
def test_tokens_missing_a_required_claim_are_refused(api, missing):
    account = api.account("alice")
    token = api.client.app.state.tokens.sign(_claims(account, **{missing: None}))
    assert _me(api, token).status_code == 401


def test_a_token_for_an_unknown_user_is_refused(api):
    account = api.account("alice")
    token = api.client.app.state.tokens.sign(_claims(account, sub="00000000-0000-4000-8000-000000000000"))
    assert _me(api, token).status_code == 401


def test_non_bearer_and_garbage_headers_are_refused(api):
    api.account("alice")
    assert api.client.get("/api/v1/users/me").status_code == 401
    assert api.client.get("/api/v1/users/me", headers={"Authorization": "Basic YTpi"}).status_code == 401
    assert _me(api, "not.a.jwt").status_code == 401
