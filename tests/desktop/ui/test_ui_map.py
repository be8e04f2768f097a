"""The offline map: Leaflet from the package, lines and legend drawn, no http(s) request, cursor both ways."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWebEngineCore import QWebEngineUrlRequestInterceptor

from racetrace_desktop.ui.map.lines import (
    SPEED_COLOURS,
    coloured_line,
    merge_short_runs,
    speed_classes,
    speed_legend,
)
from racetrace_desktop.ui.map.page import render_page_html
from racetrace_desktop.ui.map.tiles import TileCache
from racetrace_desktop.ui.map.track import track_marks
from racetrace_desktop.ui.map.widget import MapView, create_map_context


class RecordingInterceptor(QWebEngineUrlRequestInterceptor):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def interceptRequest(self, info) -> None:  # noqa: N802 (Qt override)
        url = info.requestUrl().toString()
        self.urls.append(url)
        if url.startswith(("http:", "https:")):
            info.block(True)


def oval_track(n: int = 2000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = np.linspace(0, 2 * np.pi, n)
    lat = 51.999 + 0.004 * np.sin(t)
    lon = 13.688 + 0.007 * np.cos(t)
    speed = 30 + 15 * np.sin(4 * t)
    return lat, lon, speed


@pytest.fixture
def map_setup(qtbot, qapp, tmp_path):
    context = create_map_context(tmp_path / "cache" / "map", qapp, runner=None, online=False)
    interceptor = RecordingInterceptor()
    context.profile.setUrlRequestInterceptor(interceptor)
    view = MapView(context)
    qtbot.addWidget(view)
    view.resize(800, 560)
    view.show()
    return context, view, interceptor


def page_state(qtbot, view: MapView) -> dict:
    box: dict = {}
    view.state(lambda state: box.update(state=state))
    qtbot.waitUntil(lambda: "state" in box, timeout=5000)
    return box["state"]


def show_oval(qtbot, view: MapView) -> tuple[np.ndarray, np.ndarray]:
    lat, lon, speed = oval_track()
    line = coloured_line("lap 1", lat, lon, speed_classes(speed, 15, 45), SPEED_COLOURS)
    view.show_lines([line], speed_legend(15 * 3.6, 45 * 3.6, "km/h"))
    view.set_cursor_track(lat, lon)
    qtbot.waitUntil(lambda: view.is_ready, timeout=10_000)
    return lat, lon


def test_page_html_references_no_network_resource():
    html = render_page_html()
    assert "leaflet/leaflet.js" in html
    assert "https://" not in html.split("<body>")[0]  # only the attribution link text may name a web site


def test_map_loads_offline_with_leaflet_and_the_lap_line(qtbot, map_setup, screenshot_dir):
    _, view, interceptor = map_setup
    show_oval(qtbot, view)
    qtbot.waitUntil(lambda: page_state(qtbot, view)["svgPaths"] > 0, timeout=5000)
    state = page_state(qtbot, view)
    assert state["leaflet"] == "1.9.3"
    assert state["polylines"] > 1  # split into speed-coloured runs
    assert state["legend"] is True
    assert interceptor.urls, "the interceptor saw the page load"
    assert not [u for u in interceptor.urls if u.startswith(("http:", "https:"))]
    qtbot.wait(300)  # the first frame after loadFinished is not composited yet (offscreen)
    path = screenshot_dir / "map_offline_speed.png"
    assert view.grab().save(str(path))


def test_calls_made_before_the_page_is_ready_are_queued(qtbot, map_setup):
    _, view, _ = map_setup
    assert not view.is_ready
    lat, lon = show_oval(qtbot, view)
    view.set_cursor(0)  # may run right away or be queued, the result must be the same
    qtbot.waitUntil(lambda: page_state(qtbot, view)["cursor"] is not None, timeout=5000)
    assert page_state(qtbot, view)["cursor"] == pytest.approx([lat[0], lon[0]])


def test_cursor_moves_both_ways(qtbot, map_setup):
    _, view, _ = map_setup
    lat, lon = show_oval(qtbot, view)
    view.set_cursor(500)
    qtbot.waitUntil(lambda: page_state(qtbot, view)["cursor"] == pytest.approx([lat[500], lon[500]]), timeout=5000)

    # Map -> Python: a real mouse click on the pixel of track point 1500.
    box: dict = {}
    view.caller.call("(function (lat, lon) { var p = rt.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; })",
                     float(lat[1500]), float(lon[1500]), callback=lambda xy: box.update(xy=xy))
    qtbot.waitUntil(lambda: "xy" in box, timeout=5000)
    x, y = box["xy"]
    with qtbot.waitSignal(view.point_clicked, timeout=5000) as clicked:
        QTest.mouseClick(view.focusProxy(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(round(x), round(y)))
    assert abs(clicked.args[0] - 1500) <= 5  # one pixel is a few metres
    qtbot.waitUntil(lambda: page_state(qtbot, view)["cursor"] == pytest.approx(
        [lat[clicked.args[0]], lon[clicked.args[0]]]), timeout=5000)


def test_cached_tiles_are_served_offline_and_missing_ones_are_not_fetched(qtbot, qapp, tmp_path):
    cache_root = tmp_path / "cache"
    image = QImage(256, 256, QImage.Format.Format_RGB32)
    image.fill(QColor("#a0c8f0"))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    tile_png = bytes(QByteArray(buffer.data()).data())
    cache = TileCache(cache_root / "tiles")
    for x in range(0, 16):  # zoom 4 covers the world with 16 x 16 tiles; fill a row around central Europe
        for y in range(4, 7):
            cache.write(4, x, y, tile_png)
    context = create_map_context(cache_root / "map", qapp, runner=None, online=False)
    view = MapView(context)
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    qtbot.waitUntil(lambda: view.is_ready, timeout=10_000)
    qtbot.waitUntil(lambda: page_state(qtbot, view)["tilesLoaded"] > 0, timeout=5000)
    assert context.tiles.requests >= page_state(qtbot, view)["tilesLoaded"]


def test_map_line_runs_follow_colour_changes_and_short_runs_merge():
    lat = np.linspace(50.0, 50.01, 9)
    lon = np.linspace(8.0, 8.01, 9)
    classes = np.array([0, 0, 0, 1, 1, 1, 0, 0, 0])
    line = coloured_line("lap", lat, lon, classes, ("#000000", "#ffffff"))
    assert [colour for colour, _ in line.segments] == ["#000000", "#ffffff", "#000000"]
    assert line.segments[0][1][-1] == line.segments[1][1][0]  # runs share their end point: no gaps
    assert merge_short_runs(np.array([0, 0, 0, 2, 0, 0, 1, 1, 1]), 2).tolist() == [0, 0, 0, 0, 0, 0, 1, 1, 1]


def show_oval_track(qtbot, view: MapView) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lat, lon, _ = oval_track()
    distance = np.linspace(0.0, 2600.0, len(lat))
    view.show_track(track_marks(lat, lon, distance, [900.0, 1800.0, 2600.0], [(1, 400.0), (2, 1300.0)]))
    show_oval(qtbot, view)
    return lat, lon, distance


def test_offline_the_track_reads_as_a_place(qtbot, map_setup, screenshot_dir):
    _, view, interceptor = map_setup
    show_oval_track(qtbot, view)
    qtbot.waitUntil(lambda: page_state(qtbot, view)["outline"] == 1, timeout=5000)
    state = page_state(qtbot, view)
    assert state["tilesLoaded"] == 0  # no tiles offline...
    assert state["gateLabels"] == ["S/F", "S2", "S3"] and state["gates"] == 3  # ...but S/F and sector lines,
    assert state["arrow"] == 1 and state["corners"] == 2 and state["scale"]  # direction, corners and a scale
    assert state["legendOverTrack"] == 0 and state["scaleOverTrack"] == 0
    assert not [u for u in interceptor.urls if u.startswith(("http:", "https:"))]
    qtbot.wait(300)
    image = view.grab().toImage()
    assert image.save(str(screenshot_dir / "map_offline_track.png"))
    road = QColor("#fbfbf8")
    lit = sum(1 for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)
              if QColor(image.pixel(x, y)).lightness() >= road.lightness() - 3)
    assert lit > 200  # the wide light outline is in the picture


def test_gates_cross_the_track_at_their_distance():
    lat, lon, _ = oval_track()
    distance = np.linspace(0.0, 2600.0, len(lat))
    marks = track_marks(lat, lon, distance, [900.0, 1800.0, 2600.0])
    sf = marks.gates[0]
    middle = np.mean([sf["a"], sf["b"]], axis=0)
    assert middle == pytest.approx([lat[0], lon[0]], abs=1e-6)  # centred on the track
    across = np.array(sf["b"]) - np.array(sf["a"])
    along = np.array([lat[1] - lat[0], lon[1] - lon[0]])
    k = np.cos(np.radians(lat[0]))
    cos = np.dot(across * [1, k], along * [1, k]) / np.linalg.norm(across * [1, k]) / np.linalg.norm(along * [1, k])
    assert abs(cos) < 0.05  # perpendicular to the driving direction
    assert 0 <= marks.arrow["bearing"] < 360


def test_the_legend_folds_and_the_map_follows_the_dark_theme(qtbot, map_setup):
    _, view, _ = map_setup
    show_oval_track(qtbot, view)
    qtbot.waitUntil(lambda: page_state(qtbot, view)["legend"], timeout=5000)
    light = page_state(qtbot, view)
    box: dict = {}
    view.caller.call("rt.collapseLegend", True, callback=lambda r: box.update(r=r))
    qtbot.waitUntil(lambda: page_state(qtbot, view)["legendCollapsed"], timeout=5000)
    view.set_theme(True)
    qtbot.waitUntil(lambda: page_state(qtbot, view)["dark"], timeout=5000)
    dark = page_state(qtbot, view)
    assert dark["background"] != light["background"]
    assert dark["outline"] == 1 and dark["legendOverTrack"] == 0
