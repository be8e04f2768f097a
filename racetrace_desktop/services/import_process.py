"""The import subprocess: the window imports files in a separate process, so its GUI thread never competes for
the GIL with parsing and analysis. `init_import_process` is the pool's initializer, `import_job` its job."""

from __future__ import annotations

import multiprocessing.queues
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from racetrace_desktop.services.importer import ImportReport

# (fraction done, text) updates to the window; set in the import process by `init_import_process`
_progress_queue: multiprocessing.queues.Queue[tuple[float, str]] | None = None


def init_import_process(progress_queue: multiprocessing.queues.Queue[tuple[float, str]]) -> None:
    global _progress_queue
    _progress_queue = progress_queue


def import_job(library_path: str, paths: list[str]) -> ImportReport:
    """Run in the import process: import `paths` into the library file, sending (fraction, text) progress."""
    from racetrace_desktop.library import open_library
    from racetrace_desktop.services.importer import ImportProgress, import_files

    def report(step: ImportProgress) -> None:
        if _progress_queue is not None:
            _progress_queue.put((step.fraction, f"{step.path.name} ({step.file_index + 1}/{step.file_count}): "
                                                f"{step.stage}"))

    library = open_library(Path(library_path))
    try:
        return import_files(library, [Path(p) for p in paths], progress=report)
    finally:
        library.close()
