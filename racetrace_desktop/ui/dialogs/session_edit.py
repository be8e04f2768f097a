"""Edit a session: type, car, event, notes, public flag."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from racetrace_desktop.services.read_models import CarRecord, EventRecord, SessionDetail, SessionType


class SessionEditDialog(QDialog):
    """Collects the edits; the caller saves them (`values()` → update_session keyword arguments)."""

    def __init__(self, detail: SessionDetail, cars: list[CarRecord], events: list[EventRecord],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        summary = detail.summary
        self.setWindowTitle(f"Edit session – {summary.source_name}")
        self.kind_box = QComboBox()
        for kind in SessionType:
            self.kind_box.addItem(kind.value.replace("_", " "), kind.value)
        self.kind_box.setCurrentIndex(max(0, self.kind_box.findData(str(summary.session_type))))
        self.car_box = _choice([(None, "no car")] + [(c.uuid, c.display_name) for c in cars], summary.car_uuid)
        self.event_box = _choice([(None, "no event")] + [(e.uuid, e.name) for e in events], summary.event_uuid)
        self.notes = QPlainTextEdit(detail.notes)
        self.public = QCheckBox("Share this session's laps when syncing (public)")
        self.public.setChecked(summary.is_public)
        form = QFormLayout()
        form.addRow("Type", self.kind_box)
        form.addRow("Car", self.car_box)
        form.addRow("Event", self.event_box)
        form.addRow("Notes", self.notes)
        form.addRow("", self.public)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(QLabel(f"<b>{summary.track_name or 'Unknown track'}</b> – {summary.source_name}"))
        box.addLayout(form)
        box.addWidget(buttons)

    def values(self) -> dict:
        return {"session_type": self.kind_box.currentData(), "car_uuid": self.car_box.currentData(),
                "event_uuid": self.event_box.currentData(), "notes": self.notes.toPlainText(),
                "is_public": self.public.isChecked()}


def _choice(options: list[tuple[object, str]], current: object) -> QComboBox:
    box = QComboBox()
    for value, label in options:
        box.addItem(label, value)
    # findData cannot compare Python objects such as UUIDs, so look the index up here.
    box.setCurrentIndex(next((i for i, (value, _) in enumerate(options) if value == current), 0))
    return box
