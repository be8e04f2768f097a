"""Sync from the window against a real server process: "Sync now" with progress and the status line (pending
changes go to 0), sessions of the driver's other computer appear after a sync, a stopped server shows its error in
words without a storm of problems, an edit starts the debounced automatic sync, and "sign in again" leads to the
sign-in dialog."""

from __future__ import annotations

import httpx
import pytest
from PySide6.QtWidgets import QApplication
from sync_ui_helpers import (
    PASSWORD,
    UNREACHABLE,
    copy_sample,
    imported_session,
    running_server,
    sign_up,
    sync_and_wait,
    sync_window,
    unique,
    wait_idle,
)
from ui_helpers import import_by_drop, make_window, open_first_session

from racetrace_desktop.library import open_library, remote_repo
from racetrace_desktop.sync import SyncService


@pytest.fixture(scope="module")
def sync_server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("sync-server")) as server:
        yield server


@pytest.fixture
def own_server(tmp_path):
    with running_server(tmp_path / "own-server") as server:
        yield server


def status_text(window) -> str:
    return window.sync_ui.status.text()


def save_status_bar(qtbot, window, path) -> None:
    label = window.sync_ui.status.label
    qtbot.waitUntil(lambda: label.width() >= label.sizeHint().width(), timeout=5_000)  # laid out after the change
    window.statusBar().grab().save(str(path))


def sync_problems(window) -> list[str]:
    return [text for text in window.import_log.texts() if text.startswith("✗ Sync failed")]


def test_sync_now_shows_progress_and_the_pending_changes_go_to_zero(
    qtbot, sync_server, library, tmp_path, trackaddict_samples, screenshot_dir
):
    window = sync_window(qtbot, tmp_path / "win", library)
    name = unique("dora")
    sign_up(qtbot, window, sync_server, name)
    assert status_text(window) == f"{name} on {sync_server.url[7:]} · Never synced · no pending changes · Sync now"
    sync_and_wait(qtbot, window)  # the server's Goodwood layout comes down
    import_by_drop(qtbot, window, [copy_sample(trackaddict_samples, "sample_02.csv", tmp_path / "files")])
    controller = window.sync_ui.controller
    qtbot.waitUntil(lambda: controller.status.pending_changes > 0, timeout=10_000)
    pending = controller.status.pending_changes
    assert f"{pending} pending changes" in status_text(window)
    steps: list[str] = []
    controller.progressed.connect(lambda text, _fraction: steps.append(text))

    with qtbot.waitSignal(controller.synced, timeout=60_000) as synced:
        window.sync_ui.sync_action.trigger()  # Account > Sync now
        assert window.sync_ui.status.bar.isVisible() and not window.sync_ui.sync_action.isEnabled()

    report = synced.args[0]
    assert report.counts.pushed == pending
    assert any(step.startswith("Syncing: pushing") for step in steps), steps
    assert controller.status.pending_changes == 0
    text = status_text(window)
    assert text.startswith(f"{name} on 127.0.0.1:") and "no pending changes" in text and "Synced " in text
    assert "⚠" not in text and not window.sync_ui.status.bar.isVisible()
    save_status_bar(qtbot, window, screenshot_dir / "sync_status_synced.png")


def test_a_session_from_the_drivers_other_computer_appears_after_a_sync(
    qtbot, sync_server, library, tmp_path, trackaddict_samples
):
    window = sync_window(qtbot, tmp_path / "win", library)
    name = unique("emil")
    sign_up(qtbot, window, sync_server, name)
    other = SyncService(open_library(tmp_path / "laptop.sqlite"), tmp_path / "laptop-sync.json")
    try:
        other.sign_in(sync_server.url, name, PASSWORD)
        session = imported_session(other, copy_sample(trackaddict_samples, "sample_01.csv", tmp_path / "laptop"))
        other.sync()
    finally:
        other.library.close()
    assert window.library_panel.session_count == 0

    with qtbot.waitSignal(window.library_refreshed, timeout=60_000):
        sync_and_wait(qtbot, window)

    assert window.library_panel.session_count == 1 and window.library_panel.summary(session) is not None
    with window.library.read() as db:
        assert remote_repo.laps_missing_arrays(db)  # synced as records: arrays come when a lap is opened
    open_first_session(qtbot, window)  # opens the best lap: its arrays are downloaded now
    assert window.lap_view.loaded is not None and window.lap_view.loaded.data.row_count > 100
    timed = [lap.uuid for lap in window.session_panel.model.laps if lap.lap_time_ms in (107_089, 116_145)]
    with window.library.read() as db:
        assert not all(remote_repo.has_arrays(db, lap) for lap in timed)  # the compare downloads the other one
    with qtbot.waitSignal(window.compare.computed, timeout=60_000) as computed:
        window.compare_laps(timed)
    assert {lap.uuid for lap in computed.args[0].laps} == set(timed) and not computed.args[0].skipped
    wait_idle(qtbot, window)


