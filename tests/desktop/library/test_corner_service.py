"""Corners of a track configuration in a real library: detected once, edited, synced in, used by every compare."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pytest

from racetrace_desktop.library import Library, sync_apply_repo
from racetrace_desktop.library.errors import ReadOnlyError
from racetrace_desktop.services import corner_service, importer, library_service
from racetrace_desktop.services.compare_service import compare_stored_laps
from racetrace_desktop.services.lap_bests import session_bests
from racetrace_desktop.sync import protocol
from racetrace_desktop.telemetry.synthetic import generate_session


def _imported(library: Library, folder: Path, seed: int = 3, laps: int = 4) -> uuid.UUID:
    folder.mkdir(parents=True, exist_ok=True)
    path = generate_session(laps=laps, gps_hz=10, seed=seed, line_wander_m=2.0).write(folder)
    report = importer.import_files(library, [path])
    session_uuid = report.results[0].session_uuid
    assert session_uuid is not None
    return session_uuid


def _configuration(library: Library, session_uuid: uuid.UUID) -> int:
    config_id = library_service.session_summary(library, session_uuid).configuration_id
    assert config_id is not None
    return config_id


def _timed(library: Library, session_uuid: uuid.UUID) -> list[uuid.UUID]:
    return [lap.uuid for lap in library_service.session_laps(library, session_uuid) if lap.lap_time_ms and lap.is_valid]


def test_corners_are_detected_once_and_kept(library: Library, tmp_path: Path) -> None:
    config_id = _configuration(library, _imported(library, tmp_path / "a"))
    first = corner_service.configuration_corners(library, config_id)
    assert [c.name for c in first] == [f"T{n}" for n in range(1, 10)]
    _imported(library, tmp_path / "b", seed=4)  # a faster lap of the same track arrives: the numbering stays
    assert corner_service.configuration_corners(library, config_id) == first


def test_edits_renumber_in_driving_order_and_show_in_the_next_compare(library: Library, tmp_path: Path) -> None:
    session_uuid = _imported(library, tmp_path)
    config_id = _configuration(library, session_uuid)
    corners = corner_service.configuration_corners(library, config_id)
    hairpin = corners[2]

    renamed = corner_service.rename_corner(library, config_id, 3, "Hairpin")
    assert renamed[2].name == "Hairpin" and renamed[2].apex_m == hairpin.apex_m

    merged = corner_service.merge_corners(library, config_id, 3)
    assert len(merged) == 8 and merged[2].name == "Hairpin" and merged[2].end_m == corners[3].end_m
    assert [c.name for c in merged[3:]] == [f"T{n}" for n in range(4, 9)]  # default names follow the number

    split = corner_service.split_corner(library, config_id, 3, (corners[2].end_m + corners[3].start_m) / 2)
    assert len(split) == 9 and split[3].direction == "L"  # the left that was merged away is back, on its side
    assert split[3].apex_m == pytest.approx(corners[3].apex_m, abs=15)

    moved = corner_service.move_apex(library, config_id, 1, corners[0].apex_m - 5)
    assert moved[0].apex_m == pytest.approx(corners[0].apex_m - 5)
    with pytest.raises(ValueError, match="corner 1: the apex must stay between"):
        corner_service.move_apex(library, config_id, 1, corners[0].end_m + 50)

    deleted = corner_service.delete_corner(library, config_id, 2)
    assert len(deleted) == 8 and deleted[1].name == "Hairpin"
    added = corner_service.add_corner(library, config_id, corners[1].apex_m)
    assert len(added) == 9 and added[1].direction == corners[1].direction
    assert added[1].start_m < corners[1].apex_m < added[1].end_m
    with pytest.raises(ValueError, match="inside corner"):
        corner_service.add_corner(library, config_id, corners[4].apex_m)

    comparison = compare_stored_laps(library, _timed(library, session_uuid)[:2])
    assert [c.name for c in comparison.corners][:3] == ["T1", "T2", "Hairpin"]

    reset = corner_service.configuration_corners(library, config_id, redetect=True)
    assert [c.name for c in reset] == [f"T{n}" for n in range(1, 10)]


def test_a_server_configuration_brings_its_corners_and_refuses_local_edits(library: Library, tmp_path: Path) -> None:
    config_id = _configuration(library, _imported(library, tmp_path))
    local = library_service.get_configuration(library, config_id)
    detected = corner_service.configuration_corners(library, config_id)
    shared = [{**c.to_json(), "name": "Shared " + c.name} for c in detected]
    pulled = {  # a configuration as the server's pull sends it
        "track_id": "t1", "name": "Full", "start_finish_lat": local.start_lat, "start_finish_lon": local.start_lon,
        "start_finish_heading_deg": None, "gate_width_m": 60.0, "num_sectors": 3, "sector_gates": [],
        "length_m": None, "version": 1, "corners": shared,
    }
    with library.write() as db:
        sync_apply_repo.apply_track(db, "t1", {"name": "Shared ring"}, False)
        sync_apply_repo.apply_configuration(db, "c1", protocol.configuration_fields(pulled), False)
    server_config = next(c for t in library_service.list_tracks(library) for c in t.configurations
                         if c.server_id == "c1")
    corners = corner_service.configuration_corners(library, server_config.id)
    assert [c.name for c in corners] == [f"Shared T{n}" for n in range(1, 10)]
    with pytest.raises(ReadOnlyError, match="come from the sync server"):
        corner_service.rename_corner(library, server_config.id, 1, "Mine")
    with pytest.raises(ReadOnlyError, match="come from the sync server"):
        corner_service.configuration_corners(library, server_config.id, redetect=True)


def test_compare_report_per_lap_and_corner(library: Library, tmp_path: Path) -> None:
    session_uuid = _imported(library, tmp_path, seed=6)
    laps = _timed(library, session_uuid)
    comparison = compare_stored_laps(library, laps)
    assert len(comparison.corners) == 9
    ref = comparison.reference.uuid
    for item in comparison.laps:
        assert len(item.corners) == 9 and len(item.hints) <= 3
        for corner, figures in zip(comparison.corners, item.corners, strict=True):
            start, end = np.interp([corner.start_m, corner.end_m], comparison.distance_m, item.delta_s)
            assert figures.delta_s == pytest.approx(end - start, abs=1e-12)
        if item.lap.uuid == ref:
            assert item.hints == [] and all(f.delta_s == 0 for f in item.corners)
    detail = library_service.session_detail(library, session_uuid)
    scale = comparison.distance_m[-1] / detail.sector_boundaries_m[-1]
    assert comparison.sector_boundaries_m == pytest.approx([b * scale for b in detail.sector_boundaries_m])
    # The sector deltas agree with the lap table's sector times: those are single GPS gate crossings (about 1.5 m of
    # receiver drift at 40-60 m/s, ~0.03 s per crossing), the trace is the better-averaged estimate of the two.
    for item in comparison.laps:
        expected = [(a - b) / 1000 for a, b in zip(item.lap.sector_times_ms, comparison.reference.sector_times_ms,
                                                    strict=True)]
        assert item.sector_deltas_s == pytest.approx(expected, abs=0.06)


def test_lap_table_bests(library: Library, tmp_path: Path) -> None:
    session_uuid = _imported(library, tmp_path, seed=7, laps=5)
    bests = session_bests(library, session_uuid)
    laps = [lap for lap in library_service.session_laps(library, session_uuid) if lap.lap_time_ms and lap.is_valid]
    best_lap = min(lap.lap_time_ms or 0 for lap in laps)
    assert bests.theoretical_best_ms == library_service.session_detail(library, session_uuid).theoretical_best_ms
    assert bests.realistic_best_ms is not None and bests.rolling_best_ms is not None
    assert bests.realistic_best_ms <= best_lap and bests.rolling_best_ms <= best_lap
    assert len(bests.realistic_laps) == 9 and set(bests.realistic_laps) <= {lap.number for lap in laps}
    assert session_bests(library, session_uuid, tolerance_kmh=0.0).realistic_best_ms == best_lap


def test_the_window_compares_through_the_same_service(library: Library, tmp_path: Path) -> None:
    from racetrace_desktop.ui.analysis.compare_build import compare_from_library  # Qt-free shaping for the view

    session_uuid = _imported(library, tmp_path, seed=9)
    laps = _timed(library, session_uuid)[:3]
    sessions = {lap: library_service.session_summary(library, session_uuid) for lap in laps}
    display = compare_from_library(library, laps, laps[-1], sessions)
    direct = compare_stored_laps(library, laps, laps[-1])
    assert display.stored is not None and display.reference == direct.reference.uuid == laps[-1]
    assert display.stored.sector_boundaries_m == direct.sector_boundaries_m
    assert display.stored.corners == direct.corners
    for item in direct.laps:
        assert np.array_equal(display.result.delta_s[str(item.lap.uuid)], item.delta_s)
        assert display.hints(item.lap.uuid) == item.hints


def test_the_session_panel_data_carries_the_bests(library: Library, tmp_path: Path) -> None:
    from racetrace_desktop.services.session_views import session_view

    session_uuid = _imported(library, tmp_path, seed=10)
    view = session_view(library, session_uuid)
    assert view.bests == session_bests(library, session_uuid)
    assert view.bests is not None and view.bests.realistic_best_ms is not None


def test_damaged_stored_corners_are_named_and_the_compare_still_works(library: Library, tmp_path: Path) -> None:
    from racetrace_desktop.library import tracks_repo

    session_uuid = _imported(library, tmp_path, seed=11)
    config_id = _configuration(library, session_uuid)
    with library.write() as db:
        tracks_repo.store_corners(db, config_id, [{"number": 1, "name": "T1", "direction": "X", "start_m": 1,
                                                   "apex_m": 2, "end_m": 3}])
    with pytest.raises(ValueError, match="corner 1: direction must be 'L' or 'R', not 'X'"):
        corner_service.configuration_corners(library, config_id)
    comparison = compare_stored_laps(library, _timed(library, session_uuid)[:2])
    assert comparison.corners == [] and "could not be read (corner 1: direction" in comparison.result.warnings[-1]
    assert len(corner_service.configuration_corners(library, config_id, redetect=True)) == 9
