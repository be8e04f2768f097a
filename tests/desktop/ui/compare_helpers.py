"""Helpers for the compare tests: a synthetic session (out-lap, timed laps, in-lap) imported into a real window,
a dark palette, and hand-built corners."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from ui_helpers import import_by_drop, open_first_session

from racetrace_desktop.telemetry.synthetic import generate_session
from racetrace_desktop.ui.analysis.corner_input import CornerInput, CornerLapFigures


def import_synthetic(qtbot, window, folder: Path, laps: int = 4, seed: int = 3) -> list:
    """Import a 10 Hz synthetic session and open it; returns its lap records (out-lap first, in-lap last)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = generate_session(laps=laps, gps_hz=10, seed=seed).write(folder)
    import_by_drop(qtbot, window, [path])
    open_first_session(qtbot, window)
    return list(window.session_panel.model.laps)


def compare(qtbot, window, lap_uuids: list) -> object:
    with qtbot.waitSignal(window.compare.computed, timeout=60_000) as computed:
        window.compare_laps(lap_uuids)
    return computed.args[0]


def hand_built_corners(lap_keys: list[str], length_m: float) -> list[CornerInput]:
    """Three corners; the first lap is the reference; the second loses most in T2, then T3, gains in T1."""
    ref, other = lap_keys[0], lap_keys[1]
    spots = [(0.2, -0.05, "Hairpin"), (0.5, 0.30, ""), (0.8, 0.12, "Esses")]
    corners = []
    for number, (at, lost, name) in enumerate(spots, start=1):
        start, apex, end = (length_m * (at - 0.03), length_m * at, length_m * (at + 0.03))
        figures = {ref: CornerLapFigures(5.0, 40.0, 20.0, 35.0, start - 30),
                   other: CornerLapFigures(5.0 + lost, 41.0, 19.0, 34.0, start - 38,
                                           hints=(f"brake 8 m later into T{number}",))}
        for key in lap_keys[2:]:
            figures[key] = CornerLapFigures(5.1, 39.0, 19.5, 34.5, start - 30)
        corners.append(CornerInput(number, name, start, apex, end, figures))
    return corners


@contextmanager
def dark_palette():
    app = QApplication.instance()
    previous = app.palette()
    dark = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"), (QPalette.ColorRole.Base, "#1e1e1e"),
                         (QPalette.ColorRole.Text, "#e0e0e0"), (QPalette.ColorRole.WindowText, "#e0e0e0"),
                         (QPalette.ColorRole.Button, "#3a3a3a"), (QPalette.ColorRole.ButtonText, "#e0e0e0"),
                         (QPalette.ColorRole.AlternateBase, "#262626")):
        dark.setColor(role, QColor(colour))
    app.setPalette(dark)
    try:
        yield
    finally:
        app.setPalette(previous)
