"""ChannelPlotStack: one plot per channel, stacked, x = distance, linked x-axes and one cursor.

Long sessions stay fast: every curve uses peak downsampling and clip-to-view, and y follows the visible range
only. The cursor is a vertical line in every plot that follows the mouse (a click pins it, another click lets it
follow again); each plot title shows every lap's value at it. The lap legend sits above the plots, never over a
trace, and reads the cursor too. The main plot (delta-T) gets at least a third of the plot area.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import QFrame, QGraphicsScene, QScrollArea, QVBoxLayout, QWidget

from racetrace_desktop.ui.plots.delta import DeltaDecorations, delta_y_range
from racetrace_desktop.ui.plots.legend import LegendReadout
from racetrace_desktop.ui.plots.traces import ChannelSpec, CursorReading, PlotRequest, Trace
from racetrace_desktop.ui.theme import apply_plot_theme, cursor_colour
from racetrace_desktop.ui.units import DisplayUnit, distance_unit

if TYPE_CHECKING:
    import pyqtgraph as pg

MIN_PLOT_HEIGHT = 64  # px per plot (the main plot: per stretch unit); below this the axis labels collide
THIN_ABOVE_POINTS = 20_000
MAX_AXIS_LABEL_CHARS = 12  # before the plot is laid out; afterwards the label follows the plot's height
AXIS_LABEL_POINTS = 8.0
AXIS_LABEL_STYLE = {"font-size": f"{AXIS_LABEL_POINTS:g}pt"}


class ChannelPlotStack(QWidget):
    """`cursor_moved(distance_m)` when the user moves the cursor; `set_cursor` moves it from outside.
    `range_requested(start_m, end_m)` when a zoom to a part of the lap is asked for (sector, corner, whole lap), so
    the map can show the same part.

    pyqtgraph is imported and the plot area built on the first data, so an empty window appears sooner.
    Plots are kept when the next data shows the same channels: only the curves change (opening a lap is fast).
    """

    cursor_moved = Signal(float)
    range_requested = Signal(float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(0)
        self.legend = LegendReadout(self)
        self._box.addWidget(self.legend)
        self.pinned = False
        self._decorations: DeltaDecorations | None = None
        self.layout_widget: pg.GraphicsLayoutWidget | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[tuple[str, str], pg.PlotDataItem] = {}
        self._cursor_lines: dict[str, pg.InfiniteLine] = {}
        self._sector_lines: list[tuple[pg.PlotItem, pg.InfiniteLine]] = []
        self._pool: dict[str, list[pg.PlotDataItem]] = {}  # curves per channel, reused by the next laps
        self._thin: dict[str, bool] = {}  # per plot: its downsampling and clip-to-view setting
        self._layout_key: tuple = ()
        self._request = PlotRequest([], [], distance_unit())
        self._cursor_m = 0.0
        self._syncing = False

    def _build(self) -> pg.GraphicsLayoutWidget:
        if self.layout_widget is None:
            import pyqtgraph as pg

            apply_plot_theme()  # follow the current palette (light or dark)
            self.layout_widget = pg.GraphicsLayoutWidget()
            self.layout_widget.ci.setSpacing(2)
            # No BSP index: pyqtgraph items (regions, fills) change their bounds in ways the index misses, and a
            # stale index entry for a deleted item crashes the next paint. A few hundred items need no index.
            self.layout_widget.scene().setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
            # Many channels in a small window: keep every plot readable and scroll instead of squeezing.
            self.scroll_area = QScrollArea(self)
            self.scroll_area.setWidgetResizable(True)
            self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
            self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # x pans only
            self.scroll_area.setWidget(self.layout_widget)
            self._box.addWidget(self.scroll_area, 1)
            self.layout_widget.scene().sigMouseClicked.connect(self._on_scene_click)
            self.layout_widget.scene().sigMouseMoved.connect(self._on_scene_hover)
        return self.layout_widget

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        """A switch between light and dark system themes redraws the plots in the new colours."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.layout_widget is not None:
            apply_plot_theme()
            self.layout_widget.setBackground(self.palette().color(QPalette.ColorRole.Base))
            self._layout_key = ()
            if self._request.traces:
                self.set_data(self._request)

    # ---- data -------------------------------------------------------------------------------------------------
    @property
    def traces(self) -> list[Trace]:
        return self._request.traces

    @property
    def channels(self) -> list[ChannelSpec]:
        return self._request.channels

    def set_data(self, request: PlotRequest) -> None:
        """Show these laps and channels. Channels no lap has are left out."""
        shown = [c for c in request.channels if any(_has_values(t, c.key) for t in request.traces)]
        layout_key = (tuple((c.key, c.label, c.unit.label) for c in shown), request.distance_unit.label)
        if not request.traces and self.layout_widget is not None and self._request.channels:
            # Nothing to show (a cleared compare): keep the plot rows hidden, so the next laps draw into them.
            request.channels = list(self._request.channels)
            layout_key = self._layout_key
            self.scroll_area.hide()
        else:
            request.channels = shown
        self._request = request
        if layout_key != self._layout_key or self.layout_widget is None:
            self._rebuild(shown)
            self._layout_key = layout_key
        if request.traces:
            self.scroll_area.show()
        self._fill_curves()
        self._draw_sectors(request.sector_boundaries_m)
        self._decorate_main()
        self.set_cursor(self._clamped(self._cursor_m), emit=False)

    def _rebuild(self, shown: list[ChannelSpec]) -> None:
        widget = self._build()
        if self._decorations is not None:  # remove them from their plot first: deleted with it, they crash a paint
            self._decorations.clear()
        widget.clear()
        self.plots.clear()
        self._cursor_lines.clear()
        self._sector_lines.clear()
        self._pool.clear()
        self._thin.clear()
        self._decorations = None
        first = None
        main_stretch = main_plot_stretch(shown)
        for row, spec in enumerate(shown):
            plot = self._add_plot(row, spec, is_last=row == len(shown) - 1)
            # Stretch alone only shares space above the preferred heights: size hints keep the ratio when squeezed.
            units = main_stretch if spec.main else 1
            widget.ci.layout.setRowStretchFactor(row, units)
            plot.setMinimumHeight(MIN_PLOT_HEIGHT * units)
            plot.setPreferredHeight(2 * MIN_PLOT_HEIGHT * units)
            if spec.main:
                self._decorations = DeltaDecorations(plot)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
        rows = sum(main_stretch if spec.main else 1 for spec in shown)
        widget.setMinimumHeight(MIN_PLOT_HEIGHT * rows + 30)

    def _add_plot(self, row: int, spec: ChannelSpec, is_last: bool) -> pg.PlotItem:
        import pyqtgraph as pg

        plot = self._build().addPlot(row=row, col=0)
        _never_widen(plot.titleLabel)
        plot.getAxis("left").setLabel(f"{spec.label} ({spec.unit.label})" if spec.main else _axis_label(spec),
                                      **AXIS_LABEL_STYLE)
        if not spec.main:  # a squeezed plot shows only the unit rather than a label running into its neighbour
            plot.geometryChanged.connect(lambda p=plot, s=spec: _fit_axis_label(p, s))
        plot.getAxis("left").setWidth(64)
        plot.getAxis("left").enableAutoSIPrefix(False)  # the unit is in the label; no "(x0.001)"
        plot.getAxis("bottom").enableAutoSIPrefix(False)
        # Horizontal grid lines only: they stay put while panning, so the axis keeps its cached picture; vertical
        # ones would be redrawn in every plot on every frame (the sector lines mark the distance instead).
        plot.showGrid(x=False, y=True, alpha=0.2)
        plot.getAxis("left").setStyle(maxTickLevel=1)  # major and first minor ticks only: fewer lines to paint
        plot.setMouseEnabled(x=True, y=False)
        # y spans the whole lap (not only the visible part), set once per data (`_fill_curves`; the main plot's in
        # `_decorate_main`): panning then changes x only, and no frame walks every curve for its bounds.
        plot.enableAutoRange(axis="y", enable=False)
        plot.getAxis("bottom").setStyle(showValues=is_last)
        if not is_last:  # the plots share x: one distance axis, under the last plot, is repainted while panning
            plot.hideAxis("bottom")
        if is_last:
            plot.setLabel("bottom", f"Distance ({self._request.distance_unit.label})")
        if spec.zero_line:
            plot.addLine(y=0, pen=pg.mkPen(cursor_colour(), width=1, style=Qt.PenStyle.DashLine))
        line = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen(cursor_colour(), width=1.5),
                               hoverPen=pg.mkPen(cursor_colour(), width=3))
        line.sigPositionChanged.connect(self._on_line_dragged)
        plot.addItem(line, ignoreBounds=True)
        self._cursor_lines[spec.key] = line
        self.plots[spec.key] = plot
        return plot

    def _fill_curves(self) -> None:
        """Curves are reused from one set of laps to the next (creating ten laps' curves costs more than drawing
        them); curves left over are emptied and hidden."""
        self.curves.clear()
        x_scale = self._request.distance_unit.scale
        # A long trace (a lap of a 1-hour session's raw samples): draw only the visible part, thinned to the pixels
        # (peak keeps the extremes). Clipping costs every curve a re-preparation per frame while panning: ten
        # overlaid laps of a few thousand points each are faster drawn whole (about half the frame time).
        thin = max((len(t.distance_m) for t in self._request.traces), default=0) > THIN_ABOVE_POINTS
        for spec in self._request.channels:
            plot = self.plots[spec.key]
            pool = self._pool.setdefault(spec.key, [])
            used = 0
            for trace in self._request.traces:
                if not _has_values(trace, spec.key):
                    continue
                y = spec.unit.convert(np.asarray(trace.channels[spec.key], dtype=float))
                curve = self._pooled_curve(plot, pool, used)
                # Data and pen in one call: each setter re-prepares the curve (ten laps: hundreds of times).
                curve.setData(trace.distance_m * x_scale, y, connect="finite", skipFiniteCheck=True,
                              pen=pg_pen(trace.color, trace.width * (2.0 if trace.is_reference else 1.0)))
                curve.setZValue(0.5 if trace.is_reference else 1)  # the wide reference under the others
                if not curve.isVisible():
                    curve.setVisible(True)
                self.curves[(spec.key, trace.key)] = curve
                used += 1
            for spare in pool[used:]:
                if spare.isVisible():
                    spare.setData([], [])
                    spare.setVisible(False)
            y_range = _whole_range([c.yData for c in pool[:used]])
            if y_range is not None and not spec.main:
                plot.setYRange(*y_range, padding=0.05)
            if self._thin.get(spec.key) != thin:  # a change re-prepares every curve of the plot
                plot.setDownsampling(ds=1, auto=thin, mode="peak")
                plot.setClipToView(thin)
                self._thin[spec.key] = thin

    @staticmethod
    def _pooled_curve(plot: pg.PlotItem, pool: list, index: int) -> pg.PlotDataItem:
        import pyqtgraph as pg

        if index < len(pool):
            return pool[index]
        curve = pg.PlotDataItem(connect="finite", skipFiniteCheck=True)
        plot.addItem(curve)
        pool.append(curve)
        return curve

    def _decorate_main(self) -> None:
        """Bands, bridged-GPS shading, corner numbers and the y range of the main (delta-T) plot."""
        spec = next((c for c in self.channels if c.main), None)
        if spec is None or self._decorations is None:
            return
        request = self._request
        self._decorations.draw(request.traces, request.distance_unit.scale, request.bridged_m, request.corners)
        y_range = delta_y_range(request.traces, spec.unit.scale)
        if y_range is not None:
            self.plots[spec.key].setYRange(*y_range, padding=0)

    def _draw_sectors(self, boundaries_m: list[float]) -> None:
        import pyqtgraph as pg

        for plot, line in self._sector_lines:
            plot.removeItem(line)
        self._sector_lines.clear()
        pen = pg.mkPen(cursor_colour(), width=1, style=Qt.PenStyle.DotLine)
        for plot in self.plots.values():
            for b in boundaries_m[:-1]:
                line = pg.InfiniteLine(b * self._request.distance_unit.scale, angle=90, pen=pen)
                plot.addItem(line, ignoreBounds=True)
                self._sector_lines.append((plot, line))

    # ---- cursor -----------------------------------------------------------------------------------------------
    @property
    def cursor_m(self) -> float:
        return self._cursor_m

    def set_cursor(self, distance_m: float, emit: bool = False) -> None:
        self._cursor_m = float(distance_m)
        x = self._cursor_m * self._request.distance_unit.scale
        self._syncing = True
        try:
            for line in self._cursor_lines.values():
                line.setValue(x)
        finally:
            self._syncing = False
        self._update_titles()
        if emit:
            self.cursor_moved.emit(self._cursor_m)

    def readings(self) -> list[CursorReading]:
        """Every channel's value for every lap at the cursor, in display units (what the titles show)."""
        out = []
        for spec in self.channels:
            for trace in self.traces:
                if _has_values(trace, spec.key):
                    value = spec.unit.convert(trace.value_at(spec.key, self._cursor_m))
                    out.append(CursorReading(spec.key, trace.label, float(value), spec.unit.label))
        return out

    def _update_titles(self) -> None:
        colours = {t.label: t.color for t in self.traces}
        by_channel: dict[str, list[CursorReading]] = {}
        for reading in self.readings():
            by_channel.setdefault(reading.channel, []).append(reading)
        for spec in self.channels:
            parts = [f"<span style='color:{colours[r.lap]}'>{html.escape(r.text)}</span>"
                     for r in by_channel.get(spec.key, [])[:10]]
            note = f"&nbsp;<i>{html.escape(spec.note)}</i>" if spec.note else ""
            plot = self.plots[spec.key]
            plot.setTitle(f"<b>{html.escape(spec.label)}</b>{note}&nbsp;&nbsp;" + "&nbsp;&nbsp;".join(parts),
                          size="8pt", justify="left")
        self.legend.show_readout(self.traces, self._cursor_m, self._request.distance_unit, self.pinned)

    def _on_line_dragged(self, line: pg.InfiniteLine) -> None:
        if self._syncing:
            return
        self.set_cursor(self._clamped(line.value() / self._request.distance_unit.scale), emit=True)

    def _on_scene_click(self, event) -> None:  # event: pyqtgraph MouseClickEvent
        """A click pins the cursor where it was clicked; a click while pinned lets it follow the mouse again."""
        if event.button() != Qt.MouseButton.LeftButton:
            return
        distance = self._distance_at(event.scenePos())
        if distance is None:
            return
        if self.pinned:
            self.unpin()
            self.set_cursor(distance, emit=True)
        else:
            self.pin_at(distance)

    def _on_scene_hover(self, pos: QPointF) -> None:
        if self.pinned:
            return
        distance = self._distance_at(pos)
        if distance is not None:
            self.set_cursor(distance, emit=True)

    def _distance_at(self, pos: QPointF) -> float | None:
        for plot in self.plots.values():
            if plot.vb.sceneBoundingRect().contains(pos):
                return self._clamped(plot.vb.mapSceneToView(pos).x() / self._request.distance_unit.scale)
        return None

    def pin_at(self, distance_m: float, emit: bool = True) -> None:
        """Fix the cursor here: hovering no longer moves it (until the next click)."""
        self.pinned = True
        self._pen_cursor()
        self.set_cursor(self._clamped(distance_m), emit=emit)

    def unpin(self) -> None:
        self.pinned = False
        self._pen_cursor()
        self._update_titles()

    def _pen_cursor(self) -> None:
        import pyqtgraph as pg

        pen = pg.mkPen(cursor_colour(), width=2.5 if self.pinned else 1.5)
        for line in self._cursor_lines.values():
            line.setPen(pen)

    def _clamped(self, distance_m: float) -> float:
        ends = [float(t.distance_m[-1]) for t in self.traces if len(t.distance_m)]
        starts = [float(t.distance_m[0]) for t in self.traces if len(t.distance_m)]
        return float(np.clip(distance_m, min(starts), max(ends))) if ends else 0.0

    def step_cursor(self, metres: float) -> None:
        self.pin_at(self._cursor_m + metres)  # a key step stays put when the mouse moves on

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        step = 50.0 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 5.0
        if event.key() == Qt.Key.Key_Left:
            self.step_cursor(-step)
        elif event.key() == Qt.Key.Key_Right:
            self.step_cursor(step)
        else:
            super().keyPressEvent(event)

    # ---- view range ---------------------------------------------------------------------------------------------
    def zoom_to(self, start_m: float, end_m: float) -> None:
        """Show this part of the lap in every plot, and ask the map to show it too."""
        self.pan_to(start_m, end_m)
        if self.plots:
            self.range_requested.emit(float(start_m), float(end_m))

    def pan_to(self, start_m: float, end_m: float) -> None:
        """Move the plots' x range only (what panning with the mouse does)."""
        scale = self._request.distance_unit.scale
        lo, hi = start_m * scale, end_m * scale
        plots = list(self.plots.values())
        if not plots:
            return
        plots[0].setXRange(lo, hi, padding=0.01)  # the others follow through their x-link...
        target = plots[0].vb.viewRange()[0]
        for plot in plots[1:]:  # ...unless they are not laid out yet (links align by pixels)
            if not np.allclose(plot.vb.viewRange()[0], target, rtol=1e-3, atol=1e-6):
                plot.setXRange(*target, padding=0)

    def reset_zoom(self) -> None:
        ends = [float(t.distance_m[-1]) for t in self.traces if len(t.distance_m)]
        if ends:
            self.zoom_to(0.0, max(ends))

    def x_range_m(self) -> tuple[float, float]:
        plot = next(iter(self.plots.values()), None)
        if plot is None:
            return (0.0, 0.0)
        lo, hi = plot.vb.viewRange()[0]
        scale = self._request.distance_unit.scale
        return (lo / scale, hi / scale)


