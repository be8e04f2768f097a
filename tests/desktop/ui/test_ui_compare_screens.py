"""Screenshots of the compare view and its map at 1920x1080 and 1366x768, light and dark, saved under
.artifacts/screens/, on the real corner analysis of a generated ten-lap session. Each asserts what a driver must be
able to see in it: the delta plot as the main plot, the corner report with its costliest corner and readable
figures, corner numbers on the delta plot and the map, the legend clear of the plots, the map legend and scale
clear of the track, the theme followed."""

from __future__ import annotations

import pytest
from compare_helpers import compare, dark_palette, import_synthetic
from PySide6.QtGui import QColor
from ui_helpers import make_window, map_state, wait_map_drawn

from racetrace_desktop.ui.plots.traces import DELTA_KEY


@pytest.fixture(scope="module")
def screens_dir():
    from conftest import REPO_ROOT

    folder = REPO_ROOT / ".artifacts" / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def big_window(qtbot, tmp_path, library, size):
    window = make_window(qtbot, tmp_path, size=size)
    window.context.settings.channels = ["speed", "throttle", "rpm"]
    for view in (window.lap_view, window.compare_view):
        view.channel_button.chosen = ["speed", "throttle", "rpm"]
    with qtbot.waitSignal(window.library_refreshed, timeout=10_000):
        window.set_library(library)
    return window


def delta_plot_in_view(plots) -> bool:
    """The delta plot's data area is inside the visible part of the (scrollable) plot area."""
    view = plots.layout_widget
    area = view.mapFromScene(plots.plots[DELTA_KEY].vb.sceneBoundingRect()).boundingRect()
    viewport = plots.scroll_area.viewport()
    top_left = view.viewport().mapTo(viewport, area.topLeft())
    bottom_right = view.viewport().mapTo(viewport, area.bottomRight())
    visible = viewport.rect().adjusted(-1, -1, 1, 1)
    return visible.contains(top_left) and visible.contains(bottom_right)


def show_corner_report(window, display) -> int:
    """The real corner analysis of the compare: the Corners tab in front, the worst corner of the focused lap
    first. Returns the number of corners."""
    view = window.compare_view
    assert display.stored is not None and display.stored.corners, "the generated track has corners"
    view.tables.setCurrentWidget(view.corner_report)
    return len(display.stored.corners)


def check_and_save(qtbot, window, path, corners: int) -> tuple[dict, QColor]:
    window.log_dock.hide()  # the import log opened with the import; the driver closes it to read the compare
    wait_map_drawn(qtbot, window)
    qtbot.waitUntil(lambda: map_state(qtbot, window)["corners"] == corners, timeout=5000)
    qtbot.wait(500)  # offscreen compositing of the map
    image = window.grab().toImage()
    assert image.save(str(path))
    plots = window.compare_view.plots
    heights = {key: plot.vb.sceneBoundingRect().height() for key, plot in plots.plots.items()}
    assert heights[DELTA_KEY] >= sum(heights.values()) / 3
    assert heights[DELTA_KEY] >= min_delta_px(window), "the delta plot must be readable"
    assert delta_plot_in_view(plots), "the delta plot is on screen without scrolling"
    for key, plot in plots.plots.items():  # a vertical axis label never runs into the next plot's
        label = plot.getAxis("left").label
        assert label.boundingRect().width() <= plot.sceneBoundingRect().height(), key
    assert plots.legend.isVisible() and not plots.legend.geometry().intersects(plots.scroll_area.geometry())
    assert plots.legend.height() < 80, "ten laps' legend fits in a few lines"
    report = window.compare_view.corner_report
    assert report.isVisible() and report.rowCount() == corners
    first = report.visualItemRect(report.item(0, 0))
    assert report.viewport().rect().contains(first), "the costliest corner is on screen"
    for col in range(1, 6):  # every figure column is wide enough for its text (no elided numbers)
        text = report.item(0, col).text()
        assert report.columnWidth(col) >= report.fontMetrics().horizontalAdvance(text), (col, text)
    ticks = plots.plots[DELTA_KEY].getAxis("top")._tickLevels[0]
    assert len(ticks) == corners, "corner numbers along the delta plot"
    state = map_state(qtbot, window)
    assert state["outline"] == 1 and state["gates"] == 3 and state["arrow"] == 1
    assert state["legendOverTrack"] == 0 and state["scaleOverTrack"] == 0
    return state, map_ground(image, window)


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)], ids=["1920x1080", "1366x768"])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_compare_screen(qtbot, tmp_path, library, screens_dir, size, theme):
    window = big_window(qtbot, tmp_path, library, size)
    laps = import_synthetic(qtbot, window, tmp_path / "files", laps=10)  # ten laps: the bench case
    valid = [lap.uuid for lap in laps if lap.is_valid and lap.lap_time_ms]
    if theme == "dark":
        with dark_palette():
            display = compare(qtbot, window, valid)
            corners = show_corner_report(window, display)
            state, ground = check_and_save(qtbot, window, screens_dir / f"compare_{size[0]}x{size[1]}_dark.png",
                                           corners)
            assert state["dark"]
            assert window.compare_view.plots.layout_widget.backgroundBrush().color().lightness() < 80
            assert _lightness(state["background"]) < 80 and ground.lightness() < 80  # page and picture
    else:
        display = compare(qtbot, window, valid)
        corners = show_corner_report(window, display)
        state, ground = check_and_save(qtbot, window, screens_dir / f"compare_{size[0]}x{size[1]}_light.png",
                                       corners)
        assert not state["dark"] and _lightness(state["background"]) > 150 and ground.lightness() > 150


