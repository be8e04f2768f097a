"""Process-wide Qt set-up that must happen before the QApplication exists."""

from __future__ import annotations

import os


def prepare_qt(headless: bool = False) -> None:
    """Environment defaults, the `rttile:` scheme and the QtWebEngine import, in the order Qt requires.

    `headless`: use the offscreen platform when there is no display (screenshot mode, CI).
    """
    if headless and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Chromium refuses to start its sandbox as root (CI, containers).
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--log-level=3")
    import PySide6.QtWebEngineWidgets  # noqa: F401  (must be imported before the QApplication is created)

    from racetrace_desktop.ui.qtfix import install_refcount_fix

    install_refcount_fix()

    from racetrace_desktop.ui.map.tiles import register_tile_scheme

    register_tile_scheme()
