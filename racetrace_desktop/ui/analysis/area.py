"""The analysis area: Lap and Compare tabs on the left, one shared map on the right, one cursor for all.

The cursor follows the mouse over the plots and over the map; a click pins it (the plots own the pinned state).
A zoom to part of the lap in the plots (sector, corner) zooms the map to the same stretch. The map follows the
light or dark palette.

The map (QtWebEngine, ~0.1-0.2 s and ~100 MB) is created right after the window is first painted, so the window
and its plots appear first. Whatever the active tab shows is sent to the map; calls made before the page is
ready are queued by the map's bridge.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QSplitter, QTabWidget, QWidget

from racetrace_desktop.ui.analysis.payload import MapPayload
from racetrace_desktop.ui.context import AppContext
from racetrace_desktop.ui.map.widget import MapContext, MapView, create_map_context
from racetrace_desktop.ui.plots.stack import ChannelPlotStack
from racetrace_desktop.ui.theme import is_dark

if TYPE_CHECKING:
    from racetrace_desktop.ui.analysis.compare_view import CompareView
    from racetrace_desktop.ui.analysis.lap_view import LapView

    AnalysisView = LapView | CompareView  # each has `plots`, `payload` and `map_changed`


class AnalysisArea(QSplitter):
    """Routes each view's map payload and the cursor between the active plots and the map."""

    map_ready = Signal()

    def __init__(self, context: AppContext, views: list[tuple[str, AnalysisView]],
                 parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.context = context
        self.tabs = QTabWidget(self)
        self.views = [view for _, view in views]
        for title, view in views:
            self.tabs.addTab(view, title)
            view.map_changed.connect(lambda payload, v=view: self._on_payload(v, payload))
            self._plots(view).cursor_moved.connect(lambda d, v=view: self._on_plot_cursor(v, d))
            self._plots(view).range_requested.connect(lambda a, b, v=view: self._on_plot_range(v, a, b))
        self.tabs.currentChanged.connect(lambda _i: self._show_active())
        self.placeholder = QLabel("Map loading…")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.addWidget(self.tabs)
        self.addWidget(self.placeholder)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.map: MapView | None = None
        self.map_context: MapContext | None = None
        self._map_requested = False

    @staticmethod
    def _plots(view: AnalysisView) -> ChannelPlotStack:
        return view.plots

    def active_view(self) -> AnalysisView:
        return self.views[self.tabs.currentIndex()]

    def create_map_soon(self) -> None:
        """Write the page in a worker (folium is slow to import), then create the web view after the window's
        first paint."""
        if self._map_requested:
            return
        self._map_requested = True
        folder = self.context.cache_folder / "map"

        def write_page() -> Path:
            from racetrace_desktop.ui.map.page import write_map_page

            return write_map_page(folder)

        self.context.runner.submit(write_page, name="write map page",
                                   on_success=lambda page: QTimer.singleShot(50, self, lambda: self.create_map(page)))

    def create_map(self, page: Path | None = None) -> None:
        if self.map is not None:
            return
        folder = self.context.cache_folder / "map"
        self.map_context = create_map_context(folder, _application(), self.context.runner,
                                              self.context.settings.online_tiles, page=page)
        self.map = MapView(self.map_context)
        self.map.setObjectName("map")
        self.map.point_clicked.connect(self._on_map_click)
        self.map.point_hovered.connect(self._on_map_hover)
        self.map.ready.connect(self.map_ready)
        self.map.set_theme(is_dark())
        self.replaceWidget(1, self.map)
        self.placeholder.deleteLater()
        self._show_active()

    def set_online(self, online: bool) -> None:
        if self.map_context is not None:
            self.map_context.tiles.online = online

    def _on_payload(self, view: AnalysisView, payload: MapPayload) -> None:
        if view is self.active_view():
            self._send(payload)

    def _show_active(self) -> None:
        self._send(self.active_view().payload)

    def _send(self, payload: MapPayload) -> None:
        if self.map is None:
            return
        self.map.set_cursor_track(payload.cursor_lat, payload.cursor_lon)
        self.map.show_track(payload.track)
        self.map.show_lines(payload.lines, payload.legend)
        plots = self._plots(self.active_view())
        index = payload.index_at(plots.cursor_m)
        if index is not None:
            self.map.set_cursor(index, plots.pinned)

    def _on_plot_cursor(self, view: AnalysisView, distance_m: float) -> None:
        if self.map is None or view is not self.active_view():
            return
        index = view.payload.index_at(distance_m)
        if index is not None:
            self.map.set_cursor(index, self._plots(view).pinned)

    def _on_plot_range(self, view: AnalysisView, start_m: float, end_m: float) -> None:
        if self.map is None or view is not self.active_view():
            return
        payload = view.payload
        if payload.covers_whole_lap(start_m, end_m):
            self.map.fit_all()
        else:
            points = payload.points_between(start_m, end_m)
            if points:
                self.map.fit_points(points)

    def _on_map_click(self, index: int) -> None:
        """Pin the cursor at the clicked place; a click while pinned lets it follow the mouse again."""
        view = self.active_view()
        distance = view.payload.distance_at(index)
        if distance is None or self.map is None:
            return
        plots = self._plots(view)
        if plots.pinned:
            plots.unpin()
            plots.set_cursor(distance)
        else:
            plots.pin_at(distance, emit=False)
        self.map.set_cursor(index, plots.pinned)

    def _on_map_hover(self, index: int) -> None:
        view = self.active_view()
        plots = self._plots(view)
        distance = view.payload.distance_at(index)
        if plots.pinned or distance is None or self.map is None:
            return
        plots.set_cursor(distance)
        self.map.set_cursor(index)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.map is not None:
            self.map.set_theme(is_dark())


def _application() -> QApplication:
    """The running application: it owns the map's web profile, which must outlive every page."""
    app = QApplication.instance()
    assert isinstance(app, QApplication), "the analysis area is only built inside a QApplication"
    return app
