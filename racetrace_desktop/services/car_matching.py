"""Cars from a file's `# Vehicle:` line ("2019 McLaren 720S"): parsed into year, make and model, matched to a car
in the library or created, and attached to the imported session."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from racetrace_desktop.library import LibrarySession
from racetrace_desktop.library.models import Car, SessionRow

# Makes of two words: without this "Aston Martin Vantage" would become make "Aston", model "Martin Vantage".
TWO_WORD_MAKES = ("alfa romeo", "aston martin", "land rover", "rolls royce", "de tomaso")
_YEAR = re.compile(r"^(?P<year>(?:18|19|20)\d{2})\b\s*(?P<rest>.*)$")
_MAX_FIELD = 64  # what the sync protocol carries for make and model


@dataclass(frozen=True)
class VehicleName:
    make: str
    model: str
    year: int | None


def parse_vehicle(text: str | None) -> VehicleName | None:
    """`2019 McLaren 720S` -> (McLaren, 720S, 2019); `Mazda MX-5` -> (Mazda, MX-5, None); blank -> None."""
    words = " ".join((text or "").split())
    if not words:
        return None
    year: int | None = None
    match = _YEAR.match(words)
    if match is not None and 1885 <= int(match["year"]) <= 2100 and match["rest"]:
        year, words = int(match["year"]), match["rest"]
    parts = words.split(" ")
    make_words = 2 if len(parts) > 2 and " ".join(parts[:2]).lower() in TWO_WORD_MAKES else 1
    make, model = " ".join(parts[:make_words]), " ".join(parts[make_words:])
    return VehicleName(make[:_MAX_FIELD], model[:_MAX_FIELD], year)


def find_or_create_car(db: LibrarySession, vehicle: VehicleName) -> Car:
    """The live car with this make, model and year (case-insensitive), else a new one."""
    query = sa.select(Car).where(
        Car.deleted_at.is_(None),
        sa.func.lower(Car.make) == vehicle.make.lower(),
        sa.func.lower(Car.model) == vehicle.model.lower(),
        Car.year.is_(None) if vehicle.year is None else Car.year == vehicle.year,
    ).order_by(Car.id)
    car = db.scalars(query.limit(1)).first()
    if car is None:
        car = Car(make=vehicle.make, model=vehicle.model, year=vehicle.year, notes="from the file's Vehicle line")
        db.add(car)
        db.flush()
    return car


def attach_vehicle_car(db: LibrarySession, session_id: int) -> bool:
    """Give a session without a car the car its file names. Returns True when a car was attached."""
    session = db.get_one(SessionRow, session_id)
    vehicle = parse_vehicle(session.vehicle)
    if session.car_id is not None or vehicle is None:
        return False
    session.car_id = find_or_create_car(db, vehicle).id
    return True
