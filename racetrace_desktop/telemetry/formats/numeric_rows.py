"""Fast, exact parsing of comma-separated numeric rows into a float64 matrix.

Fast path: one pass finds the bytes <= '.' (separators, signs, dots); from those alone each field gets its
divisor, +-10**(its own number of decimals). The decimal points and signs are dropped, numpy's C scanner reads
every field as an unsigned integer, and one division per field (written straight into the column-major
result) gives the values. An integer of at most 15 digits and a power of ten up to 10**15 are exact doubles
and IEEE division rounds correctly (and is symmetric in sign), so the result equals float(text) bit for bit
(-0.0 included). Nothing assumes a fixed precision per column: a bare
`0` in a 3-decimal column is simply a field with no decimals.

Anything the fast path cannot prove exact (spaces, exponents, empty cells, long numbers, stray characters,
wrong field counts) makes it halve that chunk until the refused lines are isolated; those go to a line-by-line
float() path. A line that is not a row of numbers is either an error naming the line and the column
(parse_rows) or a DamagedRow whose values are NaN (parse_rows_keeping_damaged, for readers that keep the rest
of a damaged file). Chunks of ~512 kB run on two threads: the integer scan
(np.fromstring) and bytes.translate hold the GIL, but the other half of the work (the index arithmetic)
does not, so a second core cuts the wall time by about a third.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from racetrace_desktop.telemetry.errors import TelemetryFormatError

CHUNK_BYTES = 1 << 19  # small enough that two threads keep peak memory near 3.5x the file
MAX_DIGITS = 15  # any integer below 10**15 is an exact double
_NEWLINE, _COMMA, _MINUS, _DOT = b"\n,-."
_NEWLINE_TO_COMMA = bytes.maketrans(b"\n", b",")
_POWERS_OF_TEN = 10.0 ** np.arange(MAX_DIGITS + 1)  # a field may have all of its digits after the dot
_SIGNED_POWERS_OF_TEN = np.concatenate((_POWERS_OF_TEN, -_POWERS_OF_TEN))  # index: decimals | 16 if signed
_LINE_BY_LINE_ROWS = 32  # below this many rows, a refused block is read line by line
_NUMBER = re.compile(rb"[ \t]*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?[ \t]*")


@dataclass(frozen=True)
class RowBlock:
    """Consecutive data lines data[start:end] (each ending in a newline), all of them rows."""

    start: int
    end: int
    first_line: int  # 1-based line number of the first row in the file
    first_row: int  # index of the first row in the session
    rows: int


@dataclass(frozen=True)
class DamagedRow:
    """A data line that could not be read as numbers: its row index (before any row is dropped), 1-based line
    number and why."""

    row: int
    line: int
    reason: str


@dataclass
class ParsedRows:
    values: np.ndarray  # (columns, rows) float64; every value of a damaged row is NaN
    damaged: list[DamagedRow]  # in file order


def parse_rows(
    data: bytes,
    blocks: Sequence[RowBlock],
    columns: Sequence[str],
    file: str,
    newlines: np.ndarray | None = None,
) -> np.ndarray:
    """Parse every block into one (len(columns), total_rows) float64 array: one contiguous row per column.

    `newlines`, the ascending offsets of every '\n' in `data`, saves a pass when the caller already has them.
    Raises TelemetryFormatError at the earliest bad line; parse_rows_keeping_damaged() reads past them.
    """
    parsed = parse_rows_keeping_damaged(data, blocks, columns, newlines)
    if parsed.damaged:
        first = parsed.damaged[0]
        raise TelemetryFormatError(file, first.reason, first.line)
    return parsed.values


def parse_rows_keeping_damaged(
    data: bytes,
    blocks: Sequence[RowBlock],
    columns: Sequence[str],
    newlines: np.ndarray | None = None,
    workers: int = 2,
) -> ParsedRows:
    """Like parse_rows(), but a bad line only makes its own row NaN and is reported in `damaged`.

    `workers` threads (at most one per CPU) share the chunks; 1 parses them on the calling thread."""
    if newlines is None:
        newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == _NEWLINE)
    total = sum(block.rows for block in blocks)
    out = np.empty((len(columns), total), dtype=np.float64)
    chunks = _chunks(blocks, newlines)
    workers = min(workers, os.cpu_count() or 1)
    if len(chunks) <= 1 or workers <= 1:
        damaged = [_parse_chunk(data, chunk, columns, newlines, out) for chunk in chunks]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            damaged = list(pool.map(lambda chunk: _parse_chunk(data, chunk, columns, newlines, out), chunks))
    return ParsedRows(out, [row for rows in damaged for row in rows])


def damage_report(damaged: Sequence[DamagedRow], rows: int, file: str, shown: int = 10) -> list[str]:
    """Warnings naming each dropped line (the first `shown` of them); refuses a file that is mostly damaged."""
    if not damaged:
        return []
    first = damaged[0]
    if len(damaged) * 2 >= rows:  # at least half: no longer a file with a few damaged rows
        message = f"{len(damaged)} of {rows} data rows are damaged, the first one: {first.reason}"
        raise TelemetryFormatError(file, message, first.line)
    warnings = [f"{file}, line {row.line}: {row.reason}; the row was dropped" for row in damaged[:shown]]
    if len(damaged) > shown:
        rest = damaged[shown:]
        warnings.append(f"{file}: {len(rest)} more damaged rows dropped (lines {rest[0].line}-{rest[-1].line})")
    return warnings


def drop_rows(values: np.ndarray, rows: Sequence[int] | np.ndarray) -> np.ndarray:
    """`values` ((columns, rows) or (rows,)) without the given row indices."""
    return np.delete(values, np.asarray(rows, dtype=np.intp), axis=values.ndim - 1)


def _chunks(blocks: Sequence[RowBlock], newlines: np.ndarray) -> list[list[RowBlock]]:
    """About CHUNK_BYTES of rows per chunk: long blocks are cut, runs of short ones (rows between many
    comment lines) are grouped so that each chunk still costs one vectorised parse."""
    chunks: list[list[RowBlock]] = []
    size = CHUNK_BYTES
    for piece in (piece for block in blocks for piece in _cut(block, newlines)):
        if size + piece.end - piece.start > CHUNK_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(piece)
        size += piece.end - piece.start
    return chunks


def _cut(block: RowBlock, newlines: np.ndarray) -> list[RowBlock]:
    if block.end - block.start <= CHUNK_BYTES:
        return [block]
    first = int(np.searchsorted(newlines, block.start))  # index of the first row's newline
    rows_per_piece = max(1, CHUNK_BYTES * block.rows // (block.end - block.start))
    pieces = []
    for row in range(0, block.rows, rows_per_piece):
        rows = min(rows_per_piece, block.rows - row)
        start = block.start if row == 0 else int(newlines[first + row - 1]) + 1
        end = int(newlines[first + row + rows - 1]) + 1
        pieces.append(RowBlock(start, end, block.first_line + row, block.first_row + row, rows))
    return pieces


def _parse_chunk(
    data: bytes, chunk: list[RowBlock], columns: Sequence[str], newlines: np.ndarray, out: np.ndarray
) -> list[DamagedRow]:
    """Rows of consecutive blocks (row indices are contiguous: comment lines hold no row) in one go."""
    first_row, rows = chunk[0].first_row, sum(block.rows for block in chunk)
    text = b"".join(data[block.start : block.end] for block in chunk)
    if parse_fast(text, len(columns), out[:, first_row : first_row + rows]) is not None:
        return []
    damaged: list[DamagedRow] = []
    for block in chunk:
        damaged.extend(_parse_narrowing(data, block, columns, newlines, out))
    return damaged


def _parse_narrowing(
    data: bytes, block: RowBlock, columns: Sequence[str], newlines: np.ndarray, out: np.ndarray
) -> list[DamagedRow]:
    """Halve a block that the fast path refuses until the bad lines are found; only those go line by line,
    so one damaged cell costs a few fast parses rather than a slow pass over its whole chunk."""
    rows = slice(block.first_row, block.first_row + block.rows)
    text = data[block.start : block.end]
    if block.rows > _LINE_BY_LINE_ROWS:
        if parse_fast(text, len(columns), out[:, rows]) is not None:
            return []
        first = int(np.searchsorted(newlines, block.start))
        half = block.rows // 2
        middle = int(newlines[first + half - 1]) + 1
        head = RowBlock(block.start, middle, block.first_line, block.first_row, half)
        tail = RowBlock(middle, block.end, block.first_line + half, block.first_row + half, block.rows - half)
        return _parse_narrowing(data, head, columns, newlines, out) + _parse_narrowing(
            data, tail, columns, newlines, out
        )
    values, damaged = parse_lenient(text, columns, block.first_line, block.first_row)
    out[:, rows] = values.T
    return damaged


def parse_fast(text: bytes, ncols: int, out: np.ndarray | None = None) -> np.ndarray | None:
    """(rows, ncols) values of newline-terminated numeric rows, or None when exactness cannot be proven.

    With `out`, a (ncols, rows) array, the values are written there (no transposed copy) and out.T is returned;
    a text with another number of rows leaves `out` untouched and gives None."""
    raw = np.frombuffer(text, dtype=np.uint8)
    if raw.size == 0 or raw[-1] != _NEWLINE:
        return None
    # One pass finds every byte <= '.': separators, signs and dots. Any other byte in that range (whitespace,
    # '+', control bytes) would be skipped or accepted by the integer scanner, so it refuses the text.
    specials = np.flatnonzero(raw <= _DOT)
    kinds = raw.take(specials)  # take: a plain gather, cheaper than fancy indexing
    end_at = np.flatnonzero(kinds <= _COMMA)  # index in `specials` of each field's separator
    rows = end_at.size // ncols
    if end_at.size % ncols:
        return None
    newlines = np.count_nonzero(kinds == _NEWLINE)
    if newlines != rows or newlines + np.count_nonzero(kinds == _COMMA) != end_at.size:
        return None  # a separator that is neither ',' nor a line end, or rows of the wrong length
    field_ends = specials.take(end_at)
    # as many line ends as rows, and each row's last field ends with one: every row has ncols fields
    if not (raw.take(field_ends[ncols - 1 :: ncols]) == _NEWLINE).all():
        return None
    divisors = _divisors(raw, specials, kinds, end_at, field_ends)
    if divisors is None:
        return None
    # Signs and dots go: the scanner reads unsigned digits; the divisors put the decimals and signs back.
    digits = text.translate(_NEWLINE_TO_COMMA, b".-")
    try:
        integers = np.fromstring(digits, dtype=np.uint64, sep=",")
    except ValueError:  # a letter...
        return None
    if integers.size != field_ends.size:
        return None
    shape = (rows, ncols)
    if out is None:
        out = np.empty((ncols, rows), dtype=np.float64)
    elif out.shape != (ncols, rows):
        return None
    values: np.ndarray = out.T
    np.divide(integers.reshape(shape), divisors.reshape(shape), out=values)
    return values


def _divisors(
    raw: np.ndarray, specials: np.ndarray, kinds: np.ndarray, end_at: np.ndarray, field_ends: np.ndarray
) -> np.ndarray | None:
    """Per field, +-10**decimals: its digits read as one integer and divided by this give its value, sign
    included (0 / -1 is -0.0; IEEE division is symmetric in sign). None if a field is not a plain decimal number
    of 1..MAX_DIGITS digits.

    Among the bytes <= '.' (`specials`), a field is an optional '-', an optional '.' and its separator. A dotted
    field is one whose separator follows a dot, a signed one starts with '-': as many of each as there are dots
    and signs in the text means no field has a second dot, a '-' after the dot or inside its digits."""
    field_steps = _steps(field_ends, -1)
    widths = field_steps - _steps(end_at, -1)  # the field's bytes without its '-' and '.'
    if widths.min() < 1 or widths.max() > MAX_DIGITS:
        return None
    before_end = specials.take(end_at - 1)  # for the first field, end_at - 1 may be -1: the final newline
    dotted = raw.take(before_end) == _DOT
    signed = raw.take(field_ends - field_steps + 1) == _MINUS
    if np.count_nonzero(dotted) != np.count_nonzero(kinds == _DOT):
        return None
    if np.count_nonzero(signed) != np.count_nonzero(kinds == _MINUS):
        return None
    index = np.where(dotted, field_ends - before_end - 1, 0)  # decimals: 0..MAX_DIGITS
    index |= signed.view(np.uint8) << 4  # a '-' picks the negative half of the table
    divisors: np.ndarray = _SIGNED_POWERS_OF_TEN.take(index)
    return divisors


def _steps(positions: np.ndarray, before_first: int) -> np.ndarray:
    """np.diff with a prepended value, without the cost of np.diff(prepend=...) on small arrays."""
    steps = np.empty_like(positions)
    steps[0] = positions[0] - before_first
    np.subtract(positions[1:], positions[:-1], out=steps[1:])
    return steps


def parse_exact(text: bytes, columns: Sequence[str], first_line: int, file: str) -> np.ndarray:
    """Line-by-line float() parse of newline-separated rows; raises TelemetryFormatError at the first bad cell."""
    values, damaged = parse_lenient(text, columns, first_line)
    if damaged:
        raise TelemetryFormatError(file, damaged[0].reason, damaged[0].line)
    return values


def parse_lenient(
    text: bytes, columns: Sequence[str], first_line: int, first_row: int = 0
) -> tuple[np.ndarray, list[DamagedRow]]:
    """Line-by-line float() parse; a bad line becomes a row of NaN and a DamagedRow."""
    lines = text.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    ncols = len(columns)
    out = np.empty((len(lines), ncols), dtype=np.float64)
    damaged: list[DamagedRow] = []
    for offset, line in enumerate(lines):
        reason = _read_line(line, columns, out[offset])
        if reason is not None:
            out[offset] = np.nan
            damaged.append(DamagedRow(first_row + offset, first_line + offset, reason))
    return out, damaged


def _read_line(line: bytes, columns: Sequence[str], out: np.ndarray) -> str | None:
    """Fill `out` with the line's numbers; the reason when the line is not a row of len(columns) numbers."""
    fields = line.split(b",")
    if len(fields) != len(columns):
        return f"row has {len(fields)} fields but the header has {len(columns)} columns"
    for index, field in enumerate(fields):
        if not _NUMBER.fullmatch(field):
            return _not_a_number(field, columns[index])
        out[index] = float(field)
    return None


def _not_a_number(field: bytes, column: str) -> str:
    shown = field.decode("utf-8", "replace").strip()
    if not shown:
        return f"empty cell in column '{column}'"
    if len(shown) > 40:
        shown = shown[:40] + "…"
    return f"column '{column}': {shown!r} is not a number"