def test_never_signed_in_everything_works_and_sync_now_asks_to_sign_in(
    qtbot, library, tmp_path, trackaddict_samples
):
    window = sync_window(qtbot, tmp_path / "win", library, auto_sync=True)
    import_by_drop(qtbot, window, [trackaddict_samples / "sample_01.csv"])
    open_first_session(qtbot, window)
    qtbot.waitUntil(lambda: window.sync_ui.controller.status.pending_changes > 0, timeout=10_000)
    assert status_text(window).startswith("Not syncing: sign in · ")
    assert not window.sync_ui.controller.debounce_pending  # no automatic sync without an account

    window.sync_ui.sync_action.trigger()

    dialog = window.sync_ui.account_dialog
    assert dialog is not None and dialog.isVisible() and dialog.sign_in_box.isVisible()
    assert not window.sync_ui.controller.running and sync_problems(window) == []


def test_a_signed_in_window_syncs_by_itself_at_start(qtbot, sync_server, library, tmp_path):
    first = sync_window(qtbot, tmp_path / "win", library)
    sign_up(qtbot, first, sync_server, unique("ivan"))
    first.sync_ui.controller.update_settings(auto_sync=True)
    first.close()

    again = make_window(qtbot, tmp_path / "win")
    again.sync_ui.controller.settings_file = tmp_path / "win" / "sync.json"
    again.sync_ui.controller.set_timing(0, 600_000, 600_000)
    with qtbot.waitSignal(again.sync_ui.controller.synced, timeout=60_000):
        again.set_library(library)

    assert "Synced " in status_text(again) and again.sync_ui.controller.status.last_sync_at is not None


def test_a_stopped_server_shows_its_error_in_words_once(
    qtbot, own_server, library, tmp_path, trackaddict_samples, screenshot_dir
):
    window = sync_window(qtbot, tmp_path / "win", library, auto_sync=True, debounce_ms=600_000)
    sign_up(qtbot, window, own_server, unique("fritz"))
    wait_idle(qtbot, window)  # the automatic sync after signing in
    import_by_drop(qtbot, window, [copy_sample(trackaddict_samples, "sample_01.csv", tmp_path / "files")])
    controller = window.sync_ui.controller
    qtbot.waitUntil(lambda: controller.status.pending_changes > 0, timeout=10_000)
    pending = controller.status.pending_changes
    own_server.kill()

    with qtbot.waitSignal(controller.sync_failed, timeout=30_000) as failed:
        controller.sync_now()

    assert failed.args[0].startswith(f"{UNREACHABLE} at {own_server.url}")
    text = status_text(window)
    assert f"⚠ {UNREACHABLE} at {own_server.url}" in text and f"{pending} pending changes" in text
    assert UNREACHABLE in window.sync_ui.status.toolTip()
    for _attempt in range(2):  # automatic syncs keep failing the same way: no new problem each time
        with qtbot.waitSignal(controller.sync_failed, timeout=30_000):
            controller.sync_now(auto=True)
    assert len(sync_problems(window)) == 1 and UNREACHABLE in sync_problems(window)[0]
    assert QApplication.activeModalWidget() is None
    assert controller.status.pending_changes == pending  # the queue waits
    save_status_bar(qtbot, window, screenshot_dir / "sync_status_server_stopped.png")

    own_server.start()
    sync_and_wait(qtbot, window)

    assert controller.status.pending_changes == 0 and "⚠" not in status_text(window)


def test_an_import_starts_the_debounced_automatic_sync(qtbot, sync_server, library, tmp_path, trackaddict_samples):
    window = sync_window(qtbot, tmp_path / "win", library, auto_sync=True, debounce_ms=300)
    controller = window.sync_ui.controller
    with qtbot.waitSignal(controller.synced, timeout=60_000):  # signing in starts one
        sign_up(qtbot, window, sync_server, unique("gina"))
    assert not controller.debounce_pending

    with qtbot.waitSignal(controller.synced, timeout=60_000) as synced:
        import_by_drop(qtbot, window, [copy_sample(trackaddict_samples, "sample_01.csv", tmp_path / "files")])

    assert synced.args[0].counts.pushed > 0
    qtbot.waitUntil(lambda: controller.status.pending_changes == 0, timeout=10_000)
    assert "no pending changes" in status_text(window)


def test_sign_in_again_leads_to_the_sign_in_dialog(qtbot, sync_server, library, tmp_path):
    window = sync_window(qtbot, tmp_path / "win", library)
    name = unique("hugo")
    sign_up(qtbot, window, sync_server, name)
    tokens = window.sync_ui.controller.service.token_store
    refresh = tokens.refresh_token()
    httpx.post(f"{sync_server.url}/api/v1/auth/logout", json={"refresh_token": refresh}).raise_for_status()
    tokens.forget_access()  # the next request needs the (now revoked) refresh token

    with qtbot.waitSignal(window.sync_ui.controller.sync_failed, timeout=30_000) as failed:
        window.sync_ui.controller.sync_now()

    message, sign_in_needed = failed.args
    assert message.startswith("the server refused the sign-in (") and message.endswith(": sign in again")
    assert sign_in_needed and not window.sync_ui.controller.signed_in
    assert status_text(window).startswith("Signed out: sign in again")
    assert window.sync_ui.account_dialog is None
    window.sync_ui.status.label.linkActivated.emit("signin")
    dialog = window.sync_ui.account_dialog
    assert dialog is not None and dialog.isVisible() and dialog.sign_in_box.isVisible()
    assert dialog.username.text() == name and dialog.server.text() == sync_server.url
