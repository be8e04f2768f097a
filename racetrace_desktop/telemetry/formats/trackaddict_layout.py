"""Where things are in a TrackAddict file: preamble, header, blocks of data rows, comment lines among them.

Never skips a fixed number of lines: the header is the first line that is neither a comment nor empty.
Comment and empty lines inside the data are found with bytes.find (they are rare), so the data rows in
between can be handed to the numeric parser as whole blocks without splitting the file into lines.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

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

    @property
    def row_count(self) -> int:
        return sum(block.rows for block in self.blocks)

    def line_of_row(self, row: int) -> int:
        for block in self.blocks:
            if block.first_row <= row < block.first_row + block.rows:
                return block.first_line + row - block.first_row
        raise IndexError(row)


def decode(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("latin-1")


def scan(data: bytes, file: str) -> FileLayout:
    """Split `data` (LF line ends) into preamble, header and row blocks; raises TelemetryFormatError."""
    preamble, header_start, header_line = _preamble(data, file)
    header_end = data.find(b"\n", header_start)
    if header_end < 0:
        raise TelemetryFormatError(file, "the file ends after the column header: no data rows", header_line)
    columns = _columns(data[header_start:header_end], header_line, file)
    layout = FileLayout(preamble, header_line, columns)
    _scan_body(data, header_end + 1, layout, file)
    if layout.row_count == 0:
        raise TelemetryFormatError(file, "the file has a column header but no data rows", header_line)
    return layout


def _preamble(data: bytes, file: str) -> tuple[list[tuple[int, str]], int, int]:
    preamble: list[tuple[int, str]] = []
    start, line_no = 0, 1
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        line = data[start:end].strip()
        if line and not line.startswith(b"#"):
            return preamble, start, line_no
        if line:
            preamble.append((line_no, decode(line)))
        start, line_no = end + 1, line_no + 1
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


def _scan_body(data: bytes, body_start: int, layout: FileLayout, file: str) -> None:
    line_no, position, row = layout.header_line + 1, body_start, 0
    for start, end in _special_lines(data, body_start, file, layout.header_line):
        rows = data.count(b"\n", position, start)
        if rows:
            layout.blocks.append(RowBlock(position, start, line_no, row, rows))
        line_no, row = line_no + rows, row + rows
        text = decode(data[start:end]).strip()
        if text:
            layout.comments.append(DataComment(line_no, row, text))
        line_no, position = line_no + 1, end + 1
    rows = data.count(b"\n", position, len(data))
    if rows:
        layout.blocks.append(RowBlock(position, len(data), line_no, row, rows))


def _special_lines(data: bytes, body_start: int, file: str, header_line: int) -> list[tuple[int, int]]:
    """(start, end) of every comment or empty line after the header, in file order; end is the '\\n' offset."""
    starts = [*_line_starts(data, b"\n#", body_start), *_line_starts(data, b"\n\n", body_start)]
    last_newline = data.rfind(b"\n")
    if last_newline < len(data) - 1:  # the last line has no line end
        tail = data[last_newline + 1 :].strip()
        if tail and not tail.startswith(b"#"):
            line_no = header_line + data.count(b"\n", body_start) + 1
            raise TelemetryFormatError(
                file, "the last line is cut off: the file looks truncated (the row is not imported)", line_no
            )
    spans = []
    for start in sorted(set(starts)):
        end = data.find(b"\n", start)
        spans.append((start, len(data) if end < 0 else end))
    return spans


def _line_starts(data: bytes, pattern: bytes, body_start: int) -> list[int]:
    starts, index = [], data.find(pattern, body_start - 1)
    while index >= 0:
        starts.append(index + 1)
        index = data.find(pattern, index + 1)
    return starts
