"""The session panel: what the session is, and its lap table."""

from __future__ import annotations

import html
import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from racetrace_desktop.ui.lap_table import LapTableModel
from racetrace_desktop.ui.units import format_lap_time

if TYPE_CHECKING:
    from racetrace_desktop.services.read_models import LapRecord, SessionDetail


def describe_session(detail: SessionDetail) -> str:
    s = detail.summary
    moment = s.recorded_at_local or s.recorded_at_utc
    parts = [
        f"<b>{html.escape(s.track_name or 'Unknown track')}</b> {html.escape(s.configuration_name or '')}",
        moment.strftime("%Y-%m-%d %H:%M") if moment else "undated",
        html.escape(s.car_name or s.vehicle or "no car"),
        s.session_type.replace("_", " "),
        f"{detail.duration_s / 60:.1f} min",
        f"GPS {detail.gps_rate_hz:.0f} Hz" if detail.gps_rate_hz else "",
        f"theoretical best {format_lap_time(detail.theoretical_best_ms)}" if detail.theoretical_best_ms else "",
    ]
    text = " · ".join(p for p in parts if p)
    text += f"<br><span style='color:gray'>{html.escape(s.source_name)}</span>"
    for warning in detail.warnings[:3]:
        text += f"<br><span style='color:#b26a00'>⚠ {html.escape(warning)}</span>"
    return text


class SessionPanel(QWidget):
    """Emits `lap_selected(uuid | None)`, `compare_requested(list[uuid])`, `validity_changed(uuid, valid, reason)`,
    `session_public_toggled(session uuid, public)` and `laps_public_toggled(list[uuid], public)`."""

    lap_selected = Signal(object)
    compare_requested = Signal(list)
    validity_changed = Signal(object, object, object)
    session_public_toggled = Signal(object, bool)
    laps_public_toggled = Signal(list, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = QLabel("Select a session in the library, or drop TrackAddict files on the window.")
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.model = LapTableModel()
        self.model.validity_toggled.connect(self._on_validity_toggled)
        self.table = QTableView(self)
        self.table.setObjectName("lap_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().hide()
        # Compact rows: a typical session's laps fit without scrolling (at 1920x1080 with four plots below).
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._lap_menu)
        self.compare_button = QPushButton("Compare selected laps")
        self.compare_button.setToolTip("Add the selected laps to the compare view (Ctrl+K)")
        self.compare_button.clicked.connect(lambda: self.compare_requested.emit(self.selected_laps()))
        self.public_box = QCheckBox("Public")
        self.public_box.setToolTip("Share this session's laps on the leaderboard (at the next sync)")
        self.public_box.setEnabled(False)
        self.public_box.clicked.connect(self._on_public_clicked)
        bar = QHBoxLayout()
        bar.addWidget(self.header, 1)
        bar.addWidget(self.public_box, 0, Qt.AlignmentFlag.AlignTop)
        bar.addWidget(self.compare_button, 0, Qt.AlignmentFlag.AlignTop)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 0)
        box.addLayout(bar)
        box.addWidget(self.table)
        self.detail: SessionDetail | None = None

    def show_session(self, detail: SessionDetail | None, laps: list[LapRecord],
                     overall_sector_bests: list[int | None] | None = None) -> None:
        keep = self.selected_laps()
        self.detail = detail
        self.header.setText(describe_session(detail) if detail else "No session selected.")
        public = bool(detail and detail.summary.is_public)
        self.public_box.setEnabled(detail is not None)
        self.public_box.setChecked(public)
        self.model.set_laps(laps, overall_sector_bests, session_public=public)
        for lap_uuid in keep:
            self.select_lap(lap_uuid, clear=False)

    def selected_laps(self) -> list[uuid.UUID]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.lap_at(row).uuid for row in rows]

    def select_lap(self, lap_uuid: uuid.UUID, clear: bool = True) -> bool:
        row = self.model.row_of(lap_uuid)
        if row is None:
            return False
        flags = QItemSelectionModel.SelectionFlag.Rows | QItemSelectionModel.SelectionFlag.Select
        if clear:
            flags |= QItemSelectionModel.SelectionFlag.Clear
        self.table.selectionModel().select(self.model.index(row, 0), flags)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def step_lap(self, step: int) -> None:
        """Next/previous lap (keyboard)."""
        if not self.model.laps:
            return
        selected = self.selected_laps()
        row = self.model.row_of(selected[-1]) if selected else -1
        row = max(0, min(len(self.model.laps) - 1, (row if row is not None else -1) + step))
        self.select_lap(self.model.lap_at(row).uuid)

    def best_lap(self) -> uuid.UUID | None:
        """The fastest valid lap; failing that the fastest full timed lap (not an out- or in-lap)."""
        laps = self.model.laps
        for pool in ([lap for lap in laps if lap.is_valid and lap.lap_time_ms is not None],
                     [lap for lap in laps if lap.lap_time_ms is not None and not (lap.is_outlap or lap.is_inlap)]):
            if pool:
                return min(pool, key=lambda lap: lap.lap_time_ms or 0).uuid
        return None

    def _on_selection(self) -> None:
        selected = self.selected_laps()
        self.lap_selected.emit(selected[0] if len(selected) == 1 else None)

    def _on_validity_toggled(self, lap_uuid: uuid.UUID, valid: bool) -> None:
        lap = self.model.laps[self.model.row_of(lap_uuid) or 0]
        # Going back to the analysis verdict removes the override instead of stacking one: no reason needed.
        override = None if valid == lap.computed_valid else valid
        reason = None
        if override is not None:
            reason = self.ask_reason(lap, valid)
            if reason is None:
                return
        self.validity_changed.emit(lap_uuid, override, reason)

    def ask_reason(self, lap: LapRecord, valid: bool) -> str | None:
        """Why the driver overrides the analysis (shown in the Reason column); None when cancelled or blank."""
        if valid:
            title, prompt = "Count lap as valid", (f"The analysis flagged lap {lap.number}: "
                                                   f"{lap.computed_reason or 'invalid'}.\nWhy does it count?")
        else:
            title, prompt = "Mark lap invalid", f"Why does lap {lap.number} not count (e.g. off track, traffic)?"
        dialog = QInputDialog(self)
        dialog.setObjectName("validity_reason")
        dialog.setWindowTitle(title)
        dialog.setLabelText(prompt)
        if not dialog.exec() or not dialog.textValue().strip():
            return None
        return dialog.textValue().strip()

    def _on_public_clicked(self, checked: bool) -> None:
        if self.detail is not None:
            self.session_public_toggled.emit(self.detail.summary.uuid, checked)

    def lap_menu(self) -> QMenu | None:
        """The lap table's context menu for the selected laps (None when none is selected)."""
        laps = self.selected_laps()
        if not laps:
            return None
        records = [self.model.laps[row] for lap in laps if (row := self.model.row_of(lap)) is not None]
        public = all(lap.is_public for lap in records)
        menu = QMenu(self)
        menu.addAction(f"Compare {len(laps)} lap(s)", lambda: self.compare_requested.emit(laps))
        share = menu.addAction("Public lap(s) (leaderboard)", lambda: self.laps_public_toggled.emit(laps, not public))
        share.setCheckable(True)
        share.setChecked(public)
        return menu

    def _lap_menu(self, pos: QPoint) -> None:
        menu = self.lap_menu()
        if menu is not None:
            menu.exec(self.table.viewport().mapToGlobal(pos))
            menu.deleteLater()
