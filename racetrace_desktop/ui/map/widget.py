"""The map widget: a QWebEngineView showing the offline Leaflet page, lap lines, a legend and a cursor."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QUrl, Signal, Slot
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from racetrace_desktop.ui.map.bridge import PageCaller
from racetrace_desktop.ui.map.lines import Legend, MapLine, nearest_index
from racetrace_desktop.ui.map.tiles import TILE_SCHEME, TileCache, TileSchemeHandler
from racetrace_desktop.ui.map.track import TrackMarks
from racetrace_desktop.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


@dataclass
class MapContext:
    """What every map view shares: the page folder and one profile with the tile handler."""

    folder: Path
    page: Path
    profile: QWebEngineProfile
    tiles: TileSchemeHandler


def create_map_context(folder: Path, owner: QObject, runner: TaskRunner | None, online: bool,
                       page: Path | None = None) -> MapContext:
    """Set up the profile (and write the page unless `page` was written already, e.g. in a worker).

    `owner` must outlive every map view (e.g. the QApplication).
    """
    if page is None:
        from racetrace_desktop.ui.map.page import write_map_page  # folium is slow to import: only when needed

        page = write_map_page(folder)
    profile = QWebEngineProfile(owner)  # off the record: no browsing state on disk
    tiles = TileSchemeHandler(TileCache(folder.parent / "tiles"), runner, online, profile)
    profile.installUrlSchemeHandler(TILE_SCHEME, tiles)
    return MapContext(folder=folder, page=page, profile=profile, tiles=tiles)


class _Page(QWebEnginePage):
    def javaScriptConsoleMessage(  # noqa: N802 (Qt override)
        self, level: QWebEnginePage.JavaScriptConsoleMessageLevel, message: str, line: int, source: str
    ) -> None:
        log.debug("map page %s:%s: %s", source, line, message)


class MapView(QWebEngineView):
    """Shows the track and lap lines; `point_clicked(index)` / `point_hovered(index)` give the cursor-track point
    nearest to a click / to the mouse."""

    point_clicked = Signal(int)
    point_hovered = Signal(int)
    ready = Signal()

    def __init__(self, context: MapContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPage(_Page(context.profile, self))
        self.caller = PageCaller(self.page())
        self.caller.bridge.page_ready.connect(self.ready)
        self.caller.bridge.map_clicked.connect(self._on_click)
        self.caller.bridge.map_hovered.connect(self._on_hover)
        self._track_lat = np.empty(0)
        self._track_lon = np.empty(0)
        self.setMinimumSize(200, 150)
        self.load(QUrl.fromLocalFile(str(context.page)))

    @property
    def is_ready(self) -> bool:
        return self.caller.is_ready

    def show_lines(self, lines: list[MapLine], legend: Legend | None, fit: bool = True) -> None:
        self.caller.call("rt.setLegend", legend.to_json() if legend else None)  # first: the fit leaves room for it
        self.caller.call("rt.setLines", [line.to_json() for line in lines], fit)

    def show_track(self, marks: TrackMarks | None) -> None:
        """Outline, S/F and sector lines, direction arrow and corners (drawn before `show_lines` fits the view)."""
        self.caller.call("rt.setTrack", marks.to_json() if marks else None)

    def fit_points(self, points: list[list[float]]) -> None:
        """Zoom to these positions (a sector or a corner)."""
        self.caller.call("rt.fitPoints", points)

    def fit_all(self) -> None:
        self.caller.call("rt.fit")

    def set_theme(self, dark: bool) -> None:
        self.caller.call("rt.setTheme", dark)

    def set_cursor_track(self, lat: np.ndarray, lon: np.ndarray) -> None:
        """The points `set_cursor(index)` and `point_clicked` refer to (the reference lap)."""
        self._track_lat = np.asarray(lat, dtype=float)
        self._track_lon = np.asarray(lon, dtype=float)

    def set_cursor(self, index: int, pinned: bool = False) -> None:
        if not 0 <= index < len(self._track_lat):
            return
        lat, lon = float(self._track_lat[index]), float(self._track_lon[index])
        if np.isfinite(lat) and np.isfinite(lon):
            self.caller.call("rt.setCursor", lat, lon, pinned)

    def clear(self) -> None:
        self.set_cursor_track(np.empty(0), np.empty(0))
        self.caller.call("rt.setLines", [], False)
        self.caller.call("rt.setTrack", None)
        self.caller.call("rt.setLegend", None)
        self.caller.call("rt.hideCursor")

    def state(self, callback: Callable[[dict], None]) -> None:
        """What the page draws (a dict) -> callback; for tests and the screenshot mode."""
        self.caller.call("rt.state", callback=callback)

    @Slot(float, float)
    def _on_click(self, lat: float, lon: float) -> None:
        index = nearest_index(self._track_lat, self._track_lon, lat, lon)
        if index is not None:
            self.set_cursor(index)
            self.point_clicked.emit(index)

    @Slot(float, float)
    def _on_hover(self, lat: float, lon: float) -> None:
        index = nearest_index(self._track_lat, self._track_lon, lat, lon)
        if index is not None and _metres(self._track_lat[index], self._track_lon[index], lat, lon) < HOVER_REACH_M:
            self.point_hovered.emit(index)


HOVER_REACH_M = 80.0  # farther from the track the mouse is just over the map, not pointing at a place on it


def _metres(lat_a: float, lon_a: float, lat_b: float, lon_b: float) -> float:
    k = np.cos(np.radians(lat_a))
    return float(np.hypot(lat_a - lat_b, (lon_a - lon_b) * k) * 111_320.0)
