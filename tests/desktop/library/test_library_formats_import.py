"""Every other logger's shared sample (and generated AiM / Lap Legend / RaceChrono Format 3 exports) through the
real import into a real library: a session with its laps, lap time sources, channels and metadata."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from racetrace_desktop.cli import main
from racetrace_desktop.library import Library
from racetrace_desktop.services import importer, library_service, relap
from racetrace_desktop.services.importer import ImportStatus

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "telemetry"))
from format_writers import aim_csv, drive, laplegend_csv, racechrono_v3_csv

# sample -> (format, number of laps incl. out- and in-lap, time source of the timed laps, best lap ms)
SAMPLES = {
    "racebox.csv": ("RaceBox CSV", 6, "lap_column", 109000),
    "racebox_standard.csv": ("RaceBox CSV", 1, None, None),
    "racechrono_v9.csv": ("RaceChrono CSV", 3, "stated", 45862),
    "racechrono_v10.csv": ("RaceChrono CSV", 4, "stated", 106603),
    "harrys_laptimer.vbo": ("VBO", 11, "gps", 91542),
    "racebox_lignano.vbo": ("VBO", 14, "gps", 65726),
    "racebox_standard.vbo": ("VBO", 1, None, None),
    "racelogic_circuit_tools.vbo": ("VBO", 1, None, None),
}


@pytest.mark.parametrize("sample", SAMPLES)
def test_each_sample_imports_with_its_laps(library: Library, other_samples: Path, sample: str) -> None:
    format_name, lap_count, source, best = SAMPLES[sample]
    result = importer.import_file(library, other_samples / sample)
    assert result.status == ImportStatus.IMPORTED, result.error
    laps = library_service.session_laps(library, result.session_uuid)
    assert len(laps) == result.lap_count == lap_count
    assert result.best_lap_ms == best
    timed = [lap for lap in laps if lap.lap_time_ms is not None and not lap.is_outlap]
    assert {str(lap.time_source) for lap in timed} == ({source} if source else set())
    detail = library_service.session_detail(library, result.session_uuid)
    assert detail.format_name == format_name
    loaded = library_service.load_lap(library, laps[-1].uuid)
    assert "speed" in loaded.data.channels and loaded.channel_info["speed"].unit == "m/s"


def test_metadata_reaches_the_library(library: Library, other_samples: Path) -> None:
    chrono = importer.import_file(library, other_samples / "racechrono_v10.csv")
    detail = library_service.session_detail(library, chrono.session_uuid)
    assert detail.app_version == "10.2.3" and detail.file_metadata["app"] == "RaceChrono"
    assert detail.summary.recorded_at_utc.isoformat() == "2026-07-13T16:59:01+00:00"
    assert chrono.track_name == "MórRing"  # a new local track named after the file's track
    harrys = importer.import_file(library, other_samples / "harrys_laptimer.vbo")
    detail = library_service.session_detail(library, harrys.session_uuid)
    assert detail.summary.vehicle == "'01 Mazda MX-5 Miata" and harrys.track_name == "SoWillow CW"
    assert detail.file_metadata["app"] == "Harry's LapTimer"


def test_generated_exports_import_with_beacon_and_lap_column_sources(library: Library, tmp_path: Path) -> None:
    d = drive(0)
    files = {"aim.csv": aim_csv(d), "laplegend.csv": laplegend_csv(d), "racechrono_v3.csv": racechrono_v3_csv(d)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    report = importer.import_files(library, [tmp_path / name for name in files])
    assert [r.status for r in report.results] == [ImportStatus.IMPORTED] * 3, [str(r.error) for r in report.results]
    sources = {}
    for name, result in zip(files, report.results, strict=True):
        laps = library_service.session_laps(library, result.session_uuid)
        sources[name] = str(laps[1].time_source)
        assert len(laps) == len(d.crossings_s) + 1
    assert sources == {"aim.csv": "beacon", "laplegend.csv": "lap_column", "racechrono_v3.csv": "stated"}
    aim = library_service.session_detail(library, report.results[0].session_uuid)
    assert aim.file_metadata["driver"] == "Ann Driver" and aim.summary.vehicle == "Kart 125"


@pytest.mark.parametrize("sample", ["racebox_lignano.vbo", "racechrono_v9.csv"])
def test_reanalysis_from_the_stored_original_gives_the_same_laps(
    library: Library, other_samples: Path, sample: str
) -> None:
    first = importer.import_file(library, other_samples / sample)
    before = [(lap.number, lap.lap_time_ms, str(lap.time_source)) for lap in
              library_service.session_laps(library, first.session_uuid)]
    relap.reanalyse_sessions(library, [first.session_uuid])
    after = [(lap.number, lap.lap_time_ms, str(lap.time_source)) for lap in
             library_service.session_laps(library, first.session_uuid)]
    assert after == before


def test_racetrace_import_command(racetrace_home: Path, other_samples: Path, capsys: pytest.CaptureFixture) -> None:
    code = main(["import", str(other_samples / "racebox.csv"), str(other_samples / "racechrono_v10.csv"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["errors"] == []
    by_file = {Path(item["file"]).name: item for item in out["imported"]}
    racebox = by_file["racebox.csv"]["laps"]
    assert [lap["lap_time_ms"] for lap in racebox] == [31520, 169080, 115800, 110840, 109000, None]
    assert [lap["time_source"] for lap in racebox] == ["lap_column"] * 5 + ["none"]
    chrono = by_file["racechrono_v10.csv"]["laps"]
    assert [lap["lap_time_ms"] for lap in chrono] == [24891, 115988, 106603, None]
