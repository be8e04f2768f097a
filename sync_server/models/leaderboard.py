"""Best valid public lap per driver, configuration and filter grain, maintained in the push transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from sync_server.db import Base

ANY = "*"  # category_key / event_key value meaning "no filter on this field"


class BestLap(Base):
    """One row per (configuration, grain, driver). The grains are: any car category and any event; one category;
    one event; one category at one event. A leaderboard page is then a single index range scan."""

    __tablename__ = "best_laps"
    __table_args__ = (
        Index(
            "ix_best_laps_board",
            "track_configuration_id",
            "category_key",
            "event_key",
            "lap_time_ms",
            "achieved_at",
        ),
    )

    track_configuration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("track_configurations.id", ondelete="CASCADE"), primary_key=True
    )
    category_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_key: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    lap_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("laps.id", ondelete="CASCADE"), index=True)
    lap_time_ms: Mapped[int]
    achieved_at: Mapped[datetime]
