"""The main window on a real library: import by drop, bad files, lap view, compare, shared cursor, re-lap."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from ui_helpers import S1_LAPS_MS, drop_files, import_by_drop, map_state, open_first_session, wait_map_drawn

from racetrace_desktop.services import library_service
from racetrace_desktop.ui.plots.traces import DELTA_KEY


def test_dropping_real_sample_files_adds_sessions(qtbot, window, library, trackaddict_samples):
    files = [trackaddict_samples / "sample_01.csv", trackaddict_samples / "sample_02.csv"]
    report = import_by_drop(qtbot, window, files)
    assert len(report.imported) == 2
    assert window.library_panel.session_count == 2
    assert len(library_service.list_sessions(library)) == 2
    log = window.import_log.texts()
    assert any(text.startswith("✓ sample_01.csv: 6 laps") for text in log), log
    assert any(text.startswith("✓ sample_02.csv") for text in log), log

    again = import_by_drop(qtbot, window, [trackaddict_samples / "sample_01.csv"], adds_sessions=False)
    assert len(again.duplicates) == 1
    assert window.library_panel.session_count == 2
    assert window.import_log.texts()[0].startswith("= sample_01.csv: already in the library")


def test_a_bad_file_shows_an_error_and_changes_nothing(qtbot, window, library, tmp_path):
    bad = tmp_path / "broken.csv"
    bad.write_bytes(b"# RaceRender Data: TrackAddict 4.8.0 on iOS\n\"Time\",\"Lap\"\n0.0,0\n0.1,zero\n")
    unsupported = tmp_path / "harrys.csv"
    unsupported.write_bytes(b"Harry's GPS LapTimer\nLap,Time\n1,1:33.26\n")
    with qtbot.waitSignal(window.importer.finished, timeout=30_000) as finished:
        assert drop_files(window, [bad, unsupported])
    report = finished.args[0]
    assert len(report.failed) == 2
    shown = window.import_log.texts()
    assert any(t.startswith("✗ broken.csv") and "line" in t for t in shown), shown
    assert any(t.startswith("✗ harrys.csv") and "Harry's LapTimer" in t for t in shown), shown
    assert window.status_text.text() == "Import: 0 added, 2 failed: see Imports"  # the batch in one line
    assert window.log_dock.isVisible()
    assert library_service.list_sessions(library) == []
    assert library_service.list_tracks(library) == []  # not even a track was created
    assert window.library_panel.session_count == 0


def test_selecting_a_lap_fills_the_plots_with_all_its_samples(qtbot, window, library, trackaddict_samples):
    import_by_drop(qtbot, window, [trackaddict_samples / "sample_01.csv"])
    open_first_session(qtbot, window)
    laps = window.session_panel.model.laps
    assert [lap.lap_time_ms for lap in laps[:5]] == S1_LAPS_MS
    third = laps[3]
    with qtbot.waitSignal(window.lap_loaded, timeout=20_000):
        window.session_panel.select_lap(third.uuid)
    stored = library_service.load_lap(library, third.uuid)
    x, y = window.lap_view.plots.curves[("speed", str(third.uuid))].getOriginalDataset()
    assert len(x) == len(y) == stored.data.row_count > 1000
    assert np.allclose(y, stored.data.channels["speed"] * 3.6, equal_nan=True)  # km/h on screen
    assert window.lap_view.plots.plots["speed"].getAxis("left").labelText in ("Speed (km/h)", "km/h")  # short: unit


def test_compare_delta_ends_at_the_lap_time_difference(qtbot, window, trackaddict_samples, screenshot_dir):
    import_by_drop(qtbot, window, [trackaddict_samples / "sample_01.csv"])
    open_first_session(qtbot, window)
    laps = {lap.lap_time_ms: lap.uuid for lap in window.session_panel.model.laps}
    with qtbot.waitSignal(window.compare.computed, timeout=30_000) as computed:
        window.compare_laps([laps[116145], laps[107089]])
    display = computed.args[0]
    assert display.reference == laps[107089]  # the fastest valid lap by default
    assert display.finish_delta_s(laps[116145]) == pytest.approx((116145 - 107089) / 1000, abs=1e-9)
    _, shown_delta = window.compare_view.plots.curves[(DELTA_KEY, str(laps[116145]))].getOriginalDataset()
    assert shown_delta[-1] == pytest.approx(9.056, abs=1e-9)
    assert window.analysis.tabs.currentWidget() is window.compare_view
    theoretical = window.compare_view.sectors.item(window.compare_view.sectors.rowCount() - 1, 0)
    assert theoretical is not None and theoretical.text() != "–"

    with qtbot.waitSignal(window.compare.computed, timeout=30_000) as swapped:
        window.compare.swap_reference()
    assert swapped.args[0].reference == laps[116145]
    assert swapped.args[0].finish_delta_s(laps[107089]) == pytest.approx(-9.056, abs=1e-9)
    wait_map_drawn(qtbot, window)
    qtbot.wait(400)
    window.grab().save(str(screenshot_dir / "window_compare_sample01.png"))


def test_cursor_moves_from_plots_to_map_and_back(qtbot, window, trackaddict_samples, screenshot_dir):
    import_by_drop(qtbot, window, [trackaddict_samples / "sample_01.csv"])
    open_first_session(qtbot, window)
    payload = window.lap_view.payload
    wait_map_drawn(qtbot, window)

    # Plots -> map: what dragging the cursor line does.
    target_m = float(payload.cursor_distance_m[len(payload.cursor_distance_m) // 3])
    window.lap_view.plots._cursor_lines["speed"].setValue(target_m)
    index = payload.index_at(target_m)
    expected = [payload.cursor_lat[index], payload.cursor_lon[index]]
    qtbot.waitUntil(lambda: map_state(qtbot, window)["cursor"] == pytest.approx(expected), timeout=10_000)

    # Map -> plots: a real click on the pixel of a point two thirds along the lap.
    far = 2 * len(payload.cursor_lat) // 3
    box: dict = {}
    view = window.analysis.map
    view.caller.call("(function (a, b) { var p = rt.map.latLngToContainerPoint([a, b]); return [p.x, p.y]; })",
                     float(payload.cursor_lat[far]), float(payload.cursor_lon[far]), callback=lambda r: box.update(p=r))
    qtbot.waitUntil(lambda: "p" in box, timeout=10_000)
    with qtbot.waitSignal(view.point_clicked, timeout=10_000) as clicked:
        QTest.mouseClick(view.focusProxy(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(round(box["p"][0]), round(box["p"][1])))
    clicked_m = payload.distance_at(clicked.args[0])
    assert window.lap_view.plots.cursor_m == pytest.approx(clicked_m)
    assert abs(clicked_m - float(payload.cursor_distance_m[far])) < 40  # a pixel is a few metres; GPS held at 1 Hz
    qtbot.wait(400)
    window.grab().save(str(screenshot_dir / "window_lap_sample01.png"))


def test_editing_a_track_relaps_its_sessions(qtbot, window, library, trackaddict_samples):
    import_by_drop(qtbot, window, [trackaddict_samples / "sample_01.csv"])
    open_first_session(qtbot, window)
    assert window.session_panel.model.columns.count("S1") == 1
    before = len([c for c in window.session_panel.model.columns if c.startswith("S") and c[1:].isdigit()])
    dialog = window.records.open_tracks()
    qtbot.waitUntil(lambda: dialog.current is not None, timeout=10_000)
    assert dialog.save.isEnabled()
    dialog.sectors.setValue(before + 2)
    with qtbot.waitSignal(dialog.changed, timeout=60_000), qtbot.waitSignal(window.session_loaded, timeout=60_000):
        dialog.save.click()
    sectors = [c for c in window.session_panel.model.columns if c.startswith("S") and c[1:].isdigit()]
    assert len(sectors) == before + 2
    laps = library_service.session_laps(library, window.current_session)
    assert [lap.lap_time_ms for lap in laps[:5]] == S1_LAPS_MS  # stated times survive a re-lap
    timed = [lap for lap in laps if lap.lap_time_ms and not lap.is_outlap and not lap.is_inlap]
    assert all(len(lap.sector_times_ms) == before + 2 for lap in timed)
    assert "re-lapped" in dialog.status.text()


@pytest.mark.parametrize("mode", ["thread", "process"])
def test_import_on_a_thread_or_in_a_separate_process_gives_the_same_result(qtbot, window, library,
                                                                          trackaddict_samples, mode):
    if mode == "thread":
        window.importer.use_process = False  # frozen builds, or when no process can be started
    else:
        window.importer.process_above_bytes = 0  # a big batch: parsed in a spawned process
    report = import_by_drop(qtbot, window, [trackaddict_samples / "sample_02.csv"])
    assert [r.lap_count for r in report.imported] == [3]
    laps = library_service.session_laps(library, report.imported[0].session_uuid)
    assert [lap.lap_time_ms for lap in laps[:2]] == [123202, 177527]


def test_files_given_on_the_command_line_are_imported(qtbot, window, library, trackaddict_samples):
    from racetrace_desktop.entry import wants_window
    from racetrace_desktop.ui.app import import_when_open, parse_args

    sample = trackaddict_samples / "sample_02.csv"
    assert wants_window([str(sample)]) and wants_window([]) and not wants_window(["sessions"])
    args = parse_args([str(sample)])
    with qtbot.waitSignals([window.importer.finished, window.library_refreshed], timeout=60_000):
        import_when_open(window, args.files)
    assert window.library_panel.session_count == 1
    assert [s.source_name for s in library_service.list_sessions(library)] == ["sample_02.csv"]
