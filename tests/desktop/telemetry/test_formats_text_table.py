"""The shared table layer under the new readers, against a float()-per-cell oracle on random tables."""

from __future__ import annotations

import numpy as np
import pytest

from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats.text_table import parse_table, spaces_to_commas


def random_table(seed: int, rows: int = 400, ncols: int = 7) -> tuple[list[list[str]], set[int]]:
    rng = np.random.default_rng(seed)
    text_columns = {int(c) for c in rng.choice(ncols, size=2, replace=False)}
    table = []
    for _ in range(rows):
        row = []
        for column in range(ncols):
            if column in text_columns:
                row.append(rng.choice(["", "N/A", "New trap (1)", "2026-07-26T19:18:58.880Z", "4"]))
            elif rng.random() < 0.3:
                row.append("")  # a sensor without an update on this row
            else:
                decimals = int(rng.integers(0, 8))
                row.append(f"{rng.normal(0, 10 ** rng.integers(0, 6)):.{decimals}f}")
        table.append(row)
    return table, text_columns


@pytest.mark.parametrize("seed", range(6))
def test_values_empty_cells_and_text_match_a_cell_by_cell_reading(seed: int) -> None:
    table, text_columns = random_table(seed)
    body = "".join(",".join(row) + "\n" for row in table).encode()
    columns = [f"c{k}" for k in range(len(table[0]))]
    parsed = parse_table(body, columns, 12, "t.csv", text_columns)
    for column in range(len(columns)):
        cells = [row[column] for row in table]
        if column in text_columns:
            assert parsed.text(column) == cells
            assert np.isnan(parsed.values[column]).all()
            continue
        expected = np.array([float(cell) if cell else np.nan for cell in cells])
        np.testing.assert_array_equal(parsed.values[column], expected)  # exact, NaN where empty
        assert np.array_equal(np.signbit(parsed.values[column]), np.signbit(expected))  # -0.0 kept


def test_quoted_cells_and_a_cut_off_last_row() -> None:
    body = b'"1.5","2"\n"3","-4.25"\n"5'
    parsed = parse_table(body, ["a", "b"], 3, "q.csv")
    np.testing.assert_array_equal(parsed.values, [[1.5, 3.0], [2.0, -4.25]])
    assert parsed.warnings == ["line 5: the last row is cut off (the file looks truncated); it was dropped"]


def test_a_row_with_a_missing_cell_names_its_line() -> None:
    with pytest.raises(TelemetryFormatError) as caught:
        parse_table(b"1,2,3\n4,5\n6,7,8\n", ["a", "b", "c"], 20, "m.csv", text_columns=[2])
    assert caught.value.line == 21 and "2 fields" in caught.value.message


@pytest.mark.parametrize("body", [b"1 +2 -3\n4 5 6\n", b" 1  +2 -3 \n4 5  6\n"])
def test_vbo_rows_with_signs_and_any_spacing(body: bytes) -> None:
    assert spaces_to_commas(body, 3) == b"1,2,-3\n4,5,6\n"
