"""The compare view a driver reads at a glance: which laps are compared, their colours, the legend, the cursor,
sector and corner zoom (plots and map) on a real window with a real library."""

from __future__ import annotations

import re

import pytest
from compare_helpers import compare, hand_built_corners, import_synthetic
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from ui_helpers import map_state, wait_map_drawn

from racetrace_desktop.ui.analysis.compare_style import CompareExtras
from racetrace_desktop.ui.analysis.compare_view import UUID_ROLE
from racetrace_desktop.ui.plots.traces import DELTA_KEY


@pytest.fixture
def session_window(qtbot, window, tmp_path):
    laps = import_synthetic(qtbot, window, tmp_path / "files")
    return window, laps


def lap_list(window) -> dict:
    view = window.compare_view
    items = [view.laps.topLevelItem(i) for i in range(view.laps.topLevelItemCount())]
    return {item.data(0, UUID_ROLE): item for item in items}


def curve_colour(window, lap_uuid) -> str:
    return window.compare_view.plots.curves[(DELTA_KEY, str(lap_uuid))].opts["pen"].color().name()


def test_a_whole_session_compares_its_valid_timed_laps_only(qtbot, session_window):
    window, laps = session_window
    assert laps[0].is_outlap and laps[-1].is_inlap
    left_out: list = []
    window.compare.left_out.connect(left_out.append)
    display = compare(qtbot, window, [lap.uuid for lap in laps])
    valid = {lap.uuid for lap in laps if lap.is_valid and lap.lap_time_ms}
    assert {lap.uuid for lap in display.laps} == valid
    assert any("out-lap" in text for text in left_out[0]) and any("in-lap" in text for text in left_out[0])
    assert "Left out of the compare" in window.statusBar().currentMessage()


def test_an_out_lap_added_on_its_own_is_marked_and_never_sets_the_delta_axis(qtbot, session_window):
    window, laps = session_window
    valid = [lap.uuid for lap in laps if lap.is_valid and lap.lap_time_ms]
    compare(qtbot, window, valid[:2])
    display = compare(qtbot, window, [laps[0].uuid])  # the out-lap, on purpose
    assert laps[0].uuid in {lap.uuid for lap in display.laps}
    item = lap_list(window)[laps[0].uuid]
    assert item.text(0).startswith("⚑") and "out-lap" in item.text(4) and item.font(0).italic()
    plots = window.compare_view.plots
    lo, hi = plots.plots[DELTA_KEY].vb.viewRange()[1]
    out_delta = display.result.delta_s[str(laps[0].uuid)]
    valid_delta = [display.result.delta_s[str(u)] for u in valid[:2]]
    assert out_delta.max() > hi or out_delta.min() < lo  # the out-lap runs off the axis...
    assert all(lo <= d.min() and d.max() <= hi for d in valid_delta)  # ...which fits the valid laps


def test_colours_stay_with_their_laps_when_one_is_removed(qtbot, session_window):
    window, laps = session_window
    valid = [lap.uuid for lap in laps if lap.is_valid and lap.lap_time_ms]
    display = compare(qtbot, window, valid[:3])
    before = {lap.uuid: lap.color for lap in display.laps}
    assert len(set(before.values())) == 3
    removed = next(lap.uuid for lap in display.laps if lap.uuid != display.reference)
    with qtbot.waitSignal(window.compare.computed, timeout=60_000) as again:
        window.compare.remove_lap(removed)
    after = {lap.uuid: lap.color for lap in again.args[0].laps}
    assert set(after) == set(before) - {removed}
    assert all(after[u] == before[u] for u in after)
    assert all(curve_colour(window, u) == before[u] for u in after)
    reference_pen = window.compare_view.plots.curves[(DELTA_KEY, str(again.args[0].reference))].opts["pen"]
    other = next(u for u in after if u != again.args[0].reference)
    assert reference_pen.widthF() > window.compare_view.plots.curves[(DELTA_KEY, str(other))].opts["pen"].widthF()


def test_legend_names_lap_and_session_and_sits_outside_the_plots(qtbot, session_window):
    window, laps = session_window
    valid = [lap.uuid for lap in laps if lap.is_valid and lap.lap_time_ms]
    display = compare(qtbot, window, valid[:3])
    plots = window.compare_view.plots
    qtbot.waitUntil(lambda: plots.legend.isVisible() and plots.scroll_area.height() > 100)
    summary = window.session_view.detail.summary
    start = f"{summary.recorded_at_local or summary.recorded_at_utc:%H:%M}"
    assert len(plots.legend.entries) == 3
    assert all(re.match(rf"^(★ )?L\d+ · {start} ", entry) for entry in plots.legend.entries)
    legend_rect = plots.legend.geometry()
    plot_rect = plots.scroll_area.geometry()
    assert not legend_rect.intersects(plot_rect)
    for plot in plots.plots.values():  # no legend item inside any plot
        assert plot.legend is None
    plots.set_cursor(1000.0)
    ref = next(t for t in plots.traces if t.is_reference)
    other = next(t for t in plots.traces if not t.is_reference)
    text = plots.legend.text()
    assert "1000 m" in text
    expected_time = other.time_at(1000.0)
    expected_delta = other.value_at(DELTA_KEY, 1000.0)
    entry = next(e for e in plots.legend.entries if e.startswith(other.label))
    minutes, seconds = divmod(expected_time, 60)
    shown = f"{int(minutes)}:{seconds:06.3f}" if minutes else f"{seconds:.3f}"
    assert shown in entry and f"{expected_delta:+.3f}" in entry
    assert next(e for e in plots.legend.entries if e.startswith(ref.label)).endswith("ref")
    assert display.reference is not None


