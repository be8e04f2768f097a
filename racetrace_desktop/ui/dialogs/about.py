"""Help > About: versions and the data folder."""

from __future__ import annotations

import platform
import sys

import numpy
import pyqtgraph
import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from racetrace_desktop import __version__


def about_text(data_folder: str, library_file: str | None) -> str:
    import folium
    import xstatic.pkg.leaflet as leaflet

    rows = [("RaceTrace", __version__), ("Python", platform.python_version()), ("Qt", qVersion()),
            ("PySide6", PySide6.__version__), ("pyqtgraph", pyqtgraph.__version__), ("numpy", numpy.__version__),
            ("folium", folium.__version__), ("Leaflet", leaflet.VERSION), ("Platform", sys.platform)]
    table = "".join(f"<tr><td>{name}</td><td>{version}</td></tr>" for name, version in rows)
    return (f"<h3>RaceTrace {__version__}</h3><p>Local-first lap telemetry analysis.</p><table>{table}</table>"
            f"<p>Data folder: <code>{data_folder}</code><br>Library: <code>{library_file or '–'}</code></p>"
            "<p>Map data © OpenStreetMap contributors.</p>")


def show_about(parent: QWidget, data_folder: str, library_file: str | None) -> QMessageBox:
    box = QMessageBox(parent)
    box.setWindowTitle("About RaceTrace")
    box.setText(about_text(data_folder, library_file))
    box.open()
    return box
