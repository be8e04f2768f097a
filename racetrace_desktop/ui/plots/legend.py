"""The strip above the plots: one entry per lap (colour, name), which is also the cursor readout.

It lives outside the plot area, so a legend never covers a trace. At the cursor it shows the distance and, for a
compare, each lap's time and delta there ("L4 · 15:15  1:02.345  +0.123").
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from racetrace_desktop.ui.plots.traces import DELTA_KEY, Trace
from racetrace_desktop.ui.units import DisplayUnit, format_gap, format_lap_time

COMPACT_ABOVE = 4  # laps; more are listed in a smaller font


class LegendReadout(QLabel):
    """Rich text that wraps between laps, never inside one entry."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plot_legend")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setContentsMargins(6, 2, 6, 2)
        self.entries: list[str] = []  # plain text per lap, for tests and accessibility

    def show_readout(self, traces: list[Trace], distance_m: float, unit: DisplayUnit, pinned: bool) -> None:
        if not traces:
            self.entries = []
            self.clear()
            return
        where = f"{'📌 ' if pinned else ''}at {unit.format(distance_m)}"
        parts = [f"<b>{html.escape(where)}</b>"]
        self.entries = []
        compact = len(traces) > COMPACT_ABOVE
        bar_size = "" if compact else "font-size:12pt"
        for trace in traces:
            text = entry_text(trace, distance_m)
            self.entries.append(text)
            weight = "font-weight:bold;" if trace.is_reference else ""
            style = "font-style:italic;" if trace.flagged else ""
            bar = "━━" if trace.is_reference else "━"
            parts.append(f"<span style='color:{trace.color};{bar_size}'><b>{bar}</b></span>&nbsp;"
                         f"<span style='{weight}{style}'>{html.escape(text).replace(' ', '&nbsp;')}</span>")
        size = "font-size:8pt;" if compact else ""  # ten laps: three lines, not five
        self.setText(f"<span style='{size}'>" + "&nbsp;&nbsp; ".join(parts) + "</span>")
        self.setToolTip("Laps of this view; hover the plots or the map to move the cursor, click to pin it")


def entry_text(trace: Trace, distance_m: float) -> str:
    """'L4 · 15:15 1:02.345 +0.123' (compare) or just the lap label (a single lap)."""
    if trace.time_s is None:
        return trace.label
    time_s = trace.time_at(distance_m)
    delta = trace.value_at(DELTA_KEY, distance_m)
    shown = format_lap_time(time_s * 1000 if np.isfinite(time_s) else None)
    gap = "ref" if trace.is_reference else format_gap(delta * 1000 if np.isfinite(delta) else None)
    return f"{trace.label} {shown} {gap}"
