"""User preferences in QSettings (versioned): display units, map tiles, chosen channels, window layout, library
columns and the session and lap last shown."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter

from racetrace_desktop.ui.units import IMPERIAL, METRIC

SCHEMA_VERSION = 1
DEFAULT_CHANNELS = ("speed", "rpm", "throttle", "gps_long_g", "gps_lat_g", "altitude")


class AppSettings:
    """Typed access to the settings file. Tests pass their own QSettings (an ini file in tmp)."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings()
        self._migrate()

    def _migrate(self) -> None:
        version = _int(self.store.value("schema_version", 0))
        if version < SCHEMA_VERSION:  # version 0 = nothing stored yet; later versions add migrators here
            self.store.setValue("schema_version", SCHEMA_VERSION)

    @property
    def units(self) -> str:
        value = str(self.store.value("display/units", METRIC))
        return value if value in (METRIC, IMPERIAL) else METRIC

    @units.setter
    def units(self, value: str) -> None:
        self.store.setValue("display/units", IMPERIAL if value == IMPERIAL else METRIC)

    @property
    def online_tiles(self) -> bool:
        return _bool(self.store.value("map/online_tiles", True))

    @online_tiles.setter
    def online_tiles(self, value: bool) -> None:
        self.store.setValue("map/online_tiles", bool(value))

    @property
    def channels(self) -> list[str]:
        value = self.store.value("plots/channels", None)
        if not value:
            return list(DEFAULT_CHANNELS)
        return [str(v) for v in (value if isinstance(value, list) else str(value).split(","))]

    @channels.setter
    def channels(self, keys: list[str]) -> None:
        self.store.setValue("plots/channels", ",".join(keys))

    @property
    def demo_offered(self) -> bool:
        return _bool(self.store.value("first_run/demo_offered", False))

    @demo_offered.setter
    def demo_offered(self, value: bool) -> None:
        self.store.setValue("first_run/demo_offered", bool(value))

    @property
    def library_hidden_columns(self) -> list[str]:
        # Hidden by default (right-click the library header to show them): most tracks have one layout, and the
        # session panel has the Public box.
        value = self.store.value("library/hidden_columns", "Configuration,Public")
        items = value if isinstance(value, list) else str(value or "").split(",")
        return [str(v) for v in items if v]

    @library_hidden_columns.setter
    def library_hidden_columns(self, names: list[str]) -> None:
        self.store.setValue("library/hidden_columns", ",".join(names))

    def last_opened(self, library_path: str) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        """The session and lap last shown with this library (None, None when another library was open)."""
        if str(self.store.value("last/library", "")) != library_path:
            return None, None
        return _uuid(self.store.value("last/session")), _uuid(self.store.value("last/lap"))

    def remember_opened(self, library_path: str, session: uuid.UUID | None, lap: uuid.UUID | None) -> None:
        self.store.setValue("last/library", library_path)
        self.store.setValue("last/session", str(session) if session else "")
        self.store.setValue("last/lap", str(lap) if lap else "")

    def save_window(self, window: QMainWindow, splitters: dict[str, QSplitter]) -> None:
        self.store.setValue("window/geometry", window.saveGeometry())
        self.store.setValue("window/state", window.saveState())
        for name, splitter in splitters.items():
            self.store.setValue(f"window/splitter_{name}", splitter.saveState())
        self.store.sync()

    def restore_window(self, window: QMainWindow, splitters: dict[str, QSplitter]) -> bool:
        geometry = self.store.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            window.restoreGeometry(geometry)
        state = self.store.value("window/state")
        if isinstance(state, QByteArray):
            window.restoreState(state)
        for name, splitter in splitters.items():
            saved = self.store.value(f"window/splitter_{name}")
            if isinstance(saved, QByteArray):
                splitter.restoreState(saved)
        return isinstance(geometry, QByteArray)


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _int(value: object) -> int:
    """A hand-edited or foreign settings file may hold anything: what isn't a whole number counts as 0."""
    try:
        return int(str(value or 0))
    except ValueError:
        return 0


def _bool(value: object) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
