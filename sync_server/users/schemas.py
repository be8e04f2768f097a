"""Profile shapes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from sync_server.text import DisplayName


class TeamRef(BaseModel):
    id: uuid.UUID
    name: str


class UserProfile(BaseModel):
    id: uuid.UUID
    username: str
    email: str
    display_name: str
    is_admin: bool
    created_at: datetime
    teams: list[TeamRef]


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName | None = None
    email: EmailStr | None = None


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=8, max_length=128)
