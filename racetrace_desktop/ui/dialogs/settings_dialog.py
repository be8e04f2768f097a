"""Settings: display units, online map tiles and (given by the sync UI) the sync section."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from racetrace_desktop.ui.settings import AppSettings
from racetrace_desktop.ui.units import IMPERIAL, METRIC

if TYPE_CHECKING:
    from racetrace_desktop.ui.dialogs.account import SyncSettingsSection


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, parent: QWidget | None = None,
                 sync_section: SyncSettingsSection | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.sync_section = sync_section
        self.setWindowTitle("Settings")
        self.settings = settings
        # Not `self.metric`: that would shadow QWidget.metric(), which Qt calls when painting (a crash).
        self.metric_units = QRadioButton("Metric (km/h, m, kPa, °C)")
        self.imperial_units = QRadioButton("Imperial (mph, ft, psi, °F)")
        (self.imperial_units if settings.units == IMPERIAL else self.metric_units).setChecked(True)
        self.tiles = QCheckBox("Download OpenStreetMap tiles when online (cached on disk)")
        self.tiles.setChecked(settings.online_tiles)
        form = QFormLayout()
        form.addRow("Display units", self.metric_units)
        form.addRow("", self.imperial_units)
        form.addRow("Map", self.tiles)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        if sync_section is not None:
            group = QGroupBox("Sync")
            QVBoxLayout(group).addWidget(sync_section)
            box.addWidget(group)
        box.addWidget(buttons)

    def apply(self) -> None:
        self.settings.units = IMPERIAL if self.imperial_units.isChecked() else METRIC
        self.settings.online_tiles = self.tiles.isChecked()
        if self.sync_section is not None:
            self.sync_section.apply()
