"""Helpers shared by the record dialogs: run a library write off the GUI thread and show its outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDoubleSpinBox, QLabel, QLineEdit, QSpinBox, QWidget

from racetrace_desktop.library import Library
from racetrace_desktop.ui.context import AppContext
from racetrace_desktop.ui.errors import describe
from racetrace_desktop.ui.tasks import Pool


def run_write(context: AppContext, title: str, work: Callable[[Library], Any], on_done: Callable[[Any], None],
              status: QLabel | None = None) -> None:
    """`work(library)` on the writer pool; errors are shown in `status` (and the error funnel)."""
    library = context.library
    if library is None:
        return

    def failed(exc: BaseException) -> None:
        if status is not None:
            status.setText(f"<span style='color:#c62828'>{describe(exc)}</span>")
        context.errors.report(title, exc)

    if status is not None:
        status.setText("Saving…")
    context.runner.submit(lambda: work(library), name=title, pool=Pool.WRITE, on_success=on_done, on_error=failed)


def run_read(context: AppContext, title: str, work: Callable[[Library], Any], on_done: Callable[[Any], None]) -> None:
    library = context.library
    if library is not None:
        context.runner.submit(lambda: work(library), name=title, on_success=on_done)


def optional_int(box: QSpinBox) -> int | None:
    return box.value() if box.value() != box.minimum() else None


def optional_float(box: QDoubleSpinBox) -> float | None:
    return box.value() if box.value() != box.minimum() else None


def int_box(low: int, high: int, blank: str = "–", parent: QWidget | None = None) -> QSpinBox:
    """A spin box whose minimum means 'not set'."""
    box = QSpinBox(parent)
    box.setRange(low - 1, high)
    box.setSpecialValueText(blank)
    return box


def float_box(low: float, high: float, decimals: int = 1, blank: str = "–", parent: QWidget | None = None
              ) -> QDoubleSpinBox:
    box = QDoubleSpinBox(parent)
    box.setDecimals(decimals)
    box.setRange(low - 1, high)
    box.setSpecialValueText(blank)
    return box


def text(edit: QLineEdit) -> str:
    return edit.text().strip()
