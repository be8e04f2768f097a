"""Delimited tables with empty cells and text columns, on top of numeric_rows' exact fast parser.

numeric_rows.parse_rows only accepts complete numeric rows. Loggers other than TrackAddict leave cells empty
(each sensor fills only the rows of its own updates), put text in some columns (trap names, "N/A", ISO times)
and use spaces and '+' signs (VBO). A table without empty cells goes to parse_rows as it is. Otherwise this
module rewrites the body with numpy (a '0' in place of every text cell and in every empty cell), hands it to
parse_rows (fast path, exact fallback naming the line and column of a bad cell), then puts NaN back where the
cell was empty. Text cells are kept as byte offsets and decoded only when a reader asks.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats.numeric_rows import RowBlock, parse_rows

_NEWLINE, _COMMA, _SPACE, _ZERO = 10, 44, 32, 48


@dataclass
class Table:
    """Columns of a parsed body: `values[c]` is column c as float64 (NaN = empty cell or text column)."""

    values: np.ndarray  # (columns, rows)
    first_line: int  # 1-based file line of row 0
    body: bytes
    cell_bounds: dict[int, tuple[np.ndarray, np.ndarray]]  # text column -> start and end offset of each cell
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return int(self.values.shape[1])

    def line_of_row(self, row: int) -> int:
        return self.first_line + row

    def text(self, column: int) -> list[str]:
        starts, ends = self.cell_bounds[column]
        pairs = zip(starts.tolist(), ends.tolist(), strict=True)
        return [self.body[s:e].decode("utf-8", "replace").strip() for s, e in pairs]

    def filled_rows(self, column: int) -> np.ndarray:
        """Rows whose cell in a text column is not empty."""
        starts, ends = self.cell_bounds[column]
        return np.flatnonzero(ends > starts)

    def short_keys(self, column: int) -> np.ndarray:
        """One uint64 per cell of a text column, equal for equal cells of up to 7 bytes (the length is in the top
        byte): lets a reader find where a short code such as a lap number changes without decoding the cells."""
        starts, ends = self.cell_bounds[column]
        widths = np.minimum(ends - starts, 7)
        raw = np.frombuffer(self.body, dtype=np.uint8)
        at = np.arange(7)
        inside = at < widths[:, None]
        cells = np.where(inside, raw[np.minimum(starts[:, None] + at, raw.size - 1)], 0).astype(np.uint64)
        keys: np.ndarray = (cells << (np.uint64(8) * at.astype(np.uint64))).sum(axis=1, dtype=np.uint64)
        keys |= (ends - starts).astype(np.uint64) << np.uint64(56)
        return keys

    def fixed_width(self, column: int) -> np.ndarray | None:
        """(rows, width) bytes of a text column whose cells all have one width, else None."""
        starts, ends = self.cell_bounds[column]
        widths = ends - starts
        if widths.size == 0 or widths.min() != widths.max() or widths[0] == 0:
            return None
        windows = sliding_window_view(np.frombuffer(self.body, dtype=np.uint8), int(widths[0]))
        cells: np.ndarray = windows[starts]  # one row copy per cell, no (cells, width) index array
        return cells


def normalise_newlines(data: bytes) -> bytes:
    """UTF-8 BOM dropped, CRLF and lone CR turned into LF."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data


_SPACE_TO_COMMA = bytes.maketrans(b" ", b",")


def spaces_to_commas(body: bytes, ncols: int) -> bytes:
    """A space-separated body (VBO) as comma-separated, '+' signs and surplus blanks dropped."""
    if body.count(b" ") == body.count(b"\n") * (ncols - 1) and b"\t" not in body:
        # Exactly one space between cells (a line with a stray space would also miss one, and then fails the
        # field count in parse_table): one C pass. Counting single bytes is far cheaper than finding "  ".
        return body.translate(_SPACE_TO_COMMA, b"+")
    raw = np.frombuffer(body.translate(None, b"+\t"), dtype=np.uint8)
    space = raw == _SPACE
    after = np.empty_like(space)  # the byte after this one ends the field too
    after[:-1] = (raw[1:] == _SPACE) | (raw[1:] == _NEWLINE)
    after[-1] = True
    before = np.empty_like(space)  # the byte before starts a line
    before[0] = True
    before[1:] = raw[:-1] == _NEWLINE
    keep = ~(space & (after | before))
    kept = raw[keep].copy()
    kept[kept == _SPACE] = _COMMA
    return bytes(kept.tobytes())


