"""Lap view: one lap's channels against distance; the map shows the lap coloured by speed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from racetrace_desktop.ui.analysis.build import available_channels, channel_specs, lap_label, lap_trace, speed_map_line
from racetrace_desktop.ui.analysis.channel_menu import ChannelMenuButton
from racetrace_desktop.ui.analysis.payload import MapPayload
from racetrace_desktop.ui.map.track import track_marks
from racetrace_desktop.ui.plots.stack import ChannelPlotStack
from racetrace_desktop.ui.plots.traces import PlotRequest
from racetrace_desktop.ui.theme import lap_colour
from racetrace_desktop.ui.units import distance_unit

if TYPE_CHECKING:
    from racetrace_desktop.services.read_models import LoadedLap


class LapView(QWidget):
    """`map_changed(MapPayload)` when a new lap is shown; `channels_changed(list)` when the user picks channels."""

    map_changed = Signal(object)
    channels_changed = Signal(list)

    def __init__(self, chosen_channels: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plots = ChannelPlotStack(self)
        self.plots.setObjectName("lap_plots")
        self.title = QLabel("Select a lap in the lap table.")
        self.channel_button = ChannelMenuButton(chosen_channels, self)
        self.channel_button.channels_changed.connect(self._on_channels)
        bar = QHBoxLayout()
        bar.addWidget(self.title, 1)
        bar.addWidget(self.channel_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(2, 2, 2, 2)
        box.addLayout(bar)
        box.addWidget(self.plots, 1)
        self.loaded: LoadedLap | None = None
        self.payload = MapPayload()
        self._system = "metric"
        self._sectors: list[float] = []

    def show_lap(self, loaded: LoadedLap | None, system: str, sector_boundaries_m: list[float] | None = None) -> None:
        self.loaded, self._system, self._sectors = loaded, system, list(sector_boundaries_m or [])
        if loaded is None:
            self.title.setText("Select a lap in the lap table.")
            self.plots.set_data(PlotRequest([], [], distance_unit(system)))
            self.payload = MapPayload()
            self.map_changed.emit(self.payload)
            return
        self.title.setText(lap_label(loaded.lap))
        self.channel_button.set_available(available_channels(loaded.channel_info))
        self._draw()
        data = loaded.data
        line, legend = speed_map_line(f"lap-{loaded.lap.number}", data.lat, data.lon, data.channels.get("speed"),
                                      system)
        self.payload = MapPayload([line], legend, data.lat, data.lon, data.distance_m,
                                  track_marks(data.lat, data.lon, data.distance_m, self._sectors))
        self.map_changed.emit(self.payload)

    def _draw(self) -> None:
        assert self.loaded is not None
        trace = lap_trace(self.loaded, lap_label(self.loaded.lap), lap_colour(0))
        specs = channel_specs(self.loaded.channel_info, self.channel_button.chosen, self._system)
        self.plots.set_data(PlotRequest([trace], specs, distance_unit(self._system), self._sectors))

    def _on_channels(self, keys: list[str]) -> None:
        self.channels_changed.emit(keys)
        if self.loaded is not None:
            self._draw()
