"""Colours that stay readable on light and dark themes, and pyqtgraph's global look."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication, QPalette

# tab10 order, reordered so the first laps differ most; on a dark background, lighter variants of the same hues.
LIGHT_LAP_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#17becf", "#8c564b", "#e377c2",
                     "#7f7f7f", "#bcbd22")
DARK_LAP_COLOURS = ("#5fb3ff", "#ff6b6b", "#6ee07a", "#ffb74d", "#c39bff", "#4dd9e8", "#d7a98c", "#ff9ad5",
                    "#d0d0d0", "#e6e65c")


def is_dark() -> bool:
    app = QGuiApplication.instance()
    if app is None:
        return False
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def lap_colour(index: int, dark: bool | None = None) -> str:
    colours = DARK_LAP_COLOURS if (is_dark() if dark is None else dark) else LIGHT_LAP_COLOURS
    return colours[index % len(colours)]


def apply_plot_theme() -> None:
    """Plots follow the application palette (a dark system theme gives dark plots)."""
    import pyqtgraph as pg  # imported with the first plot, not at start-up

    palette = QGuiApplication.palette()
    pg.setConfigOptions(
        background=palette.color(QPalette.ColorRole.Base),
        foreground=palette.color(QPalette.ColorRole.Text),
        antialias=False,  # 2-3x faster with long traces; lines stay crisp at 1-2 px
    )


def cursor_colour() -> str:
    return "#ffd54f" if is_dark() else "#444444"
