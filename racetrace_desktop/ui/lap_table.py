"""Lap table model: lap, time, gap to best, sector times coloured personal/overall best, flags, validity."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from racetrace_desktop.telemetry import display
from racetrace_desktop.telemetry.display import sector_bests
from racetrace_desktop.telemetry.laps import TIME_SOURCE_TEXT
from racetrace_desktop.ui.units import format_gap, format_lap_time

if TYPE_CHECKING:
    from racetrace_desktop.services.read_models import LapRecord

PURPLE = QColor("#8e24aa")  # overall best on this track configuration
GREEN = QColor("#2e7d32")  # best of this session
FIXED_COLUMNS = ("Lap", "Time", "Gap")
TAIL_COLUMNS = ("Flags", "Valid", "Public", "Reason")
LEFT_ALIGNED = ("Flags", "Public", "Reason")
Index = QModelIndex | QPersistentModelIndex


@dataclass
class SectorBests:
    session: list[int | None] = field(default_factory=list)
    overall: list[int | None] = field(default_factory=list)


FLAG_MEANINGS = {
    display.OUT_LAP: "out-lap: from the start of the recording to the first start/finish crossing",
    display.IN_LAP: "in-lap: after the last start/finish crossing, so it has no lap time",
    display.PIT: "pit: the lap passes through the pit lane (a pit entry/exit in the file, or a stop)",
}


def lap_flags(lap: LapRecord) -> list[str]:
    return display.lap_flags(lap.is_outlap, lap.is_inlap, lap.is_pit)


def flags_text(lap: LapRecord) -> str:
    return " ".join(lap_flags(lap))


def flags_explained(lap: LapRecord) -> str:
    """One line per flag, and why the lap does or does not count for bests."""
    lines = [FLAG_MEANINGS[name] for name in lap_flags(lap)]
    if lap.valid_override is not None:
        verdict = "counts" if lap.is_valid else "does not count"
        lines.append(f"You decided it {verdict} for bests" + (f": {lap.override_reason}" if lap.override_reason
                                                              else ""))
    elif not lap.computed_valid:
        lines.append(f"Not counted for bests: {lap.computed_reason or 'flagged by the analysis'}")
    return "\n".join(lines) if lines else "A full timed lap that counts for bests"


def reason_text(lap: LapRecord) -> str:
    """The Reason column: the driver's own reason (marked as such), else the analysis' reason."""
    if lap.valid_override is not None and lap.override_reason:
        return f"{lap.override_reason} (yours)"
    return lap.invalid_reason or ""


class LapTableModel(QAbstractTableModel):
    """Rows are laps. The Valid column is checkable; `validity_toggled(lap_uuid, valid)` asks for the change."""

    validity_toggled = Signal(object, bool)

    def __init__(self) -> None:
        super().__init__()
        self.laps: list[LapRecord] = []
        self.bests = SectorBests()
        self._best_ms: int | None = None
        self._sectors = 0
        self.session_public = False  # a public session shares all its laps

    def set_laps(self, laps: list[LapRecord], overall_sector_bests: list[int | None] | None = None,
                 session_public: bool = False) -> None:
        self.beginResetModel()
        self.laps = list(laps)
        self.session_public = session_public
        self._sectors = max((len(lap.sector_times_ms) for lap in laps), default=0)
        self.bests = SectorBests(sector_bests(self.laps), list(overall_sector_bests or []))
        timed = [lap.lap_time_ms for lap in laps if lap.is_valid and lap.lap_time_ms is not None]
        self._best_ms = min(timed) if timed else None
        self.endResetModel()

    def lap_at(self, row: int) -> LapRecord:
        return self.laps[row]

    def row_of(self, lap_uuid: uuid.UUID) -> int | None:
        return next((i for i, lap in enumerate(self.laps) if lap.uuid == lap_uuid), None)

    @property
    def columns(self) -> list[str]:
        return [*FIXED_COLUMNS, *(f"S{i + 1}" for i in range(self._sectors)), *TAIL_COLUMNS]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return 0 if parent.isValid() else len(self.laps)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return 0 if parent.isValid() else len(self.columns)

    def headerData(  # noqa: N802 (Qt API)
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.columns[index.column()] == "Valid":
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        lap, column = self.laps[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(lap, column)
        if role == Qt.ItemDataRole.CheckStateRole and column == "Valid":
            return Qt.CheckState.Checked if lap.is_valid else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole and column.startswith("S") and column[1:].isdigit():
            return self._sector_brush(lap, int(column[1:]) - 1)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(lap, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column not in LEFT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role == Qt.ItemDataRole.CheckStateRole and self.columns[index.column()] == "Valid":
            checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2)
            self.validity_toggled.emit(self.laps[index.row()].uuid, checked)
            return False  # the table changes when the library says so
        return False

    def _text(self, lap: LapRecord, column: str) -> str:
        if column == "Lap":
            return str(lap.number)
        if column == "Time":
            return format_lap_time(lap.lap_time_ms)
        if column == "Gap":
            if lap.lap_time_ms is None or self._best_ms is None or lap.is_outlap or lap.is_inlap:
                return ""  # a partial lap's gap would mislead
            return "best" if lap.lap_time_ms == self._best_ms else format_gap(lap.lap_time_ms - self._best_ms)
        if column == "Flags":
            return flags_text(lap)
        if column == "Valid":
            return ""
        if column == "Public":
            return "yes" if lap.is_public else "session" if self.session_public else ""
        if column == "Reason":
            return reason_text(lap)
        sector = int(column[1:]) - 1
        value = lap.sector_times_ms[sector] if sector < len(lap.sector_times_ms) else None
        return format_lap_time(value) if value is not None else "–"

    def _sector_brush(self, lap: LapRecord, sector: int) -> QBrush | None:
        value = lap.sector_times_ms[sector] if sector < len(lap.sector_times_ms) else None
        if not lap.is_valid or value is None:
            return None
        overall = self.bests.overall[sector] if sector < len(self.bests.overall) else None
        if overall is not None and value <= overall:
            return QBrush(PURPLE)
        if sector < len(self.bests.session) and value == self.bests.session[sector]:
            return QBrush(GREEN)
        return None

    def _tooltip(self, lap: LapRecord, column: str) -> str | None:
        if column == "Flags":
            return flags_explained(lap)
        if column in ("Valid", "Reason"):
            verdict = "valid" if lap.computed_valid else f"invalid ({lap.computed_reason})"
            text = f"Analysis: {verdict}"
            if lap.valid_override is not None:
                text += f"\nYour override: {'valid' if lap.valid_override else 'invalid'}"
                text += f" ({lap.override_reason})" if lap.override_reason else ""
            return text + "\nClick the box to change."
        if column.startswith("S") and column[1:].isdigit():
            return "purple: best on this track configuration; green: best of this session"
        if column == "Public":
            return "Public laps go to the leaderboard at the next sync (right-click to change)"
        if column == "Time" and lap.lap_time_ms is not None:
            text = f"Lap time: {TIME_SOURCE_TEXT.get(str(lap.time_source), str(lap.time_source))}"
            if lap.gps_time_ms is not None and str(lap.time_source) != "gps":
                text += f"\nGPS line crossing: {format_lap_time(lap.gps_time_ms)}"
            return text
        return None
