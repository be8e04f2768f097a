"""Text fields shared by every schema: names must be printable (no NUL or other control characters).

PostgreSQL refuses NUL in text with a generic error and SQLite stores it; control characters in a name break
leaderboards, file names and terminals. Refusing them in the schema gives a field error on both databases.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field


def printable(value: str) -> str:
    """The value, if it has no control characters (Unicode category Cc: NUL, ESC, DEL, C1 ...)."""
    for position, character in enumerate(value):
        if unicodedata.category(character) == "Cc":
            raise ValueError(f"must not contain control characters (U+{ord(character):04X} at position {position})")
    return value


def no_nul(value: str) -> str:
    """For free text (notes) where line breaks and tabs are fine but NUL is not."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


DisplayName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(printable)]
TeamName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(printable)]
TrackName = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(printable)]
