"""Append-only payloads: a lap's telemetry arrays and a session's original file."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from sync_server.db import Base, JSONType, utcnow


class LapTelemetry(Base):
    """The telemetry document of a lap exactly as documented in API.md (stored compact, compressed arrays)."""

    __tablename__ = "lap_telemetry"
    __table_args__ = (Index("ix_lap_telemetry_owner_rev", "owner_id", "rev"),)

    lap_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("laps.id", ondelete="CASCADE"), primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    content_sha256: Mapped[str] = mapped_column(String(64))  # of the decoded content: encoding-independent
    sample_count: Mapped[int]
    channel_keys: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    document: Mapped[bytes] = mapped_column(LargeBinary)
    rev: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SessionFile(Base):
    """The original logger file of a session, zlib-compressed; its SHA-256 is the session's `file_sha256`."""

    __tablename__ = "session_files"

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    compressed: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
