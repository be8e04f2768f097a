"""Re-lap after a track configuration edit: every affected session recomputed in one transaction, edits kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from library_fakes import fake_analyser, fake_file, fake_reader, table_dump

from racetrace_desktop.library import Library
from racetrace_desktop.library.models import Lap, SessionRow
from racetrace_desktop.services import library_service, relap
from racetrace_desktop.services.relap import RelapError, RelapProgress
from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.model import AnalysedSession, RawSession, TrackDefinition
from racetrace_desktop.telemetry.model import Lap as AnalysedLap


def _two_sessions_on_one_track(fake_import, tmp_path: Path) -> tuple:
    report = fake_import([fake_file(tmp_path / "a.csv", seed=1), fake_file(tmp_path / "b.csv", seed=2)])
    a, b = report.results
    assert a.configuration_id == b.configuration_id
    return a.session_uuid, b.session_uuid, a.configuration_id


def _edit(library: Library, configuration_id: int, **changes) -> relap.Changes:
    return relap.edit_configuration(library, configuration_id, reader=fake_reader, analyser=fake_analyser, **changes)


def _acknowledge_all(library: Library) -> None:
    with library.write() as db:
        db.execute(sa.update(Lap).values(dirty=False, server_rev=3))


def test_changing_sectors_recomputes_every_session_and_keeps_driver_edits(
    library: Library, fake_import, tmp_path: Path
) -> None:
    a, b, configuration_id = _two_sessions_on_one_track(fake_import, tmp_path)
    car = library_service.create_car(library, make="Mazda", model="MX-5")
    library_service.update_session(library, a, notes="new tyres", car_uuid=car.uuid)
    laps_before = library_service.session_laps(library, a)
    library_service.override_lap_validity(library, laps_before[2].uuid, False, "yellow flag")
    library_service.set_lap_public(library, laps_before[1].uuid, True)
    library_service.set_session_public(library, a, True)
    _acknowledge_all(library)
    seen: list[RelapProgress] = []

    changes = relap.edit_configuration(
        library, configuration_id, progress=seen.append, reader=fake_reader, analyser=fake_analyser, num_sectors=4
    )

    laps = library_service.session_laps(library, a)
    assert [len(lap.sector_times_ms) for lap in laps] == [4, 4, 4, 0]
    assert [lap.uuid for lap in laps] == [lap.uuid for lap in laps_before]
    assert (laps[2].is_valid, laps[2].invalid_reason, laps[1].is_public) == (False, "yellow flag", True)
    assert sum(laps[1].sector_times_ms) == laps[1].lap_time_ms == 61234
    detail = library_service.session_detail(library, a)
    assert (detail.notes, detail.summary.car_name, detail.summary.is_public) == ("new tyres", "Mazda MX-5", True)
    assert detail.configuration_version == 2 == library_service.get_configuration(library, configuration_id).version
    assert changes.sessions_updated == {a, b}
    timed = {lap.uuid for s in (a, b) for lap in library_service.session_laps(library, s) if lap.lap_time_ms}
    assert changes.laps_changed == timed  # in-laps have no sectors: unchanged, so not re-sent to the server
    with library.read() as db:
        dirty = {lap_uuid: flag for lap_uuid, flag in db.execute(sa.select(Lap.uuid, Lap.dirty))}
    assert {u for u, d in dirty.items() if d} == timed
    assert [(p.index, p.count, p.session_uuid) for p in seen] == [(0, 2, a), (1, 2, b)]


def test_editing_only_the_name_does_not_relap(library: Library, fake_import, tmp_path: Path) -> None:
    _a, _b, configuration_id = _two_sessions_on_one_track(fake_import, tmp_path)
    _acknowledge_all(library)
    before = table_dump(library)

    changes = _edit(library, configuration_id, name="Club circuit")

    assert changes.sessions_updated == frozenset() and changes.configurations_changed == {configuration_id}
    assert library_service.get_configuration(library, configuration_id).name == "Club circuit"
    assert len(before) == len(table_dump(library))
    with library.read() as db:
        assert not any(db.scalars(sa.select(Lap.dirty)))


def test_a_session_that_cannot_be_recomputed_leaves_everything_unchanged(
    library: Library, fake_import, tmp_path: Path
) -> None:
    _a, _b, configuration_id = _two_sessions_on_one_track(fake_import, tmp_path)
    before = table_dump(library)

    def reader_failing_on_b(data: bytes, name: str) -> RawSession:
        if name == "b.csv":
            raise TelemetryFormatError(name, "unsupported TrackAddict version", 1)
        return fake_reader(data, name)

    with pytest.raises(RelapError, match=r"cannot re-lap b.csv, line 1: unsupported TrackAddict version"):
        relap.edit_configuration(
            library, configuration_id, reader=reader_failing_on_b, analyser=fake_analyser, num_sectors=5
        )

    assert table_dump(library) == before
    assert library_service.get_configuration(library, configuration_id).num_sectors == 3


def _merging_analyser(raw: RawSession, track: TrackDefinition | None) -> AnalysedSession:
    """A wider gate 'misses' a crossing: laps 1 and 2 become one long lap."""
    analysed = fake_analyser(raw, track)
    if track is None or track.gate_width_m <= 100:
        return analysed
    first, second = analysed.laps[1], analysed.laps[2]
    merged = AnalysedLap(
        number=1, lap_time_ms=first.lap_time_ms + second.lap_time_ms, time_source="gps", start_s=first.start_s,
        end_s=second.end_s, row_start=first.row_start, row_end=second.row_end, data=first.data,
        sector_times_ms=[first.lap_time_ms, second.lap_time_ms, 0],
    )  # fmt: skip
    for lap in analysed.laps[3:]:
        lap.number -= 1
    analysed.laps = [analysed.laps[0], merged, *analysed.laps[3:]]
    return analysed


def test_laps_that_no_longer_exist_are_removed_or_tombstoned(library: Library, fake_import, tmp_path: Path) -> None:
    a, _b, configuration_id = _two_sessions_on_one_track(fake_import, tmp_path)
    before = library_service.session_laps(library, a)
    library_service.set_lap_public(library, before[1].uuid, True)
    _acknowledge_all(library)  # the server has seen every lap

    changes = relap.edit_configuration(
        library, configuration_id, reader=fake_reader, analyser=_merging_analyser, gate_width_m=150.0
    )

    after = library_service.session_laps(library, a)
    assert [lap.lap_time_ms for lap in after] == [95000, 122110, None]
    assert after[1].uuid == before[1].uuid and after[1].is_public  # the merged lap keeps lap 1's identity
    assert before[2].uuid in changes.laps_changed
    with library.read() as db:
        tombstone = db.scalars(sa.select(Lap).where(Lap.uuid == before[2].uuid)).one()
        assert tombstone.deleted_at is not None and tombstone.dirty
    loaded = library_service.load_lap(library, after[1].uuid)
    assert loaded.data.row_count > 0 and np.isfinite(loaded.data.distance_m).all()


def test_reanalyse_sessions_uses_each_sessions_own_configuration(
    library: Library, fake_import, tmp_path: Path
) -> None:
    a, _b, _configuration_id = _two_sessions_on_one_track(fake_import, tmp_path)
    lap_uuids = [lap.uuid for lap in library_service.session_laps(library, a)]
    _acknowledge_all(library)
    with library.write() as db:
        db.execute(sa.update(SessionRow).values(dirty=False))

    changes = relap.reanalyse_sessions(library, [a], reader=fake_reader, analyser=fake_analyser)

    assert changes.empty  # same file, same configuration: same laps, nothing to refresh or push
    assert [lap.uuid for lap in library_service.session_laps(library, a)] == lap_uuids
    assert not library_service.session_detail(library, a).dirty
    laps = library_service.load_lap(library, lap_uuids[1])
    assert laps.data.row_count > 0  # arrays rewritten, still there


def test_configuration_edits_are_validated_and_unchanged_values_do_not_relap(
    library: Library, fake_import, tmp_path: Path
) -> None:
    _a, _b, configuration_id = _two_sessions_on_one_track(fake_import, tmp_path)
    _edit(library, configuration_id, sector_gates=[(51.9995, 13.6890), (51.9985, 13.6880, 90.0)])
    version = library_service.get_configuration(library, configuration_id).version

    same = _edit(library, configuration_id, sector_gates=([51.9995, 13.6890, None], (51.9985, 13.6880, 90)))

    assert same.sessions_updated == frozenset()
    configuration = library_service.get_configuration(library, configuration_id)
    assert configuration.version == version and configuration.sector_gates[1] == (51.9985, 13.688, 90.0)
    with pytest.raises(ValueError, match="num_sectors 0 must be between 1 and 50"):
        _edit(library, configuration_id, num_sectors=0)
    with pytest.raises(ValueError, match="start_lat 91 is not a latitude"):
        _edit(library, configuration_id, start_lat=91)
    with pytest.raises(ValueError, match="not editable on a track configuration: origin"):
        _edit(library, configuration_id, origin="server")
