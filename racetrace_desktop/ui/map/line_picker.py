"""Place the start/finish and sector lines by clicking on the map; every session of the configuration re-laps.

The picker listens to the map's existing click bridge (`MapBridge.map_clicked`) and draws the lines in a layer of
its own (`rtLines`), so the map page and widget need nothing new. A click snaps to the nearest point of the lap
shown on the map; the line's direction is the lap's direction there.
"""

from __future__ import annotations

import enum
import json
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from racetrace_desktop.telemetry.geo import haversine_m
from racetrace_desktop.ui.map.lines import nearest_index
from racetrace_desktop.ui.tasks import Pool

if TYPE_CHECKING:
    from racetrace_desktop.services.read_models import ConfigurationRecord
    from racetrace_desktop.ui.main_window import MainWindow
    from racetrace_desktop.ui.map.widget import MapView

Gate = tuple[float, float, float | None]  # a sector line as stored: lat, lon, heading
SNAP_M = 40.0  # a click farther than this from the lap is not "on the track"
DIRECTION_SPAN = 5  # points either side used for the lap's direction at the click

_LAYER_JS = """
window.rtLines = window.rtLines || {layer: null};
rtLines.show = function (lines) {
  if (!window.rt || !rt.map) { return 0; }
  if (rtLines.layer) { rtLines.layer.remove(); }
  rtLines.layer = L.layerGroup().addTo(rt.map);
  lines.forEach(function (line) {
    L.polyline(line.points, {color: line.color, weight: line.weight, opacity: 1, interactive: false,
                             className: "rt-gate rt-gate-" + line.kind}).addTo(rtLines.layer);
  });
  return lines.length;
};
rtLines.count = function () {
  return document.querySelectorAll("path.rt-gate-start, path.rt-gate-sector").length;  // not the track marks
};
"""


class Pick(enum.Enum):
    START_FINISH = "start/finish"
    ADD_SECTOR = "sector line"
    MOVE_SECTOR = "sector line to move"
    MOVE_SECTOR_TO = "new place of the sector line"


@dataclass(frozen=True)
class TrackPoint:
    lat: float
    lon: float
    heading_deg: float  # direction of travel there (0 = north, clockwise)
    index: int  # on the lap shown


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2, dlon = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    x = math.sin(dlon) * math.cos(phi2)
    y = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlon)
    return math.degrees(math.atan2(x, y)) % 360.0


def snap_to_lap(lat: np.ndarray, lon: np.ndarray, at_lat: float, at_lon: float, snap_m: float = SNAP_M
                ) -> TrackPoint | None:
    """The lap's point nearest to a click and its direction; None when the click is off the track."""
    index = nearest_index(lat, lon, at_lat, at_lon)
    if index is None or float(haversine_m(lat[index], lon[index], at_lat, at_lon)) > snap_m:
        return None
    valid = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    before = valid[valid <= index - DIRECTION_SPAN]
    after = valid[valid >= index + DIRECTION_SPAN]
    a = int(before[-1]) if before.size else int(valid[0])
    b = int(after[0]) if after.size else int(valid[-1])
    if a == b:
        return None
    heading = bearing_deg(float(lat[a]), float(lon[a]), float(lat[b]), float(lon[b]))
    return TrackPoint(float(lat[index]), float(lon[index]), heading, index)


def gate_segment(lat: float, lon: float, heading_deg: float, width_m: float) -> list[list[float]]:
    """The two ends of a line across the track (perpendicular to the driving direction)."""
    across = math.radians(heading_deg + 90.0)
    half = width_m / 2.0
    dlat = math.degrees(half * math.cos(across) / 6_371_000.0)
    dlon = math.degrees(half * math.sin(across) / (6_371_000.0 * math.cos(math.radians(lat))))
    return [[lat - dlat, lon - dlon], [lat + dlat, lon + dlon]]


