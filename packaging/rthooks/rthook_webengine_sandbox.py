"""PyInstaller runtime hook (runs before RaceTrace's code): QtWebEngine as root.

Chromium refuses to start its sandbox for root ("Running as root without --no-sandbox is not supported"), which
is how CI and containers run the bundle. Only then is the sandbox switched off; normal users keep it.
"""

import os


def _racetrace_webengine_sandbox() -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


_racetrace_webengine_sandbox()