def _lightness(css_rgb: str) -> int:
    r, g, b = (int(v) for v in css_rgb[css_rgb.index("(") + 1:css_rgb.index(")")].split(",")[:3])
    return QColor(r, g, b).lightness()


def min_delta_px(window) -> int:
    """A readable delta plot: 130 px on a 768 px screen, 180 px on a 1080 px one."""
    return 130 if window.height() < 900 else 180


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)], ids=["1920x1080", "1366x768"])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_lap_screen(qtbot, tmp_path, library, screens_dir, size, theme):
    """The lap view's map shows the same track marks (outline, S/F and sector lines, direction) clear of the
    legend and the scale, in both themes."""
    window = big_window(qtbot, tmp_path, library, size)
    import_synthetic(qtbot, window, tmp_path / "files", laps=3)
    window.log_dock.hide()

    def check() -> tuple[dict, QColor]:
        wait_map_drawn(qtbot, window)
        qtbot.waitUntil(lambda: map_state(qtbot, window)["outline"] == 1, timeout=5000)
        qtbot.wait(500)
        image = window.grab().toImage()
        assert image.save(str(screens_dir / f"lap_{size[0]}x{size[1]}_{theme}.png"))
        plots = window.lap_view.plots
        assert plots.legend.isVisible() and not plots.legend.geometry().intersects(plots.scroll_area.geometry())
        assert plots.scroll_area.verticalScrollBar().maximum() == 0 or size[1] < 900  # three channels fit at 1080
        state = map_state(qtbot, window)
        assert state["gates"] == 3 and state["arrow"] == 1 and state["legend"]
        assert state["legendOverTrack"] == 0 and state["scaleOverTrack"] == 0
        return state, map_ground(image, window)

    if theme == "dark":
        wait_map_drawn(qtbot, window)
        with dark_palette():  # the system theme switches while the window is open
            qtbot.waitUntil(lambda: map_state(qtbot, window).get("dark") is True, timeout=5000)
            state, ground = check()
            assert _lightness(state["background"]) < 80 and ground.lightness() < 80
    else:
        state, ground = check()
        assert _lightness(state["background"]) > 150 and ground.lightness() > 150


def map_ground(image, window) -> QColor:
    """The colour most of the map area shows in the picture (its ground: the track covers far less of it)."""
    widget = window.analysis.map
    origin = widget.mapTo(window, widget.rect().topLeft())
    ratio = image.width() / window.width()
    samples = sorted((QColor(image.pixel(int((origin.x() + widget.width() * i / 16) * ratio),
                                         int((origin.y() + widget.height() * j / 16) * ratio))).lightness(), i, j)
                     for i in range(1, 16) for j in range(1, 16))
    _, i, j = samples[len(samples) // 2]
    return QColor(image.pixel(int((origin.x() + widget.width() * i / 16) * ratio),
                              int((origin.y() + widget.height() * j / 16) * ratio)))
