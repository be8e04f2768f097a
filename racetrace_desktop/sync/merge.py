"""Conflict policy (sync/SYNC.md, "Conflicts"): per field, the side that changed it since the common base wins; a
field changed on both sides goes to the newest edit (updated_at), except free-text notes, which keep both texts.

Without a base (a record both devices created, e.g. the same file imported twice) every differing field counts
as changed on both sides.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from racetrace_desktop.sync.protocol import TEXT_FIELDS

NOTES_SEPARATOR = "\n---\n"


def merge_fields(
    kind: str,
    base: dict[str, Any] | None,
    local: dict[str, Any],
    server: dict[str, Any],
    local_time: datetime,
    server_time: datetime | None,
) -> dict[str, Any]:
    local_newer = server_time is None or local_time > server_time
    merged: dict[str, Any] = {}
    for key in server.keys() | local.keys():
        mine, theirs = local.get(key), server.get(key)
        if mine == theirs:
            merged[key] = theirs
        elif base is not None and mine == base.get(key):
            merged[key] = theirs  # only the server changed it
        elif base is not None and theirs == base.get(key):
            merged[key] = mine  # only this device changed it
        elif key in TEXT_FIELDS[kind]:
            merged[key] = both_texts(mine, theirs, local_newer)
        else:
            merged[key] = mine if local_newer else theirs
    return merged


def both_texts(mine: str | None, theirs: str | None, mine_newer: bool) -> str:
    """Both edits of a free text, the older first. A text that already contains the other one is kept alone, so
    merging twice never repeats anything."""
    mine, theirs = mine or "", theirs or ""
    if not mine or mine in theirs:
        return theirs
    if not theirs or theirs in mine:
        return mine
    older, newer = (theirs, mine) if mine_newer else (mine, theirs)
    return f"{older}{NOTES_SEPARATOR}{newer}"
