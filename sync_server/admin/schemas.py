"""Admin shapes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from sync_server.text import TeamName
from sync_server.users.schemas import TeamRef


class AdminUserOut(BaseModel):
    id: uuid.UUID
    username: str
    email: str
    display_name: str
    is_active: bool
    is_admin: bool
    locked_until: datetime | None
    created_at: datetime
    teams: list[TeamRef]


class AdminUserPage(BaseModel):
    total: int
    page: int
    page_size: int
    users: list[AdminUserOut]


class AdminUserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    is_active: bool | None = Field(default=None, description="false deactivates and signs the user out everywhere")
    is_admin: bool | None = None
    unlock: bool | None = Field(default=None, description="true clears a sign-in lockout")


class TeamCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: TeamName


class Member(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str


class TeamOut(BaseModel):
    id: uuid.UUID
    name: str
    created_at: datetime
    members: list[Member]
