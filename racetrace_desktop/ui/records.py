"""Window actions on records: edit/delete/share sessions, lap validity, cars, events, tracks, about, demo."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

from racetrace_desktop import paths
from racetrace_desktop.ui.context import AppContext
from racetrace_desktop.ui.tasks import Pool

if TYPE_CHECKING:
    from racetrace_desktop.services.changes import Changes
    from racetrace_desktop.services.importer import ImportReport
    from racetrace_desktop.services.read_models import CarRecord, EventRecord, SessionDetail
    from racetrace_desktop.ui.dialogs.tracks import TracksDialog
    from racetrace_desktop.ui.importing import ImportLog
    from racetrace_desktop.ui.library_panel import LibraryPanel


class RecordsActions:
    """Thin glue between menus/context menus, dialogs and the library services.

    Its collaborators come through the constructor: `parent` for the dialogs, the library panel (its selection and
    rows), `current_session()`, `refresh_library(changes)` after every write, `say(text)` for the status line and
    the import log for the demo's results. Dialogs and services are imported when first used: the window must
    appear before SQLAlchemy is loaded.
    """

    def __init__(self, context: AppContext, parent: QWidget, library_panel: LibraryPanel, import_log: ImportLog, *,
                 current_session: Callable[[], uuid.UUID | None], refresh_library: Callable[[Changes], None],
                 say: Callable[[str], None]) -> None:  # fmt: skip
        self.context = context
        self.parent = parent
        self.library_panel = library_panel
        self.import_log = import_log
        self._current_session, self._refresh_library, self._say = current_session, refresh_library, say
        self.dialogs: list[object] = []  # keep non-modal dialogs alive

    def _write(self, title: str, work, on_done=None) -> None:
        from racetrace_desktop.ui.dialogs.common import run_write

        def done(changes: Changes) -> None:
            self._refresh_library(changes)
            if on_done is not None:
                on_done(changes)

        run_write(self.context, title, work, done)

    # ---- sessions and laps ----------------------------------------------------------------------------------------
    def edit_session(self, session_uuid: uuid.UUID | None = None) -> None:
        from racetrace_desktop.services import library_service
        from racetrace_desktop.ui.dialogs.session_edit import SessionEditDialog

        session_uuid = session_uuid or self._current_session()
        library = self.context.library
        if session_uuid is None or library is None:
            return

        def load() -> tuple[SessionDetail, list[CarRecord], list[EventRecord]]:
            return (library_service.session_detail(library, session_uuid), library_service.list_cars(library),
                    library_service.list_events(library))

        def ask(loaded: tuple[SessionDetail, list[CarRecord], list[EventRecord]]) -> None:
            detail, cars, events = loaded
            dialog = SessionEditDialog(detail, cars, events, parent=self.parent)
            if dialog.exec():
                values = dialog.values()
                self._write("edit session", lambda lib: library_service.update_session(lib, session_uuid, **values))

        self.context.runner.submit(load, name="load session for editing", on_success=ask)

    def delete_sessions(self, session_uuids: list[uuid.UUID] | None = None) -> None:
        from racetrace_desktop.services import library_service

        targets = session_uuids or self.library_panel.selected_sessions()
        if not targets:
            return
        names = [s.source_name for t in targets if (s := self.library_panel.summary(t))]
        answer = QMessageBox.question(
            self.parent, "Delete sessions",
            f"Delete {len(targets)} session(s) with their laps and stored files?\n\n" + "\n".join(names[:10]))
        if answer == QMessageBox.StandardButton.Yes:
            self._write("delete sessions", lambda lib: library_service.delete_sessions(lib, targets))

    def set_public(self, session_uuid: uuid.UUID, public: bool) -> None:
        from racetrace_desktop.services import library_service

        self._write("share session", lambda lib: library_service.set_session_public(lib, session_uuid, public))

    def set_laps_public(self, lap_uuids: list[uuid.UUID], public: bool) -> None:
        from racetrace_desktop.services import library_service
        from racetrace_desktop.services.changes import NO_CHANGES

        def work(library) -> Changes:
            changes = NO_CHANGES
            for lap_uuid in lap_uuids:
                changes = changes | library_service.set_lap_public(library, lap_uuid, public)
            return changes

        self._write("share laps", work)

    def set_validity(self, lap_uuid: uuid.UUID, valid: bool | None, reason: str | None) -> None:
        from racetrace_desktop.services import library_service

        self._write("lap validity", lambda lib: library_service.override_lap_validity(lib, lap_uuid, valid, reason))

    def rename_track(self, track_id: int, current_name: str) -> None:
        from PySide6.QtWidgets import QInputDialog

        from racetrace_desktop.services import library_service

        dialog = QInputDialog(self.parent)
        dialog.setObjectName("rename_track")
        dialog.setWindowTitle("Rename track")
        dialog.setLabelText("Track name:")
        dialog.setTextValue(current_name)
        if not dialog.exec():
            return
        name = dialog.textValue().strip()
        if name and name != current_name:
            self._write("rename track", lambda lib: library_service.rename_track(lib, track_id, name))

    # ---- records dialogs --------------------------------------------------------------------------------------------
    def _open(self, dialog) -> None:
        dialog.changed.connect(self._refresh_library)
        dialog.finished.connect(lambda _r: self.dialogs.remove(dialog) if dialog in self.dialogs else None)
        self.dialogs.append(dialog)
        dialog.show()

    def close_dialogs(self) -> None:
        """Close every dialog this window opened (the window is closing)."""
        for dialog in list(self.dialogs):
            close = getattr(dialog, "close", None)
            if close is not None:
                close()
        self.dialogs.clear()

    def open_cars(self) -> None:
        from racetrace_desktop.ui.dialogs.cars import CarsDialog

        self._open(CarsDialog(self.context, self.parent))

    def open_events(self) -> None:
        from racetrace_desktop.ui.dialogs.events import EventsDialog

        self._open(EventsDialog(self.context, self.parent))

    def open_tracks(self) -> TracksDialog:
        from racetrace_desktop.ui.dialogs.tracks import TracksDialog

        dialog = TracksDialog(self.context, self.parent)
        self._open(dialog)
        return dialog

    def open_about(self) -> None:
        from racetrace_desktop.ui.dialogs.about import show_about

        library = self.context.library
        self.dialogs.append(show_about(self.parent, str(paths.data_dir()), str(library.path) if library else None))

    # ---- demo data --------------------------------------------------------------------------------------------------
    def offer_demo(self) -> None:
        settings = self.context.settings
        if settings.demo_offered:
            return
        settings.demo_offered = True
        box = QMessageBox(QMessageBox.Icon.Question, "Welcome to RaceTrace",
                          "Your library is empty. Drop TrackAddict CSV files on the window to import them, "
                          "or open demo data to look around first.", parent=self.parent)
        demo_button = box.addButton("Open demo data", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Start empty", QMessageBox.ButtonRole.RejectRole)
        box.setObjectName("welcome")
        box.buttonClicked.connect(lambda button: self.load_demo() if button is demo_button else None)
        box.open()  # window-modal on the main window: it stays in front of it
        box.raise_()
        box.activateWindow()
        self.dialogs.append(box)

    def load_demo(self) -> None:
        library = self.context.library
        if library is None:
            return
        from racetrace_desktop.services import demo  # generating demo data pulls in the synthetic generator

        self._say("Generating demo sessions…")

        def done(report: ImportReport | None) -> None:
            if report is None:
                self._say("Demo data is only added to an empty library.")
                return
            self.import_log.add_results(report.results)
            self._refresh_library(report.changes)
            self._say("Demo data ready.")

        self.context.runner.submit(lambda: demo.fill_demo_library(library), name="demo data", pool=Pool.WRITE,
                                   on_success=done)
