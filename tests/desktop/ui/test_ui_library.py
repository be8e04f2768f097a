"""The library panel and lap table as a driver reads them: track and car names, the fastest flagged lap, flag
explanations, validity reasons, look-alike sessions, columns, renaming a track, the import summary."""

from __future__ import annotations

import shutil

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QInputDialog
from ui_helpers import import_by_drop, open_first_session

from racetrace_desktop.services import library_service
from racetrace_desktop.ui.library_panel import COLUMNS, TRACK_ROLE


def answer_next_dialog(text: str, accept: bool = True) -> list[str]:
    """Type `text` into the next modal input dialog and press OK; returns the prompt it showed."""
    seen: list[str] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(20, answer)
            return
        seen.append(dialog.labelText())
        dialog.setTextValue(text)
        dialog.accept() if accept else dialog.reject()

    QTimer.singleShot(0, answer)
    return seen


def cell(window, session_uuid, column: str) -> str:
    row = window.library_panel._rows[session_uuid]
    return row.parent().child(row.row(), COLUMNS.index(column)).text()


def track_items(window) -> dict[str, int]:
    model = window.library_panel.model
    return {model.item(r, 0).text(): model.item(r, 0).data(TRACK_ROLE) for r in range(model.rowCount())}


def test_every_lap_flagged_shows_the_fastest_as_flagged_and_explains_each_flag(qtbot, window, trackaddict_samples):
    import_by_drop(qtbot, window, [trackaddict_samples / "sample_01.csv"])
    open_first_session(qtbot, window)
    session = window.current_session

    assert cell(window, session, "Best lap") == "1:47.089 fastest (flagged)"
    assert "Spreewaldring" in track_items(window)  # named after the circuit, not "Track near 51.9991, 13.6883"
    model = window.session_panel.model
    flags = model.columns.index("Flags")
    tips = [model.data(model.index(row, flags), Qt.ItemDataRole.ToolTipRole) for row in range(len(model.laps))]
    assert tips[0].startswith("out-lap: from the start of the recording")
    assert "pit: the lap passes through the pit lane" in tips[2] and "Not counted for bests: pit lane" in tips[2]
    assert tips[5].startswith("in-lap") and "pit:" in tips[5]
    assert [model.data(model.index(r, flags)) for r in range(len(model.laps))] == [
        "out-lap", "pit", "pit", "pit", "pit", "in-lap pit"]  # fmt: skip


def test_overriding_validity_asks_for_a_reason_and_shows_it(qtbot, window, library, trackaddict_samples):
    import_by_drop(qtbot, window, [trackaddict_samples / "sample_01.csv"])
    open_first_session(qtbot, window)
    model = window.session_panel.model
    row = next(i for i, lap in enumerate(model.laps) if lap.number == 2)
    prompts = answer_next_dialog("drive-through, no stop")

    with qtbot.waitSignal(window.session_loaded, timeout=10_000):
        model.setData(model.index(row, model.columns.index("Valid")), Qt.CheckState.Checked,
                      Qt.ItemDataRole.CheckStateRole)

    assert "The analysis flagged lap 2: pit lane" in prompts[0]
    lap = model.laps[row]
    assert lap.is_valid and lap.override_reason == "drive-through, no stop"
    assert model.data(model.index(row, model.columns.index("Reason"))) == "drive-through, no stop (yours)"
    qtbot.waitUntil(lambda: cell(window, window.current_session, "Best lap") == "1:47.089", timeout=10_000)


def test_cancelling_the_reason_changes_nothing(qtbot, window, library, trackaddict_samples):
    import_by_drop(qtbot, window, [trackaddict_samples / "sample_01.csv"])
    open_first_session(qtbot, window)
    model = window.session_panel.model
    answer_next_dialog("", accept=False)
    emitted: list = []
    window.session_panel.validity_changed.connect(lambda *args: emitted.append(args))

    model.setData(model.index(2, model.columns.index("Valid")), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)

    assert emitted == []
    assert all(lap.valid_override is None for lap in library_service.session_laps(library, window.current_session))


def test_the_car_comes_from_the_vehicle_line(qtbot, window, trackaddict_samples):
    import_by_drop(qtbot, window, [trackaddict_samples / "sample_02.csv"])
    open_first_session(qtbot, window)

    assert cell(window, window.current_session, "Car") == "2019 McLaren 720S"
    assert "2019 McLaren 720S" in window.session_panel.header.text()
    assert "Goodwood Motor Circuit" in track_items(window)