def order_gates(gates: list[Gate], lat: np.ndarray, lon: np.ndarray) -> list[Gate]:
    """Sector gates in driving order along the lap shown."""
    return sorted(gates, key=lambda g: nearest_index(lat, lon, g[0], g[1]) or 0)


class LinePicker(QObject):
    """Arms a pick, turns the next map click into a configuration edit and re-laps (in the write pool).

    `message(str)` tells the driver what to do or what happened; `saved(Changes)` after a re-lap.
    """

    message = Signal(str)
    saved = Signal(object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.pick: Pick | None = None
        self.configuration: ConfigurationRecord | None = None
        self._moving: int | None = None  # index of the sector gate being moved
        self._map: MapView | None = None
        window.session_loaded.connect(self._session_shown)
        window.lap_loaded.connect(lambda _lap: self.draw())
        window.analysis.map_ready.connect(self._attach)

    # ---- driver actions ---------------------------------------------------------------------------------------
    def start(self, pick: Pick) -> None:
        problem = self._cannot_edit()
        if problem:
            self.message.emit(problem)
            return
        if pick is Pick.MOVE_SECTOR and not (self.configuration and self.configuration.sector_gates):
            self.message.emit("This track has no sector lines placed on the map yet: add one first.")
            return
        self.pick = pick
        self.window.analysis.tabs.setCurrentWidget(self.window.lap_view)
        self.message.emit(f"Click the track on the map where the {pick.value} goes (Esc cancels).")

    def cancel(self) -> None:
        if self.pick is not None:
            self.pick, self._moving = None, None
            self.message.emit("Line placing cancelled.")

    def clear_sectors(self) -> None:
        problem = self._cannot_edit()
        if problem:
            self.message.emit(problem)
            return
        self._save("equal sectors", sector_gates=[], num_sectors=3)

    # ---- state --------------------------------------------------------------------------------------------------
    def _cannot_edit(self) -> str | None:
        config = self.configuration
        if self.window.current_session is None or config is None:
            return "Open a session on a track first: lines are placed on its lap."
        if not config.editable:
            return f"{config.track_name} comes from the sync server: its lines cannot be changed here."
        if self._map is None or not len(self.window.lap_view.payload.cursor_lat):
            return "Wait until the lap is drawn on the map."
        return None

    def _session_shown(self, _session: uuid.UUID) -> None:
        view = self.window.session_view
        config_id = view.detail.summary.configuration_id if view else None
        library = self.window.library
        if config_id is None or library is None:
            self.configuration = None
            self.draw()
            return
        from racetrace_desktop.services import library_service

        self.window.context.runner.submit(lambda: library_service.get_configuration(library, config_id),
                                          name="track lines", key="line picker", on_success=self._configured)

    def _configured(self, config: ConfigurationRecord) -> None:
        self.configuration = config
        self.draw()

    def _attach(self) -> None:
        """The map page is ready (first time or after a reload): listen to its clicks, draw the lines again."""
        view = self.window.analysis.map
        if view is None:
            return
        if view is not self._map:
            self._map = view
            view.caller.bridge.map_clicked.connect(self._clicked)
        self.draw()

    # ---- clicks -------------------------------------------------------------------------------------------------
    def _clicked(self, lat: float, lon: float) -> None:
        pick, config = self.pick, self.configuration
        if pick is None or config is None:
            return
        payload = self.window.lap_view.payload
        point = snap_to_lap(payload.cursor_lat, payload.cursor_lon, lat, lon)
        if point is None:
            self.message.emit(f"That click is off the track: click on the lap line to place the {pick.value}.")
            return
        gates: list[Gate] = list(config.sector_gates)
        if pick is Pick.START_FINISH:
            self.pick = None
            self._save("start/finish", start_lat=point.lat, start_lon=point.lon, start_heading_deg=point.heading_deg)
        elif pick is Pick.ADD_SECTOR:
            self.pick = None
            self._save_gates([*gates, (point.lat, point.lon, point.heading_deg)])
        elif pick is Pick.MOVE_SECTOR:
            self._moving = min(range(len(gates)), key=lambda i: float(haversine_m(gates[i][0], gates[i][1], lat, lon)))
            self.pick = Pick.MOVE_SECTOR_TO
            self.message.emit(f"Now click where sector line {self._moving + 1} goes (Esc cancels).")
        elif pick is Pick.MOVE_SECTOR_TO and self._moving is not None:
            gates[self._moving] = (point.lat, point.lon, point.heading_deg)
            self.pick, self._moving = None, None
            self._save_gates(gates)

    def _save_gates(self, gates: list[Gate]) -> None:
        payload = self.window.lap_view.payload
        ordered = order_gates(gates, payload.cursor_lat, payload.cursor_lon)
        self._save("sector lines", sector_gates=ordered, num_sectors=len(ordered) + 1)

    def _save(self, what: str, **edits: Any) -> None:
        from racetrace_desktop.services.relap import RelapProgress, edit_configuration

        config, library = self.configuration, self.window.library
        if config is None or library is None:
            return
        self.message.emit(f"Saving the {what} and re-lapping the sessions of {config.track_name}…")

        def work(progress: Callable[[int, int, str], None]) -> object:
            def report(step: RelapProgress) -> None:
                progress(step.index, step.count, step.source_name)

            return edit_configuration(library, config.id, progress=report, **edits)

        def done(changes: object) -> None:
            count = len(getattr(changes, "sessions_updated", ()))
            self.message.emit(f"{what.capitalize()} saved on {config.track_name}; {count} session(s) re-lapped.")
            self.saved.emit(changes)

        self.window.context.runner.submit(
            work, name="place track lines", pool=Pool.WRITE,
            on_progress=lambda done_, total, name: self.message.emit(f"Re-lapping {done_ + 1}/{total}: {name}"),
            on_success=done,
            on_error=lambda exc: self.window.context.errors.report("Placing the line failed", exc))

    # ---- drawing ------------------------------------------------------------------------------------------------
    def lines(self) -> list[dict]:
        """What the map shows: the start/finish (black and white) and the sector lines (amber)."""
        config = self.configuration
        if config is None:
            return []
        payload = self.window.lap_view.payload
        width = max(config.gate_width_m, 30.0)
        heading = config.start_heading_deg
        if heading is None:
            snapped = snap_to_lap(payload.cursor_lat, payload.cursor_lon, config.start_lat, config.start_lon, 500.0)
            heading = snapped.heading_deg if snapped else None
        lines = []
        if heading is not None:
            segment = gate_segment(config.start_lat, config.start_lon, heading, width)
            lines += [{"kind": "start", "points": segment, "color": "#111111", "weight": 7},
                      {"kind": "start", "points": segment, "color": "#ffffff", "weight": 3}]
        for lat, lon, gate_heading in config.sector_gates:
            if gate_heading is None:
                snapped = snap_to_lap(payload.cursor_lat, payload.cursor_lon, lat, lon, 500.0)
                gate_heading = snapped.heading_deg if snapped else None
            if gate_heading is not None:
                lines.append({"kind": "sector", "points": gate_segment(lat, lon, gate_heading, width),
                              "color": "#ffb300", "weight": 5})
        return lines

    def draw(self) -> None:
        if self._map is None:
            return
        if self._map.is_ready:  # else _attach draws once the page says it is ready
            js = _LAYER_JS + f"JSON.stringify(rtLines.show({json.dumps(self.lines())}))"
            self._map.page().runJavaScript(js, 0, lambda _r: None)

    def drawn_count(self, callback: Callable[[int], None]) -> None:
        """How many line paths the map shows (tests)."""
        if self._map is None:
            callback(0)
            return
        self._map.page().runJavaScript(_LAYER_JS + "rtLines.count()", 0,
                                       lambda n: callback(int(n) if isinstance(n, (int, float)) else 0))
