"""Events (a race weekend, a track day): list, create, edit, delete. Sessions are assigned in the session editor."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)

from racetrace_desktop.services import library_service
from racetrace_desktop.services.changes import Changes
from racetrace_desktop.services.read_models import EventRecord
from racetrace_desktop.ui.context import AppContext
from racetrace_desktop.ui.dialogs.common import action_row, master_detail, run_read, run_write, text


class EventsDialog(QDialog):
    changed = Signal(object)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Events")
        self.context = context
        self.events: list[EventRecord] = []
        self.current: EventRecord | None = None
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._select)
        self.name = QLineEdit()
        self.has_date = QCheckBox("dated")
        self.day = QDateEdit(QDate.currentDate())
        self.day.setCalendarPopup(True)
        self.notes = QPlainTextEdit()
        self.status = QLabel()
        dated = QHBoxLayout()
        dated.addWidget(self.has_date)
        dated.addWidget(self.day, 1)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Date", dated)
        form.addRow("Notes", self.notes)
        buttons = action_row([("New", self._new), ("Save", self._save), ("Delete…", self._delete)])
        master_detail(self, self.list, form, [buttons, self.status])
        self.reload()

    def reload(self, select_uuid: object = None) -> None:
        def shown(events: list[EventRecord]) -> None:
            self.events = events
            self.list.clear()
            for event in events:
                self.list.addItem(f"{event.name}  {event.event_date.isoformat() if event.event_date else ''}".strip())
            rows = [i for i, e in enumerate(events) if e.uuid == select_uuid]
            self.list.setCurrentRow(rows[0] if rows else (0 if events else -1))
            if not events:
                self._new()

        run_read(self.context, "list events", library_service.list_events, shown)

    def fields(self) -> dict:
        chosen = self.day.date()  # QDate.toPython() is typed as returning object: build the date from its parts
        day = date(chosen.year(), chosen.month(), chosen.day()) if self.has_date.isChecked() else None
        return {"name": text(self.name), "event_date": day, "notes": self.notes.toPlainText()}

    def _select(self, row: int) -> None:
        self.current = self.events[row] if 0 <= row < len(self.events) else None
        if self.current is None:
            return
        self.name.setText(self.current.name)
        self.has_date.setChecked(self.current.event_date is not None)
        if self.current.event_date:
            self.day.setDate(QDate(self.current.event_date))
        self.notes.setPlainText(self.current.notes or "")
        self.status.clear()

    def _new(self) -> None:
        self.current = None
        self.list.clearSelection()
        self.name.clear()
        self.has_date.setChecked(True)
        self.notes.clear()
        self.name.setFocus()

    def _save(self) -> None:
        fields = self.fields()
        if not fields["name"]:
            self.status.setText("<span style='color:#c62828'>An event needs a name.</span>")
            return
        current = self.current
        if current is None:
            run_write(self.context, "create event", lambda lib: library_service.create_event(lib, **fields),
                      lambda event: self._saved(event.uuid, None), self.status)
        else:
            run_write(self.context, "save event", lambda lib: library_service.update_event(lib, current.uuid, **fields),
                      lambda changes: self._saved(current.uuid, changes), self.status)

    def _saved(self, event_uuid: object, changes: object) -> None:
        self.status.setText("Saved.")
        if changes is not None:
            self.changed.emit(changes)
        self.reload(event_uuid)

    def _deleted(self, changes: Changes) -> None:
        self.changed.emit(changes)
        self.reload()

    def _delete(self) -> None:
        event = self.current
        if event is None:
            return
        answer = QMessageBox.question(self, "Delete event", f"Delete {event.name}? Its sessions stay in the library.")
        if answer == QMessageBox.StandardButton.Yes:
            run_write(self.context, "delete event", lambda lib: library_service.delete_event(lib, event.uuid),
                      self._deleted, self.status)
