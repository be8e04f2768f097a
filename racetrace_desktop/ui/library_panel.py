"""The library panel: sessions grouped by track and day, with configuration, car, laps, best lap and public flag."""

from __future__ import annotations

import uuid
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTreeView, QVBoxLayout, QWidget

from racetrace_desktop.ui.units import format_lap_time

if TYPE_CHECKING:
    from racetrace_desktop.services.read_models import SessionGroup, SessionSummary

UUID_ROLE = Qt.ItemDataRole.UserRole + 1
TRACK_ROLE = Qt.ItemDataRole.UserRole + 2
COLUMNS = ("Session", "Best lap", "Laps", "Car", "Configuration", "Public")
# Which columns give way in a narrow pane, first to last, and how narrow each may get (px).
SHRINK_ORDER = (("Car", 70), ("Configuration", 70), ("Best lap", 120), ("Session", 130))
FLAGGED_TIP = ("No lap of this session counts as valid (out-lap, in-lap, pit or marked invalid).\n"
               "Shown: the fastest full lap among them. The lap table says why each lap is flagged.")


def session_label(summary: SessionSummary, with_file: bool = False) -> str:
    """`15:15  practice`; with the file name when another session of the same day looks the same."""
    moment = summary.recorded_at_local or summary.recorded_at_utc
    when = moment.strftime("%H:%M") if moment else "–"
    label = f"{when}  {summary.session_type.replace('_', ' ')}"
    return f"{label} · {summary.source_name}" if with_file else label


def best_lap_text(summary: SessionSummary) -> str:
    """The best valid lap; when every lap is flagged, the fastest full lap marked as such (not a bare '–')."""
    if summary.best_lap_ms is not None or summary.fastest_full_lap_ms is None:
        return format_lap_time(summary.best_lap_ms)
    return f"{format_lap_time(summary.fastest_full_lap_ms)} fastest (flagged)"


def _session_cells(summary: SessionSummary, with_file: bool = False) -> list[str]:
    return [session_label(summary, with_file), best_lap_text(summary),
            f"{summary.timed_lap_count}/{summary.lap_count}", summary.car_name or summary.vehicle or "–",
            summary.configuration_name or "–", "yes" if summary.is_public else ""]


def lookalikes(sessions: tuple[SessionSummary, ...] | list[SessionSummary]) -> set[uuid.UUID]:
    """Sessions of one day whose plain labels collide (same time and type): they need the file name."""
    seen: dict[str, list[uuid.UUID]] = {}
    for summary in sessions:
        seen.setdefault(session_label(summary), []).append(summary.uuid)
    return {u for group in seen.values() if len(group) > 1 for u in group}


