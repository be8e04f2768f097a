"""Demo data: a few generated sessions on one synthetic circuit, imported like real files."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from racetrace_desktop.library import Library
from racetrace_desktop.services import library_service
from racetrace_desktop.services.importer import ImportReport, import_files
from racetrace_desktop.telemetry.synthetic import generate_session


@dataclass(frozen=True)
class DemoSession:
    laps: int
    gps_hz: float
    obd: bool
    units: str
    seed: int
    start_utc: datetime
    pit_stop_lap: int | None = None


DEMO_SESSIONS = (
    DemoSession(6, 10.0, True, "metric", 11, datetime(2026, 6, 13, 9, 30, tzinfo=UTC)),
    DemoSession(5, 1.0, True, "metric", 12, datetime(2026, 6, 13, 13, 15, tzinfo=UTC), pit_stop_lap=3),
    DemoSession(4, 1.0, False, "imperial", 13, datetime(2026, 6, 14, 10, 0, tzinfo=UTC)),
)


def fill_demo_library(library: Library) -> ImportReport | None:
    """Import the demo sessions and give them a car. Does nothing (returns None) when the library has sessions."""
    if library_service.list_sessions(library):
        return None
    with tempfile.TemporaryDirectory(prefix="racetrace-demo-") as folder:
        paths = [_write(spec, Path(folder)) for spec in DEMO_SESSIONS]
        report = import_files(library, paths)
    details = {"category": "GT4", "drivetrain": "RWD", "power_hp": 420, "weight_kg": 1420, "notes": "Demo car"}
    sessions = [r.session_uuid for r in report.imported if r.session_uuid is not None]
    named = {library_service.session_summary(library, s).car_uuid for s in sessions}  # from the Vehicle line
    car_uuid = next(iter(named - {None}), None)
    if car_uuid is not None:
        library_service.update_car(library, car_uuid, **details)
    else:
        car_uuid = library_service.create_car(library, make="Porsche", model="718 Cayman GT4", year=2020,
                                              **details).uuid
    for session_uuid in sessions:
        library_service.update_session(library, session_uuid, car_uuid=car_uuid)
    return report


def _write(spec: DemoSession, folder: Path) -> Path:
    session = generate_session(
        laps=spec.laps, gps_hz=spec.gps_hz, obd=spec.obd, units=spec.units, seed=spec.seed,
        pit_stop_lap=spec.pit_stop_lap, start_utc=spec.start_utc, track_name="Demo Ring",
    )  # fmt: skip
    return session.write(folder)
