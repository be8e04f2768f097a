"""A tool button whose menu lets the user pick the plotted channels."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from racetrace_desktop.telemetry.model import ChannelInfo


class ChannelMenuButton(QToolButton):
    """`channels_changed(list[str])` whenever a channel is ticked or unticked."""

    channels_changed = Signal(list)

    def __init__(self, chosen: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText("Channels")
        self.setToolTip("Choose the plotted channels")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.chosen = list(chosen)
        self.setMenu(QMenu(self))

    def set_available(self, infos: list[ChannelInfo]) -> None:
        menu = self.menu()
        menu.clear()
        for info in infos:
            action = menu.addAction(f"{info.label} ({info.display_unit or info.unit or '–'})")
            action.setCheckable(True)
            action.setChecked(info.key in self.chosen)
            action.toggled.connect(lambda on, key=info.key: self._toggle(key, on))

    def _toggle(self, key: str, on: bool) -> None:
        if on and key not in self.chosen:
            self.chosen.append(key)
        elif not on and key in self.chosen:
            self.chosen.remove(key)
        self.channels_changed.emit(list(self.chosen))
