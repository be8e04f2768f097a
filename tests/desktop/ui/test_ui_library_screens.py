"""The library, lap table and track lines as the screen shows them: 1920x1080 and 1366x768, light and dark.

Pictures go to .artifacts/screens/; each run also checks what a driver would notice on them (the flagged best
lap readable, the lap table without a scroll bar at 1920x1080, the start/finish drawn on the map, the plots not
covered, the picture not blank).
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from ui_helpers import import_by_drop, wait_map_drawn

from racetrace_desktop.ui.library_panel import COLUMNS

SCREENS = [(1920, 1080), (1366, 768)]


@pytest.fixture
def screens_dir(screenshot_dir):
    folder = screenshot_dir.parent / "screens"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def dark_palette() -> QPalette:
    dark = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"), (QPalette.ColorRole.Base, "#1e1e1e"),
                         (QPalette.ColorRole.AlternateBase, "#262626"), (QPalette.ColorRole.Text, "#e0e0e0"),
                         (QPalette.ColorRole.WindowText, "#e0e0e0"), (QPalette.ColorRole.Button, "#3a3a3a"),
                         (QPalette.ColorRole.ButtonText, "#e0e0e0"), (QPalette.ColorRole.Highlight, "#3d6fb4")):
        dark.setColor(role, QColor(colour))
    return dark


def gate_paths(qtbot, window) -> int:
    box: list[int] = []
    window.line_picker.drawn_count(box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=5000)
    return box[0]


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_library_and_lap_table_screens(qtbot, window, trackaddict_samples, screens_dir, theme, width, height):
    app = QApplication.instance()
    previous = app.palette()
    if theme == "dark":
        app.setPalette(dark_palette())
    try:
        window.resize(width, height)
        window.fit_layout()
        import_by_drop(qtbot, window, [trackaddict_samples / n for n in ("sample_02.csv", "sample_04.csv",
                                                                         "sample_01.csv")])
        spreewald = next(s for s in window.library_panel.session_uuids
                         if window.library_panel.summary(s).source_name == "sample_01.csv")
        with qtbot.waitSignal(window.lap_loaded, timeout=20_000):
            window.library_panel.select_session(spreewald)
        wait_map_drawn(qtbot, window)
        qtbot.waitUntil(lambda: gate_paths(qtbot, window) == 2, timeout=10_000)  # start/finish on the map
        qtbot.wait(500)
        picture = window.grab()
        path = screens_dir / f"library_{width}x{height}_{theme}.png"
        assert picture.save(str(path))

        image = picture.toImage()
        colours = {image.pixelColor(x, y).rgb() for x in range(0, image.width(), 37) for y in
                   range(0, image.height(), 29)}
        assert len(colours) > 20  # a drawn window, not a blank one
        tree = window.library_panel.view
        row = window.library_panel._rows[spreewald]
        best = row.parent().child(row.row(), COLUMNS.index("Best lap"))
        assert best.text() == "1:47.089 fastest (flagged)"
        rect = tree.visualRect(best.index())
        assert tree.viewport().rect().contains(rect)  # the flagged best lap is on screen, not scrolled away
        table = window.session_panel.table
        assert tree.header().length() <= tree.viewport().width(), "the library columns fit, at 1366x768 too"
        car = tree.visualRect(row.parent().child(row.row(), COLUMNS.index("Car")).index())
        assert tree.viewport().rect().contains(car), "the Car column is in view"
        if (width, height) == (1920, 1080):
            assert table.verticalScrollBar().maximum() == 0  # all six laps without scrolling
        plots = window.lap_view.plots
        assert plots.isVisible() and plots.height() > 240
        assert len(plots.plots) == 4 and plots.scroll_area.verticalScrollBar().maximum() == 0, "four channels fit"
        dark_base = plots.layout_widget.backgroundBrush().color().lightness() < 80
        assert dark_base == (theme == "dark")
    finally:
        app.setPalette(previous)
