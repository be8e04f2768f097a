"""Property-based tests: exact numbers on random valid files, only TelemetryFormatError on damaged ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reader_snippets import header_of

from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats import numeric_rows, read_bytes
from racetrace_desktop.telemetry.formats.numeric_rows import parse_exact, parse_fast
from racetrace_desktop.telemetry.model import RawSession

# Unknown, unit-less or SI columns: their values must come back exactly as float(text).
FREE_COLUMNS = ["Sensor A", "Sensor B (m)", "Load (%)", "Yaw Rate (deg)", "Counter"]


@st.composite
def cell_texts(draw: st.DrawFn, decimals: int, size: int) -> list[str]:
    magnitude = 10 ** min(15 - decimals, 9)
    values = draw(st.lists(st.integers(-magnitude, magnitude), min_size=size, max_size=size))
    texts = []
    for value in values:
        text = f"{value / 10**decimals:.{decimals}f}"
        style = draw(st.integers(0, 9))
        if style == 0 and value == 0:
            text = "0"  # bare zero in a decimal column, as Predicted Lap Time writes it
        elif style == 1 and value == 0 and decimals:
            text = "-0." + "0" * decimals  # "-0.00" as the accelerometer writes it
        texts.append(text)
    return texts


@st.composite
def valid_files(draw: st.DrawFn) -> tuple[bytes, list[str], dict[str, list[str]], list[tuple[int, int]]]:
    rows = draw(st.integers(1, 40))
    names = draw(st.lists(st.sampled_from(FREE_COLUMNS), min_size=1, max_size=5, unique=True))
    steps = draw(st.lists(st.integers(0, 80), min_size=rows, max_size=rows))
    times = [f"{t / 1000:.3f}" for t in np.cumsum(steps) - steps[0]]
    columns = {name: draw(cell_texts(draw(st.integers(0, 7)), rows)) for name in names}
    lines = ["# RaceRender Data: TrackAddict 4.8.0 on iOS 15.5 [iPhone12,1] (Mode: 0)", header_of(["Time", *names])]
    laps: list[tuple[int, int]] = []
    for row in range(rows):
        if row and draw(st.integers(0, 6)) == 0:
            lines.append(f"# Lap {len(laps)}: 00:01:{row % 60:02d}.{row:03d}")
            laps.append((row, (60 + row % 60) * 1000 + row))
            if draw(st.booleans()):
                lines.append("")
        lines.append(",".join([times[row], *(columns[name][row] for name in names)]))
    lines.append("# Session End")
    return ("\n".join(lines) + "\n").encode(), times, columns, laps


@pytest.fixture
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many small chunks so that small files also go through the threaded, multi-chunk path."""
    monkeypatch.setattr(numeric_rows, "CHUNK_BYTES", 61)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(valid_files())
def test_random_valid_files_round_trip_exactly(tiny_chunks: None, file: tuple) -> None:
    data, times, columns, laps = file
    session = read_bytes(data, "random.csv")
    expected_time = np.array([float(t) for t in times])
    assert np.array_equal(session.time_s, expected_time)
    for name, texts in columns.items():
        key = name.split(" (")[0].lower().replace(" ", "_")
        expected = np.array([float(text) for text in texts])
        assert np.array_equal(session.channels[key], expected), name
        assert np.array_equal(np.signbit(session.channels[key]), np.signbit(expected)), name
    assert [(m.row_index, m.duration_ms) for m in session.lap_markers] == laps
    assert not any("Session End" in warning for warning in session.warnings)


NUMERIC_BYTES = st.sampled_from([*b"0123456789", *b"0123456789", *b".-,,\n", *b" +eE#\t"])


