"""Server settings from the environment (pydantic-settings). Unsafe values are refused outside development/test."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_DIR_NAME = "RaceTraceServer"
DEFAULT_SECRET_KEY = "change-me-in-production"  # noqa: S105 - the placeholder that production refuses
MIN_SECRET_KEY_BYTES = 32


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def default_database_url() -> str:
    return f"sqlite:///{default_data_dir() / 'racetrace-server.sqlite'}"


MIN_DISTINCT_SECRET_CHARACTERS = 8


def _too_uniform(key: str) -> bool:
    """32 spaces or "aaaa...": long enough but no secret at all."""
    return len(set(key)) < MIN_DISTINCT_SECRET_CHARACTERS


class Settings(BaseSettings):
    """Every knob of the server. Names match the environment variables (case-insensitive, no prefix)."""

    model_config = SettingsConfigDict(env_ignore_empty=True, extra="ignore", case_sensitive=False)

    environment: Literal["production", "development", "test"] = "production"
    database_url: str = Field(default_factory=default_database_url)
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET_KEY)

    access_token_ttl_s: int = Field(default=15 * 60, ge=30)
    admin_token_ttl_s: int = Field(default=2 * 60 * 60, ge=30)
    refresh_token_ttl_s: int = Field(default=30 * 24 * 60 * 60, ge=60)
    jwt_issuer: str = "racetrace"

    login_max_failures: int = Field(default=5, ge=1)
    lockout_s: int = Field(default=15 * 60, ge=1)

    max_upload_size_mb: float = Field(default=50, gt=0)
    max_request_body_mb: float = Field(default=16, gt=0)
    sync_max_pull_limit: int = Field(default=1000, ge=1)

    cors_origins: list[str] = Field(default_factory=list)  # empty = CORS off
    cookie_secure: bool = True
    refresh_cookie_name: str = "racetrace_refresh"
    fast_password_hash: bool = False  # cheap argon2 parameters: tests only

    # OAuth sign-in: a provider is offered only when both its client id and secret are set.
    google_client_id: str | None = None
    google_client_secret: SecretStr | None = None
    google_metadata_url: str = "https://accounts.google.com/.well-known/openid-configuration"
    github_client_id: str | None = None
    github_client_secret: SecretStr | None = None
    github_authorize_url: str = "https://github.com/login/oauth/authorize"
    github_token_url: str = "https://github.com/login/oauth/access_token"  # noqa: S105 - a URL
    github_api_base_url: str = "https://api.github.com/"
    oauth_redirect_base_url: str | None = None  # public https://host for provider callbacks (default: request URL)
    oauth_code_ttl_s: int = Field(default=60, ge=10, le=600)  # desktop one-time code lifetime

    @model_validator(mode="after")
    def _refuse_unsafe_production_values(self) -> Settings:
        if "*" in self.cors_origins:
            # Any origin with credentials would let every web site act with a signed-in user's cookies.
            raise ValueError("CORS_ORIGINS must list the allowed origins: '*' is refused (credentials are allowed)")
        if self.environment in ("development", "test"):
            return self
        key = self.secret_key.get_secret_value()
        if key == DEFAULT_SECRET_KEY or len(key.strip().encode()) < MIN_SECRET_KEY_BYTES or _too_uniform(key):
            raise ValueError(
                f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_KEY_BYTES} bytes "
                f"(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`) "
                f"unless ENVIRONMENT=development"
            )
        if self.fast_password_hash:
            raise ValueError("FAST_PASSWORD_HASH is only allowed with ENVIRONMENT=test or development")
        return self

    @cached_property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_size_mb * 1024 * 1024)

    @cached_property
    def max_request_body_bytes(self) -> int:
        return int(self.max_request_body_mb * 1024 * 1024)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
