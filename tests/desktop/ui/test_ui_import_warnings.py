"""The window's import log shows what the importer warned about, with the file and the line."""

from __future__ import annotations

from ui_helpers import import_by_drop


def test_a_damaged_sample_imports_and_the_log_names_the_dropped_line(qtbot, window, tmp_path, trackaddict_samples):
    lines = (trackaddict_samples / "sample_02.csv").read_bytes().split(b"\n")
    lines[6000] = lines[6000].replace(b",", b",abc,", 1)  # line 6001: a non-numeric cell and one field too many
    lines.insert(5000, lines[next(i for i, line in enumerate(lines) if line.startswith(b"# Lap 0:"))])
    damaged = tmp_path / "damaged.csv"
    damaged.write_bytes(b"\n".join(lines))

    report = import_by_drop(qtbot, window, [damaged])

    assert len(report.imported) == 1 and report.imported[0].lap_count == 3
    text = window.import_log.texts()[0]
    first, *warnings = text.split("\n")
    assert first.startswith("✓ damaged.csv: 3 laps, best 2:57.527")
    dropped = "  ⚠ damaged.csv, line 6002: row has 28 fields but the header has 27 columns; the row was dropped"
    assert dropped in warnings, warnings
    assert any("all state lap 0; its time is counted once" in w for w in warnings), warnings