def pg_pen(colour: str, width: float):
    import pyqtgraph as pg

    return pg.mkPen(colour, width=width)


def _never_widen(label: pg.LabelItem) -> None:
    """A long title is clipped by the view instead of widening the plots past it: LabelItem asks for its text's
    width as minimum and preferred width on every text change and resize; this keeps only its height."""
    from PySide6.QtCore import Qt as QtNames

    def height_only() -> None:
        height = label.itemRect().height()
        label.setMinimumWidth(0)
        label.setMinimumHeight(height)
        label._sizeHint = {QtNames.SizeHint.MinimumSize: (0, height), QtNames.SizeHint.PreferredSize: (0, height),
                           QtNames.SizeHint.MaximumSize: (-1, -1), QtNames.SizeHint.MinimumDescent: (0, 0)}
        label.updateGeometry()

    label.updateMin = height_only
    height_only()


def _axis_label(spec: ChannelSpec, room_px: float | None = None) -> str:
    """Name and unit, or the unit alone when that is too long for the room (the plot title names the channel)."""
    unit = spec.unit.label
    if not unit:
        return spec.label
    full = f"{spec.label} ({unit})"
    if room_px is None:
        return full if len(full) <= MAX_AXIS_LABEL_CHARS else unit
    return full if _label_width(full) <= room_px else unit


