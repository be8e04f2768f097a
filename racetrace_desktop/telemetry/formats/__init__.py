"""File-format registry: pick the reader whose detect() accepts the file, then parse it.

A reader is a module of this package with `FORMAT_NAME: str`, `detect(head: bytes, name: str) -> bool` and
`parse(data: bytes, name: str) -> RawSession`, listed explicitly in readers(). Detection is by content, never
by file name.
Several readers may accept the same head (a Lap Legend export looks like TrackAddict at a glance; a VBO without
its first line looks like any `[header]` file): readers() is ordered so that readers recognising a signature the
producer always writes come before the readers with broader rules, and the first that accepts wins.
`claimants()` lists every reader that accepts a head (the tests check each ambiguity on purpose).

Whatever goes wrong, callers only ever see TelemetryFormatError naming the file (and the line when known).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Protocol, cast

from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats.foreign import describe
from racetrace_desktop.telemetry.model import RawSession

HEAD_BYTES = 16 * 1024  # what detect() gets to see


class Reader(Protocol):
    FORMAT_NAME: str

    def detect(self, head: bytes, name: str) -> bool: ...

    def parse(self, data: bytes, name: str) -> RawSession: ...


@cache
def readers() -> tuple[Reader, ...]:
    """Every reader, in the order they are asked (signature readers first, broad rules last)."""
    # Imported here: the reader modules import this package's other modules, and it must be importable first.
    from racetrace_desktop.telemetry.formats import aim, gpx, laplegend, racebox, racechrono, trackaddict, vbo

    return tuple(cast(Reader, module) for module in (laplegend, aim, racechrono, vbo, racebox, trackaddict, gpx))


def claimants(head: bytes, name: str) -> list[Reader]:
    """Every reader whose detect() accepts `head`, in the order they are asked."""
    return [reader for reader in readers() if reader.detect(head, name)]


def format_names() -> list[str]:
    return [reader.FORMAT_NAME for reader in readers()]


def find_reader(head: bytes, name: str) -> Reader | None:
    """The reader that accepts a file starting with `head`, or None."""
    return next((reader for reader in readers() if reader.detect(head, name)), None)


def read_file(path: str | os.PathLike[str]) -> RawSession:
    """Read and parse a telemetry file; the error names the file as the user knows it (its base name)."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise TelemetryFormatError(file.name, f"cannot read the file: {exc.strerror or exc}") from exc
    return read_bytes(data, file.name)


def read_bytes(data: bytes, name: str) -> RawSession:
    """Parse file contents; `name` is the file name shown in errors and stored as metadata.source_name."""
    if not data or data.isspace():  # isspace() stops at the first byte that is not blank, strip() copies
        raise TelemetryFormatError(name, "the file is empty")
    head = data[:HEAD_BYTES]
    reader = find_reader(head, name)
    if reader is None:
        supported = ", ".join(format_names())
        raise TelemetryFormatError(name, f"not an export RaceTrace reads ({supported}): {describe(head)}")
    try:
        return reader.parse(data, name)
    except TelemetryFormatError:
        raise
    except Exception as exc:  # a reader bug must still reach the user as a clear, file-specific error
        raise TelemetryFormatError(
            name, f"internal error while reading this {reader.FORMAT_NAME} file ({type(exc).__name__}: {exc})"
        ) from exc
