"""Health, settings guards and the OpenAPI document."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sync_server.settings import DEFAULT_SECRET_KEY, Settings


def test_health_answers_with_the_database_kind(client, database_url):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == ("sqlite" if database_url.startswith("sqlite") else "postgresql")


def test_openapi_is_served_with_the_api_under_v1(client):
    schema = client.get("/openapi.json").json()
    assert "/api/v1/auth/login" in schema["paths"]
    assert "/health" in schema["paths"]


@pytest.mark.parametrize("secret", [DEFAULT_SECRET_KEY, "too-short"])
def test_production_refuses_default_or_short_secret_key(secret, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", secret)
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings()


def test_development_accepts_the_default_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("ENVIRONMENT", "development")
    assert Settings().secret_key.get_secret_value() == DEFAULT_SECRET_KEY


def test_production_refuses_fast_password_hashing(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-real-random-secret-0123456789abcdefXYZ")
    monkeypatch.setenv("FAST_PASSWORD_HASH", "true")
    with pytest.raises(ValidationError, match="FAST_PASSWORD_HASH"):
        Settings(environment="production")


def test_default_database_is_a_sqlite_file_in_the_user_data_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings(environment="development")
    assert settings.database_url.startswith("sqlite:///")
    assert "RaceTraceServer" in settings.database_url


def test_cors_is_off_by_default(client):
    response = client.options(
        "/api/v1/users/me", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in response.headers
