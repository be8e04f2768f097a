"""Stacked distance plots: curves carry the data, axes carry units, the cursor reads every channel."""

from __future__ import annotations

import numpy as np
import pytest

from racetrace_desktop.ui.plots.stack import ChannelPlotStack
from racetrace_desktop.ui.plots.traces import DELTA_KEY, ChannelSpec, PlotRequest, Trace
from racetrace_desktop.ui.theme import lap_colour
from racetrace_desktop.ui.units import IMPERIAL, METRIC, display_unit, distance_unit


def make_traces(n: int = 5000, laps: int = 3) -> list[Trace]:
    traces = []
    for i in range(laps):
        d = np.linspace(0.0, 3000.0 + 10 * i, n)
        speed = 30.0 + 10.0 * np.sin(d / 200.0) + i  # m/s
        rpm = 4000.0 + 20.0 * speed
        delta = np.linspace(0.0, 0.5 * i, n)
        traces.append(Trace(f"lap{i}", f"Lap {i + 1}", lap_colour(i, dark=False), d,
                            {"speed": speed, "rpm": rpm, DELTA_KEY: delta}, is_reference=i == 0))
    return traces


def channels(system: str = METRIC) -> list[ChannelSpec]:
    return [ChannelSpec("speed", "Speed", display_unit("m/s", system)),
            ChannelSpec("rpm", "RPM", display_unit("rpm", system)),
            ChannelSpec("throttle", "Throttle", display_unit("%", system)),  # no lap has it: left out
            ChannelSpec(DELTA_KEY, "Δt", display_unit("s", system), zero_line=True)]


@pytest.fixture
def stack(qtbot):
    widget = ChannelPlotStack()
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    return widget


def test_every_lap_gets_a_curve_with_all_its_samples(stack):
    traces = make_traces()
    stack.set_data(PlotRequest(traces, channels(), distance_unit()))
    assert list(stack.plots) == ["speed", "rpm", DELTA_KEY]
    for trace in traces:
        x, y = stack.curves[("speed", trace.key)].getOriginalDataset()
        assert len(x) == len(y) == len(trace.distance_m)
        assert y == pytest.approx(trace.channels["speed"] * 3.6)  # shown in km/h
        assert not stack.curves[("speed", trace.key)].opts["clipToView"]  # short laps are drawn whole


def test_axes_are_labelled_with_units(stack):
    stack.set_data(PlotRequest(make_traces(), channels(IMPERIAL), distance_unit(IMPERIAL)))
    assert stack.plots["speed"].getAxis("left").labelText == "Speed (mph)"
    assert stack.plots["rpm"].getAxis("left").labelText == "RPM (rpm)"
    assert stack.plots[DELTA_KEY].getAxis("bottom").labelText == "Distance (ft)"


def test_cursor_reads_value_and_unit_of_every_channel_and_lap(stack, qtbot):
    traces = make_traces()
    stack.set_data(PlotRequest(traces, channels(), distance_unit()))
    with qtbot.assertNotEmitted(stack.cursor_moved):
        stack.set_cursor(1000.0)
    readings = {(r.channel, r.lap): r for r in stack.readings()}
    assert len(readings) == 3 * 3
    expected = np.interp(1000.0, traces[1].distance_m, traces[1].channels["speed"]) * 3.6
    assert readings[("speed", "Lap 2")].value == pytest.approx(expected)
    assert readings[("speed", "Lap 2")].text.endswith(" km/h")
    assert readings[("rpm", "Lap 1")].text.endswith(" rpm")
    assert readings[(DELTA_KEY, "Lap 3")].text.endswith(" s")
    assert "km/h" in stack.plots["speed"].titleLabel.text


def test_user_moving_the_cursor_is_announced_and_syncs_all_plots(stack, qtbot):
    stack.set_data(PlotRequest(make_traces(), channels(), distance_unit()))
    with qtbot.waitSignal(stack.cursor_moved) as moved:
        stack._cursor_lines["rpm"].setValue(1234.0)  # what dragging the line does
    assert moved.args[0] == pytest.approx(1234.0)
    assert {round(line.value()) for line in stack._cursor_lines.values()} == {1234}


def test_zoom_links_every_plot_and_long_laps_are_downsampled(stack):
    stack.set_data(PlotRequest(make_traces(n=200_000), channels(), distance_unit()))
    stack.zoom_to(500.0, 900.0)
    for plot in stack.plots.values():
        lo, hi = plot.vb.viewRange()[0]
        assert 480 < lo < 520 and 880 < hi < 920
    curve = stack.curves[("speed", "lap0")]
    assert curve.opts["autoDownsample"] and curve.opts["clipToView"]
    shown_x, _ = curve.getData()
    assert len(shown_x) < 200_000 / 4  # only the visible part, thinned


def test_screenshot_light_theme(stack, qtbot, screenshot_dir):
    stack.set_data(PlotRequest(make_traces(), channels(), distance_unit(), sector_boundaries_m=[1000, 2000, 3000]))
    stack.set_cursor(1500.0)
    qtbot.wait(50)
    assert stack.grab().save(str(screenshot_dir / "plots_light.png"))
