"""Wire shapes of the auth endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from sync_server.text import DisplayName

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$"
ClientKind = Literal["browser", "desktop"]


class RegisterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME_PATTERN, description="3-32 letters, digits, '_', '.', '-'")
    email: EmailStr
    password: str = Field(min_length=8, max_length=128)
    display_name: DisplayName | None = None


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires")
    refresh_token: str | None = Field(
        default=None, description="Only for the desktop client; browsers get it as an HttpOnly cookie instead"
    )
    refresh_expires_in: int | None = None


class RefreshRequest(BaseModel):
    """Desktop clients send the refresh token in the body; browsers send nothing and rely on the cookie."""

    model_config = ConfigDict(extra="forbid")

    refresh_token: str | None = Field(default=None, min_length=16, max_length=256)
