"""Bad input: always a TelemetryFormatError that names the file and, where it applies, the 1-based line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from reader_snippets import METRIC_ROWS, header_of, trackaddict_file

from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats import read_bytes, read_file

# trackaddict_file(): 2 preamble lines, header on line 3, rows from line 4.
ROW_LINE = 4


def error_of(data: bytes, name: str = "Log-20220531-085930 Goodwood.csv") -> TelemetryFormatError:
    with pytest.raises(TelemetryFormatError) as caught:
        read_bytes(data, name)
    assert caught.value.file == name
    assert str(caught.value).startswith(name)
    assert "internal error" not in caught.value.message
    return caught.value


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"\n  \n", "the file is empty"),
        (bytes(range(256)) * 8, "binary data"),
        (b"PK\x03\x04\x14\x00\x06\x00rest of a zip", "ZIP archive"),
        (b"lap,time,speed\n1,2,3\n", "CSV from another app"),
        (b"just some notes\nabout a track day\n", "not a CSV export"),
    ],
)
def test_files_that_are_not_telemetry(data: bytes, message: str) -> None:
    error = error_of(data, "upload.csv")
    assert message in error.message and error.line is None


def test_missing_file_is_a_format_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(TelemetryFormatError) as caught:
        read_file(tmp_path / "Log-20220531-085930 Gone.csv")
    assert caught.value.file == "Log-20220531-085930 Gone.csv" and "cannot read the file" in caught.value.message


def test_truncated_last_row_is_dropped_with_its_line() -> None:
    data = trackaddict_file(tail=())[:-25]  # the phone died while writing the last row
    session = read_bytes(data, "x.csv")
    assert session.row_count == 2 and list(session.time_s) == [0.0, 0.05]
    assert any(w.startswith(f"x.csv, line {ROW_LINE + 2}: the last row is cut off") for w in session.warnings)


def test_complete_rows_without_session_end_import_with_a_warning() -> None:
    session = read_bytes(trackaddict_file(tail=()), "x.csv")
    assert session.row_count == 3 and len(session.warnings) == 1 and "Session End" in session.warnings[0]


def test_missing_time_column_names_the_header_line() -> None:
    data = trackaddict_file(rows=["1,45.0,7.0"], header=header_of(["GPS_Update", "Latitude", "Longitude"]))
    error = error_of(data)
    assert error.line == 3 and "missing required column 'Time'" in error.message


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (METRIC_ROWS[1].replace(",0.01,", ",abc,"), "column 'Accel X': 'abc' is not a number"),
        (METRIC_ROWS[1].replace(",0.01,", ",,"), "empty cell in column 'Accel X'"),
        (METRIC_ROWS[1].replace(",0.01,", ",-,"), "column 'Accel X': '-' is not a number"),
        (METRIC_ROWS[1].replace(",0.01,", ",1.2.3,"), "column 'Accel X': '1.2.3' is not a number"),
        (METRIC_ROWS[1].replace(",0.01,", ",nan,"), "column 'Accel X': 'nan' is not a number"),
        (METRIC_ROWS[1].replace("51.9993282", "51,9993282"), "row has 21 fields but the header has 20 columns"),
        (METRIC_ROWS[1].rsplit(",", 1)[0], "row has 19 fields but the header has 20 columns"),
        ("   ", "row has 1 fields but the header has 20 columns"),
        (METRIC_ROWS[1].replace("0.050,", "0.050x,", 1), "column 'Time': '0.050x' is not a number"),
    ],
)
def test_bad_row_is_dropped_and_named_by_line_and_column(bad_row: str, message: str) -> None:
    session = read_bytes(trackaddict_file(rows=[METRIC_ROWS[0], bad_row, METRIC_ROWS[2]]), "x.csv")
    assert list(session.time_s) == [0.0, 0.1]
    assert session.warnings[0] == f"x.csv, line {ROW_LINE + 1}: {message}; the row was dropped"


def test_bad_row_after_comment_lines_has_the_right_line_and_comments_keep_their_rows() -> None:
    rows = [METRIC_ROWS[0], "1.0,oops", "# Lap 0: 00:00:01.000", "", "# Pit Lane Entry", METRIC_ROWS[1], "2,oops",
            METRIC_ROWS[2]]  # fmt: skip
    session = read_bytes(trackaddict_file(rows=rows), "x.csv")
    where = [w.split(":")[0] for w in session.warnings[:2]]
    assert where == [f"x.csv, line {ROW_LINE + 1}", f"x.csv, line {ROW_LINE + 6}"]
    assert session.row_count == 3 and session.lap_markers[0].row_index == 1
    assert [(e.kind, e.row_index) for e in session.events] == [("pit_entry", 1), ("session_end", 3)]


def test_a_mostly_damaged_file_is_refused_naming_the_first_bad_line() -> None:
    rows = [METRIC_ROWS[0], "x" * 30, "# Lap 0: 00:00:01.000", "\x00" * 50, "a,b,c", METRIC_ROWS[2]]
    error = error_of(trackaddict_file(rows=rows))
    assert error.line == ROW_LINE + 1
    assert error.message.startswith("3 of 5 data rows are damaged, the first one: row has 1 fields")


def test_time_that_really_goes_backwards_names_the_line() -> None:
    rows = [*METRIC_ROWS, "# Lap 0: 00:00:01.000", *METRIC_ROWS]  # two recordings glued together
    error = error_of(trackaddict_file(rows=rows))
    assert error.line == ROW_LINE + 4
    assert error.message == "Time goes backwards: 0.000 s after 0.100 s"


def test_one_row_out_of_time_order_is_dropped() -> None:
    spike = METRIC_ROWS[1].replace("0.050,", "9.050,", 1)
    rows = [METRIC_ROWS[0], spike, METRIC_ROWS[2], METRIC_ROWS[2].replace("0.100,", "0.150,", 1)]
    session = read_bytes(trackaddict_file(rows=rows), "x.csv")
    assert list(session.time_s) == [0.0, 0.1, 0.15]
    assert session.warnings[0] == (
        f"x.csv, line {ROW_LINE + 1}: Time 9.050 s is out of order next to 0.000 s; the row was dropped"
    )


def test_lap_that_is_not_a_whole_number_drops_the_row() -> None:
    row = METRIC_ROWS[2].replace(",0,0,0,1,", ",1.5,0,0,1,", 1)
    session = read_bytes(trackaddict_file(rows=[METRIC_ROWS[0], METRIC_ROWS[1], row]), "x.csv")
    assert session.row_count == 2 and list(session.lap_column) == [0, 0]
    expected = f"x.csv, line {ROW_LINE + 2}: column 'Lap': 1.5 is not a lap number; the row was dropped"
    assert session.warnings[0] == expected


def test_position_outside_the_globe_drops_the_row() -> None:
    row = METRIC_ROWS[2].replace("51.9993290", "91.9993290")
    session = read_bytes(trackaddict_file(rows=[METRIC_ROWS[0], METRIC_ROWS[1], row]), "x.csv")
    assert session.row_count == 2 and np.all(np.abs(session.lat) <= 90)
    assert session.warnings[0] == (
        f"x.csv, line {ROW_LINE + 2}: column 'Latitude': 91.999329 is outside -90..90 degrees; the row was dropped"
    )


def test_header_without_rows_and_comments_only() -> None:
    assert error_of(trackaddict_file(rows=[])).line == 3
    error = error_of(b"# RaceRender Data: TrackAddict 4.8.0 on iOS 15.5 [iPhone12,1] (Mode: 0)\n# Session End\n")
    assert "no column header" in error.message


def test_damaged_rows_of_a_large_file_are_warned_in_line_order(trackaddict_samples: Path) -> None:
    lines = (trackaddict_samples / "sample_01.csv").read_bytes().split(b"\n")
    lines[20000] = lines[20000].replace(b",", b";", 1)
    lines[9000] = lines[9000][:-3] + b"x.0"
    session = read_bytes(b"\n".join(lines), "sample_01.csv")
    assert session.row_count == 25198 - 2
    assert [w.split(":")[0] for w in session.warnings] == ["sample_01.csv, line 9001", "sample_01.csv, line 20001"]
    assert "is not a number" in session.warnings[0] and "row has 19 fields" in session.warnings[1]


def test_a_reader_bug_reaches_the_user_as_a_file_specific_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from racetrace_desktop.telemetry import formats

    def broken(data: bytes, name: str) -> None:
        raise NotImplementedError("RaceBox rows")

    buggy = SimpleNamespace(FORMAT_NAME="RaceBox", detect=lambda head, name: head.startswith(b"Record,"), parse=broken)
    real = formats.readers()
    monkeypatch.setattr(formats, "readers", lambda: (buggy, *real))
    with pytest.raises(TelemetryFormatError) as caught:
        read_bytes(b"Record,Time,Latitude\n1,0.0,45.0\n", "racebox.csv")
    expected = "internal error while reading this RaceBox file (NotImplementedError: RaceBox rows)"
    assert caught.value.message == expected
