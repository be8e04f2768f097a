"""The leaderboard panel: pick a server track configuration, filter by car category and event, page through the
public laps (rank, driver, car, lap time, gap, date, provenance); "stale (offline)" when the page comes from the
cache; download a lap's telemetry and compare it against the driver's own fastest lap on that configuration."""

from __future__ import annotations

import html
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from racetrace_desktop.telemetry.laps import TIME_SOURCE_TEXT
from racetrace_desktop.ui.sync_controller import SyncController, error_text
from racetrace_desktop.ui.sync_status import short_error
from racetrace_desktop.ui.units import format_gap, format_lap_time

if TYPE_CHECKING:
    from racetrace_desktop.services.leaderboard_queries import LeaderboardFilters
    from racetrace_desktop.services.read_models import ConfigurationRecord, LapRecord
    from racetrace_desktop.sync import DownloadedLap, LeaderboardView, SyncService

PAGE_SIZE = 50
COLUMNS = ("Rank", "Driver", "Car", "Lap time", "Gap", "Date", "Provenance")
ALL_CATEGORIES, ALL_EVENTS = "All car categories", "All events"
STALE_COLOUR, ERROR_COLOUR = "#b26a00", "#c62828"
Index = QModelIndex | QPersistentModelIndex


def car_text(car: dict[str, Any] | None) -> str:
    if not car:
        return "–"
    name = " ".join(str(car[key]) for key in ("year", "make", "model") if car.get(key))
    return f"{name} ({car['category']})" if car.get("category") else name


def provenance_text(provenance: dict[str, Any]) -> str:
    logger = " ".join(str(provenance[k]) for k in ("format_name", "app_version") if provenance.get(k))
    rate = provenance.get("gps_rate_hz")
    parts = [logger, provenance.get("device") or "", f"GPS {rate:.0f} Hz" if rate else "",
             "valid" if provenance.get("is_valid", True) else "invalid"]  # fmt: skip
    return " · ".join(part for part in parts if part)


def provenance_tooltip(provenance: dict[str, Any]) -> str:
    version = provenance.get("track_configuration_version")
    current = provenance.get("timed_with_current_version")
    lines = [
        f"Logger: {provenance.get('format_name') or '?'} {provenance.get('app_version') or ''}".rstrip(),
        f"Device: {provenance.get('device') or '?'} ({provenance.get('os_name') or '?'})",
        f"GPS: {provenance.get('gps_source') or '?'}, {provenance.get('gps_rate_hz') or '?'} Hz",
        f"Lap time: {TIME_SOURCE_TEXT.get(str(provenance.get('time_source')), 'stated by the logger')}",
        f"Timed on configuration version {version}" + ("" if current in (None, True) else " (not the current one)"),
    ]
    return "\n".join(lines)


def date_text(value: str | None) -> str:
    if not value:
        return "–"
    try:
        return datetime.fromisoformat(value).astimezone().strftime("%Y-%m-%d")
    except ValueError:
        return value[:10]


