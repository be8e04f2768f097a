"""The compare view on the real corner analysis (no hand-built input): a generated session whose track has known
corners is imported into a real window; the corner report lists the detected corners with their figures, ranked
by the time the focused lap loses; a click zooms plots and map to a corner with the cursor at its apex; the delta
plot and the map number the corners; the sector table shows the theoretical and realistic best."""

from __future__ import annotations

import pytest
from compare_helpers import compare, import_synthetic
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from ui_helpers import import_by_drop, map_state, open_first_session, wait_map_drawn

from racetrace_desktop.ui.plots.traces import DELTA_KEY
from tests.desktop.telemetry.corner_truth import known_corners


@pytest.fixture
def compared(qtbot, window, tmp_path):
    laps = import_synthetic(qtbot, window, tmp_path / "files", laps=5, seed=5)
    valid = [lap.uuid for lap in laps if lap.is_valid and lap.lap_time_ms]
    display = compare(qtbot, window, valid)
    return window, display


def column(report, index: int) -> list[str]:
    return [report.item(row, index).text() for row in range(report.rowCount())]


def lost_s(text: str) -> float:
    return float(text.replace("−", "-"))


def test_the_report_lists_the_detected_corners_ranked_with_their_figures(qtbot, compared):
    window, display = compared
    view = window.compare_view
    report = view.corner_report
    truth = known_corners(float(display.result.distance_m[-1]))
    assert report.rowCount() == len(truth)
    assert view.tables.isTabEnabled(1) and view.tables.tabText(1) == f"Corners ({len(truth)})"
    apexes = sorted(c.apex_m for c in report.corners)
    for found, true in zip(apexes, truth, strict=True):  # the reference lap's axis is within metres of the centreline
        assert found == pytest.approx(true.apex_m, abs=40)
    losses = [lost_s(text) for text in column(report, 1)]
    assert losses == sorted(losses, reverse=True), "ranked by time lost"
    focus = str(view.focus)
    stored = next(lap for lap in display.stored.laps if str(lap.lap.uuid) == focus)
    by_number = {c.number: f.delta_s for c, f in zip(display.stored.corners, stored.corners, strict=True)}
    for corner, text in zip(report.corners, column(report, 1), strict=True):  # the analysis' per-corner delta
        assert lost_s(text) == pytest.approx(by_number[corner.number], abs=0.0015)
    for col in (2, 3, 4):  # entry, minimum and exit speed differences: every corner has them
        assert all(text.endswith("km/h") for text in column(report, col)), column(report, col)
    assert any(text != "–" for text in column(report, 5)), "brake points found before the slower corners"
    hinted = [h.split(":")[0] for h in stored.hints]
    shown = {report.item(r, 0).text(): report.item(r, 6).text() for r in range(report.rowCount())}
    assert all(shown[name] for name in hinted), "every hint of the analysis is shown on its corner's row"


def test_corner_numbers_on_the_delta_plot_and_the_map_and_a_click_zooms_to_the_apex(qtbot, compared):
    window, _display = compared
    view = window.compare_view
    report = view.corner_report
    count = report.rowCount()
    wait_map_drawn(qtbot, window)
    qtbot.waitUntil(lambda: map_state(qtbot, window)["corners"] == count, timeout=5000)
    top_ticks = view.plots.plots[DELTA_KEY].getAxis("top")._tickLevels[0]
    assert [label for _, label in top_ticks] == [f"T{i}" for i in range(1, count + 1)]
    before = map_state(qtbot, window)["zoom"]

    view.tables.setCurrentWidget(report)
    report.setFocus()
    worst = report.corners[0]
    QTest.mouseClick(report.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     report.visualItemRect(report.item(0, 0)).center())
    lo, hi = view.plots.x_range_m()
    assert lo <= worst.start_m and hi >= worst.end_m and hi - lo < 3 * (worst.end_m - worst.start_m)
    assert view.plots.cursor_m == pytest.approx(worst.apex_m) and view.plots.pinned
    qtbot.waitUntil(lambda: map_state(qtbot, window)["zoom"] > before, timeout=5000)

    along = sorted(report.corners, key=lambda c: c.start_m)
    index = along.index(worst)
    QTest.keyClick(report, Qt.Key.Key_Period)  # next corner along the track
    assert view.plots.cursor_m == pytest.approx(along[(index + 1) % count].apex_m)
    QTest.keyClick(report, Qt.Key.Key_Comma)
    QTest.keyClick(report, Qt.Key.Key_Comma)
    assert view.plots.cursor_m == pytest.approx(along[index - 1].apex_m)


def test_the_sector_table_shows_theoretical_and_realistic_best_and_no_empty_rows(qtbot, compared):
    window, display = compared
    table = window.compare_view.sectors
    rows = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    assert rows[-2:] == ["Theoretical best", "Realistic best"]
    lap_col = table.columnCount() - 1
    for r in range(table.rowCount()):
        assert table.item(r, lap_col).text() not in ("", "–"), rows[r]
    fastest = min(lap.record.lap_time_ms for lap in display.laps)
    theoretical, realistic = (display.sector_rows()[-2][2], display.sector_rows()[-1][2])
    assert theoretical <= fastest and 0.95 * fastest <= realistic <= fastest + 1
    realistic_sectors = display.sector_rows()[-1][1]
    assert all(t is not None for t in realistic_sectors) and abs(sum(realistic_sectors) - realistic) <= 2
    viewport = table.viewport()
    last = table.visualItemRect(table.item(table.rowCount() - 1, 0))
    assert last.bottom() <= viewport.height() or table.verticalScrollBar().maximum() > 0


def test_sample_01_compare_reports_its_corners_and_a_click_zooms(qtbot, window, trackaddict_samples):
    """A real TrackAddict export: every lap is flagged, so its timed laps are compared on purpose."""
    import_by_drop(qtbot, window, [trackaddict_samples / "sample_01.csv"])
    open_first_session(qtbot, window)
    timed = [lap.uuid for lap in window.session_panel.model.laps if lap.lap_time_ms]
    display = compare(qtbot, window, timed)
    view = window.compare_view
    report = view.corner_report
    assert report.rowCount() == len(display.stored.corners) >= 5, "a road circuit has corners"
    losses = [lost_s(text) for text in column(report, 1)]
    assert losses == sorted(losses, reverse=True)
    assert all(text.endswith("km/h") for text in column(report, 3)), "a minimum speed difference per corner"
    view.tables.setCurrentWidget(report)
    chosen = report.corners[1]
    QTest.mouseClick(report.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     report.visualItemRect(report.item(1, 0)).center())
    lo, hi = view.plots.x_range_m()
    assert lo <= chosen.start_m and hi >= chosen.end_m
    assert view.plots.cursor_m == pytest.approx(chosen.apex_m)
