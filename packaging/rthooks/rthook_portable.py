"""PyInstaller runtime hook (runs before RaceTrace's code): portable mode.

With RACETRACE_PORTABLE=1, or a file named `portable` next to the executable, the data folder (library, original
files, caches) defaults to `data/` next to the executable, so the whole app can live on a USB stick.
An explicit RACETRACE_HOME still wins; RACETRACE_PORTABLE=0 switches portable mode off even when the file exists.
"""

import os
import sys
from pathlib import Path


def _racetrace_portable_home() -> None:
    app_dir = Path(sys.executable).resolve().parent
    switch = os.environ.get("RACETRACE_PORTABLE", "")
    if switch == "1" or (switch != "0" and (app_dir / "portable").is_file()):
        os.environ.setdefault("RACETRACE_HOME", str(app_dir / "data"))


_racetrace_portable_home()