class LeaderboardModel(QAbstractTableModel):
    """Rows are leaderboard entries (the server's dicts); gaps are to the leader of the board."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[dict[str, Any]] = []
        self.leader_ms: int | None = None

    def set_entries(self, entries: list[dict[str, Any]], leader_ms: int | None) -> None:
        self.beginResetModel()
        self.entries, self.leader_ms = list(entries), leader_ms
        self.endResetModel()

    def entry_at(self, row: int) -> dict[str, Any]:
        return self.entries[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802 (Qt API)
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        entry, column = self.entries[index.row()], COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(entry, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == "Provenance":
            return provenance_tooltip(entry.get("provenance") or {})
        if role == Qt.ItemDataRole.ForegroundRole and not (entry.get("provenance") or {}).get("is_valid", True):
            return QBrush(QColor("#9e9e9e"))
        if role == Qt.ItemDataRole.TextAlignmentRole and column in ("Rank", "Lap time", "Gap"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def text(self, entry: dict[str, Any], column: str) -> str:
        lap_ms = entry.get("lap_time_ms")
        if column == "Rank":
            return str(entry.get("rank", ""))
        if column == "Driver":
            return str((entry.get("driver") or {}).get("display_name") or "–")
        if column == "Car":
            return car_text(entry.get("car"))
        if column == "Lap time":
            return format_lap_time(lap_ms)
        if column == "Gap":
            if lap_ms is None or self.leader_ms is None:
                return ""
            return "leader" if lap_ms == self.leader_ms else format_gap(lap_ms - self.leader_ms)
        if column == "Date":
            return date_text(entry.get("achieved_at"))
        return provenance_text(entry.get("provenance") or {})


class LeaderboardPanel(QWidget):
    """`page_shown(LeaderboardView | None)` after each page; `compare_requested(downloaded session uuid,
    [lap uuids])` once a lap is downloaded (with the driver's own fastest lap when they have one)."""

    page_shown = Signal(object)
    compare_requested = Signal(object, list)

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leaderboard")
        self.controller = controller
        self.page = 1
        self.total = 0
        self.view: LeaderboardView | None = None
        self.said = ""  # the message line as plain text
        self._outdated = True  # reload when shown
        self._leaders: dict[tuple[str, str, str], int] = {}  # board -> leader's lap time (for gaps on later pages)
        self._build()
        controller.service_ready.connect(self.reload)
        controller.synced.connect(lambda *_a: self.reload())
        controller.account_changed.connect(self.reload)

    def _build(self) -> None:
        self.configuration = QComboBox()
        self.configuration.setMinimumContentsLength(16)
        self.category = QComboBox()
        self.category.setEditable(True)
        self.category.addItem(ALL_CATEGORIES)
        self.event_choice = QComboBox()
        self.event_choice.addItem(ALL_EVENTS, None)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.reload)
        for combo in (self.configuration, self.event_choice):
            combo.activated.connect(lambda _i: self.load_page(1))
        category_editor = self.category.lineEdit()
        assert category_editor is not None, "an editable combo box has a line edit"
        category_editor.editingFinished.connect(lambda: self.load_page(1))
        self.category.activated.connect(lambda _i: self.load_page(1))
        self.stale = QLabel()
        self.stale.setWordWrap(True)
        self.stale.hide()
        self.model = LeaderboardModel()
        self.table = QTableView()
        self.table.setObjectName("leaderboard_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)  # long provenance is elided; the whole of it is in the tooltip
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self.download_selected())
        self.previous = QPushButton("◀")
        self.previous.clicked.connect(lambda: self.load_page(self.page - 1))
        self.next = QPushButton("▶")
        self.next.clicked.connect(lambda: self.load_page(self.page + 1))
        self.page_label = QLabel()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.download = QPushButton("Download and compare")
        self.download.setToolTip("Store this lap's telemetry in the library and compare it with your fastest lap "
                                 "on this configuration (double-click a lap does the same)")
        self.download.clicked.connect(self.download_selected)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        track = QHBoxLayout()
        box.addLayout(track)
        track.addWidget(QLabel("Track", self))
        track.addWidget(self.configuration, 1)
        track.addWidget(refresh)
        filters = QHBoxLayout()
        box.addLayout(filters)
        for label, choice in (("Category", self.category), ("Event", self.event_choice)):
            filters.addWidget(QLabel(label, self))
            filters.addWidget(choice, 1)
        box.addWidget(self.stale)
        box.addWidget(self.table, 1)
        box.addWidget(self.message)
        pages = QHBoxLayout()
        box.addLayout(pages)
        for widget in (self.previous, self.page_label, self.next):
            pages.addWidget(widget)
        pages.addStretch(1)
        pages.addWidget(self.download)
        self._show_pages()

    # ---- configurations and filters ----------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._outdated:
            self.reload()

    def reload(self) -> None:
        """Configurations and filter choices from the library (cached from the server), then the page. While
        the panel is hidden this waits until it is shown (no server requests for a board nobody looks at)."""
        from racetrace_desktop.services.leaderboard_queries import leaderboard_filters

        self._outdated = not self.isVisible()
        if self._outdated:
            return

        def work(service: SyncService) -> tuple[list[ConfigurationRecord], list[ConfigurationRecord], Any]:
            return (service.leaderboard_configurations(), service.leaderboard_configurations(with_own_sessions=True),
                    leaderboard_filters(service.library))  # fmt: skip

        self.controller.call(work, name="leaderboard configurations", key="leaderboard configurations",
                             on_success=self._configurations_loaded, on_error=self._failed)  # fmt: skip

    def _configurations_loaded(self, loaded: tuple[list[ConfigurationRecord], list[ConfigurationRecord],
                                                   LeaderboardFilters]) -> None:  # fmt: skip
        every, own, filters = loaded
        shown = self.configuration.currentData()
        current = shown or (own[0].server_id if own else None)
        self.configuration.clear()
        for configuration in every:
            self.configuration.addItem(f"{configuration.track_name} – {configuration.name}", configuration.server_id)
        found = self.configuration.findData(current)
        self.configuration.setCurrentIndex(max(found, 0))
        self._fill_filters(filters)
        if not every:
            self.model.set_entries([], None)
            self._say("No track configurations from the server yet: sign in and sync first.")
            self.page_shown.emit(None)
            return
        self.load_page(self.page if self.configuration.currentData() == shown else 1)

    def _fill_filters(self, filters: LeaderboardFilters) -> None:
        typed, event = self.category.currentText(), self.event_choice.currentData()
        self.category.clear()
        self.category.addItems([ALL_CATEGORIES, *filters.car_categories])
        self.category.setCurrentText(typed)
        self.event_choice.clear()
        self.event_choice.addItem(ALL_EVENTS, None)
        for event_uuid, name in filters.events:
            self.event_choice.addItem(name, str(event_uuid))
        self.event_choice.setCurrentIndex(max(self.event_choice.findData(event), 0))

    # ---- pages -------------------------------------------------------------------------------------------------
    def board(self) -> tuple[str, str, str]:
        category = self.category.currentText().strip()
        return (self.configuration.currentData() or "", "" if category == ALL_CATEGORIES else category,
                self.event_choice.currentData() or "")  # fmt: skip

    def load_page(self, page: int = 1) -> None:
        config, category, event = self.board()
        if not config:
            return
        self.page = max(1, page)
        wanted, size = self.page, PAGE_SIZE
        self._say("Loading…")
        self.controller.call(lambda s: s.leaderboard(config, category or None, event or None, wanted, size),
                             name="leaderboard", key="leaderboard", on_success=self._page_loaded,
                             on_error=self._failed)  # fmt: skip

    def _page_loaded(self, view: LeaderboardView | None) -> None:
        self.view = view
        board = self.board()
        if view is None:
            self.model.set_entries([], None)
            self.total = 0
            self._say("No leaderboard here yet: the server could not be asked and there is no offline copy.",
                      ERROR_COLOUR)  # fmt: skip
        else:
            entries = view.entries
            if self.page == 1 and entries:
                self._leaders[board] = int(entries[0]["lap_time_ms"])
            self.model.set_entries(entries, self._leaders.get(board))
            self.total = int(view.payload.get("total") or len(entries))
            self._say("" if entries else "No public laps on this board yet.")
        self._show_stale(view)
        self._show_pages()
        self.page_shown.emit(view)

    def _show_stale(self, view: LeaderboardView | None) -> None:
        self.stale.setVisible(bool(view and view.stale))
        if view is not None and view.stale:
            moment = view.fetched_at.astimezone().strftime("%Y-%m-%d %H:%M")
            problem = view.problem or "the server could not be asked"
            self.stale.setText(f"<span style='color:{STALE_COLOUR}'><b>stale (offline)</b>: the copy from {moment} "
                               f"({html.escape(short_error(problem))})</span>")  # fmt: skip
            self.stale.setToolTip(problem)

    def _show_pages(self) -> None:
        pages = max(1, -(-self.total // PAGE_SIZE))
        self.page_label.setText(f"Page {self.page} of {pages} ({self.total} laps)")
        self.previous.setEnabled(self.page > 1)
        self.next.setEnabled(self.page < pages)

    @property
    def stale_text(self) -> str:
        return self.stale.text() if self.stale.isVisible() else ""

    # ---- download and compare ----------------------------------------------------------------------------------
    def download_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.view is None:
            self._say("Select a lap of the leaderboard first.")
            return
        self.download_entry(self.model.entry_at(rows[0].row()))

    def download_entry(self, entry: dict[str, Any]) -> None:
        from racetrace_desktop.services.leaderboard_queries import own_fastest_lap

        config = self.view.configuration_server_id if self.view else self.board()[0]
        wanted = {**entry, "track_configuration_id": config}

        def work(service: SyncService) -> tuple[DownloadedLap, LapRecord | None]:
            return service.download_leaderboard_lap(wanted), own_fastest_lap(service.library, config)

        driver = (entry.get("driver") or {}).get("display_name") or "another driver"
        self._say(f"Downloading the lap of {driver}…")
        self.controller.call(work, name="download leaderboard lap", on_success=self._downloaded,
                             on_error=self._failed)  # fmt: skip

    def _downloaded(self, result: tuple[DownloadedLap, LapRecord | None]) -> None:
        lap, own = result
        if own is None:
            self._say("Downloaded. You have no timed lap on this configuration yet: it is compared alone.")
            self.compare_requested.emit(lap.session_uuid, [lap.lap_uuid])
            return
        self._say(f"Compared against your fastest lap ({format_lap_time(own.lap_time_ms)}).")
        self.compare_requested.emit(lap.session_uuid, [own.uuid, lap.lap_uuid])

    def _failed(self, exc: BaseException) -> None:
        self._say(error_text(exc), ERROR_COLOUR)

    def _say(self, words: str, colour: str | None = None) -> None:
        self.said = words
        escaped = html.escape(words)
        self.message.setText(f"<span style='color:{colour}'>{escaped}</span>" if colour else escaped)