def _label_width(text: str) -> float:
    from PySide6.QtGui import QFont, QFontMetricsF

    font = QFont()
    font.setPointSizeF(AXIS_LABEL_POINTS)
    return QFontMetricsF(font).horizontalAdvance(text) + 6


def _fit_axis_label(plot: pg.PlotItem, spec: ChannelSpec) -> None:
    axis = plot.getAxis("left")
    text = _axis_label(spec, plot.vb.height())
    if axis.labelText != text:
        axis.setLabel(text, **AXIS_LABEL_STYLE)


def _has_values(trace: Trace, key: str) -> bool:
    values = trace.channels.get(key)
    return values is not None and len(values) == len(trace.distance_m) and bool(np.isfinite(values).any())


__all__ = ["ChannelPlotStack", "ChannelSpec", "DisplayUnit", "PlotRequest", "Trace"]


def main_plot_stretch(shown: list[ChannelSpec]) -> int:
    """Row stretch of the main plot against 1 for each other: it gets at least a third of the height (with one to
    four other channels, 40-67 %), since it is what a driver reads first."""
    others = sum(1 for spec in shown if not spec.main)
    return max(2, -(-3 * others // 4))


def _whole_range(values: list[np.ndarray | None]) -> tuple[float, float] | None:
    """min and max over the finite values of all curves (a flat channel gets a unit-wide range)."""
    lows, highs = [], []
    for v in values:
        if v is not None and len(v):
            finite = v[np.isfinite(v)]
            if len(finite):
                lows.append(float(finite.min()))
                highs.append(float(finite.max()))
    if not lows:
        return None
    lo, hi = min(lows), max(highs)
    return (lo - 0.5, hi + 0.5) if hi - lo < 1e-9 else (lo, hi)
