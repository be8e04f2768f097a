"""Compare view: laps from any sessions of one track configuration against a reference lap.

Overlaid channels and the delta-T plot (the main plot) share the cursor with the map; the sector table shows each
lap's sector times with the difference to the reference, and the theoretical best of the compared laps; the corner
report (when the compare has corners) ranks the corners by time lost and zooms plots and map to the one chosen.
Laps compared despite a flag (out-lap, pit, invalid) are marked in the lap list.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from racetrace_desktop.ui.analysis.build import available_channels, channel_specs
from racetrace_desktop.ui.analysis.channel_menu import ChannelMenuButton
from racetrace_desktop.ui.analysis.compare_style import CompareExtras, compare_track
from racetrace_desktop.ui.analysis.corner_input import CornerInput
from racetrace_desktop.ui.analysis.corner_report import CornerReport
from racetrace_desktop.ui.analysis.payload import MapPayload
from racetrace_desktop.ui.plots.stack import ChannelPlotStack
from racetrace_desktop.ui.plots.traces import CornerMark, PlotRequest
from racetrace_desktop.ui.units import distance_unit, format_gap, format_lap_time

if TYPE_CHECKING:
    from racetrace_desktop.ui.analysis.compare_build import CompareDisplay

UUID_ROLE = Qt.ItemDataRole.UserRole + 1
COMPARE_TOP_HEIGHT = 150  # px for the lap list and the sector/corner tables (about five rows) above the plots
CORNER_MARGIN = 0.25  # of the corner's length, shown before and after it when zooming to a corner


class CompareView(QWidget):
    """Signals: `focus_changed(uuid)`, `reference_requested(uuid)`, `remove_requested(uuid)`, `map_changed(payload)`."""

    map_changed = Signal(object)
    channels_changed = Signal(list)
    focus_changed = Signal(object)
    reference_requested = Signal(object)
    remove_requested = Signal(object)

    def __init__(self, chosen_channels: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Select laps in the lap table and press Compare (Ctrl+K); add laps from other sessions "
                            "of the same track the same way.")
        self.title.setWordWrap(True)
        self.channel_button = ChannelMenuButton(chosen_channels, self)
        self.channel_button.channels_changed.connect(self._on_channels)
        self.laps = QTreeWidget()
        self.laps.setObjectName("compare_laps")
        self.laps.setHeaderLabels(["Lap", "Time", "Δ to ref", "Session", "Note"])
        self.laps.setRootIsDecorated(False)
        self.laps.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.laps.currentItemChanged.connect(self._on_current)
        self.laps.itemDoubleClicked.connect(lambda item, _c: self.reference_requested.emit(item.data(0, UUID_ROLE)))
        self.make_ref = QPushButton("Make reference")
        self.make_ref.clicked.connect(self._request_reference)
        self.remove = QPushButton("Remove")
        self.remove.clicked.connect(self._request_remove)
        self.sectors = QTableWidget()
        self.sectors.setObjectName("sector_table")
        self.sectors.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sectors.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.sectors.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.corner_report = CornerReport(self)
        self.corner_report.corner_chosen.connect(self.show_corner)
        self.tables = QTabWidget(self)
        self.tables.setObjectName("compare_tables")
        self.tables.addTab(self.sectors, "Sectors")
        self.tables.addTab(self.corner_report, "Corners")
        self.plots = ChannelPlotStack(self)
        self.plots.setObjectName("compare_plots")
        self._layout()
        for key, step in ((".", 1), (",", -1)):  # next / previous corner
            shortcut = QShortcut(QKeySequence(key), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda step=step: self.corner_report.step(step))
        self.display: CompareDisplay | None = None
        self.extras = CompareExtras()
        self._track_corners: list[CornerInput] | None = None
        self.focus: uuid.UUID | None = None
        self.payload = MapPayload()
        self._system = "metric"

    def _layout(self) -> None:
        buttons = QVBoxLayout()
        buttons.addWidget(self.make_ref)
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        lap_box = QHBoxLayout()
        lap_box.addWidget(self.laps, 3)
        lap_box.addLayout(buttons)
        lap_box.addWidget(self.tables, 4)
        top = QWidget()
        top.setLayout(lap_box)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.plots)
        split.setStretchFactor(1, 4)
        split.setSizes([COMPARE_TOP_HEIGHT, 600])
        split.setCollapsible(1, False)
        self.laps.setMinimumHeight(60)
        self.tables.setMinimumHeight(80)
        bar = QHBoxLayout()
        bar.addWidget(self.title, 1)
        bar.addWidget(self.channel_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(2, 2, 2, 2)
        box.addLayout(bar)
        box.addWidget(split, 1)

    def show_compare(self, display: CompareDisplay | None, system: str, focus: uuid.UUID | None,
                     extras: CompareExtras | None = None) -> None:
        self.display, self._system, self.extras = display, system, extras or CompareExtras()
        self._track_corners = self.extras.corners if self.extras.track is not None else None
        self.laps.clear()
        self.sectors.clear()
        if display is None:
            self.plots.set_data(PlotRequest([], [], distance_unit(system)))
            self.corner_report.set_corners([], None, "")
            self.payload = MapPayload()
            self.map_changed.emit(self.payload)
            return
        reference = display.lap(display.reference)
        self.title.setText(f"{len(display.laps)} laps · reference {reference.label if reference else '?'}"
                           + "".join(f" · ⚠ {s}" for s in display.skipped))
        self.channel_button.set_available(available_channels(display.channel_info))
        self._fill_laps(display)
        self._fill_sectors(display)
        corners = len(self.extras.corners)
        self.tables.setTabText(1, f"Corners ({corners})" if corners else "Corners")
        self.tables.setTabEnabled(1, bool(corners))
        self._draw()
        self.set_focus(focus)

    def set_focus(self, lap_uuid: uuid.UUID | None) -> None:
        display = self.display
        if display is None:
            return
        others = [lap.uuid for lap in display.laps if lap.uuid != display.reference]
        self.focus = lap_uuid if lap_uuid in others else (others[0] if others else None)
        for i in range(self.laps.topLevelItemCount()):
            item = self.laps.topLevelItem(i)
            if item is not None and item.data(0, UUID_ROLE) == self.focus:
                self.laps.blockSignals(True)
                self.laps.setCurrentItem(item)
                self.laps.blockSignals(False)
        self.corner_report.set_corners(self.extras.corners, str(self.focus) if self.focus else None,
                                       str(display.reference), self._system)
        self.payload = display.map_payload(self.focus)
        if self.extras.track is None or self._track_corners != self.extras.corners:  # extras built by hand
            self.extras.track = compare_track(display, self.extras.corners)
            self._track_corners = self.extras.corners
        self.payload.track = self.extras.track
        self.map_changed.emit(self.payload)

    def show_corner(self, corner: CornerInput) -> None:
        """Zoom plots (and through them the map) to a corner, with the cursor pinned at its apex."""
        margin = CORNER_MARGIN * max(corner.end_m - corner.start_m, 20.0)
        self.plots.zoom_to(max(corner.start_m - margin, 0.0), corner.end_m + margin)
        self.plots.pin_at(corner.apex_m)

    def _fill_laps(self, display: CompareDisplay) -> None:
        for lap in display.laps:
            delta = display.finish_delta_s(lap.uuid) * 1000
            flag = self.extras.flags.get(lap.uuid)
            item = QTreeWidgetItem([("⚑ " if flag else "") + lap.label, format_lap_time(lap.record.lap_time_ms),
                                    "reference" if lap.uuid == display.reference else format_gap(delta),
                                    lap.session_name, f"{flag}, added on purpose" if flag else ""])
            item.setForeground(0, QBrush(QColor(lap.color)))
            item.setData(0, UUID_ROLE, lap.uuid)
            if flag:
                font = item.font(0)
                font.setItalic(True)
                for column in range(item.columnCount()):
                    item.setFont(column, font)
                item.setToolTip(0, f"{flag}: compared because you added it; it does not set the delta axis")
            self.laps.addTopLevelItem(item)

    def _fill_sectors(self, display: CompareDisplay) -> None:
        rows = display.sector_rows()
        count = max((len(times) for _, times, _ in rows), default=0)
        headers = [f"S{i + 1}" for i in range(count)] + ["Lap"]
        self.sectors.setColumnCount(len(headers))
        self.sectors.setRowCount(len(rows))
        self.sectors.setHorizontalHeaderLabels(headers)
        self.sectors.setVerticalHeaderLabels([label for label, _, _ in rows])
        ref = display.lap(display.reference)
        ref_sectors = list(ref.record.sector_times_ms) if ref else []
        ref_times = [*ref_sectors, *([None] * (count - len(ref_sectors))), ref.record.lap_time_ms] if ref else []
        for r, (_, times, total) in enumerate(rows):
            for c, value in enumerate([*times, *([None] * (count - len(times))), total]):
                self.sectors.setItem(r, c, _sector_item(value, ref_times[c] if c < len(ref_times) else None))
        for r, (label, _, _) in enumerate(rows):
            tip = _best_tip(label, display)
            if not tip:
                continue
            header = self.sectors.verticalHeaderItem(r)
            cells = [self.sectors.item(r, c) for c in range(len(headers))]
            for cell in (header, *cells):
                if cell is not None:  # every cell was filled above
                    cell.setToolTip(tip)

    def _draw(self) -> None:
        display = self.display
        if display is None:
            return
        specs = channel_specs(display.channel_info, self.channel_button.chosen, self._system, with_delta=True)
        corners = [CornerMark(c.number, c.apex_m) for c in self.extras.corners]
        self.plots.set_data(PlotRequest(display.traces, specs, distance_unit(self._system),
                                        list(display.result.sector_boundaries_m), self.extras.bridged_m, corners))

    def step_focus(self, step: int) -> None:
        if self.display is None:
            return
        others = [lap.uuid for lap in self.display.laps if lap.uuid != self.display.reference]
        if others:
            index = others.index(self.focus) if self.focus in others else -1
            self.set_focus(others[(index + step) % len(others)])
            self.focus_changed.emit(self.focus)

    def _on_current(self, item: QTreeWidgetItem | None) -> None:
        if item is not None:
            self.set_focus(item.data(0, UUID_ROLE))
            self.focus_changed.emit(self.focus)

    def _request_reference(self) -> None:
        item = self.laps.currentItem()
        if item is not None:
            self.reference_requested.emit(item.data(0, UUID_ROLE))

    def _request_remove(self) -> None:
        item = self.laps.currentItem()
        if item is not None:
            self.remove_requested.emit(item.data(0, UUID_ROLE))

    def _on_channels(self, keys: list[str]) -> None:
        self.channels_changed.emit(keys)
        self._draw()


def _best_tip(label: str, display: CompareDisplay) -> str:
    if label == "Theoretical best":
        return "The best valid sector times of these laps, added up"
    if label == "Realistic best" and display.realistic is not None:
        laps = ", ".join(f"L{n}" for n in display.realistic.lap_numbers)
        return ("Corner segments of these laps joined only where the speeds at the joins agree (a lap a driver "
                f"could have put together); segments from {laps}")
    return ""


def _sector_item(value: int | None, reference: int | None) -> QTableWidgetItem:
    if value is None:
        return QTableWidgetItem("–")
    text = format_lap_time(value)
    item = QTableWidgetItem(text)
    if reference is not None and value != reference:
        diff = value - reference
        item.setText(f"{text} ({format_gap(diff)})")
        item.setForeground(QBrush(QColor("#c62828" if diff > 0 else "#2e7d32")))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item
