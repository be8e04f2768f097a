"""The library panel: sessions grouped by track and day, with configuration, car, laps, best lap and public flag."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTreeView, QVBoxLayout, QWidget

from racetrace_desktop.ui.units import format_lap_time

if TYPE_CHECKING:
    from racetrace_desktop.library.records import SessionGroup, SessionSummary

UUID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Session", "Best lap", "Laps", "Car", "Configuration", "Public")


def _session_cells(summary: SessionSummary) -> list[str]:
    moment = summary.recorded_at_local or summary.recorded_at_utc
    when = moment.strftime("%H:%M") if moment else "–"
    label = f"{when}  {summary.session_type.replace('_', ' ')}"
    return [label, format_lap_time(summary.best_lap_ms), f"{summary.timed_lap_count}/{summary.lap_count}",
            summary.car_name or summary.vehicle or "–", summary.configuration_name or "–",
            "yes" if summary.is_public else ""]


class LibraryPanel(QWidget):
    """`session_selected(uuid | None)`; context menu actions are forwarded as signals."""

    session_selected = Signal(object)
    edit_requested = Signal(object)
    delete_requested = Signal(list)
    public_toggled = Signal(object, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.view = QTreeView(self)
        self.view.setModel(self.model)
        self.view.setObjectName("library_tree")
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self._summaries: dict[uuid.UUID, SessionSummary] = {}
        self._rows: dict[uuid.UUID, QStandardItem] = {}
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.view)

    @property
    def session_count(self) -> int:
        return len(self._summaries)

    @property
    def session_uuids(self) -> frozenset[uuid.UUID]:
        return frozenset(self._summaries)

    def summary(self, session_uuid: uuid.UUID) -> SessionSummary | None:
        return self._summaries.get(session_uuid)

    def set_groups(self, groups: list[SessionGroup]) -> None:
        """Show these groups; when only rows changed (same sessions), they are updated in place."""
        incoming = {s.uuid: s for g in groups for s in g.sessions}
        if set(incoming) == set(self._summaries):
            for summary in incoming.values():
                self._update_row(summary)
            self._summaries = incoming
            return
        selected = self.selected_sessions()
        self._rebuild(groups)
        self._summaries = incoming
        self.select_session(selected[0] if selected and selected[0] in incoming else None)

    def _rebuild(self, groups: list[SessionGroup]) -> None:
        self.model.removeRows(0, self.model.rowCount())
        self._rows.clear()
        tracks: dict[str, QStandardItem] = {}
        for group in groups:
            track = tracks.get(group.track_name)
            if track is None:
                track = _group_item(group.track_name)
                tracks[group.track_name] = track
                self.model.appendRow([track] + [_group_item("") for _ in COLUMNS[1:]])
            day = _group_item(group.day.isoformat() if group.day else "undated")
            track.appendRow([day] + [_group_item("") for _ in COLUMNS[1:]])
            for summary in group.sessions:
                items = [QStandardItem(text) for text in _session_cells(summary)]
                items[0].setData(summary.uuid, UUID_ROLE)
                items[0].setToolTip(summary.source_name)
                day.appendRow(items)
                self._rows[summary.uuid] = items[0]
        self.view.expandAll()

    def _update_row(self, summary: SessionSummary) -> None:
        first = self._rows.get(summary.uuid)
        if first is None:
            return
        parent = first.parent()
        for column, text in enumerate(_session_cells(summary)):
            item = parent.child(first.row(), column)
            if item is not None and item.text() != text:
                item.setText(text)

    def selected_sessions(self) -> list[uuid.UUID]:
        rows = self.view.selectionModel().selectedRows(0)
        return [value for index in rows if isinstance(value := index.data(UUID_ROLE), uuid.UUID)]

    def select_session(self, session_uuid: uuid.UUID | None) -> None:
        item = self._rows.get(session_uuid) if session_uuid else None
        if item is None:
            self.view.clearSelection()
            return
        self.view.setCurrentIndex(item.index())
        self.view.scrollTo(item.index())

    def first_session(self) -> uuid.UUID | None:
        return next(iter(self._rows), None)

    def _selection_changed(self) -> None:
        selected = self.selected_sessions()
        self.session_selected.emit(selected[0] if len(selected) == 1 else None)

    def _context_menu(self, pos: QPoint) -> None:
        index: QModelIndex = self.view.indexAt(pos)
        session_uuid = index.siblingAtColumn(0).data(UUID_ROLE) if index.isValid() else None
        if not isinstance(session_uuid, uuid.UUID):
            return
        summary = self._summaries[session_uuid]
        menu = QMenu(self)
        menu.addAction("Edit session…", lambda: self.edit_requested.emit(session_uuid))
        share = menu.addAction("Public", lambda: self.public_toggled.emit(session_uuid, not summary.is_public))
        share.setCheckable(True)
        share.setChecked(summary.is_public)
        menu.addSeparator()
        targets = self.selected_sessions() or [session_uuid]
        menu.addAction(f"Delete {len(targets)} session(s)…", lambda: self.delete_requested.emit(targets))
        menu.exec(self.view.viewport().mapToGlobal(pos))
        menu.deleteLater()


def _group_item(text: str) -> QStandardItem:
    item = QStandardItem(text)
    font = item.font()
    font.setBold(True)
    item.setFont(font)
    item.setSelectable(False)
    return item