class LibraryPanel(QWidget):
    """`session_selected(uuid | None)`; context menu actions are forwarded as signals."""

    session_selected = Signal(object)
    edit_requested = Signal(object)
    delete_requested = Signal(list)
    public_toggled = Signal(object, bool)
    rename_track_requested = Signal(int, str)  # track id, current name
    columns_changed = Signal(list)  # hidden column names

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
        header = self.view.header()
        # Widths follow the contents, and in a narrow pane (1366x768) the wide columns give way (their text
        # elides, tooltips say it all) so every chosen column stays in view: see `fit_columns`.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(24)
        header.setStretchLastSection(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.viewport().installEventFilter(self)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        header.setToolTip("Right-click to choose the columns")
        self._with_file: set[uuid.UUID] = set()
        self._shape: list[tuple[str, date | None, tuple[uuid.UUID, ...]]] = []
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
        self._with_file = {u for g in groups for u in lookalikes(g.sessions)}
        shape = [(g.track_name, g.day, tuple(s.uuid for s in g.sessions)) for g in groups]
        if shape == self._shape:  # same tree (no track renamed, no session moved): update the rows in place
            for summary in incoming.values():
                self._update_row(summary)
            self._summaries = incoming
            self.fit_columns()
            return
        self._shape = shape
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
                track_id = next((s.track_id for s in group.sessions if s.track_id is not None), None)
                track.setData(track_id, TRACK_ROLE)
                track.setToolTip("Right-click to rename the track")
                tracks[group.track_name] = track
                self.model.appendRow([track] + [_group_item("") for _ in COLUMNS[1:]])
            day = _group_item(group.day.isoformat() if group.day else "undated")
            track.appendRow([day] + [_group_item("") for _ in COLUMNS[1:]])
            for summary in group.sessions:
                items = [QStandardItem(text) for text in _session_cells(summary, summary.uuid in self._with_file)]
                for item in items[2:]:  # a narrow column elides: the tooltip reads in full
                    item.setToolTip(item.text())
                items[0].setData(summary.uuid, UUID_ROLE)
                items[0].setToolTip(summary.source_name)
                _mark_flagged(items[1], summary)
                day.appendRow(items)
                self._rows[summary.uuid] = items[0]
        self.view.expandAll()
        self._span_group_rows()
        self.fit_columns()

    def _span_group_rows(self) -> None:
        """Track and day rows span the whole width: long track names do not widen the Session column."""
        root = QModelIndex()
        for t in range(self.model.rowCount()):
            self.view.setFirstColumnSpanned(t, root, True)
            track = self.model.index(t, 0)
            for d in range(self.model.rowCount(track)):
                self.view.setFirstColumnSpanned(d, track, True)

    def _update_row(self, summary: SessionSummary) -> None:
        first = self._rows.get(summary.uuid)
        if first is None:
            return
        parent = first.parent()
        for column, text in enumerate(_session_cells(summary, summary.uuid in self._with_file)):
            item = parent.child(first.row(), column)
            if item is not None and item.text() != text:
                item.setText(text)
                if column >= 2:
                    item.setToolTip(text)
        best = parent.child(first.row(), 1)
        if best is not None:
            _mark_flagged(best, summary)

    # ---- columns --------------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self.fit_columns()
        return super().eventFilter(watched, event)

    def fit_columns(self) -> None:
        """Each shown column as wide as its contents; when they do not fit, the Car, then the Session, then the
        Configuration column shrink (to a readable minimum), and the session column takes any room left."""
        header = self.view.header()
        shown = [i for i in range(len(COLUMNS)) if not self.view.isColumnHidden(i)]
        wanted = {i: max(header.sectionSizeHint(i), self.view.sizeHintForColumn(i)) for i in shown}
        room = self.view.viewport().width()
        excess = sum(wanted.values()) - room
        for name, floor in SHRINK_ORDER:
            i = COLUMNS.index(name)
            if excess <= 0:
                break
            if i in wanted and wanted[i] > floor:
                cut = min(excess, wanted[i] - floor)
                wanted[i] -= cut
                excess -= cut
        if excess < 0 and shown:
            wanted[shown[0]] -= excess  # room to spare: a wider session column
        for i, width in wanted.items():
            header.resizeSection(i, max(width, 24))

    @property
    def hidden_columns(self) -> list[str]:
        return [name for i, name in enumerate(COLUMNS) if self.view.isColumnHidden(i)]

    def set_hidden_columns(self, names: list[str]) -> None:
        for i, name in enumerate(COLUMNS):
            self.view.setColumnHidden(i, i > 0 and name in names)  # the session column always stays
        self.fit_columns()

    def column_menu(self) -> QMenu:
        menu = QMenu(self)
        for i, name in enumerate(COLUMNS[1:], start=1):
            action = menu.addAction(name, partial(self._toggle_column, i))
            action.setCheckable(True)
            action.setChecked(not self.view.isColumnHidden(i))
        return menu

    def _toggle_column(self, column: int) -> None:
        self.view.setColumnHidden(column, not self.view.isColumnHidden(column))
        self.fit_columns()
        self.columns_changed.emit(self.hidden_columns)

    def _header_menu(self, pos: QPoint) -> None:
        menu = self.column_menu()
        menu.exec(self.view.header().mapToGlobal(pos))
        menu.deleteLater()

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
        track_id = index.siblingAtColumn(0).data(TRACK_ROLE) if index.isValid() else None
        if isinstance(track_id, int):
            self._track_menu(pos, track_id, index.siblingAtColumn(0).data())
            return
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


    def _track_menu(self, pos: QPoint, track_id: int, name: str) -> None:
        menu = QMenu(self)
        menu.addAction("Rename track…", lambda: self.rename_track_requested.emit(track_id, name))
        menu.exec(self.view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def track_row_text(self, track_id: int) -> str | None:
        """The name shown for a track (tests and the rename dialog)."""
        for row in range(self.model.rowCount()):
            item = self.model.item(row, 0)
            if item is not None and item.data(TRACK_ROLE) == track_id:
                return item.text()
        return None


def _mark_flagged(item: QStandardItem, summary: SessionSummary) -> None:
    flagged = summary.best_lap_ms is None and summary.fastest_full_lap_ms is not None
    item.setToolTip(FLAGGED_TIP if flagged else "")
    font = item.font()
    font.setItalic(flagged)
    item.setFont(font)


def _group_item(text: str) -> QStandardItem:
    item = QStandardItem(text)
    font = item.font()
    font.setBold(True)
    item.setFont(font)
    item.setSelectable(False)
    return item