@settings(max_examples=400, deadline=None)
@given(st.integers(1, 4), st.lists(NUMERIC_BYTES, min_size=1, max_size=80).map(bytes))
def test_fast_numbers_are_exact_or_refused(ncols: int, text: bytes) -> None:
    text = text if text.endswith(b"\n") else text + b"\n"
    columns = [f"c{i}" for i in range(ncols)]
    try:
        exact = parse_exact(text, columns, 1, "x.csv")
    except TelemetryFormatError:
        assert parse_fast(text, ncols) is None
        return
    fast = parse_fast(text, ncols)
    if fast is not None:
        assert np.array_equal(fast, exact) and np.array_equal(np.signbit(fast), np.signbit(exact))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["0", "-0", "7", "05", "12.5", "-3.25", ".5", "5.", "-.5", "0.000", "-0.00",
                              "123456789012345", "12345678901234.5", "1234567890123456", "0.1234567",
                              "-118.2630034", "1653983971.010"]), min_size=6, max_size=60)
)
def test_fast_numbers_on_plausible_cells(cells: list[str]) -> None:
    ncols = 3
    cells = cells[: len(cells) // ncols * ncols]
    text = "".join(",".join(cells[i : i + ncols]) + "\n" for i in range(0, len(cells), ncols)).encode()
    exact = parse_exact(text, ["a", "b", "c"], 1, "x.csv")
    fast = parse_fast(text, ncols)
    if "1234567890123456" not in cells:  # 16 digits: more than a double holds exactly, so refused
        assert fast is not None
    if fast is not None:
        assert np.array_equal(fast, exact) and np.array_equal(np.signbit(fast), np.signbit(exact))


@pytest.fixture(scope="module")
def real_file(trackaddict_samples: Path) -> bytes:
    """S4 whole (OBD, 9-line preamble) with a slice of S1 rows before its end: small enough to mutate often."""
    return (trackaddict_samples / "sample_04.csv").read_bytes()


MUTATIONS = st.lists(
    st.tuples(st.sampled_from(["replace", "insert", "delete"]), st.floats(0, 1), st.binary(min_size=1, max_size=3)),
    min_size=1,
    max_size=6,
)


def mutate(data: bytes, edits: list[tuple[str, float, bytes]]) -> bytes:
    buffer = bytearray(data)
    for kind, where, payload in edits:
        at = int(where * (len(buffer) - 1))
        if kind == "replace":
            buffer[at : at + len(payload)] = payload
        elif kind == "insert":
            buffer[at:at] = payload
        else:
            del buffer[at : at + len(payload)]
    return bytes(buffer)


def read_or_clean_error(data: bytes) -> None:
    try:
        session = read_bytes(data, "damaged.csv")
    except TelemetryFormatError as error:
        assert error.file == "damaged.csv"
        assert "internal error" not in error.message, error.message
        assert error.line is None or error.line >= 1
        return
    assert session.row_count >= 1
    assert (np.diff(session.time_s) >= 0).all()
    assert all(values.shape == session.time_s.shape for values in session.channels.values())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(MUTATIONS)
def test_mutated_real_file_raises_only_format_errors(real_file: bytes, edits: list) -> None:
    read_or_clean_error(mutate(real_file, edits))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.floats(0, 1))
def test_truncated_real_file_raises_only_format_errors(real_file: bytes, where: float) -> None:
    read_or_clean_error(real_file[: int(where * len(real_file))])


def test_truncation_inside_the_last_row_drops_only_that_row_with_a_warning(real_file: bytes) -> None:
    whole = read_bytes(real_file, "whole.csv")
    cut = real_file[: real_file.rindex(b"\n# Session End") - 4]
    session = read_bytes(cut, "damaged.csv")
    assert session.row_count == whole.row_count - 1
    assert any(w.startswith("damaged.csv, line 58: the last row is cut off") for w in session.warnings)


@pytest.fixture(scope="module")
def s1_lines(trackaddict_samples: Path) -> list[bytes]:
    return (trackaddict_samples / "sample_01.csv").read_bytes().split(b"\n")


@pytest.fixture(scope="module")
def s1_whole(trackaddict_samples: Path) -> RawSession:
    return read_bytes((trackaddict_samples / "sample_01.csv").read_bytes(), "sample_01.csv")


NOT_A_NUMBER = st.text(alphabet="x?*abc-+ .e", min_size=1, max_size=6).filter(
    lambda text: not numeric_rows._NUMBER.fullmatch(text.encode())
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line_at=st.integers(10, 25190), column=st.integers(0, 19), garbage=NOT_A_NUMBER)
def test_one_damaged_cell_anywhere_drops_exactly_its_row(
    s1_lines: list[bytes], s1_whole: RawSession, line_at: int, column: int, garbage: str
) -> None:
    lines = list(s1_lines)
    while lines[line_at].startswith(b"#") or not lines[line_at]:
        line_at += 1
    fields = lines[line_at].split(b",")
    fields[column] = garbage.encode()
    lines[line_at] = b",".join(fields)
    session = read_bytes(b"\n".join(lines), "sample_01.csv")
    assert session.row_count == s1_whole.row_count - 1
    assert session.warnings[0].startswith(f"sample_01.csv, line {line_at + 1}: ")
    assert session.warnings[0].endswith("; the row was dropped")
    assert [m.duration_ms for m in session.lap_markers] == [m.duration_ms for m in s1_whole.lap_markers]
