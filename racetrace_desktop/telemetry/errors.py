"""The one error type a reader raises for bad input."""

from __future__ import annotations


class TelemetryFormatError(ValueError):
    """A file that cannot be read as telemetry. Names the file and, when known, the 1-based line."""

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}, line {line}" if line is not None else file
        super().__init__(f"{where}: {message}")
