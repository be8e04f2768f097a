"""Tracks and configurations: list them; edit a local configuration's start/finish and sectors (re-laps)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from racetrace_desktop.services import library_service
from racetrace_desktop.services.read_models import ConfigurationRecord, TrackRecord
from racetrace_desktop.services.relap import RelapProgress, edit_configuration
from racetrace_desktop.ui.context import AppContext
from racetrace_desktop.ui.dialogs.common import master_detail, run_read
from racetrace_desktop.ui.errors import describe
from racetrace_desktop.ui.tasks import Pool

CONFIG_ROLE = Qt.ItemDataRole.UserRole + 1


def _degrees(low: float, high: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setDecimals(7)
    box.setRange(low, high)
    box.setSingleStep(0.00001)
    return box


class TracksDialog(QDialog):
    """`changed(Changes)` after a configuration edit (and its re-lap) was saved."""

    changed = Signal(object)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tracks and configurations")
        self.resize(760, 420)
        self.context = context
        self.current: ConfigurationRecord | None = None
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Track / configuration", "Origin", "Sessions", "Length"])
        self.tree.currentItemChanged.connect(self._select)
        self.lat, self.lon = _degrees(-90, 90), _degrees(-180, 180)
        self.heading = QDoubleSpinBox()
        self.heading.setRange(-1, 360)
        self.heading.setSpecialValueText("from the GPS path")
        self.sectors = QSpinBox()
        self.sectors.setRange(1, 50)
        self.save = QPushButton("Save and re-lap")
        self.save.clicked.connect(self._save)
        self.status = QLabel()
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Start/finish latitude", self.lat)
        form.addRow("Start/finish longitude", self.lon)
        form.addRow("Heading (°)", self.heading)
        form.addRow("Sectors", self.sectors)
        master_detail(self, self.tree, form, [self.save, self.status], stretch=True)
        self._set_editable(False)
        self.reload()

    def reload(self, select_id: int | None = None, message: str = "") -> None:
        run_read(self.context, "list tracks", library_service.list_tracks, lambda t: self._show(t, select_id, message))

    def _show(self, tracks: list[TrackRecord], select_id: int | None, message: str = "") -> None:
        self.tree.clear()
        for track in tracks:
            top = QTreeWidgetItem([track.name, track.origin, "", ""])
            self.tree.addTopLevelItem(top)
            for config in track.configurations:
                length = f"{config.length_m / 1000:.3f} km" if config.length_m else "–"
                item = QTreeWidgetItem([config.name, config.origin, str(config.session_count), length])
                item.setData(0, CONFIG_ROLE, config)
                top.addChild(item)
                if config.id == select_id or (select_id is None and self.tree.currentItem() is None):
                    self.tree.setCurrentItem(item)
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)  # track names are long ("Track near 51.9991, 13.6883")
        if message:
            self.status.setText(message)

    def select_configuration(self, configuration_id: int) -> bool:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            children = [top.child(j) for j in range(top.childCount())] if top is not None else []
            for child in children:
                config = child.data(0, CONFIG_ROLE) if child is not None else None
                if child is not None and config is not None and config.id == configuration_id:
                    self.tree.setCurrentItem(child)
                    return True
        return False

    def _select(self, item: QTreeWidgetItem | None) -> None:
        config = item.data(0, CONFIG_ROLE) if item is not None else None
        self.current = config
        if config is None:
            self._set_editable(False)
            return
        self.lat.setValue(config.start_lat)
        self.lon.setValue(config.start_lon)
        self.heading.setValue(config.start_heading_deg if config.start_heading_deg is not None else -1)
        self.sectors.setValue(config.num_sectors)
        self._set_editable(config.editable)
        self.status.setText("" if config.editable else "This configuration comes from the sync server: read-only.")

    def _set_editable(self, editable: bool) -> None:
        for widget in (self.lat, self.lon, self.heading, self.sectors, self.save):
            widget.setEnabled(editable)

    def edits(self) -> dict:
        heading = self.heading.value()
        return {"start_lat": self.lat.value(), "start_lon": self.lon.value(),
                "start_heading_deg": None if heading < 0 else heading, "num_sectors": self.sectors.value()}

    def _save(self) -> None:
        config, library = self.current, self.context.library
        if config is None or library is None:
            return
        edits = self.edits()
        self.save.setEnabled(False)
        self.status.setText("Re-lapping the sessions of this configuration…")

        def work(progress):
            def report(step: RelapProgress) -> None:
                progress(step.index, step.count, step.source_name)

            return edit_configuration(library, config.id, progress=report, **edits)

        self.context.runner.submit(
            work, name="edit track configuration", pool=Pool.WRITE,
            on_progress=lambda done, total, name: self.status.setText(f"Re-lapping {done + 1}/{total}: {name}"),
            on_success=lambda changes: self._saved(config.id, changes), on_error=self._failed)

    def _saved(self, configuration_id: int, changes: object) -> None:
        count = len(getattr(changes, "sessions_updated", ()))
        message = f"Saved; {count} session(s) re-lapped."
        self.save.setEnabled(True)
        self.status.setText(message)  # at once, not only when the list has reloaded
        self.changed.emit(changes)
        self.reload(configuration_id, message)

    def _failed(self, exc: BaseException) -> None:
        self.save.setEnabled(True)
        self.status.setText(f"<span style='color:#c62828'>{describe(exc)}</span>")
        self.context.errors.report("Track edit failed", exc)