def test_sessions_that_look_alike_are_told_apart_by_file_name(qtbot, window, trackaddict_samples, tmp_path):
    again = tmp_path / "goodwood second copy.csv"
    # Another file of the same moment (its last row cut): a different recording, not a duplicate.
    again.write_bytes((trackaddict_samples / "sample_02.csv").read_bytes().rstrip(b"\r\n").rsplit(b"\n", 1)[0] + b"\n")
    import_by_drop(qtbot, window, [trackaddict_samples / "sample_02.csv", again])
    qtbot.waitUntil(lambda: window.library_panel.session_count == 2, timeout=10_000)

    labels = sorted(cell(window, s, "Session") for s in window.library_panel.session_uuids)

    assert len(set(labels)) == 2
    assert labels[0].endswith("· goodwood second copy.csv") and labels[1].endswith("· sample_02.csv")


def test_a_batch_is_summarised_in_the_status_bar(qtbot, window, trackaddict_samples, tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_text("this is not telemetry\n")
    same = tmp_path / "same.csv"
    shutil.copy(trackaddict_samples / "sample_04.csv", same)

    import_by_drop(qtbot, window, [trackaddict_samples / "sample_04.csv", same, broken,
                                   trackaddict_samples / "sample_02.csv"])

    assert window.status_text.text() == "Import: 2 added, 1 duplicate, 1 failed: see Imports"
    assert window.statusBar().currentMessage() == ""  # no per-file message covers the summary
    assert window.log_dock.isVisible()


def test_a_track_is_renamed_from_the_library(qtbot, window, library, trackaddict_samples):
    import_by_drop(qtbot, window, [trackaddict_samples / "sample_01.csv"])
    open_first_session(qtbot, window)
    track_id = track_items(window)["Spreewaldring"]
    answer_next_dialog("Spreewaldring (Schönwalde)")

    with qtbot.waitSignal(window.library_refreshed, timeout=10_000):
        window.records.rename_track(track_id, "Spreewaldring")

    assert track_items(window) == {"Spreewaldring (Schönwalde)": track_id}
    qtbot.waitUntil(lambda: "Spreewaldring (Schönwalde)" in window.session_panel.header.text(), timeout=10_000)
    assert [t.name for t in library_service.list_tracks(library)] == ["Spreewaldring (Schönwalde)"]


def test_a_session_is_given_an_event_and_notes_in_its_edit_dialog(qtbot, window, library, trackaddict_samples):
    from racetrace_desktop.ui.dialogs.session_edit import SessionEditDialog

    import_by_drop(qtbot, window, [trackaddict_samples / "sample_01.csv"])
    open_first_session(qtbot, window)
    event = library_service.create_event(library, name="Club day")
    shown: list[str] = []

    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SessionEditDialog):
            QTimer.singleShot(20, fill_in)
            return
        shown.append(dialog.windowTitle())
        dialog.event_box.setCurrentIndex(dialog.event_box.findText("Club day"))
        dialog.notes.setPlainText("new tyres")
        save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, fill_in)
    with qtbot.waitSignal(window.library_refreshed, timeout=10_000):
        window.records.edit_session(window.current_session)

    assert shown == ["Edit session – sample_01.csv"]
    detail = library_service.session_detail(library, window.current_session)
    assert detail.summary.event_uuid == event.uuid and detail.notes == "new tyres"


def test_escape_closes_the_session_edit_dialog_and_saves_nothing(qtbot, window, library, trackaddict_samples):
    from racetrace_desktop.ui.dialogs.session_edit import SessionEditDialog

    import_by_drop(qtbot, window, [trackaddict_samples / "sample_01.csv"])
    open_first_session(qtbot, window)
    dialogs: list[SessionEditDialog] = []

    def type_and_escape() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SessionEditDialog):
            QTimer.singleShot(20, type_and_escape)
            return
        dialogs.append(dialog)
        dialog.notes.setPlainText("not meant")
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    QTimer.singleShot(0, type_and_escape)
    window.records.edit_session(window.current_session)
    qtbot.waitUntil(lambda: bool(dialogs) and not dialogs[0].isVisible(), timeout=10_000)

    assert dialogs[0].result() == QDialog.DialogCode.Rejected
    assert library_service.session_detail(library, window.current_session).notes == ""


def test_library_columns_can_be_chosen_and_are_remembered(qtbot, window, trackaddict_samples):
    import_by_drop(qtbot, window, [trackaddict_samples / "sample_02.csv"])
    view = window.library_panel.view
    assert view.isColumnHidden(COLUMNS.index("Configuration"))  # hidden at first: most tracks have one layout
    menu = window.library_panel.column_menu()
    actions = {a.text(): a for a in menu.actions()}
    assert not actions["Configuration"].isChecked() and actions["Car"].isChecked()

    actions["Configuration"].trigger()
    actions["Car"].trigger()

    assert not view.isColumnHidden(COLUMNS.index("Configuration")) and view.isColumnHidden(COLUMNS.index("Car"))
    assert window.context.settings.library_hidden_columns == ["Car", "Public"]
    menu.deleteLater()