def parse_table(
    body: bytes,
    columns: Sequence[str],
    first_line: int,
    file: str,
    text_columns: Collection[int] = (),
    required: Collection[int] | None = None,
) -> Table:
    """Parse comma-separated rows (LF line ends, no header) into a Table.

    Quotes around cells are dropped (a quoted cell may not hold a comma); a last line cut short (fewer
    fields, no line end) is dropped with a warning; any other row with the wrong number of fields is an
    error naming its line. Rows must follow each other without blank lines (callers cut the body there).

    With `required` given, a cell that is not a number in any other column blanks only that cell (or, for a
    true/false column, reads as 1/0) with a warning naming the first such line; in a required column (time,
    position, lap) it is an error.
    """
    text = set(text_columns)
    blanked: list[int] = []
    while True:
        try:
            table = _parse(body, columns, first_line, file, text)
        except TelemetryFormatError as error:
            column = _column_of(error, columns)
            if required is None or column is None or column in required or column in text:
                raise
            text.add(column)
            blanked.append(column)
            continue
        for column in blanked:
            _numbers_from_text(table, column, columns[column], set(text_columns))
        return table


_NOT_A_NUMBER = re.compile(r"^column '(?P<name>.*)': .* is not a number$", re.DOTALL)
_BOOLEANS = {"true": 1.0, "false": 0.0, "yes": 1.0, "no": 0.0, "on": 1.0, "off": 0.0}


def _column_of(error: TelemetryFormatError, columns: Sequence[str]) -> int | None:
    match = _NOT_A_NUMBER.match(error.message)
    return list(columns).index(match["name"]) if match and match["name"] in columns else None


def _numbers_from_text(table: Table, column: int, name: str, text_columns: set[int]) -> None:
    """Numbers back from a column that turned out to hold some text; the rest blank, with a warning."""
    cells = table.text(column)
    values = np.full(len(cells), np.nan)
    bad: list[int] = []
    for row, cell in enumerate(cells):
        if not cell:
            continue
        try:
            values[row] = float(cell)
        except ValueError:
            flag = _BOOLEANS.get(cell.lower())
            if flag is None:
                bad.append(row)
            else:
                values[row] = flag
    table.values[column] = values
    if column not in text_columns:
        del table.cell_bounds[column]
    if bad:
        shown = cells[bad[0]][:40]
        table.warnings.append(f"line {table.line_of_row(bad[0])}: column '{name}': {shown!r} is not a number; "
                              f"{len(bad)} such cell(s) left blank")


