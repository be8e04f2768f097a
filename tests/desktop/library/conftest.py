"""Fixtures for the library tests: an opened library in the test's RACETRACE_HOME and a bound fake import."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from library_fakes import fake_analyser, fake_reader

from racetrace_desktop.library import Library, open_library
from racetrace_desktop.services import importer


@pytest.fixture
def library(racetrace_home: Path) -> Iterator[Library]:
    opened = open_library()
    yield opened
    opened.close()


@pytest.fixture
def fake_import(library: Library) -> Callable[..., Any]:
    """import_files with the fake reader and analyser bound."""

    def run(paths: list[Path], **kwargs: Any) -> importer.ImportReport:
        return importer.import_files(library, paths, reader=fake_reader, analyser=fake_analyser, **kwargs)

    return run
