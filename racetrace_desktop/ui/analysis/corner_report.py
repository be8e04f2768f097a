"""The corner report: corners ranked by the time the focused lap loses to the reference, with the speed and brake
point differences and the hints. Choosing a row (click or arrow keys) announces the corner; `step` moves to the
next or previous corner along the track."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from racetrace_desktop.ui.analysis.corner_input import CornerInput, CornerLapFigures
from racetrace_desktop.ui.theme import is_dark
from racetrace_desktop.ui.units import DisplayUnit, format_gap, speed_unit

HEADERS = ("Corner", "Lost", "Entry Δ", "Min Δ", "Exit Δ", "Brake Δ", "Hints")
CORNER_ROLE = Qt.ItemDataRole.UserRole + 2


class CornerReport(QTableWidget):
    """`corner_chosen(CornerInput)` when the user picks a corner."""

    corner_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(HEADERS), parent)
        self.setObjectName("corner_report")
        self.setHorizontalHeaderLabels(HEADERS)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)  # compact rows: more corners
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.setToolTip("Corners ranked by time lost to the reference. Click a corner (or press , and .) to zoom "
                        "the plots and the map to it; the cursor goes to its apex.")
        self.corners: list[CornerInput] = []  # in ranked (row) order
        self._changed_by_press = False
        self._pressing = False
        self.currentCellChanged.connect(self._on_current)
        self.cellClicked.connect(self._on_click)  # a click on the chosen corner zooms to it again

    def set_corners(self, corners: list[CornerInput], lap_key: str | None, reference_key: str,
                    system: str = "metric") -> None:
        """Rank `corners` by what `lap_key` loses against `reference_key` (most first)."""
        self.blockSignals(True)
        try:
            self.clearContents()
            key = lap_key or reference_key
            self.corners = sorted(corners, key=lambda c: -(c.time_lost_s(key, reference_key) or 0.0))
            self.setRowCount(len(self.corners))
            unit = speed_unit(system)
            for row, corner in enumerate(self.corners):
                cells = corner_cells(corner, key, reference_key, unit)
                for col, (text, tone) in enumerate(cells):
                    item = QTableWidgetItem(text)
                    item.setData(CORNER_ROLE, corner.number)
                    if tone:
                        item.setForeground(QBrush(QColor(_tone_colour(tone))))
                    if col == 0:  # the corner's name
                        item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                    elif col < len(cells) - 1:  # figures
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.setItem(row, col, item)
        finally:
            self.blockSignals(False)

    def choose(self, number: int) -> None:
        row = next((i for i, c in enumerate(self.corners) if c.number == number), None)
        if row is not None:
            if row == self.currentRow():
                self._announce(row)
            self.setCurrentCell(row, 0)

    def step(self, step: int) -> None:
        """Next (+1) or previous (-1) corner along the track, from the chosen one."""
        if not self.corners:
            return
        along = sorted(self.corners, key=lambda c: c.start_m)
        current = self.corners[self.currentRow()] if 0 <= self.currentRow() < len(self.corners) else None
        index = along.index(current) + step if current is not None else (0 if step > 0 else -1)
        self.choose(along[index % len(along)].number)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        self._pressing = True
        try:
            super().mousePressEvent(event)
        finally:
            self._pressing = False

    def _on_current(self, row: int, _column: int, previous_row: int, _previous_column: int) -> None:
        if row != previous_row:
            # The click that follows a press on a new row is not announced a second time.
            self._changed_by_press = self._pressing
            self._announce(row)

    def _on_click(self, row: int, _column: int) -> None:
        if not self._changed_by_press:
            self._announce(row)
        self._changed_by_press = False

    def _announce(self, row: int) -> None:
        if 0 <= row < len(self.corners):
            self.corner_chosen.emit(self.corners[row])


def corner_cells(corner: CornerInput, lap_key: str, reference_key: str, unit: DisplayUnit
                 ) -> list[tuple[str, str]]:
    """(text, tone) per column; tone "loss", "gain" or "" colours the text."""
    lap, ref = corner.laps.get(lap_key), corner.laps.get(reference_key)
    lost = corner.time_lost_s(lap_key, reference_key)
    cells = [(corner.title, ""), (_signed_time(lost), _tone(lost))]
    for attr in ("entry_speed_mps", "min_speed_mps", "exit_speed_mps"):
        diff = _diff(lap, ref, attr)
        shown = None if diff is None else diff * unit.scale
        cells.append(("–" if shown is None else f"{shown:+.1f} {unit.label}", _tone(-shown if shown else None)))
    brake = _diff(lap, ref, "brake_point_m")
    cells.append((_brake_text(brake), ""))
    cells.append(("; ".join(lap.hints) if lap and lap.hints else "", ""))
    return cells


def _diff(lap: CornerLapFigures | None, ref: CornerLapFigures | None, attr: str) -> float | None:
    a, b = (getattr(lap, attr, None), getattr(ref, attr, None))
    return a - b if a is not None and b is not None else None


def _signed_time(seconds: float | None) -> str:
    return "–" if seconds is None else format_gap(seconds * 1000)


def _brake_text(metres: float | None) -> str:
    if metres is None:
        return "–"
    if abs(metres) < 0.5:
        return "same"
    return f"{abs(metres):.0f} m {'later' if metres > 0 else 'earlier'}"


def _tone(value: float | None) -> str:
    if value is None or abs(value) < 1e-9:
        return ""
    return "loss" if value > 0 else "gain"


def _tone_colour(tone: str) -> str:
    if is_dark():
        return "#ff8a80" if tone == "loss" else "#69f0ae"
    return "#c62828" if tone == "loss" else "#2e7d32"