def _parse(body: bytes, columns: Sequence[str], first_line: int, file: str, text_columns: Collection[int]) -> Table:
    warnings: list[str] = []
    if b'"' in body:
        body = body.translate(None, b'"')
    body = _complete_rows(body, len(columns), first_line, warnings)
    if not body:
        raise TelemetryFormatError(file, "no data rows after the column header", first_line)
    ncols = len(columns)
    if not text_columns:  # most tables have no empty cell: let the core find out, at no extra cost
        newlines = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == _NEWLINE)  # the core needs them anyway
        block = RowBlock(0, len(body), first_line, 0, int(newlines.size))
        try:
            return Table(parse_rows(body, [block], columns, file, newlines), first_line, body, {}, warnings)
        except TelemetryFormatError as error:
            if not error.message.startswith("empty cell"):
                raise
    raw = np.frombuffer(body, dtype=np.uint8)
    ends = np.flatnonzero((raw == _COMMA) | (raw == _NEWLINE))
    if raw.size < 2**31:
        ends = ends.astype(np.int32)  # cell offsets: half the memory (and page faults) of int64
    _check_field_counts(raw[ends] == _NEWLINE, ncols, first_line, file)
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    bounds = {c: (starts[c::ncols], ends[c::ncols]) for c in sorted(text_columns)}
    is_text = np.zeros(ends.size, dtype=bool)
    for c in text_columns:
        is_text[c::ncols] = True
    blank = np.flatnonzero((ends == starts) | is_text)
    filled = _fill_blanks(body, raw, starts, ends, blank, is_text)
    rows = ends.size // ncols
    values = parse_rows(filled, [RowBlock(0, len(filled), first_line, 0, rows)], columns, file)
    values[blank % ncols, blank // ncols] = np.nan
    return Table(values, first_line, body, bounds, warnings)


def _complete_rows(body: bytes, ncols: int, first_line: int, warnings: list[str]) -> bytes:
    """The body without a cut-off last row, ending in a newline."""
    if body and not body.endswith(b"\n"):
        last_start = body.rfind(b"\n") + 1
        if body.count(b",", last_start) + 1 < ncols:
            line = first_line + body.count(b"\n")
            warnings.append(f"line {line}: the last row is cut off (the file looks truncated); it was dropped")
            return body[:last_start]
        return body + b"\n"
    return body


def _check_field_counts(is_row_end: np.ndarray, ncols: int, first_line: int, file: str) -> None:
    row_ends = np.flatnonzero(is_row_end)
    fields = np.diff(row_ends, prepend=-1)
    wrong = np.flatnonzero(fields != ncols)
    if wrong.size:
        row = int(wrong[0])
        found = int(fields[row])
        what = "an empty line" if found == 1 and ncols > 1 else f"a row with {found} fields"
        raise TelemetryFormatError(file, f"{what} where the header has {ncols} columns", first_line + row)


def _cells(body: bytes, starts: np.ndarray, ends: np.ndarray) -> list[str]:
    pairs = zip(starts.tolist(), ends.tolist(), strict=True)
    return [body[s:e].decode("utf-8", "replace").strip() for s, e in pairs]


def _fill_blanks(
    body: bytes, raw: np.ndarray, starts: np.ndarray, ends: np.ndarray, blank: np.ndarray, is_text: np.ndarray
) -> bytes:
    """The body with a '0' in place of every text cell and in every empty cell (NaN is put back later).

    A text cell keeps its first byte, made '0', and loses the rest through one boolean mask (cells of one
    width, such as ISO times, mark it through sliding windows); one np.insert then writes a '0' into each empty
    cell, text or numeric."""
    if blank.size == 0:
        return body
    widths = ends - starts
    removed = np.where(is_text, np.maximum(widths - 1, 0), 0)  # bytes each cell loses
    out = raw
    if is_text.any():
        out = _cut_text_cells(raw, starts[is_text], widths[is_text], removed[is_text])
    empty = np.flatnonzero(widths == 0)
    if empty.size:
        before = np.cumsum(removed) - removed  # bytes the cells before each one lost
        out = np.insert(out, starts[empty] - before[empty], _ZERO)
    elif out is raw:
        return body
    return bytes(out.tobytes())


def _cut_text_cells(raw: np.ndarray, text_starts: np.ndarray, widths: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """`raw` with every text cell but its first byte dropped and that byte made '0' (empty cells untouched)."""
    keep = np.ones(raw.size, dtype=bool)
    if widths.min() == widths.max() > 1:  # one window of width - 1 per cell
        sliding_window_view(keep, int(widths[0]) - 1, writeable=True)[text_starts + 1] = False
    elif removed.any():  # the offsets of every dropped byte: each cell's run start repeated, plus a counter
        runs = np.flatnonzero(removed)
        lengths = removed[runs]
        total = int(lengths.sum())
        run_offsets = np.cumsum(lengths) - lengths  # where each run starts among the dropped bytes
        keep[np.repeat(text_starts[runs] + 1 - run_offsets, lengths) + np.arange(total)] = False
    out = raw[keep]
    filled = widths > 0
    out[(text_starts - (np.cumsum(removed) - removed))[filled]] = _ZERO  # first bytes, shifted by the drops
    return out


@dataclass(frozen=True)
class Line:
    number: int  # 1-based
    start: int  # byte offsets of the line in the data, newline excluded
    end: int

    def text(self, data: bytes) -> str:
        return data[self.start : self.end].decode("utf-8", "replace").strip()


def lines_until(data: bytes, stop: Callable[[bytes], bool], limit: int = 200) -> list[Line]:
    """The first lines of `data` (LF line ends) up to and including the first one `stop` accepts."""
    found: list[Line] = []
    start = 0
    while start <= len(data) and len(found) < limit:
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        found.append(Line(len(found) + 1, start, end))
        if stop(data[start:end].strip()):
            return found
        start = end + 1
    return found


def csv_cells(text: str) -> list[str]:
    """The cells of one CSV line (quotes handled), stripped."""
    return [cell.strip() for cell in next(csv.reader([text]), [])]


def body_from(data: bytes, offset: int, line: int) -> tuple[bytes, int]:
    """Data rows from `offset` (the start of line `line`): leading blank lines skipped, trailing ones cut."""
    while data.startswith(b"\n", offset):
        offset += 1
        line += 1
    end = len(data)
    while end > offset and data[end - 1] in b" \t\n":  # a few bytes: cheaper than rstrip's copy of the body
        end -= 1
    ended = b"\n" in data[end:]  # without a last line end, parse_table sees a cut-off row
    if end == offset or not ended:
        return data[offset:end], line
    if data[end] == _NEWLINE:
        return data[offset : end + 1], line  # the body and its line end in one copy
    return data[offset:end] + b"\n", line
