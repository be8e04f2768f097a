"""Files of other loggers dropped on the real window: their laps in the lap table, which says where each lap
time comes from."""

from __future__ import annotations

from PySide6.QtCore import Qt
from ui_helpers import import_by_drop, open_first_session


def test_a_racebox_file_shows_its_laps_and_their_time_source(qtbot, window, other_samples):
    report = import_by_drop(qtbot, window, [other_samples / "racebox.csv"])
    assert len(report.imported) == 1
    assert any(t.startswith("✓ racebox.csv: 6 laps") for t in window.import_log.texts()), window.import_log.texts()
    open_first_session(qtbot, window)
    model = window.session_panel.model
    assert [lap.lap_time_ms for lap in model.laps] == [31520, 169080, 115800, 110840, 109000, None]
    time_column = model.columns.index("Time")
    tooltip = model.data(model.index(1, time_column), Qt.ItemDataRole.ToolTipRole)
    assert tooltip.startswith("Lap time: row where the file's lap number changes")
    assert model.data(model.index(5, time_column), Qt.ItemDataRole.ToolTipRole) is None  # the untimed in-lap


def test_a_vbo_file_laps_are_line_crossings(qtbot, window, other_samples):
    import_by_drop(qtbot, window, [other_samples / "racebox_lignano.vbo"])
    open_first_session(qtbot, window)
    model = window.session_panel.model
    assert len(model.laps) == 14 and min(lap.lap_time_ms or 10**9 for lap in model.laps) == 65726
    tooltip = model.data(model.index(2, model.columns.index("Time")), Qt.ItemDataRole.ToolTipRole)
    assert tooltip == "Lap time: line crossing (GPS)"
