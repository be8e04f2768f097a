"""The server-wide revision counter.

Writers lock the counter row first and keep the lock until commit, so revisions become visible in order: a
reader that sees `current_rev = N` can trust that every write with rev <= N is committed. That is what makes
`pull` with `rev > cursor AND rev <= N` exact on PostgreSQL's READ COMMITTED (SQLite serialises writers anyway).
"""

from __future__ import annotations

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from sync_server.db import take_writer_turn
from sync_server.leaderboard.cache import note_committed_write
from sync_server.models import SyncState
from sync_server.models.sync_state import SYNC_STATE_ID


def lock_counter(db: Session) -> None:
    """Serialise this write transaction against every other writer of synced data. Writers of this process
    first queue for their turn (db.WriterQueue): a waiter holds no row lock and is served in arrival order."""
    take_writer_turn(db)
    db.execute(select(SyncState.id).where(SyncState.id == SYNC_STATE_ID).with_for_update())


def allocate(db: Session, count: int) -> list[int]:
    """`count` fresh, increasing revisions. Call `lock_counter` first in the same transaction."""
    if count <= 0:
        return []
    new_top = db.execute(
        update(SyncState)
        .where(SyncState.id == SYNC_STATE_ID)
        .values(current_rev=SyncState.current_rev + count)
        .returning(SyncState.current_rev)
    ).scalar_one()
    if not event.contains(db, "after_commit", note_committed_write):
        event.listen(db, "after_commit", note_committed_write)  # for the rest of this session: harmless extra bumps
    return list(range(new_top - count + 1, new_top + 1))


def next_rev(db: Session) -> int:
    lock_counter(db)
    return allocate(db, 1)[0]


def state(db: Session) -> tuple[int, int]:
    """(current_rev, min_cursor)."""
    row = db.execute(select(SyncState.current_rev, SyncState.min_cursor).where(SyncState.id == SYNC_STATE_ID)).one()
    return int(row[0]), int(row[1])
