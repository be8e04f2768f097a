"""The main window: library panel, session panel with the lap table, Lap/Compare analysis with the map.

All library work runs in the task runner; this class only wires results into widgets.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QIcon, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QProgressBar, QSplitter

from racetrace_desktop.ui.analysis.area import AnalysisArea
from racetrace_desktop.ui.analysis.compare_view import CompareView
from racetrace_desktop.ui.analysis.lap_view import LapView
from racetrace_desktop.ui.compare_controller import CompareController
from racetrace_desktop.ui.context import AppContext
from racetrace_desktop.ui.importing import ImportController, ImportLog
from racetrace_desktop.ui.library_panel import LibraryPanel
from racetrace_desktop.ui.map.line_picker import LinePicker, Pick
from racetrace_desktop.ui.records import RecordsActions
from racetrace_desktop.ui.session_panel import SessionPanel
from racetrace_desktop.ui.sync_controller import SyncController
from racetrace_desktop.ui.sync_ui import SyncUi
from racetrace_desktop.ui.tasks import Pool

if TYPE_CHECKING:
    from racetrace_desktop.services import session_views
    from racetrace_desktop.services.changes import Changes
    from racetrace_desktop.services.importer import FileImportResult, ImportReport
    from racetrace_desktop.services.library_access import Library
    from racetrace_desktop.services.read_models import LoadedLap
    from racetrace_desktop.ui.plots.stack import ChannelPlotStack

ICON = Path(__file__).resolve().parents[2] / "resources" / "icons" / "racetrace-256.png"
TELEMETRY_FILTER = "Telemetry files (*.csv *.CSV);;All files (*)"


COMPARE_TABLE_SHARE = 0.2  # of the right-hand height: the lap table while the compare is shown

class MainWindow(QMainWindow):
    """`session_loaded`, `lap_loaded` and `library_refreshed` let tests and the screenshot mode wait for data."""

    library_refreshed = Signal()
    session_loaded = Signal(object)
    lap_loaded = Signal(object)
    closed = Signal()  # the window closed: the application ends (see app.run_until_closed)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.setWindowTitle("RaceTrace")
        if ICON.is_file():
            self.setWindowIcon(QIcon(str(ICON)))
        self.setAcceptDrops(True)
        self.current_session: uuid.UUID | None = None
        self.session_view: session_views.SessionView | None = None
        self.files_pending = False  # files from the command line are on their way: show them, not the welcome
        self.restore_last = True  # reopen the last session and lap when the library opens
        self.instance_server: object | None = None
        self._wanted_lap: uuid.UUID | None = None  # the lap to select once its session is shown
        self._fit_layout_on_show = False
        self._build_widgets()
        self.importer = ImportController(context, self)
        self._wire_import()
        self.sync_controller = SyncController(context, self)
        self.compare = CompareController(context, self.compare_view, self,
                                         fetch_telemetry=self.sync_controller.fetch_lap_telemetry)
        self.compare.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.records = RecordsActions(context, self, self.library_panel, self.import_log,
                                      current_session=lambda: self.current_session,
                                      refresh_library=self.refresh_library, say=self.status_text.setText)
        self.line_picker = LinePicker(self)
        self.line_picker.message.connect(lambda text: self.statusBar().showMessage(text, 15_000))
        self.line_picker.saved.connect(self.refresh_library)
        self.sync_ui = SyncUi(self.sync_controller, self, shown_sessions=lambda: self.library_panel.session_uuids,
                              refresh_library=self.refresh_library, compare_only=self._compare_only,
                              flash=lambda text: self.statusBar().showMessage(text, 8000))
        self._place_sync_ui()
        self._build_menus()
        context.errors.problem.connect(self._show_problem)
        context.runner.failed.connect(lambda name, exc: context.errors.report(f"{name} failed", exc))
        self.first_run = not context.settings.restore_window(self, self.splitters)
        if self.first_run:
            self._default_layout()
        self.library_panel.set_hidden_columns(context.settings.library_hidden_columns)

    # ---- layout -------------------------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.library_panel = LibraryPanel(self)
        self.session_panel = SessionPanel(self)
        self.lap_view = LapView(self.context.settings.channels, self)
        self.compare_view = CompareView(self.context.settings.channels, self)
        self.analysis = AnalysisArea(self.context, [("Lap", self.lap_view), ("Compare", self.compare_view)], self)
        self.right_split = QSplitter(Qt.Orientation.Vertical)
        self.right_split.addWidget(self.session_panel)
        self.right_split.addWidget(self.analysis)
        self.right_split.setStretchFactor(1, 3)
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        self.main_split.addWidget(self.library_panel)
        self.main_split.addWidget(self.right_split)
        self.main_split.setStretchFactor(1, 4)
        self.setCentralWidget(self.main_split)
        self.splitters = {"main": self.main_split, "right": self.right_split, "analysis": self.analysis}
        self._table_height_for_laps: int | None = None  # the lap table's height before the compare took room
        self.analysis.tabs.currentChanged.connect(self._room_for_the_compare)
        self.import_log = ImportLog(self)
        self.log_dock = QDockWidget("Imports and problems", self)
        self.log_dock.setObjectName("log_dock")
        self.log_dock.setWidget(self.import_log)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.log_dock)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.status_text = QLabel()
        self.statusBar().addWidget(self.status_text, 1)
        self.statusBar().addPermanentWidget(self.progress)
        self.library_panel.session_selected.connect(self.open_session)
        self.library_panel.edit_requested.connect(lambda s: self.records.edit_session(s))
        self.library_panel.delete_requested.connect(lambda ids: self.records.delete_sessions(ids))
        self.library_panel.public_toggled.connect(lambda s, on: self.records.set_public(s, on))
        self.library_panel.rename_track_requested.connect(lambda t, name: self.records.rename_track(t, name))
        self.library_panel.columns_changed.connect(self._library_columns_chosen)
        self.session_panel.lap_selected.connect(self.open_lap)
        self.session_panel.compare_requested.connect(self.compare_laps)
        self.session_panel.validity_changed.connect(lambda lap, valid, why: self.records.set_validity(lap, valid, why))
        self.lap_view.channels_changed.connect(self._channels_chosen)
        self.compare_view.channels_changed.connect(self._channels_chosen)

    def _place_sync_ui(self) -> None:
        self.statusBar().addPermanentWidget(self.sync_ui.status)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.sync_ui.dock)
        self.sync_ui.dock.hide()
        self.sync_ui.dock.visibilityChanged.connect(self._leaderboard_shown)
        self._leaderboard_sized = False
        self.library_refreshed.connect(self.sync_controller.note_library_changed)
        self.session_panel.session_public_toggled.connect(lambda s, on: self.records.set_public(s, on))
        self.session_panel.laps_public_toggled.connect(lambda laps, on: self.records.set_laps_public(laps, on))

    def _leaderboard_shown(self, visible: bool) -> None:
        """The first time the leaderboard opens it takes about a third of the window (then Qt remembers)."""
        if visible and not self._leaderboard_sized:
            self._leaderboard_sized = True
            width = max(420, self.width() // 3)
            QTimer.singleShot(0, self, lambda: self.resizeDocks([self.sync_ui.dock], [width],
                                                                Qt.Orientation.Horizontal))

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction("&Import files…", QKeySequence.StandardKey.Open, self.choose_files)
        file_menu.addAction("Open &demo data", self.records.load_demo)
        file_menu.addSeparator()
        file_menu.addAction("&Settings…", QKeySequence("Ctrl+,"), self.open_settings)
        file_menu.addAction("&Quit", QKeySequence.StandardKey.Quit, self.close)
        session_menu = self.menuBar().addMenu("&Session")
        session_menu.addAction("&Edit session…", QKeySequence("Ctrl+E"), lambda: self.records.edit_session())
        session_menu.addAction("&Delete session…", QKeySequence.StandardKey.Delete,
                               lambda: self.records.delete_sessions())
        lap_menu = self.menuBar().addMenu("&Lap")
        lap_menu.addAction("&Next lap", QKeySequence("]"), lambda: self.step_lap(1))
        lap_menu.addAction("&Previous lap", QKeySequence("["), lambda: self.step_lap(-1))
        lap_menu.addAction("&Compare selected laps", QKeySequence("Ctrl+K"),
                           lambda: self.compare_laps(self.session_panel.selected_laps()))
        lap_menu.addAction("&Swap reference", QKeySequence("Ctrl+R"), self.compare.swap_reference)
        lap_menu.addAction("Clear compare", lambda: self.compare.clear())
        zoom = lap_menu.addMenu("&Zoom to sector")
        for n in range(1, 10):
            zoom.addAction(f"Sector {n}", QKeySequence(f"Alt+{n}"), partial(self.zoom_to_sector, n))
        zoom.addAction("Whole lap", QKeySequence("Alt+0"), lambda: self._active_plots().reset_zoom())
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction("&Lap view", QKeySequence("Ctrl+1"), lambda: self.analysis.tabs.setCurrentIndex(0))
        view_menu.addAction("&Compare view", QKeySequence("Ctrl+2"), lambda: self.analysis.tabs.setCurrentIndex(1))
        view_menu.addAction(self.log_dock.toggleViewAction())
        track_menu = self.menuBar().addMenu("&Track")
        track_menu.addAction("&Rename track…", self._rename_current_track)
        track_menu.addSeparator()
        track_menu.addAction("Place &start/finish on the map", lambda: self.line_picker.start(Pick.START_FINISH))
        track_menu.addAction("&Add a sector line on the map", lambda: self.line_picker.start(Pick.ADD_SECTOR))
        track_menu.addAction("&Move a sector line on the map", lambda: self.line_picker.start(Pick.MOVE_SECTOR))
        track_menu.addAction("&Equal sectors (remove placed lines)", self.line_picker.clear_sectors)
        track_menu.addAction("Cancel line placing", QKeySequence(Qt.Key.Key_Escape), self.line_picker.cancel)
        track_menu.addSeparator()
        track_menu.addAction("&Tracks and configurations…", self.records.open_tracks)
        records_menu = self.menuBar().addMenu("&Records")
        records_menu.addAction("&Cars…", self.records.open_cars)
        records_menu.addAction("&Events…", self.records.open_events)
        records_menu.addAction("&Tracks and configurations…", self.records.open_tracks)
        self.sync_ui.build_menu(self.menuBar())
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("&About RaceTrace", QKeySequence.StandardKey.HelpContents, self.records.open_about)

    def _default_layout(self) -> None:
        self.resize(1500, 950)
        self._fit_layout_on_show = True  # sizes follow the real (often maximised) size once shown
        self.fit_layout()
        self.log_dock.hide()

    def fit_layout(self) -> None:
        """Share the window out: the plots keep room for four channels, the lap table gets the rest of the height
        (a typical session's laps without scrolling at 1920x1080), the library its columns, the map 40 %."""
        from racetrace_desktop.ui.plots.stack import MIN_PLOT_HEIGHT

        width, height = self.main_split.width() or self.width(), self.right_split.height() or self.height() - 60
        # A narrow screen (1366 px) gives the library a larger share, so its columns need not elide much.
        library_width = max(300, min(540, round(width * (0.32 if width < 1600 else 0.27))))
        self.main_split.setSizes([library_width, width - library_width])
        # four plots, the distance axis, the tab bar, the view's title row and the legend line (the compare takes
        # more when it is shown: `_room_for_the_compare`)
        plots_height = 4 * MIN_PLOT_HEIGHT + 30 + self.analysis.tabs.tabBar().sizeHint().height() + 100
        table_height = max(200, min(height - plots_height, height // 2))
        self.right_split.setSizes([table_height, height - table_height])
        analysis_width = width - library_width
        self.analysis.setSizes([round(analysis_width * 0.6), analysis_width - round(analysis_width * 0.6)])

    def open_settings(self) -> None:
        from racetrace_desktop.ui.dialogs.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.context.settings, self, self.sync_ui.settings_section())
        if dialog.exec():
            dialog.apply()
            self.analysis.set_online(self.context.settings.online_tiles)
            self.apply_units()

    def _room_for_the_compare(self) -> None:
        """The compare (delta plot, channels, corner report) takes room from the session's lap table, which it
        does not need; back on the lap view the table gets its height again."""
        sizes = self.right_split.sizes()
        if len(sizes) != 2 or sum(sizes) <= 0:
            return
        total = sum(sizes)
        if self.analysis.tabs.currentWidget() is self.compare_view:
            compact = max(150, round(total * COMPARE_TABLE_SHARE))
            if sizes[0] > compact:
                self._table_height_for_laps = sizes[0]
                self.right_split.setSizes([compact, total - compact])
        elif self._table_height_for_laps is not None:
            table = min(self._table_height_for_laps, total - 200)
            self.right_split.setSizes([table, total - table])
            self._table_height_for_laps = None

    def _rename_current_track(self) -> None:
        summary = self.session_view.detail.summary if self.session_view else None
        if summary is None or summary.track_id is None:
            self.statusBar().showMessage("Open a session on a track first (or right-click a track in the library).",
                                         8000)
            return
        self.records.rename_track(summary.track_id, summary.track_name or "")

    def _library_columns_chosen(self, hidden: list[str]) -> None:
        self.context.settings.library_hidden_columns = hidden

    # ---- library ------------------------------------------------------------------------------------------------
    @property
    def library(self) -> Library | None:
        return self.context.library

    def set_library(self, library: Library) -> None:
        from racetrace_desktop.services import library_service
        from racetrace_desktop.services.changes import NO_CHANGES

        self.context.library = library
        self.status_text.setText(f"Library: {library.path}")
        self.refresh_library(NO_CHANGES, first=True)
        self._restore_last_session(library)  # in parallel with the listing: the lap is plotted sooner
        self.sync_ui.attach(library)
        # Tracks imported before their circuit was known get its name (quietly; the list refreshes if any did).
        self.context.runner.submit(lambda: library_service.name_unnamed_tracks(library), name="name tracks",
                                   pool=Pool.WRITE, on_success=lambda c: None if c.empty else self.refresh_library(c))

    def _restore_last_session(self, library: Library) -> None:
        from racetrace_desktop.services import session_views

        if not self.restore_last or self.files_pending:
            return
        session, lap = self.context.settings.last_opened(str(library.path))
        if session is None:
            return

        def shown(view: session_views.SessionView | None) -> None:
            if view is None or self.current_session is not None or self.library is not library:
                return  # deleted meanwhile, or the driver already opened another session
            self.current_session = session
            self._wanted_lap = lap
            self._show_session_view(session, view)

        self.context.runner.submit(lambda: session_views.session_view_if_exists(library, session),
                                   name="reopen last session", key="session", on_success=shown)

    def refresh_library(self, changes: Changes, first: bool = False) -> None:
        from racetrace_desktop.services import library_service

        library = self.library
        if library is None:
            return

        def shown(groups: list) -> None:
            current = self.current_session  # before the panel's selection changes with the new rows
            self.library_panel.set_groups(groups)
            if current is not None and current in changes.sessions_removed:
                self.open_session(None)
                self.lap_view.show_lap(None, self.context.units)
            elif current is not None and (current in changes.sessions_updated or changes.laps_changed):
                self.open_session(current, force=True)
            if changes.sessions_removed:
                self.compare.forget_sessions(changes.sessions_removed)
            self.library_refreshed.emit()
            if first:
                self._on_first_listing()

        self.context.runner.submit(lambda: library_service.session_groups(library), name="list sessions",
                                   key="library", on_success=shown)

    def _on_first_listing(self) -> None:
        """Right after start: the welcome for an empty library, else the last session and lap shown again."""
        if self.files_pending:
            return  # the command line's files are what the driver wants to see
        if self.library_panel.session_count == 0:
            self.records.offer_demo()
            return
        if not self.restore_last or self.library is None:
            return
        if self.current_session is not None:  # reopened while the list loaded: just mark it in the list
            self.library_panel.select_session(self.current_session)
            return
        session, lap = self.context.settings.last_opened(str(self.library.path))
        if session is None or self.library_panel.summary(session) is None:
            session, lap = self.library_panel.first_session(), None  # newest session: never an empty window
        self._wanted_lap = lap
        self.library_panel.select_session(session)

    def open_session(self, session_uuid: uuid.UUID | None, force: bool = False) -> None:
        from racetrace_desktop.services import session_views

        library = self.library
        if library is None or (session_uuid == self.current_session and not force):
            return
        self.current_session = session_uuid
        if session_uuid is None:
            self.session_view = None
            self.session_panel.show_session(None, [])
            return

        self.context.runner.submit(lambda: session_views.session_view(library, session_uuid), name="open session",
                                   key="session", on_success=lambda view: self._show_session_view(session_uuid, view))

    def _show_session_view(self, session_uuid: uuid.UUID, view: session_views.SessionView) -> None:
        self.session_view = view
        self.session_panel.show_session(view.detail, view.laps, view.overall_sector_bests)
        wanted, self._wanted_lap = self._wanted_lap, None
        if wanted is not None and self.session_panel.select_lap(wanted):
            pass
        elif not self.session_panel.selected_laps():
            best = self.session_panel.best_lap() or (view.laps[0].uuid if view.laps else None)
            if best is not None:
                self.session_panel.select_lap(best)
        self.session_loaded.emit(session_uuid)

    def open_lap(self, lap_uuid: uuid.UUID | None) -> None:
        from racetrace_desktop.services import library_service

        library = self.library
        if library is None or lap_uuid is None:
            return
        sectors = list(self.session_view.detail.sector_boundaries_m) if self.session_view else []

        def shown(loaded: LoadedLap) -> None:
            self.lap_view.show_lap(loaded, self.context.units, sectors)
            if library is self.library:
                self.context.settings.remember_opened(str(library.path), self.current_session, lap_uuid)
            self.lap_loaded.emit(lap_uuid)

        fetch = self.sync_controller.fetch_lap_telemetry  # a lap synced from another computer: arrays on demand

        def load() -> LoadedLap:
            from racetrace_desktop.services.compare_service import ensure_telemetry

            ensure_telemetry(library, [lap_uuid], fetch)
            return library_service.load_lap(library, lap_uuid)

        self.context.runner.submit(load, name="open lap", key="lap", on_success=shown)

    def step_lap(self, step: int) -> None:
        if self.analysis.active_view() is self.compare_view:
            self.compare.step_focus(step)
        else:
            self.session_panel.step_lap(step)

    def compare_laps(self, lap_uuids: list[uuid.UUID]) -> None:
        if lap_uuids:
            self.compare.add_laps(lap_uuids)
            self.analysis.tabs.setCurrentWidget(self.compare_view)

    def _compare_only(self, lap_uuids: list[uuid.UUID]) -> None:
        """These laps, and no others, in the compare (a lap downloaded from the leaderboard and the driver's own)."""
        self.compare.clear()
        self.compare_laps(lap_uuids)

    def zoom_to_sector(self, number: int) -> None:
        boundaries = (self.compare.sector_boundaries() if self.analysis.active_view() is self.compare_view
                      else list(self.session_view.detail.sector_boundaries_m) if self.session_view else [])
        if 1 <= number <= len(boundaries):
            start = boundaries[number - 2] if number > 1 else 0.0
            self._active_plots().zoom_to(start, boundaries[number - 1])

    def _active_plots(self) -> ChannelPlotStack:
        return self.analysis.active_view().plots

    def _channels_chosen(self, keys: list[str]) -> None:
        self.context.settings.channels = keys
        for view in (self.lap_view, self.compare_view):
            if view.channel_button.chosen != keys:
                view.channel_button.chosen = list(keys)

    def apply_units(self) -> None:
        """Display units changed: redraw what is shown."""
        if self.lap_view.loaded is not None:
            self.lap_view.show_lap(self.lap_view.loaded, self.context.units, self.lap_view._sectors)
        self.compare.recompute()

    # ---- import -------------------------------------------------------------------------------------------------
    def _wire_import(self) -> None:
        self.importer.started.connect(self._import_started)
        self.importer.progressed.connect(self._import_progressed)
        self.importer.finished.connect(self._import_finished)
        self.importer.library_changed.connect(self.refresh_library)

    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Import telemetry files", str(Path.home()), TELEMETRY_FILTER)
        self.import_paths([Path(f) for f in files])

    def import_paths(self, paths_: list[Path]) -> None:
        if paths_:
            self.importer.import_paths(paths_)

    def receive_files(self, files: list[Path]) -> None:
        """Files handed over by a second `racetrace FILE`: come to the front and import them."""
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()
        if not files:
            return
        if self.library is None:
            from racetrace_desktop.ui.app import import_when_open

            import_when_open(self, files)
        else:
            self.import_paths(files)

    def _import_started(self, count: int) -> None:
        self.progress.setValue(0)
        self.progress.show()
        self.status_text.setText(f"Importing {count} file(s)…")

    def _import_progressed(self, done: int, text: str) -> None:
        self.progress.setValue(done)
        self.status_text.setText(text)

    def _import_finished(self, report: ImportReport) -> None:
        results = report.results
        self.import_log.add_results(results)
        if not self.importer.running:
            self.progress.hide()
        self.status_text.setText(import_summary(results))
        if any(r.status != "imported" for r in results):
            self._show_log()  # the summary says "see Imports"
        first_new = next((r.session_uuid for r in results if r.status == "imported"), None)
        if first_new is not None:
            QTimer.singleShot(0, lambda: self._select_when_listed(first_new))

    def _select_when_listed(self, session_uuid: uuid.UUID) -> None:
        if self.library_panel.summary(session_uuid) is not None:
            self.library_panel.select_session(session_uuid)
        else:
            self.library_refreshed.connect(lambda: self.library_panel.select_session(session_uuid),
                                           Qt.ConnectionType.SingleShotConnection)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        files = [f for f in files if f.is_file()] + [c for f in files if f.is_dir() for c in sorted(f.glob("*.csv"))]
        if files:
            event.acceptProposedAction()
            self.import_paths(files)

    # ---- problems and shutdown ----------------------------------------------------------------------------------
    def _show_problem(self, title: str, message: str) -> None:
        if title.startswith("Import failed"):  # listed per file in the log; the batch summary is the status
            self._show_log()
            return
        self.statusBar().showMessage(f"{title}: {message}", 15_000)
        self.import_log.add_message(f"✗ {title}: {message}")
        self._show_log()

    def _show_log(self) -> None:
        if not self.log_dock.isVisible():
            self.log_dock.show()
            self.resizeDocks([self.log_dock], [120], Qt.Orientation.Vertical)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._fit_layout_on_show:
            self._fit_layout_on_show = False
            QTimer.singleShot(0, self, self.fit_layout)  # after the window got its final (maximised) size
        self.analysis.create_map_soon()
        QTimer.singleShot(200, self, _warm_up_plots)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.sync_ui.shutdown()
        self.context.settings.save_window(self, self.splitters)
        self.records.close_dialogs()  # a welcome box or tool window must not outlive the window
        super().closeEvent(event)
        self.closed.emit()


def import_summary(results: Iterable[FileImportResult]) -> str:
    """One line for a whole batch: "3 added, 1 duplicate, 1 failed: see Imports"."""
    rows = list(results)
    counts = {status: sum(1 for r in rows if r.status == status) for status in ("imported", "duplicate", "failed")}
    if not rows:
        return "Import finished: no file was read."
    parts = [f"{counts['imported']} added"]
    if counts["duplicate"]:
        parts.append(f"{counts['duplicate']} duplicate{'s' if counts['duplicate'] > 1 else ''}")
    if counts["failed"]:
        parts.append(f"{counts['failed']} failed")
    text = "Import: " + ", ".join(parts)
    return text + (": see Imports" if counts["duplicate"] or counts["failed"] else ".")


def _warm_up_plots() -> None:
    """Load pyqtgraph while the user looks at the new window, so the first lap opens without that pause."""
    import pyqtgraph  # noqa: F401
