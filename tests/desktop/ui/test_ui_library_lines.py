"""Start/finish and sector lines placed by clicking on the map (through the page's own click handler): the
configuration moves there and every session on it re-laps."""

from __future__ import annotations

import numpy as np
import pytest
from ui_helpers import import_by_drop, open_first_session, wait_map_drawn

from racetrace_desktop.services import library_service
from racetrace_desktop.telemetry.geo import distance_m
from racetrace_desktop.ui.map.line_picker import Pick, bearing_deg, gate_segment, snap_to_lap


def click_map(qtbot, window, lat: float, lon: float) -> None:
    """A click on the Leaflet map at (lat, lon), delivered by Leaflet to the page's click handler."""
    js = f"rt.map.fire('click', {{latlng: L.latLng({lat}, {lon})}}); 1"
    done: list = []
    window.analysis.map.page().runJavaScript(js, 0, done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)


def drawn_lines(qtbot, window) -> int:
    box: list[int] = []
    window.line_picker.drawn_count(box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=5000)
    return box[0]


@pytest.fixture
def goodwood(qtbot, window, trackaddict_samples):
    import_by_drop(qtbot, window, [trackaddict_samples / "sample_02.csv"])
    open_first_session(qtbot, window)
    wait_map_drawn(qtbot, window)
    qtbot.waitUntil(lambda: window.line_picker.configuration is not None, timeout=10_000)
    return window


def test_moving_the_start_finish_on_the_map_relaps_the_session(qtbot, goodwood, library):
    window = goodwood
    before = library_service.session_laps(library, window.current_session)
    payload = window.lap_view.payload
    target = int(np.searchsorted(payload.cursor_distance_m, payload.cursor_distance_m[-1] * 0.4))
    lat, lon = float(payload.cursor_lat[target]), float(payload.cursor_lon[target])
    qtbot.waitUntil(lambda: drawn_lines(qtbot, window) == 2, timeout=10_000)  # the file's start/finish

    window.line_picker.start(Pick.START_FINISH)
    with qtbot.waitSignals([window.line_picker.saved, window.session_loaded], timeout=60_000):
        click_map(qtbot, window, lat + 0.00005, lon)  # ~6 m off the line: snapped onto the lap

    config = library_service.get_configuration(library, window.line_picker.configuration.id)
    assert float(distance_m(config.start_lat, config.start_lon, lat, lon)) < 5
    assert config.start_heading_deg is not None and config.version == 2
    after = library_service.session_laps(library, window.current_session)
    assert after[0].end_s != pytest.approx(before[0].end_s, abs=5)  # the out-lap now ends at the new line
    assert {lap.time_source for lap in after if lap.lap_time_ms} == {"gps"}  # timed at the line placed here
    assert window.line_picker.pick is None
    assert "re-lapped" in window.statusBar().currentMessage()
    shown = window.session_panel.model.laps
    assert [lap.end_s for lap in shown] == [lap.end_s for lap in after]  # the lap table shows the new laps


def test_sector_lines_added_on_the_map_make_the_sectors(qtbot, goodwood, library, screenshot_dir):
    window = goodwood
    payload = window.lap_view.payload
    total = payload.cursor_distance_m[-1]
    for fraction in (0.6, 0.3):  # placed out of order: stored in driving order
        i = int(np.searchsorted(payload.cursor_distance_m, total * fraction))
        window.line_picker.start(Pick.ADD_SECTOR)
        with qtbot.waitSignal(window.line_picker.saved, timeout=60_000):
            click_map(qtbot, window, float(payload.cursor_lat[i]), float(payload.cursor_lon[i]))
        qtbot.waitUntil(lambda f=fraction: window.line_picker.configuration is not None and
                        len(window.line_picker.configuration.sector_gates) == (1 if f == 0.6 else 2), timeout=20_000)

    config = window.line_picker.configuration
    assert config.num_sectors == 3
    first, second = (nearest(payload, g) for g in config.sector_gates)
    assert first < second
    qtbot.waitUntil(lambda: [c for c in window.session_panel.model.columns if c.startswith("S")] == ["S1", "S2", "S3"],
                    timeout=20_000)
    timed = next(lap for lap in library_service.session_laps(library, window.current_session) if lap.is_valid)
    assert sum(timed.sector_times_ms) == timed.lap_time_ms
    qtbot.waitUntil(lambda: drawn_lines(qtbot, window) == 4, timeout=10_000)  # start/finish (2 strokes) + 2 sectors
    qtbot.wait(400)
    screens = screenshot_dir.parent / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(screens / "map_lines_placed_1400x900.png"))


