"""Start-up: first run maximised, later runs restore the layout and the last session and lap (map drawn), the
welcome only for an empty library without command-line files, and the event loop ends with the window."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from ui_helpers import import_by_drop, make_window, wait_map_drawn

from racetrace_desktop.ui.app import import_when_open, run_until_closed, show_window
from racetrace_desktop.ui.settings import DEFAULT_CHANNELS, AppSettings


def visible_message_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def map_zoom(qtbot, window) -> float:
    box: dict = {}
    window.analysis.map.page().runJavaScript("rt.map.getZoom()", 0, lambda z: box.update(zoom=z))
    qtbot.waitUntil(lambda: "zoom" in box, timeout=5000)
    return float(box["zoom"])


def test_the_first_run_opens_maximised_and_a_later_run_as_it_was_left(qtbot, tmp_path):
    first = make_window(qtbot, tmp_path, size=None)
    first.hide()
    assert first.first_run
    show_window(first)  # the offscreen screen (800x600) is no bigger than 1920x1080
    qtbot.waitUntil(first.isMaximized, timeout=5000)
    first.showNormal()
    first.resize(700, 500)
    first.close()

    second = make_window(qtbot, tmp_path, size=None)
    second.hide()
    show_window(second)

    assert not second.first_run and not second.isMaximized()
    assert (second.width(), second.height()) == (700, 500)


def test_a_later_run_reopens_the_last_session_and_lap_with_the_map_drawn(qtbot, tmp_path, library,
                                                                         trackaddict_samples):
    first = make_window(qtbot, tmp_path / "one")
    with qtbot.waitSignal(first.library_refreshed, timeout=10_000):
        first.set_library(library)
    import_by_drop(qtbot, first, [trackaddict_samples / "sample_01.csv", trackaddict_samples / "sample_02.csv"])
    goodwood = next(s for s in first.library_panel.session_uuids
                    if first.library_panel.summary(s).source_name == "sample_02.csv")
    with qtbot.waitSignal(first.session_loaded, timeout=10_000):
        first.library_panel.select_session(goodwood)
    out_lap = first.session_panel.model.laps[0].uuid  # not the lap a fresh open would pick (the best)
    with qtbot.waitSignal(first.lap_loaded, timeout=10_000):
        first.session_panel.select_lap(out_lap)
    first.close()
    (tmp_path / "two").mkdir()
    (tmp_path / "two" / "settings.ini").write_bytes((tmp_path / "one" / "settings.ini").read_bytes())

    second = make_window(qtbot, tmp_path / "two")
    with qtbot.waitSignal(second.lap_loaded, timeout=20_000) as loaded:
        second.set_library(library)

    assert loaded.args == [out_lap] and second.current_session == goodwood
    assert second.session_panel.selected_laps() == [out_lap]
    assert second.lap_view.plots.traces  # plots filled
    assert wait_map_drawn(qtbot, second)["svgPaths"] > 0
    assert map_zoom(qtbot, second) >= 12  # fitted to the track, not the grey world


def test_at_1920x1080_the_lap_table_and_four_plots_fit_without_scrolling(qtbot, window, trackaddict_samples):
    window.resize(1920, 1080)
    four = ["speed", "gps_long_g", "gps_lat_g", "altitude"]  # sample_01 has no OBD channels
    assert set(four) <= set(DEFAULT_CHANNELS)
    window.context.settings.channels = four
    window.lap_view.channel_button.chosen = four
    window.fit_layout()
    import_by_drop(qtbot, window, [trackaddict_samples / "sample_01.csv"])
    qtbot.waitUntil(lambda: window.lap_view.plots.traces != [], timeout=20_000)
    qtbot.wait(100)

    table = window.session_panel.table
    rows_fitting = table.viewport().height() // table.verticalHeader().defaultSectionSize()
    assert table.verticalScrollBar().maximum() == 0  # sample_01's 6 laps
    assert rows_fitting >= 15  # and a longer session of 15 laps would fit as well
    plots = window.lap_view.plots
    assert len(plots.plots) == 4 and plots.scroll_area.verticalScrollBar().maximum() == 0
    header = window.library_panel.view.header()
    assert header.length() <= window.library_panel.view.viewport().width()  # library columns fit


def test_no_welcome_when_files_come_from_the_command_line(qtbot, tmp_path, library, trackaddict_samples):
    window = make_window(qtbot, tmp_path, demo_offered=False)
    import_when_open(window, [trackaddict_samples / "sample_04.csv"])
    with qtbot.waitSignal(window.importer.finished, timeout=30_000):
        window.set_library(library)
    qtbot.waitUntil(lambda: window.library_panel.session_count == 1, timeout=10_000)
    qtbot.wait(200)

    assert visible_message_boxes() == []
    assert not window.context.settings.demo_offered  # still offered on a later empty start


def test_the_welcome_sits_on_the_window_and_does_not_keep_the_application_running(qtbot, tmp_path, library,
                                                                                     screenshot_dir):
    window = make_window(qtbot, tmp_path, demo_offered=False)
    window.set_library(library)
    qtbot.waitUntil(lambda: bool(visible_message_boxes()), timeout=10_000)
    [welcome] = visible_message_boxes()
    assert welcome.parent() is window and welcome.isModal()  # window-modal: it cannot fall behind the window
    qtbot.wait(200)
    screens = screenshot_dir.parent / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    shot = window.screen().grabWindow(0)  # the whole (offscreen) screen: the box in front of the window
    assert shot.save(str(screens / "welcome_on_window.png"))
    assert window.frameGeometry().contains(welcome.frameGeometry().center())
    app = QApplication.instance()
    QTimer.singleShot(100, window.close)

    code = run_until_closed(app, window)  # returns only when the loop ends: a leftover window would hang here

    assert code == 0
    assert not welcome.isVisible()
    app.setQuitOnLastWindowClosed(True)


def test_the_last_session_is_remembered_per_library(tmp_path):
    settings = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    session, lap = uuid.uuid4(), uuid.uuid4()
    settings.remember_opened("/a/library.sqlite", session, lap)

    assert settings.last_opened("/a/library.sqlite") == (session, lap)
    assert settings.last_opened("/b/library.sqlite") == (None, None)  # another library: nothing to reopen


def test_a_settings_file_with_a_garbled_version_still_opens(tmp_path):
    (tmp_path / "s.ini").write_text("[General]\nschema_version=two\ndisplay\\units=imperial\n")

    settings = AppSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))

    assert settings.units == "imperial"  # what was stored is kept
    assert settings.store.value("schema_version") in (1, "1")


def test_a_deleted_last_session_opens_the_newest_without_an_error(qtbot, tmp_path, library, trackaddict_samples):
    from racetrace_desktop.services import library_service

    first = make_window(qtbot, tmp_path / "one")
    with qtbot.waitSignal(first.library_refreshed, timeout=10_000):
        first.set_library(library)
    import_by_drop(qtbot, first, [trackaddict_samples / "sample_01.csv", trackaddict_samples / "sample_02.csv"])
    qtbot.waitUntil(lambda: first.current_session is not None and bool(first.lap_view.plots.traces), timeout=20_000)
    gone = first.current_session
    first.close()
    library_service.delete_session(library, gone)
    (tmp_path / "two").mkdir()
    (tmp_path / "two" / "settings.ini").write_bytes((tmp_path / "one" / "settings.ini").read_bytes())

    second = make_window(qtbot, tmp_path / "two")
    problems: list = []
    second.context.errors.problem.connect(lambda *args: problems.append(args))
    with qtbot.waitSignal(second.lap_loaded, timeout=20_000):
        second.set_library(library)

    [remaining] = library_service.list_sessions(library)
    assert second.current_session == remaining.uuid != gone
    assert problems == []
