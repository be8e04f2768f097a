"""Python <-> page bridge: QWebChannel object `bridge`, a ready handshake and a queue of early calls.

Following Anki's web view: nothing is sent to the page before it said `ready()`; calls made earlier wait in a
queue and run in order once it did. A reload resets the handshake.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QFile, QIODevice, QObject, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineScript

log = logging.getLogger(__name__)


def _qwebchannel_js() -> str:
    source = QFile(":/qtwebchannel/qwebchannel.js")
    if not source.open(QIODevice.OpenModeFlag.ReadOnly):
        raise RuntimeError("qwebchannel.js is missing from the QtWebEngine resources")
    return bytes(source.readAll().data()).decode("utf-8")


_CONNECT_JS = """
window.rtBridge = new Promise(function (resolve) {
  function connect() { new QWebChannel(qt.webChannelTransport, function (ch) { resolve(ch.objects.bridge); }); }
  if (window.qt && qt.webChannelTransport) { connect(); }
  else { document.addEventListener("DOMContentLoaded", connect); }
});
"""


class MapBridge(QObject):
    """The object the page sees as `bridge`. Its slots run on the GUI thread."""

    page_ready = Signal()
    map_clicked = Signal(float, float)
    map_hovered = Signal(float, float)

    @Slot()
    def ready(self) -> None:
        self.page_ready.emit()

    @Slot(float, float)
    def clicked(self, lat: float, lon: float) -> None:
        self.map_clicked.emit(lat, lon)

    @Slot(float, float)
    def hovered(self, lat: float, lon: float) -> None:
        self.map_hovered.emit(lat, lon)


class PageCaller(QObject):
    """Sends JS calls to a page, holding them until the page is ready."""

    def __init__(self, page: QWebEnginePage) -> None:
        super().__init__(page)
        self.page = page
        self.bridge = MapBridge(self)
        self.is_ready = False
        self._queue: list[tuple[str, Callable[[Any], None] | None]] = []
        self._install(page)
        self.bridge.page_ready.connect(self._on_ready)
        page.loadStarted.connect(self._on_load_started)

    def _install(self, page: QWebEnginePage) -> None:
        script = QWebEngineScript()
        script.setName("racetrace-webchannel")
        script.setSourceCode(_qwebchannel_js() + _CONNECT_JS)
        script.setInjectionPoint(QWebEngineScript.InjectionPoint.DocumentCreation)
        script.setWorldId(QWebEngineScript.ScriptWorldId.MainWorld)
        page.scripts().insert(script)
        channel = QWebChannel(page)
        channel.registerObject("bridge", self.bridge)
        page.setWebChannel(channel)

    def call(self, function: str, *args: Any, callback: Callable[[Any], None] | None = None) -> None:
        """Run `function(*args)` in the page, args as JSON; `callback` gets the JSON-decoded return value."""
        js = f"JSON.stringify({function}({', '.join(json.dumps(a, allow_nan=False) for a in args)}))"
        if self.is_ready:
            self._run(js, callback)
        else:
            self._queue.append((js, callback))

    def _run(self, js: str, callback: Callable[[Any], None] | None) -> None:
        # PySide6 returns JS objects as '': the page always answers with a JSON string.
        def decode(text: object) -> None:
            if callback is not None:
                callback(json.loads(text) if isinstance(text, str) and text else None)

        self.page.runJavaScript(js, 0, decode)

    @Slot()
    def _on_ready(self) -> None:
        self.is_ready = True
        queued, self._queue = self._queue, []
        for js, callback in queued:
            self._run(js, callback)

    @Slot()
    def _on_load_started(self) -> None:
        self.is_ready = False
