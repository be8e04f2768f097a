"""Settings: display units and online map tiles."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QRadioButton, QVBoxLayout, QWidget

from racetrace_desktop.ui.settings import AppSettings
from racetrace_desktop.ui.units import IMPERIAL, METRIC


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self.metric = QRadioButton("Metric (km/h, m, kPa, °C)")
        self.imperial = QRadioButton("Imperial (mph, ft, psi, °F)")
        (self.imperial if settings.units == IMPERIAL else self.metric).setChecked(True)
        self.tiles = QCheckBox("Download OpenStreetMap tiles when online (cached on disk)")
        self.tiles.setChecked(settings.online_tiles)
        form = QFormLayout()
        form.addRow("Display units", self.metric)
        form.addRow("", self.imperial)
        form.addRow("Map", self.tiles)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(buttons)

    def apply(self) -> None:
        self.settings.units = IMPERIAL if self.imperial.isChecked() else METRIC
        self.settings.online_tiles = self.tiles.isChecked()
