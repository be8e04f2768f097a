"""Damaged copies of the real exports S1 and S2 keep what they still hold (issue 11).

Every damaged file is derived here from a real sample; expected rows, lap lines and Lap column changes come
from an independent line-by-line reading of the same bytes (csv_oracle), never from the reader under test.
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from reader_snippets import csv_oracle

from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats import read_bytes
from racetrace_desktop.telemetry.model import AnalysedSession
from racetrace_desktop.telemetry.session import analyse

S1_STATED_MS = [155138, 444553, 107089, 116145, 357906]  # the '# Lap 0..4' lines of sample_01.csv
S2_STATED_MS = [123202, 177527]


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().split(b"\n")


def joined(lines: list[bytes]) -> bytes:
    return b"\n".join(lines)


def line_index(lines: list[bytes], prefix: bytes) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(prefix))


def oracle(tmp_path: Path, data: bytes) -> tuple[list[str], list[list[str]], list[tuple[int, int, str]]]:
    copy = tmp_path / "oracle.csv"
    copy.write_bytes(data)
    return csv_oracle(copy)


def lap_column_changes(rows: list[list[str]], lap_index: int) -> list[int]:
    laps = [int(row[lap_index]) for row in rows]
    return [i for i in range(1, len(laps)) if laps[i] != laps[i - 1]]


def analysed(data: bytes, name: str) -> AnalysedSession:
    return analyse(read_bytes(data, name))


@pytest.fixture(scope="module")
def s1_whole(trackaddict_samples: Path) -> AnalysedSession:
    return analyse(read_bytes((trackaddict_samples / "sample_01.csv").read_bytes(), "sample_01.csv"))


@pytest.fixture(scope="module")
def s2_whole(trackaddict_samples: Path) -> AnalysedSession:
    return analyse(read_bytes((trackaddict_samples / "sample_02.csv").read_bytes(), "sample_02.csv"))


# --- a file cut in the middle of a row -----------------------------------------------------------------------


@pytest.mark.parametrize("fraction", [0.62, 0.9])
def test_cut_in_the_middle_of_a_row_keeps_every_complete_row_and_lap(
    trackaddict_samples: Path, tmp_path: Path, fraction: float
) -> None:
    data = (trackaddict_samples / "sample_02.csv").read_bytes()
    line_start = data.index(b"\n", int(len(data) * fraction)) + 1
    while data[line_start] == ord("#"):
        line_start = data.index(b"\n", line_start) + 1
    cut = data[: line_start + 30]  # 30 bytes into a data row of about 160
    complete = cut[: cut.rindex(b"\n") + 1]
    _, rows, comments = oracle(tmp_path, complete)
    partial_line = complete.count(b"\n") + 1

    session = read_bytes(cut, "sample_02.csv")
    assert session.row_count == len(rows)
    assert session.time_s[-1] == float(rows[-1][0])
    assert [m.line_no for m in session.lap_markers] == [line for line, _, text in comments if text.startswith("# Lap")]
    assert any(
        w.startswith(f"sample_02.csv, line {partial_line}: the last row is cut off") for w in session.warnings
    )
    laps = analyse(session).laps
    stated = [lap.lap_time_ms for lap in laps if lap.time_source == "stated"]
    assert stated == S2_STATED_MS[: len(session.lap_markers)] and len(stated) >= 1
    assert laps[-1].lap_time_ms is None and laps[-1].row_end == len(rows)


# --- one corrupted cell in the middle -------------------------------------------------------------------------


def test_one_corrupted_cell_drops_only_its_row(
    trackaddict_samples: Path, tmp_path: Path, s1_whole: AnalysedSession
) -> None:
    lines = lines_of(trackaddict_samples / "sample_01.csv")
    damaged_at = 12000  # 0-based index: line 12001, in lap 2
    fields = lines[damaged_at].split(b",")
    fields[11] = fields[11][:1] + b"\xff#" + fields[11][1:]  # a flipped byte inside the Speed cell
    lines[damaged_at] = b",".join(fields)
    data = joined(lines)

    session = read_bytes(data, "sample_01.csv")
    _, rows, _ = oracle(tmp_path, (trackaddict_samples / "sample_01.csv").read_bytes())
    assert session.row_count == len(rows) - 1
    assert session.warnings[0].startswith(f"sample_01.csv, line {damaged_at + 1}: column 'Speed (Km/h)': ")
    assert session.warnings[0].endswith("is not a number; the row was dropped")
    whole = s1_whole.raw
    original = lines_of(trackaddict_samples / "sample_01.csv")[damaged_at].decode()
    dropped_row = next(i for i, row in enumerate(rows) if ",".join(row) == original)
    keep = np.arange(whole.row_count) != dropped_row
    assert np.array_equal(session.time_s, whole.time_s[keep])
    assert np.array_equal(session.channels["speed"], whole.channels["speed"][keep])
    laps = analyse(session).laps
    assert [lap.lap_time_ms for lap in laps] == [*S1_STATED_MS, None]
    assert [lap.start_s for lap in laps] == [lap.start_s for lap in s1_whole.laps]


def test_a_file_mostly_garbage_is_refused_naming_file_and_line(trackaddict_samples: Path) -> None:
    lines = lines_of(trackaddict_samples / "sample_02.csv")
    header = line_index(lines, b'"Time"')
    for index in range(header + 1, len(lines) - 1, 3):  # two of every three data lines scrambled
        for garbled in (index, index + 1):
            if not lines[garbled].startswith(b"#"):
                lines[garbled] = lines[garbled][::-1].replace(b".", b"")
    with pytest.raises(TelemetryFormatError) as caught:
        read_bytes(joined(lines), "sample_02.csv")
    assert caught.value.file == "sample_02.csv"
    assert caught.value.line == header + 2
    assert re.match(r"\d+ of 12763 data rows are damaged, the first one: column '", caught.value.message)


# --- an unreadable '# Lap N:' line ----------------------------------------------------------------------------


def test_unreadable_lap_line_warns_and_times_that_lap_from_the_gps_crossing(
    trackaddict_samples: Path, s2_whole: AnalysedSession
) -> None:
    lines = lines_of(trackaddict_samples / "sample_02.csv")
    at = line_index(lines, b"# Lap 1:")
    lines[at] = b"# Lap 1: 00:02:5?.527"
    session = analysed(joined(lines), "sample_02.csv")
    warning = f"sample_02.csv, line {at + 1}: cannot read the lap time in '# Lap 1: 00:02:5?.527'"
    assert any(w.startswith(warning) for w in session.raw.warnings)
    lap0, lap1, inlap = session.laps
    assert (lap0.lap_time_ms, lap0.time_source) == (S2_STATED_MS[0], "stated")
    assert lap1.time_source == "gps" and lap1.is_valid and not lap1.approximate_time
    # Lap 1 of the whole file, timed by the same GPS line, is 177.527 s: the crossing is within a few ms.
    assert s2_whole.laps[1].gps_time_ms is not None
    assert abs(lap1.lap_time_ms - S2_STATED_MS[1]) <= 100
    assert (lap1.row_start, lap1.row_end) == (s2_whole.laps[1].row_start, s2_whole.laps[1].row_end)
    assert inlap.lap_time_ms is None and inlap.start_s == pytest.approx(lap1.end_s)


def test_unreadable_lap_line_without_a_gps_crossing_nearby_keeps_the_later_stated_times(
    trackaddict_samples: Path, tmp_path: Path
) -> None:
    """S1's End Point is ~100 m from where TrackAddict timed, so no crossing matches: the lap is timed from the
    row where its Lap column changes, flagged approximate, and the laps after it keep their stated times."""
    lines = lines_of(trackaddict_samples / "sample_01.csv")
    at = line_index(lines, b"# Lap 2:")
    lines[at] = b"# Lap 2: 00:01:4"
    data = joined(lines)
    session = analysed(data, "sample_01.csv")
    header, rows, _ = oracle(tmp_path, data)
    flips = lap_column_changes(rows, header.index("Lap"))
    laps = session.laps
    assert [lap.lap_time_ms for lap in laps[3:5]] == S1_STATED_MS[3:5]
    assert laps[2].end_s == pytest.approx(float(rows[flips[2]][0]))
    assert laps[2].approximate_time and laps[3].approximate_time  # lap 3 starts where lap 2's row time ends
    assert any("no GPS crossing of the start/finish line near the end of lap 2" in w for w in session.warnings)


# --- a duplicated '# Lap N:' line ----------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["next to it", "in a later lap"])
def test_duplicated_lap_line_does_not_shift_the_following_laps(
    trackaddict_samples: Path, s1_whole: AnalysedSession, where: str
) -> None:
    lines = lines_of(trackaddict_samples / "sample_01.csv")
    at = line_index(lines, b"# Lap 1:")
    copy_at = at + 1 if where == "next to it" else line_index(lines, b"# Lap 3:") - 500
    lines.insert(copy_at, lines[at])
    session = analysed(joined(lines), "sample_01.csv")
    assert [lap.lap_time_ms for lap in session.laps] == [*S1_STATED_MS, None]
    assert [lap.start_s for lap in session.laps] == [lap.start_s for lap in s1_whole.laps]
    assert any(f"lines {at + 1}, {copy_at + 1} all state lap 1" in w for w in session.warnings)


def test_duplicated_lap_line_with_another_time_uses_the_one_where_the_lap_column_changes(
    trackaddict_samples: Path, s1_whole: AnalysedSession
) -> None:
    lines = lines_of(trackaddict_samples / "sample_01.csv")
    lines.insert(line_index(lines, b"# Lap 3:") - 200, b"# Lap 1: 00:01:00.000")
    session = analysed(joined(lines), "sample_01.csv")
    assert [lap.lap_time_ms for lap in session.laps] == [*S1_STATED_MS, None]
    assert [lap.start_s for lap in session.laps] == [lap.start_s for lap in s1_whole.laps]
    assert any("state different times for lap 1" in w for w in session.warnings)


# --- no '# Lap' lines: the file's own Lap column -------------------------------------------------------------


def without_lap_lines(path: Path) -> bytes:
    return joined([line for line in lines_of(path) if not line.startswith(b"# Lap ")])


def test_without_lap_lines_the_lap_column_gives_the_laps_timed_from_gps_crossings(
    trackaddict_samples: Path, tmp_path: Path
) -> None:
    data = without_lap_lines(trackaddict_samples / "sample_02.csv")
    session = analysed(data, "sample_02.csv")
    header, rows, _ = oracle(tmp_path, data)
    flips = lap_column_changes(rows, header.index("Lap"))
    assert [(lap.row_start, lap.row_end) for lap in session.laps] == list(
        zip([0, *flips], [*flips, len(rows)], strict=True)
    )
    assert [lap.time_source for lap in session.laps] == ["gps", "gps", "none"]
    for lap, stated_ms in zip(session.laps, S2_STATED_MS, strict=False):
        assert abs(lap.lap_time_ms - stated_ms) <= 100  # the GPS line and TrackAddict's agree at Goodwood
        assert not lap.approximate_time
    assert any("laps follow the file's Lap column (2 lap changes); the GPS re-lap" in w and "agrees" in w
               for w in session.warnings)


def test_without_lap_lines_the_lap_column_wins_over_a_gps_re_lap_and_the_difference_is_reported(
    trackaddict_samples: Path, tmp_path: Path
) -> None:
    """S1's End Point is in the pit lane's reach: a GPS re-lap finds 7 crossings, the Lap column 5 changes."""
    data = without_lap_lines(trackaddict_samples / "sample_01.csv")
    session = analysed(data, "sample_01.csv")
    header, rows, _ = oracle(tmp_path, data)
    flips = lap_column_changes(rows, header.index("Lap"))
    times = [float(row[0]) for row in rows]
    assert [lap.row_start for lap in session.laps] == [0, *flips]
    expected_ms = [round((b - a) * 1000) for a, b in pairwise([times[0], *[times[f] for f in flips]])]
    assert [lap.lap_time_ms for lap in session.laps] == [*expected_ms, None]
    assert all(lap.approximate_time and not lap.is_valid for lap in session.laps[:-1])
    report = next(w for w in session.warnings if "laps follow the file's Lap column" in w)
    assert "the GPS re-lap of the start/finish line would give 8 laps instead of 6" in report
    assert "Lap column changes without a crossing at" in report


# --- the same rules against a generator's ground truth (correlated GPS noise, several seeds) -------------------

SYNTHETIC = [
    pytest.param(dict(gps_hz=1, seed=4), id="1Hz"),
    pytest.param(dict(gps_hz=1, seed=5, units="imperial", pit_stop_lap=2), id="1Hz-imperial-pit"),
    pytest.param(dict(gps_hz=10, seed=6, pit_stop_lap=3), id="10Hz-pit"),
]
CROSSING_TOLERANCE_S = {1: 0.08, 10: 0.02}  # GPS line crossings against the exact instant


@pytest.mark.parametrize("case", SYNTHETIC)
def test_damaged_lap_lines_against_ground_truth(case: dict) -> None:
    """Lap 2's line unreadable, lap 3's missing, lap 1's repeated: laps 2 and 3 end at the GPS crossing, every
    other lap keeps its exact stated time, and nothing shifts."""
    from racetrace_desktop.telemetry.synthetic import generate_session

    recording = generate_session(laps=5, **case)
    truth, tolerance = recording.truth, CROSSING_TOLERANCE_S[int(case["gps_hz"])]
    lines = recording.csv_bytes.split(b"\n")
    lines[line_index(lines, b"# Lap 2:")] = b"# Lap 2: 00:0#:##.###"
    del lines[line_index(lines, b"# Lap 3:")]
    lines.insert(line_index(lines, b"# Lap 1:"), lines[line_index(lines, b"# Lap 1:")])
    session = analysed(joined(lines), recording.file_name)

    laps = session.laps
    assert [lap.number for lap in laps] == list(range(truth.inlap_number + 1))
    assert [lap.time_source for lap in laps[:-1]] == ["stated", "stated", "gps", "gps"] + ["stated"] * (
        truth.inlap_number - 4
    )
    for lap in laps[:-1]:
        if lap.time_source == "stated":
            assert lap.lap_time_ms == truth.lap_times_ms[lap.number]
        assert lap.end_s == pytest.approx(truth.crossing_times_s[lap.number], abs=tolerance)
        assert not lap.approximate_time
    assert any("no '# Lap 3:' line" in w for w in session.warnings)


@pytest.mark.parametrize("case", SYNTHETIC)
def test_without_lap_lines_the_lap_column_laps_match_ground_truth(case: dict) -> None:
    from racetrace_desktop.telemetry.synthetic import generate_session

    recording = generate_session(laps=5, **case)
    truth, tolerance = recording.truth, CROSSING_TOLERANCE_S[int(case["gps_hz"])]
    data = joined([line for line in recording.csv_bytes.split(b"\n") if not line.startswith(b"# Lap ")])
    session = analysed(data, recording.file_name)

    laps = session.laps
    assert len(laps) == truth.inlap_number + 1
    flips = np.flatnonzero(np.diff(session.raw.lap_column)) + 1
    assert [lap.row_start for lap in laps] == [0, *flips.tolist()]
    for lap, crossing in zip(laps, truth.crossing_times_s, strict=False):
        assert lap.time_source == "gps" and not lap.approximate_time
        assert lap.end_s == pytest.approx(crossing, abs=tolerance)
    assert any("agrees" in w for w in session.warnings)
