"""Online map tiles: fetched off the GUI thread with a User-Agent, cached on disk, served from the cache later."""

from __future__ import annotations

import http.server
import threading

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

from racetrace_desktop.ui.map.tiles import USER_AGENT, TileCache
from racetrace_desktop.ui.map.widget import MapView, create_map_context
from racetrace_desktop.ui.tasks import TaskRunner


def png_bytes(colour: str) -> bytes:
    image = QImage(256, 256, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(QByteArray(buffer.data()).data())


@pytest.fixture
def tile_server():
    """A local tile server standing in for OpenStreetMap; records the User-Agent of every request."""
    tile = png_bytes("#9fc5e8")
    seen: list[tuple[str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append((self.path, self.headers.get("User-Agent", "")))
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png", seen
    server.shutdown()


def page_state(qtbot, view: MapView) -> dict:
    box: dict = {}
    view.state(lambda state: box.update(state=state))
    qtbot.waitUntil(lambda: "state" in box, timeout=5000)
    return box["state"]


def test_online_tiles_are_fetched_with_a_user_agent_and_cached(qtbot, qapp, tmp_path, tile_server):
    url, seen = tile_server
    runner = TaskRunner()
    context = create_map_context(tmp_path / "cache" / "map", qapp, runner, online=True)
    context.tiles.url_template = url
    view = MapView(context)
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    qtbot.waitUntil(lambda: view.is_ready, timeout=10_000)
    qtbot.waitUntil(lambda: page_state(qtbot, view)["tilesLoaded"] > 0, timeout=10_000)
    assert seen and all(agent == USER_AGENT for _, agent in seen)
    assert USER_AGENT.startswith("RaceTrace/")
    z, x, y = (int(part) for part in seen[0][0].removesuffix(".png").strip("/").split("/"))
    assert TileCache(tmp_path / "cache" / "tiles").read(z, x, y) is not None
    runner.wait_for_done()


def test_offline_the_map_asks_for_tiles_but_nothing_is_downloaded(qtbot, qapp, tmp_path, tile_server):
    url, seen = tile_server
    context = create_map_context(tmp_path / "cache" / "map", qapp, TaskRunner(), online=False)
    context.tiles.url_template = url
    view = MapView(context)
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    qtbot.waitUntil(lambda: view.is_ready and context.tiles.requests > 0, timeout=10_000)
    qtbot.wait(300)
    assert page_state(qtbot, view)["tilesLoaded"] == 0  # plain background
    assert seen == []
