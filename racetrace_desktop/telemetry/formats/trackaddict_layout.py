"""Where things are in a TrackAddict file: preamble, header, blocks of data rows, comment lines among them.

Never skips a fixed number of lines: the header is the first line that is neither a comment nor empty.
One numpy pass finds every line end; comment and empty lines inside the data are the lines whose first byte
is '#' or '\n'. The data rows in between go to the numeric parser as whole blocks, never split into lines.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

import numpy as np

from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats.numeric_rows import RowBlock


@dataclass
class DataComment:
    line_no: int
    row_index: int  # index of the first data row after the comment
    text: str  # the whole line, '#' included


@dataclass
class FileLayout:
    preamble: list[tuple[int, str]]  # (line number, text) of comment lines before the header
    header_line: int
    columns: list[str]
    blocks: list[RowBlock] = field(default_factory=list)
    comments: list[DataComment] = field(default_factory=list)
    newlines: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.intp))  # offset of every '\n'
    warnings: list[str] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(block.rows for block in self.blocks)

    def line_of_row(self, row: int) -> int:
        for block in self.blocks:
            if block.first_row <= row < block.first_row + block.rows:
                return block.first_line + row - block.first_row
        raise IndexError(row)


_NEWLINE, _HASH = b"\n#"


def decode(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("latin-1")


def scan(data: bytes, file: str) -> FileLayout:
    """Split `data` (LF line ends) into preamble, header and row blocks; raises TelemetryFormatError."""
    raw = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(raw == _NEWLINE)
    preamble, header = _preamble(data, newlines, file)
    if header >= newlines.size:
        raise TelemetryFormatError(file, "the file ends after the column header: no data rows", header + 1)
    header_start = int(newlines[header - 1]) + 1 if header else 0
    columns = _columns(data[header_start : newlines[header]], header + 1, file)
    layout = FileLayout(preamble, header + 1, columns, newlines=newlines)
    _scan_body(data, raw, header, layout)
    _check_tail(data, layout, file)
    if layout.row_count == 0:
        raise TelemetryFormatError(file, "the file has a column header but no data rows", header + 1)
    return layout


def _preamble(data: bytes, newlines: np.ndarray, file: str) -> tuple[list[tuple[int, str]], int]:
    """Comment lines before the header and the 0-based index of the header line."""
    preamble: list[tuple[int, str]] = []
    start = 0
    for index in range(newlines.size + 1):
        end = int(newlines[index]) if index < newlines.size else len(data)
        line = data[start:end].strip()
        if line and not line.startswith(b"#"):
            return preamble, index
        if line:
            preamble.append((index + 1, decode(line)))
        start = end + 1
    raise TelemetryFormatError(file, "no column header line: the file holds only comment lines")


def _columns(line: bytes, line_no: int, file: str) -> list[str]:
    text = decode(line).strip()
    try:
        names = next(csv.reader([text]))
    except csv.Error as exc:
        raise TelemetryFormatError(file, f"cannot read the column header: {exc}", line_no) from exc
    names = [name.strip() for name in names]
    if any(not name for name in names):
        raise TelemetryFormatError(file, "the column header has an empty column name", line_no)
    return names


def _scan_body(data: bytes, raw: np.ndarray, header: int, layout: FileLayout) -> None:
    """Blocks of rows between the comment/empty lines that follow the header (complete lines only)."""
    ends = layout.newlines[header + 1 :]
    starts = layout.newlines[header : layout.newlines.size - 1] + 1
    first_bytes = raw[starts]  # an empty line "starts" with its own newline
    specials = np.flatnonzero((first_bytes == _HASH) | (first_bytes == _NEWLINE)).tolist()
    body_line, row = 0, 0
    for special in [*specials, ends.size]:
        rows = special - body_line
        if rows:
            start = int(starts[body_line])
            end = int(ends[special - 1]) + 1
            layout.blocks.append(RowBlock(start, end, header + 2 + body_line, row, rows))
            row += rows
        if special < ends.size:
            text = decode(data[starts[special] : ends[special]]).strip()
            if text:
                layout.comments.append(DataComment(header + 2 + special, row, text))
        body_line = special + 1


def _check_tail(data: bytes, layout: FileLayout, file: str) -> None:
    """A last line without a line end: a comment is kept, a data row was cut off (a phone dying while writing)
    and is dropped with a warning: its last cell may be incomplete although it still reads as a number."""
    tail_start = int(layout.newlines[-1]) + 1
    tail = data[tail_start:].strip()
    if not tail:
        return
    line_no = layout.newlines.size + 1
    if tail.startswith(b"#"):
        layout.comments.append(DataComment(line_no, layout.row_count, decode(tail)))
        return
    layout.warnings.append(
        f"{file}, line {line_no}: the last row is cut off (the file looks truncated); every complete row "
        "was imported, that one was dropped"
    )
