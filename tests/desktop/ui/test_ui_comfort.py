"""Comfort features: display units, shortcuts, remembered layout, lap validity, records, first-run demo offer."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from test_ui_library import answer_next_dialog
from ui_helpers import import_by_drop, make_window, open_first_session, wait_map_drawn

from racetrace_desktop.services import library_service
from racetrace_desktop.ui.units import IMPERIAL


@pytest.fixture
def sample_window(qtbot, window, trackaddict_samples):
    import_by_drop(qtbot, window, [trackaddict_samples / "sample_01.csv"])
    open_first_session(qtbot, window)
    return window


def test_imperial_units_change_the_plots(qtbot, sample_window):
    window = sample_window
    assert window.lap_view.plots.plots["speed"].getAxis("left").labelText in ("Speed (km/h)", "km/h")  # short: unit
    window.context.settings.units = IMPERIAL
    window.apply_units()
    assert window.lap_view.plots.plots["speed"].getAxis("left").labelText in ("Speed (mph)", "mph")
    assert window.lap_view.plots.plots["altitude"].getAxis("bottom").labelText == "Distance (ft)"
    assert all(r.unit == "mph" for r in window.lap_view.plots.readings() if r.channel == "speed")


def test_keyboard_steps_laps_and_zooms_to_a_sector(qtbot, sample_window):
    window = sample_window
    first = window.session_panel.selected_laps()[0]
    window.activateWindow()
    with qtbot.waitSignal(window.lap_loaded, timeout=10_000):
        QTest.keyClick(window, Qt.Key.Key_BracketRight)
    assert window.session_panel.selected_laps()[0] != first
    boundaries = list(window.session_view.detail.sector_boundaries_m)
    QTest.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    lo, hi = window.lap_view.plots.x_range_m()
    width = boundaries[1] - boundaries[0]
    assert lo == pytest.approx(boundaries[0], abs=0.05 * width) and hi == pytest.approx(boundaries[1], abs=0.05 * width)


def test_window_size_and_splitters_are_remembered(qtbot, tmp_path):
    first = make_window(qtbot, tmp_path)
    first.resize(760, 590)  # inside the offscreen screen: restoreGeometry keeps windows on the screen
    first.main_split.setSizes([250, 500])
    first.close()
    second = make_window(qtbot, tmp_path, size=None)
    assert (second.width(), second.height()) == (760, 590)
    assert second.main_split.sizes()[0] == pytest.approx(250, abs=2)


def test_marking_a_lap_invalid_and_valid_again(qtbot, sample_window, library):
    window = sample_window
    lap = window.session_panel.model.laps[2]
    with qtbot.waitSignal(window.session_loaded, timeout=10_000):
        window.records.set_validity(lap.uuid, False, "off track")
    row = window.session_panel.model.row_of(lap.uuid)
    shown = window.session_panel.model.laps[row]
    assert (shown.is_valid, shown.invalid_reason) == (False, "off track")
    valid_column = window.session_panel.model.columns.index("Valid")
    answer_next_dialog("drive-through, no stop")  # the analysis flags it (pit): counting it needs a reason
    with qtbot.waitSignal(window.session_loaded, timeout=10_000):
        window.session_panel.model.setData(window.session_panel.model.index(row, valid_column), Qt.CheckState.Checked,
                                           Qt.ItemDataRole.CheckStateRole)
    # Ticking a lap the analysis finds valid removes the override; a lap it flags gets an explicit 'valid'.
    expected = None if shown.computed_valid else True
    assert library_service.session_laps(library, window.current_session)[row].valid_override is expected


def test_cars_are_created_assigned_and_shown_in_the_library(qtbot, sample_window, library):
    window = sample_window
    window.records.open_cars()
    dialog = window.records.dialogs[-1]
    qtbot.waitUntil(lambda: dialog.current is None, timeout=5000)  # empty list: a new car form
    dialog.make.setText("Mazda")
    dialog.model.setText("MX-5")
    dialog.year.setValue(2019)
    with qtbot.waitSignal(dialog.list.model().rowsInserted, timeout=10_000):
        dialog._save()
    car = library_service.list_cars(library)[0]
    assert (car.make, car.model, car.year) == ("Mazda", "MX-5", 2019)
    with qtbot.waitSignal(window.library_refreshed, timeout=10_000):
        window.records._write("assign car", lambda lib: library_service.update_session(
            lib, window.current_session, car_uuid=car.uuid))
    qtbot.waitUntil(lambda: "2019 Mazda MX-5" in window.session_panel.header.text(), timeout=10_000)
    row = window.library_panel._rows[window.current_session]
    assert row.parent().child(row.row(), 3).text() == "2019 Mazda MX-5"


def test_an_empty_library_offers_demo_data(qtbot, tmp_path, library):
    window = make_window(qtbot, tmp_path, demo_offered=False)
    window.set_library(library)
    qtbot.waitUntil(lambda: any(isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets()),
                    timeout=10_000)
    box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
    demo_button = next(b for b in box.buttons() if b.text() == "Open demo data")
    with qtbot.waitSignal(window.library_refreshed, timeout=60_000):
        demo_button.click()
    qtbot.waitUntil(lambda: window.library_panel.session_count >= 2, timeout=30_000)
    assert window.context.settings.demo_offered


def test_dark_theme_screenshot(qtbot, sample_window, screenshot_dir):
    window = sample_window
    app = QApplication.instance()
    previous = app.palette()
    dark = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"), (QPalette.ColorRole.Base, "#1e1e1e"),
                         (QPalette.ColorRole.Text, "#e0e0e0"), (QPalette.ColorRole.WindowText, "#e0e0e0"),
                         (QPalette.ColorRole.Button, "#3a3a3a"), (QPalette.ColorRole.ButtonText, "#e0e0e0")):
        dark.setColor(role, QColor(colour))
    app.setPalette(dark)
    try:
        wait_map_drawn(qtbot, window)
        qtbot.wait(400)
        assert window.lap_view.plots.layout_widget.backgroundBrush().color().lightness() < 80
        window.grab().save(str(screenshot_dir / "window_lap_dark.png"))
    finally:
        app.setPalette(previous)


def test_deleting_a_session_after_confirmation(qtbot, sample_window, library, monkeypatch):
    window = sample_window
    session = window.current_session
    asked: list[str] = []

    def confirm(_parent, title, text, *_args):  # the user answers the confirmation with Yes
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", confirm)
    window.library_panel.select_session(session)
    with qtbot.waitSignal(window.library_refreshed, timeout=10_000):
        window.records.delete_sessions()
    assert asked and "sample_01.csv" in asked[0]
    assert window.library_panel.session_count == 0
    assert library_service.list_sessions(library) == []
    qtbot.waitUntil(lambda: window.current_session is None, timeout=5000)
    assert window.session_panel.model.laps == []
    assert window.lap_view.loaded is None and window.lap_view.plots.curves == {}
