"""SQL of tracks and their configurations."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync_server.models import Track, TrackConfiguration


def live_tracks(db: Session) -> Sequence[Track]:
    """Tracks not deleted, by name."""
    return db.scalars(select(Track).where(Track.deleted_at.is_(None)).order_by(Track.name, Track.id)).all()


def configurations_of(db: Session, track_ids: list[uuid.UUID]) -> Sequence[TrackConfiguration]:
    """Every configuration of these tracks (deleted ones too), by name."""
    statement = select(TrackConfiguration).where(TrackConfiguration.track_id.in_(track_ids))
    return db.scalars(statement.order_by(TrackConfiguration.name, TrackConfiguration.id)).all()


def live_configurations(db: Session) -> Sequence[TrackConfiguration]:
    """Configurations not deleted, of tracks not deleted."""
    return db.scalars(
        select(TrackConfiguration)
        .join(Track, Track.id == TrackConfiguration.track_id)
        .where(TrackConfiguration.deleted_at.is_(None), Track.deleted_at.is_(None))
    ).all()
