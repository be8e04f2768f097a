"""Stacked distance plots: curves carry the data, axes carry units, the cursor reads every channel."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor

from racetrace_desktop.ui.plots.stack import ChannelPlotStack
from racetrace_desktop.ui.plots.traces import DELTA_KEY, ChannelSpec, CornerMark, PlotRequest, Trace
from racetrace_desktop.ui.theme import lap_colour
from racetrace_desktop.ui.units import IMPERIAL, METRIC, display_unit, distance_unit, format_gap, format_lap_time


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
    picture = stack.grab()
    assert picture.save(str(screenshot_dir / "plots_light.png"))

    image = picture.toImage()
    pixels = [image.pixelColor(x, y) for x in range(0, image.width(), 5) for y in range(0, image.height(), 5)]
    background = max(set(p.name() for p in pixels), key=[p.name() for p in pixels].count)
    assert QColor(background).lightnessF() > 0.8  # a light theme: the plot ground is light
    drawn = {p.name() for p in pixels} - {background}
    lap_colours = {QColor(lap_colour(i, dark=False)).name() for i in range(3)}
    assert lap_colours & drawn  # the laps' own colours are on the picture, not only axes and grid
    assert set(stack.plots) == {"speed", "rpm", DELTA_KEY}  # the channel no lap has is left out
    assert all(plot.sceneBoundingRect().height() > 50 for plot in stack.plots.values())


def compare_specs() -> list[ChannelSpec]:
    return [ChannelSpec(DELTA_KEY, "Δt vs reference", display_unit("s"), zero_line=True, main=True,
                        note="above zero: slower than the reference"),
            ChannelSpec("speed", "Speed", display_unit("m/s")), ChannelSpec("rpm", "RPM", display_unit("rpm"))]


def test_a_flagged_lap_never_sets_the_delta_axis(stack):
    traces = make_traces()
    traces[2].channels[DELTA_KEY] = np.linspace(0.0, 25.0, len(traces[2].distance_m))  # an out-lap, 25 s slower
    traces[2].flagged = True
    stack.set_data(PlotRequest(traces, compare_specs(), distance_unit()))
    lo, hi = stack.plots[DELTA_KEY].vb.viewRange()[1]
    assert hi < 1.0 and lo < 0.0 < hi  # fits lap 2's 0.5 s and zero, not the out-lap's 25 s
    assert hi >= traces[1].channels[DELTA_KEY].max()


def test_uncertainty_bands_bridged_gps_and_corner_numbers_on_the_delta_plot(stack):
    traces = make_traces()
    for trace in traces[1:]:
        trace.sigma_s = np.full(len(trace.distance_m), 0.05)
    request = PlotRequest(traces, compare_specs(), distance_unit(), bridged_m=[(1200.0, 1300.0)],
                          corners=[CornerMark(1, 400.0), CornerMark(2, 1800.0)])
    stack.set_data(request)
    decorations = stack._decorations
    assert set(decorations.bands) == {"lap1", "lap2"}  # none around the reference
    band = decorations.bands["lap1"]
    assert band.brush().color().alpha() < 80  # drawn lightly
    on_edge = np.interp(band.distance, traces[1].distance_m, traces[1].channels[DELTA_KEY])
    assert band.upper == pytest.approx(on_edge + 0.05) and band.lower == pytest.approx(on_edge - 0.05)
    assert band.distance[0] == traces[1].distance_m[0]  # the whole lap
    assert band.distance[-1] == traces[1].distance_m[-1]
    assert band.boundingRect().height() == pytest.approx(np.ptp(traces[1].channels[DELTA_KEY]) + 0.1, rel=0.02)
    assert [region.getRegion() for region in decorations.bridged] == [(1200.0, 1300.0)]
    stack.plots[DELTA_KEY].setDownsampling(ds=1, auto=True, mode="peak")  # regression: bands broke this (ten laps)
    ticks = stack.plots[DELTA_KEY].getAxis("top")._tickLevels[0]
    assert ticks == [(400.0, "T1"), (1800.0, "T2")]
    stack.set_data(PlotRequest(traces[:1], compare_specs(), distance_unit()))  # a new compare: no leftovers
    assert not stack._decorations.bands and not stack._decorations.bridged


def test_the_delta_plot_gets_at_least_a_third_and_its_full_label(stack, qtbot):
    specs = [*compare_specs(), ChannelSpec("throttle", "Throttle", display_unit("%"))]
    traces = make_traces()
    for trace in traces:
        trace.channels["throttle"] = np.full(len(trace.distance_m), 50.0)
    for size in ((1000, 700), (1000, 380)):  # roomy, then squeezed
        stack.resize(*size)
        stack.set_data(PlotRequest(traces, specs, distance_unit()))
        qtbot.wait(30)
        heights = {key: plot.vb.sceneBoundingRect().height() for key, plot in stack.plots.items()}
        assert heights[DELTA_KEY] >= sum(heights.values()) / 3, size
    assert stack.plots[DELTA_KEY].getAxis("left").labelText == "Δt vs reference (s)"
    assert "above zero: slower" in stack.plots[DELTA_KEY].titleLabel.text


def test_legend_is_outside_the_plots_and_reads_time_and_delta(stack, qtbot):
    traces = make_traces()
    for trace in traces:
        trace.time_s = trace.distance_m / 40.0
    stack.set_data(PlotRequest(traces, compare_specs(), distance_unit()))
    stack.set_cursor(2000.0)
    qtbot.waitUntil(lambda: stack.legend.isVisible() and stack.scroll_area.height() > 100)
    assert not stack.legend.geometry().intersects(stack.scroll_area.geometry())
    assert all(plot.legend is None for plot in stack.plots.values())
    assert stack.legend.entries[1] == f"Lap 2 {format_lap_time(traces[1].time_at(2000.0) * 1000)} " \
                                      f"{format_gap(traces[1].value_at(DELTA_KEY, 2000.0) * 1000)}"
    assert stack.legend.entries[0].endswith(" ref")
    assert "2000 m" in stack.legend.text()


def test_a_new_compare_after_one_with_bands_and_shading_paints(stack, qtbot):
    """Regression: regions and fills of a replaced plot left a stale scene index entry and crashed the paint."""
    traces = make_traces()
    for trace in traces[1:]:
        trace.sigma_s = np.full(len(trace.distance_m), 0.05)
    full = PlotRequest(traces, compare_specs(), distance_unit(), [1000.0, 2000.0, 3000.0], [(100.0, 200.0)],
                       [CornerMark(1, 500.0)])
    for _ in range(4):
        stack.set_data(full)
        stack.layout_widget.viewport().repaint()
        stack.set_data(PlotRequest([], [], distance_unit()))  # the compare was cleared
        stack.layout_widget.viewport().repaint()
    qtbot.wait(10)
    assert stack.curves == {} and stack.legend.entries == [] and not stack.scroll_area.isVisible()