def test_delta_plot_is_the_main_plot(qtbot, session_window):
    window, laps = session_window
    valid = [lap.uuid for lap in laps if lap.is_valid and lap.lap_time_ms]
    window.context.settings.channels = ["speed", "rpm", "throttle", "gps_lat_g"]
    window.compare_view.channel_button.chosen = ["speed", "rpm", "throttle", "gps_lat_g"]
    compare(qtbot, window, valid[:2])
    plots = window.compare_view.plots
    qtbot.wait(50)
    heights = {key: plot.vb.sceneBoundingRect().height() for key, plot in plots.plots.items()}
    assert len(heights) >= 4
    assert heights[DELTA_KEY] >= sum(heights.values()) / 3
    delta = plots.plots[DELTA_KEY]
    assert delta.getAxis("left").labelText == "Δt vs reference (s)"
    assert "slower" in delta.titleLabel.text


def send_mouse(widget, kind: QEvent.Type, pos: QPoint, button=Qt.MouseButton.NoButton) -> None:
    buttons = Qt.MouseButton.LeftButton if kind == QEvent.Type.MouseButtonPress else Qt.MouseButton.NoButton
    event = QMouseEvent(kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def view_point(plots, key: str, distance_m: float) -> QPoint:
    """Viewport pixel of a distance in the middle of a plot's height."""
    plot = plots.plots[key]
    y = sum(plot.vb.viewRange()[1]) / 2
    scene = plot.vb.mapViewToScene(QPointF(distance_m, y))
    return plots.layout_widget.mapFromScene(scene)


def test_hover_moves_the_cursor_and_a_click_pins_it(qtbot, session_window):
    window, laps = session_window
    valid = [lap.uuid for lap in laps if lap.is_valid and lap.lap_time_ms]
    compare(qtbot, window, valid[:2])
    wait_map_drawn(qtbot, window)
    plots = window.compare_view.plots
    viewport = plots.layout_widget.viewport()
    moved: list = []
    plots.cursor_moved.connect(moved.append)
    send_mouse(viewport, QEvent.Type.MouseMove, view_point(plots, DELTA_KEY, 800.0))
    assert plots.cursor_m == pytest.approx(800.0, abs=15) and moved
    payload = window.compare_view.payload
    spot = payload.index_at(plots.cursor_m)
    qtbot.waitUntil(lambda: map_state(qtbot, window)["cursor"] == pytest.approx(
        [payload.cursor_lat[spot], payload.cursor_lon[spot]]), timeout=5000)

    at = view_point(plots, "speed", 1500.0)  # any plot: the cursor is shared
    send_mouse(viewport, QEvent.Type.MouseButtonPress, at, Qt.MouseButton.LeftButton)
    send_mouse(viewport, QEvent.Type.MouseButtonRelease, at, Qt.MouseButton.LeftButton)
    assert plots.pinned and plots.cursor_m == pytest.approx(1500.0, abs=15)
    send_mouse(viewport, QEvent.Type.MouseMove, view_point(plots, DELTA_KEY, 2500.0))
    assert plots.cursor_m == pytest.approx(1500.0, abs=15)  # pinned: hovering does not move it
    assert "📌" in plots.legend.text()
    qtbot.waitUntil(lambda: map_state(qtbot, window)["pinned"] is True, timeout=5000)

    send_mouse(viewport, QEvent.Type.MouseButtonPress, at, Qt.MouseButton.LeftButton)
    send_mouse(viewport, QEvent.Type.MouseButtonRelease, at, Qt.MouseButton.LeftButton)
    assert not plots.pinned
    send_mouse(viewport, QEvent.Type.MouseMove, view_point(plots, DELTA_KEY, 2500.0))
    assert plots.cursor_m == pytest.approx(2500.0, abs=15)


def test_hovering_the_map_moves_the_plot_cursor(qtbot, session_window):
    window, laps = session_window
    valid = [lap.uuid for lap in laps if lap.is_valid and lap.lap_time_ms]
    compare(qtbot, window, valid[:2])
    wait_map_drawn(qtbot, window)
    payload = window.compare_view.payload
    target = len(payload.cursor_distance_m) // 3
    window.analysis.map.caller.bridge.hovered(float(payload.cursor_lat[target]), float(payload.cursor_lon[target]))
    plots = window.compare_view.plots
    assert plots.cursor_m == pytest.approx(float(payload.cursor_distance_m[target]), abs=2)
    box: dict = {}
    window.analysis.map.caller.call("(function (lat, lon) { var p = rt.map.latLngToContainerPoint([lat, lon]); "
                                    "return [p.x, p.y]; })", float(payload.cursor_lat[target // 2]),
                                    float(payload.cursor_lon[target // 2]), callback=lambda xy: box.update(xy=xy))
    qtbot.waitUntil(lambda: "xy" in box, timeout=5000)
    x, y = box["xy"]
    proxy = window.analysis.map.focusProxy()
    QTest.mouseMove(proxy, QPoint(round(x), round(y)))
    qtbot.waitUntil(lambda: abs(plots.cursor_m - float(payload.cursor_distance_m[target // 2])) < 30, timeout=5000)


def test_zoom_to_a_sector_zooms_the_map_too(qtbot, session_window):
    window, laps = session_window
    valid = [lap.uuid for lap in laps if lap.is_valid and lap.lap_time_ms]
    display = compare(qtbot, window, valid[:2])
    wait_map_drawn(qtbot, window)
    whole = map_state(qtbot, window)
    assert whole["outlineOnScreen"] == len(window.compare_view.payload.track.outline)
    assert whole["legendOverTrack"] == 0 and whole["scaleOverTrack"] == 0
    window.zoom_to_sector(2)
    bounds = display.result.sector_boundaries_m
    lo, hi = window.compare_view.plots.x_range_m()
    assert lo == pytest.approx(bounds[0], abs=40) and hi == pytest.approx(bounds[1], abs=40)
    qtbot.waitUntil(lambda: map_state(qtbot, window)["zoom"] > whole["zoom"], timeout=5000)
    zoomed = map_state(qtbot, window)
    south, west, north, east = zoomed["view"]
    for lat, lon in window.compare_view.payload.points_between(bounds[0], bounds[1]):
        assert south <= lat <= north and west <= lon <= east  # the whole sector is on the map
    assert zoomed["outlineOnScreen"] < whole["outlineOnScreen"]
    window.compare_view.plots.reset_zoom()  # Alt+0: the whole lap again
    qtbot.waitUntil(lambda: map_state(qtbot, window)["zoom"] == pytest.approx(whole["zoom"]), timeout=5000)


def test_corner_report_click_zooms_plots_and_map_and_sets_the_cursor_at_the_apex(qtbot, session_window):
    window, laps = session_window
    valid = [lap.uuid for lap in laps if lap.is_valid and lap.lap_time_ms]
    display = compare(qtbot, window, valid[:2])
    view = window.compare_view
    other = next(lap.uuid for lap in display.laps if lap.uuid != display.reference)
    length = float(display.result.distance_m[-1])
    corners = hand_built_corners([str(display.reference), str(other)], length)
    view.show_compare(display, window.context.units, other, CompareExtras(view.extras.flags, [], corners))
    wait_map_drawn(qtbot, window)
    qtbot.waitUntil(lambda: map_state(qtbot, window)["corners"] == 3, timeout=5000)
    report = view.corner_report
    assert [report.item(r, 0).text() for r in range(report.rowCount())] == ["T2", "T3 Esses", "T1 Hairpin"]
    assert report.item(0, 1).text() == "+0.300" and report.item(0, 5).text() == "8 m earlier"
    assert "brake 8 m later into T2" in report.item(0, 6).text()
    top_ticks = view.plots.plots[DELTA_KEY].getAxis("top")._tickLevels[0]
    assert [label for _, label in top_ticks] == ["T1", "T2", "T3"]
    before = map_state(qtbot, window)["zoom"]

    view.tables.setCurrentWidget(report)
    report.setFocus()
    rect = report.visualItemRect(report.item(1, 0))
    QTest.mouseClick(report.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())
    t3 = corners[2]
    lo, hi = view.plots.x_range_m()
    assert lo <= t3.start_m and hi >= t3.end_m and hi - lo < 3 * (t3.end_m - t3.start_m)
    assert view.plots.cursor_m == pytest.approx(t3.apex_m) and view.plots.pinned
    qtbot.waitUntil(lambda: map_state(qtbot, window)["zoom"] > before, timeout=5000)

    QTest.keyClick(report, Qt.Key.Key_Comma)  # previous corner along the track: T2
    assert view.plots.cursor_m == pytest.approx(corners[1].apex_m)
    QTest.keyClick(report, Qt.Key.Key_Period)
    QTest.keyClick(report, Qt.Key.Key_Period)  # T3, then round to T1
    assert view.plots.cursor_m == pytest.approx(corners[0].apex_m)
