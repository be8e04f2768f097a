"""The leaderboard dock and publishing against a real server process: another driver's public lap is listed with
its gap and provenance, downloading it opens a compare against one's own fastest lap whose delta closes to the
lap-time difference, the board stays readable offline (marked stale), and laps and sessions are published from
the lap table and the session panel."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sync_ui_helpers import (
    LAP_1_MS,
    UNREACHABLE,
    Drivers,
    copy_sample,
    imported_session,
    running_server,
    sign_up,
    slower_goodwood,
    sync_and_wait,
    sync_window,
    unique,
    wait_idle,
)
from ui_helpers import import_by_drop, open_first_session

from racetrace_desktop.services import library_service
from racetrace_desktop.services.leaderboard_queries import own_fastest_lap
from racetrace_desktop.ui import leaderboard_view
from racetrace_desktop.ui.leaderboard_view import ALL_CATEGORIES, COLUMNS
from racetrace_desktop.ui.plots.traces import DELTA_KEY
from racetrace_desktop.ui.units import format_lap_time

SLOWER_MS = 181_250  # lap 1 of the slower copy of sample_02.csv


@pytest.fixture
def own_server(tmp_path):
    with running_server(tmp_path / "own-server") as server:
        yield server


@pytest.fixture
def others(tmp_path):
    drivers = Drivers(tmp_path / "others")
    yield drivers
    drivers.close()


def publish(service, path, car_category: str | None = None) -> None:
    """Another driver imports a file (driven in a car of this category), makes the session public and syncs."""
    service.sync()  # the server's Goodwood layout first: the import is timed on it
    session = imported_session(service, path)
    if car_category:
        car = library_service.create_car(service.library, make="Porsche", model="911 GT3", category=car_category)
        library_service.update_session(service.library, session, car_uuid=car.uuid)
    library_service.set_session_public(service.library, session, True)
    service.sync()


def row_cells(panel, driver_name: str) -> dict[str, str]:
    model = panel.model
    (row,) = [r for r in range(model.rowCount()) if model.text(model.entry_at(r), "Driver") == driver_name]
    return {column: model.index(row, i).data() for i, column in enumerate(COLUMNS)} | {"row": row}


def show_board(qtbot, window):
    panel = window.sync_ui.leaderboard
    with qtbot.waitSignal(panel.page_shown, timeout=30_000) as shown:
        window.sync_ui.dock.toggleViewAction().trigger()  # Account > Leaderboard
    return panel, shown.args[0]


def test_another_drivers_public_lap_is_listed_downloaded_and_compared(
    qtbot, own_server, others, library, tmp_path, trackaddict_samples, screenshot_dir, monkeypatch
):
    alice, carol = others.make("alice", own_server), others.make("carol", own_server)
    publish(alice, copy_sample(trackaddict_samples, "sample_02.csv", tmp_path / "alice"))
    # Slower, yet plausible for the recording (the server keeps a lap whose telemetry contradicts it off the board).
    publish(carol, slower_goodwood(trackaddict_samples, tmp_path / "carol", "# Lap 1: 00:03:00.000"))
    window = sync_window(qtbot, tmp_path / "win", library)
    sign_up(qtbot, window, own_server, unique("bob"))
    sync_and_wait(qtbot, window)
    import_by_drop(qtbot, window, [slower_goodwood(trackaddict_samples, tmp_path / "bob")])

    panel, view = show_board(qtbot, window)

    assert view is not None and not view.stale and not panel.stale.isVisible()
    assert panel.configuration.currentText() == "Goodwood – Motor Circuit"
    first, second = row_cells(panel, alice.settings.username), row_cells(panel, carol.settings.username)
    assert (first["Rank"], first["Lap time"], first["Gap"]) == ("1", "2:57.527", "leader")
    assert "TrackAddict" in first["Provenance"] and first["Provenance"].endswith("valid")
    assert (second["Rank"], second["Gap"]) == ("2", "+2.473")  # carol's best: lap 1 of 3:00.000 is slower
    assert panel.page_label.text() == "Page 1 of 1 (2 laps)"
    window.sync_ui.dock.grab().save(str(screenshot_dir / "sync_leaderboard.png"))

    panel.table.selectRow(first["row"])
    with qtbot.waitSignal(window.compare.computed, timeout=60_000) as computed:
        qtbot.mouseClick(panel.download, Qt.MouseButton.LeftButton)

    display = computed.args[0]
    mine = own_fastest_lap(library, view.configuration_server_id)
    assert mine is not None and mine.lap_time_ms is not None
    theirs = next(lap.uuid for lap in display.laps if lap.uuid != mine.uuid)
    assert display.reference == theirs and len(display.laps) == 2
    _, delta = window.compare_view.plots.curves[(DELTA_KEY, str(mine.uuid))].getOriginalDataset()
    assert delta[-1] == pytest.approx((mine.lap_time_ms - LAP_1_MS) / 1000, abs=0.002)
    assert window.analysis.tabs.currentWidget() is window.compare_view
    assert panel.said == f"Compared against your fastest lap ({format_lap_time(mine.lap_time_ms)})."
    qtbot.waitUntil(lambda: window.library_panel.session_count == 2, timeout=10_000)  # the downloaded lap's session
    assert window.sync_ui.dock.width() < 0.4 * window.width()  # the dock leaves room for the analysis
    window.grab().save(str(screenshot_dir / "sync_leaderboard_compare.png"))

    monkeypatch.setattr(leaderboard_view, "PAGE_SIZE", 1)  # one lap per page
    with qtbot.waitSignal(panel.page_shown, timeout=30_000):
        panel.load_page(1)
    assert panel.page_label.text() == "Page 1 of 2 (2 laps)" and not panel.previous.isEnabled()
    with qtbot.waitSignal(panel.page_shown, timeout=30_000):
        qtbot.mouseClick(panel.next, Qt.MouseButton.LeftButton)
    assert panel.page_label.text() == "Page 2 of 2 (2 laps)" and not panel.next.isEnabled()
    (only,) = panel.model.entries
    assert panel.model.text(only, "Driver") == carol.settings.username
    assert panel.model.text(only, "Gap") == "+2.473"  # to the leader on page 1
    wait_idle(qtbot, window)


def test_the_board_stays_readable_offline_marked_stale(
    qtbot, own_server, others, library, tmp_path, trackaddict_samples, screenshot_dir
):
    alice = others.make("alice", own_server)
    publish(alice, copy_sample(trackaddict_samples, "sample_02.csv", tmp_path / "alice"), car_category="GT3")
    window = sync_window(qtbot, tmp_path / "win", library)
    sign_up(qtbot, window, own_server, unique("dana"))
    sync_and_wait(qtbot, window)  # caches the configurations (the board is cached once looked at)
    panel, _view = show_board(qtbot, window)
    assert row_cells(panel, alice.settings.username)["Car"] == "Porsche 911 GT3 (GT3)"
    for category, shown in (("Touring", []), ("gt3", [alice.settings.username]), ("", [alice.settings.username])):
        panel.category.setCurrentText(category or ALL_CATEGORIES)
        with qtbot.waitSignal(panel.page_shown, timeout=30_000):
            panel.category.lineEdit().editingFinished.emit()  # typed, then Enter
        assert [panel.model.text(entry, "Driver") for entry in panel.model.entries] == shown
        assert panel.said == ("" if shown else "No public laps on this board yet.")
    own_server.kill()

    with qtbot.waitSignal(panel.page_shown, timeout=30_000) as shown:
        panel.reload()

    view = shown.args[0]
    assert view is not None and view.stale and UNREACHABLE in (view.problem or "")
    assert panel.stale.isVisible() and "stale (offline)" in panel.stale_text and UNREACHABLE in panel.stale_text
    cells = row_cells(panel, alice.settings.username)
    assert cells["Lap time"] == "2:57.527"
    QApplication.processEvents()  # lay out the stale line before the picture
    window.sync_ui.dock.grab().save(str(screenshot_dir / "sync_leaderboard_stale.png"))

    panel.table.selectRow(cells["row"])
    qtbot.mouseClick(panel.download, Qt.MouseButton.LeftButton)  # needs the server: refused in words
    qtbot.waitUntil(lambda: panel.said.startswith(UNREACHABLE), timeout=30_000)
    assert QApplication.activeModalWidget() is None


def test_a_lap_and_a_session_are_published_from_the_lap_table_and_the_session_panel(
    qtbot, own_server, library, tmp_path, trackaddict_samples
):
    window = sync_window(qtbot, tmp_path / "win", library)
    name = unique("emma")
    sign_up(qtbot, window, own_server, name)
    sync_and_wait(qtbot, window)
    import_by_drop(qtbot, window, [copy_sample(trackaddict_samples, "sample_02.csv", tmp_path / "files")])
    open_first_session(qtbot, window)
    session_panel = window.session_panel
    public_column = session_panel.model.columns.index("Public")
    fastest = session_panel.best_lap()
    assert fastest is not None and session_panel.select_lap(fastest)
    sync_and_wait(qtbot, window)  # nothing public yet

    menu = session_panel.lap_menu()
    share = next(action for action in menu.actions() if action.text().startswith("Public lap"))
    assert not share.isChecked()
    def public_cells() -> dict:
        return {lap.uuid: session_panel.model.index(row, public_column).data()
                for row, lap in enumerate(session_panel.model.laps)}  # fmt: skip

    share.trigger()

    qtbot.waitUntil(lambda: public_cells()[fastest] == "yes", timeout=20_000)
    assert set(public_cells().values()) == {"yes", ""}
    assert window.library_panel.summary(window.current_session).is_public is False
    qtbot.waitUntil(lambda: window.sync_ui.controller.status.pending_changes == 1, timeout=10_000)
    sync_and_wait(qtbot, window)
    panel, _view = show_board(qtbot, window)
    assert row_cells(panel, name)["Lap time"] == "2:57.527"

    qtbot.mouseClick(session_panel.public_box, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: "session" in public_cells().values(), timeout=20_000)
    assert session_panel.public_box.isChecked()
    assert sorted(set(public_cells().values())) == ["session", "yes"]
    qtbot.waitUntil(lambda: window.library_panel.summary(window.current_session).is_public, timeout=10_000)
    wait_idle(qtbot, window)
