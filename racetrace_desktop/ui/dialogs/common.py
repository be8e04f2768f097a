"""Helpers shared by the record dialogs: run a library write off the GUI thread and show its outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from racetrace_desktop.services.library_access import Library
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


def action_row(actions: list[tuple[str, Callable[[], None]]]) -> QHBoxLayout:
    """A row of push buttons, e.g. New / Save / Delete."""
    row = QHBoxLayout()
    for caption, slot in actions:
        button = QPushButton(caption)
        button.clicked.connect(slot)
        row.addWidget(button)
    return row


def master_detail(dialog: QDialog, master: QWidget, form: QFormLayout, below: list[QWidget | QHBoxLayout],
                  stretch: bool = False) -> None:
    """The records dialogs' layout: a list on the left, the form and its buttons on the right, Close below."""
    right = QVBoxLayout()
    right.addLayout(form)
    for item in below:
        if isinstance(item, QHBoxLayout):
            right.addLayout(item)
        else:
            right.addWidget(item)
    if stretch:
        right.addStretch(1)
    body = QHBoxLayout()
    body.addWidget(master, 1 if not stretch else 3)
    body.addLayout(right, 2)
    close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    close.rejected.connect(dialog.reject)
    outer = QVBoxLayout(dialog)
    outer.addLayout(body)
    outer.addWidget(close)