def test_a_sector_line_is_moved_by_two_clicks(qtbot, goodwood, library):
    window = goodwood
    payload = window.lap_view.payload
    total = payload.cursor_distance_m[-1]
    first, later = (int(np.searchsorted(payload.cursor_distance_m, total * f)) for f in (0.3, 0.5))
    window.line_picker.start(Pick.ADD_SECTOR)
    with qtbot.waitSignal(window.line_picker.saved, timeout=60_000):
        click_map(qtbot, window, float(payload.cursor_lat[first]), float(payload.cursor_lon[first]))
    qtbot.waitUntil(lambda: bool(window.line_picker.configuration.sector_gates), timeout=20_000)

    window.line_picker.start(Pick.MOVE_SECTOR)
    click_map(qtbot, window, float(payload.cursor_lat[first]), float(payload.cursor_lon[first]))  # pick it up
    qtbot.waitUntil(lambda: window.line_picker.pick is Pick.MOVE_SECTOR_TO, timeout=5000)
    with qtbot.waitSignal(window.line_picker.saved, timeout=60_000):
        click_map(qtbot, window, float(payload.cursor_lat[later]), float(payload.cursor_lon[later]))  # put it down
    qtbot.waitUntil(lambda: window.line_picker.configuration.version == 3, timeout=20_000)

    [gate] = window.line_picker.configuration.sector_gates
    lat, lon = float(payload.cursor_lat[later]), float(payload.cursor_lon[later])
    assert float(distance_m(gate[0], gate[1], lat, lon)) < 5 and window.line_picker.configuration.num_sectors == 2
    timed = next(lap for lap in library_service.session_laps(library, window.current_session) if lap.is_valid)
    assert len(timed.sector_times_ms) == 2 and sum(timed.sector_times_ms) == timed.lap_time_ms


def test_a_click_off_the_track_places_nothing(qtbot, goodwood, library):
    window = goodwood
    payload = window.lap_view.payload
    window.line_picker.start(Pick.START_FINISH)

    click_map(qtbot, window, float(payload.cursor_lat[0]) + 0.01, float(payload.cursor_lon[0]))  # ~1 km away
    qtbot.waitUntil(lambda: "off the track" in window.statusBar().currentMessage(), timeout=5000)

    assert window.line_picker.pick is Pick.START_FINISH  # still waiting for a click on the track
    assert library_service.get_configuration(library, window.line_picker.configuration.id).version == 1


def nearest(payload, gate) -> int:
    point = snap_to_lap(payload.cursor_lat, payload.cursor_lon, gate[0], gate[1])
    assert point is not None
    return point.index


def test_line_geometry():
    assert bearing_deg(50.0, 0.0, 50.001, 0.0) == pytest.approx(0.0, abs=1e-6)
    assert bearing_deg(50.0, 0.0, 50.0, 0.001) == pytest.approx(90.0, abs=0.01)
    (a_lat, a_lon), (b_lat, b_lon) = gate_segment(50.0, 0.0, 0.0, 40.0)  # heading north: the line runs east-west
    assert a_lat == pytest.approx(b_lat) and float(distance_m(a_lat, a_lon, b_lat, b_lon)) == pytest.approx(40, 0.01)
