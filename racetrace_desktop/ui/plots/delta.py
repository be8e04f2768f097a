"""What the delta-T plot carries besides its curves: the y range set by the valid laps only, light uncertainty
bands, shading where GPS was bridged and corner numbers along its top axis."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from racetrace_desktop.ui.plots.traces import DELTA_KEY, CornerMark, Trace
from racetrace_desktop.ui.theme import is_dark

if TYPE_CHECKING:
    import pyqtgraph as pg

BAND_ALPHA = 45  # of 255: the band is context, the trace stays the figure
BRIDGED_ALPHA = 40
BAND_POINTS = 1000  # outline points per band edge at most
MIN_SPAN_S = 0.2  # a near-identical pair of laps still shows a readable axis


def delta_y_range(traces: list[Trace], scale: float = 1.0) -> tuple[float, float] | None:
    """Range of the delta of the valid laps (flagged laps added on purpose never widen it), with 8 % padding."""
    pool = [t for t in traces if not t.flagged] or traces
    values = [np.asarray(t.channels[DELTA_KEY], float) * scale for t in pool if DELTA_KEY in t.channels]
    finite = [v[np.isfinite(v)] for v in values]
    finite = [v for v in finite if len(v)]
    if not finite:
        return None
    lo = min(0.0, min(float(v.min()) for v in finite))
    hi = max(0.0, max(float(v.max()) for v in finite))
    span = max(hi - lo, MIN_SPAN_S)
    middle = (lo + hi) / 2
    lo, hi = min(lo, middle - span / 2), max(hi, middle + span / 2)
    pad = 0.08 * (hi - lo)
    return lo - pad, hi + pad


class DeltaDecorations:
    """Owns the extra items of one delta plot; `draw` replaces them, `clear` removes them."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.items: list[pg.GraphicsObject] = []
        self.bands: dict[str, pg.FillBetweenItem] = {}
        self.bridged: list[pg.LinearRegionItem] = []

    def clear(self) -> None:
        for item in self.items:
            self.plot.removeItem(item)
        self.items.clear()
        self.bands.clear()
        self.bridged.clear()
        self.plot.getAxis("top").setTicks(None)
        self.plot.hideAxis("top")

    def draw(self, traces: list[Trace], x_scale: float, bridged_m: list[tuple[float, float]],
             corners: list[CornerMark]) -> None:
        self.clear()
        for trace in traces:
            if trace.sigma_s is not None and not trace.is_reference and DELTA_KEY in trace.channels:
                self._band(trace, x_scale)
        self._shade(bridged_m, x_scale)
        self._corners(corners, x_scale)

    def _band(self, trace: Trace, x_scale: float) -> None:
        x = trace.distance_m * x_scale
        delta = np.asarray(trace.channels[DELTA_KEY], float)
        sigma = np.nan_to_num(np.asarray(trace.sigma_s, float))
        if len(sigma) != len(x) or not np.any(sigma > 0):
            return
        colour = QColor(trace.color)
        colour.setAlpha(BAND_ALPHA)
        band = UncertaintyBand(x, delta - sigma, delta + sigma, colour)
        band.setZValue(-5)
        self.plot.addItem(band, ignoreBounds=True)
        self.items.append(band)
        self.bands[trace.key] = band

    def _shade(self, bridged_m: list[tuple[float, float]], x_scale: float) -> None:
        import pyqtgraph as pg

        colour = QColor("#9e9e9e" if is_dark() else "#757575")
        colour.setAlpha(BRIDGED_ALPHA)
        for start, end in bridged_m:
            region = pg.LinearRegionItem((start * x_scale, end * x_scale), movable=False, brush=pg.mkBrush(colour),
                                         pen=pg.mkPen(None))
            region.setZValue(-10)
            region.setToolTip("GPS was bridged here (no fix for over 2 s): the delta is interpolated")
            self.plot.addItem(region, ignoreBounds=True)
            self.items.append(region)
            self.bridged.append(region)

    def _corners(self, corners: list[CornerMark], x_scale: float) -> None:
        if not corners:
            return
        axis = self.plot.getAxis("top")
        self.plot.showAxis("top")
        axis.setTicks([[(c.apex_m * x_scale, f"T{c.number}") for c in corners], []])
        axis.setStyle(showValues=True)
        axis.setHeight(22)


class UncertaintyBand(QGraphicsPathItem):
    """A light fill between `lower` and `upper`: one closed polygon, built from the arrays at once (a fill between
    two curve items rebuilds both curves' paths, several times per compare), with at most BAND_POINTS per edge."""

    def __init__(self, x: np.ndarray, lower: np.ndarray, upper: np.ndarray, colour: QColor) -> None:
        super().__init__()
        ok = np.isfinite(x) & np.isfinite(lower) & np.isfinite(upper)
        x, lower, upper = x[ok], lower[ok], upper[ok]
        step = max(1, len(x) // BAND_POINTS)
        keep = np.unique(np.r_[np.arange(0, len(x), step), len(x) - 1]) if len(x) else np.arange(0)
        self.distance, self.lower, self.upper = x[keep], lower[keep], upper[keep]
        import pyqtgraph as pg

        outline_x, outline_y = np.r_[self.distance, self.distance[::-1]], np.r_[self.upper, self.lower[::-1]]
        path = pg.arrayToQPath(outline_x, outline_y, connect="all")
        path.closeSubpath()
        self.setPath(path)
        self.setBrush(QBrush(colour))
        self.setPen(QPen(Qt.PenStyle.NoPen))

