"""Cars: list, create, edit, delete."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QWidget,
)

from racetrace_desktop.services import library_service
from racetrace_desktop.services.changes import Changes
from racetrace_desktop.services.read_models import CarRecord
from racetrace_desktop.ui.context import AppContext
from racetrace_desktop.ui.dialogs.common import (
    action_row,
    float_box,
    int_box,
    master_detail,
    optional_float,
    optional_int,
    run_read,
    run_write,
    text,
)


class CarsDialog(QDialog):
    """`changed(Changes)` after every saved edit."""

    changed = Signal(object)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cars")
        self.context = context
        self.cars: list[CarRecord] = []
        self.current: CarRecord | None = None
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._select)
        self.make, self.model, self.category, self.drivetrain = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
        self.year = int_box(1885, 2100)
        self.power = float_box(0, 10_000, 0)
        self.weight = float_box(0, 100_000, 0)
        self.engine = int_box(0, 100_000)
        self.notes = QPlainTextEdit()
        self.status = QLabel()
        form = QFormLayout()
        for label, widget in (("Make", self.make), ("Model", self.model), ("Year", self.year),
                              ("Category", self.category), ("Drivetrain", self.drivetrain), ("Power (hp)", self.power),
                              ("Weight (kg)", self.weight), ("Engine (cc)", self.engine), ("Notes", self.notes)):
            form.addRow(label, widget)
        buttons = action_row([("New", self._new), ("Save", self._save), ("Delete…", self._delete)])
        master_detail(self, self.list, form, [buttons, self.status])
        self.reload()

    def reload(self, select_uuid: object = None) -> None:
        def shown(cars: list[CarRecord]) -> None:
            self.cars = cars
            self.list.clear()
            for car in cars:
                self.list.addItem(QListWidgetItem(car.display_name))
            rows = [i for i, car in enumerate(cars) if car.uuid == select_uuid]
            self.list.setCurrentRow(rows[0] if rows else (0 if cars else -1))
            if not cars:
                self._new()

        run_read(self.context, "list cars", library_service.list_cars, shown)

    def fields(self) -> dict:
        return {"make": text(self.make), "model": text(self.model), "year": optional_int(self.year),
                "category": text(self.category) or None, "drivetrain": text(self.drivetrain) or None,
                "power_hp": optional_float(self.power), "weight_kg": optional_float(self.weight),
                "engine_cc": optional_int(self.engine), "notes": self.notes.toPlainText()}

    def _select(self, row: int) -> None:
        self.current = self.cars[row] if 0 <= row < len(self.cars) else None
        car = self.current
        if car is None:
            return
        self.make.setText(car.make)
        self.model.setText(car.model)
        self.category.setText(car.category or "")
        self.drivetrain.setText(car.drivetrain or "")
        self.year.setValue(car.year or self.year.minimum())
        self.power.setValue(car.power_hp or self.power.minimum())
        self.weight.setValue(car.weight_kg or self.weight.minimum())
        self.engine.setValue(car.engine_cc or self.engine.minimum())
        self.notes.setPlainText(car.notes or "")
        self.status.clear()

    def _new(self) -> None:
        self.current = None
        self.list.clearSelection()
        for edit in (self.make, self.model, self.category, self.drivetrain):
            edit.clear()
        for whole in (self.year, self.engine):
            whole.setValue(whole.minimum())
        for decimal in (self.power, self.weight):
            decimal.setValue(decimal.minimum())
        self.notes.clear()
        self.make.setFocus()

    def _save(self) -> None:
        fields = self.fields()
        if not fields["make"] and not fields["model"]:
            self.status.setText("<span style='color:#c62828'>A car needs a make or a model.</span>")
            return
        current = self.current
        if current is None:
            run_write(self.context, "create car", lambda lib: library_service.create_car(lib, **fields),
                      lambda car: self._saved(car.uuid, None), self.status)
        else:
            run_write(self.context, "save car", lambda lib: library_service.update_car(lib, current.uuid, **fields),
                      lambda changes: self._saved(current.uuid, changes), self.status)

    def _saved(self, car_uuid: object, changes: object) -> None:
        self.status.setText("Saved.")
        if changes is not None:
            self.changed.emit(changes)
        self.reload(car_uuid)

    def _deleted(self, changes: Changes) -> None:
        self.changed.emit(changes)
        self.reload()

    def _delete(self) -> None:
        car = self.current
        if car is None:
            return
        answer = QMessageBox.question(self, "Delete car", f"Delete {car.display_name}? Its sessions keep their laps.")
        if answer == QMessageBox.StandardButton.Yes:
            run_write(self.context, "delete car", lambda lib: library_service.delete_car(lib, car.uuid),
                      self._deleted, self.status)
