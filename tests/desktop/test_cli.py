"""The `racetrace` command line as a script would use it: JSON output, exit codes, real files, real library."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from racetrace_desktop.cli import main
from racetrace_desktop.telemetry.synthetic import generate_session

STATED_MS = {
    "sample_01.csv": [155138, 444553, 107089, 116145, 357906, None],
    "sample_02.csv": [123202, 177527, None],
}


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_import_reports_stated_lap_times_and_flags(racetrace_home: Path, trackaddict_samples: Path, capsys) -> None:
    files = [str(trackaddict_samples / name) for name in STATED_MS]
    code, out = run_json(capsys, "import", *files)

    assert code == 0
    assert out["duplicates"] == [] and out["errors"] == []
    by_file = {Path(item["file"]).name: item for item in out["imported"]}
    for name, stated in STATED_MS.items():
        laps = by_file[name]["laps"]
        assert [lap["lap_time_ms"] for lap in laps] == stated
        assert laps[0]["is_outlap"] and laps[-1]["is_inlap"]
        assert not laps[0]["is_valid"] and not laps[-1]["is_valid"]
    s1_laps = by_file["sample_01.csv"]["laps"]
    assert [lap["is_pit"] for lap in s1_laps[1:5]] == [True, True, True, True]  # every one holds pit markers
    s2_lap1 = by_file["sample_02.csv"]["laps"][1]
    assert s2_lap1["is_valid"] and not s2_lap1["is_pit"]


def test_reimport_is_a_duplicate_and_a_garbage_file_names_its_line(
    racetrace_home: Path, trackaddict_samples: Path, tmp_path: Path, capsys
) -> None:
    sample = trackaddict_samples / "sample_02.csv"
    run_json(capsys, "import", str(sample))
    renamed = tmp_path / "renamed copy.csv"
    renamed.write_bytes(sample.read_bytes())
    garbage = tmp_path / "garbage.csv"
    lines = sample.read_text().splitlines()
    lines[20:] = [line.replace(",", ",abc,", 1) for line in lines[20:]]  # from line 21: a non-numeric cell each
    garbage.write_text("\n".join(lines) + "\n")

    code, out = run_json(capsys, "import", str(renamed), str(garbage))

    assert code == 1
    assert out["imported"] == []
    assert [Path(d["file"]).name for d in out["duplicates"]] == ["renamed copy.csv"]
    (error,) = out["errors"]
    assert error["file"] == "garbage.csv" and error["line"] == 21 and "data rows are damaged" in error["message"]
    code, sessions = run_json(capsys, "sessions")
    assert len(sessions["sessions"]) == 1  # nothing new stored


def test_the_same_recording_with_crlf_or_a_bom_is_a_duplicate_of_the_session(
    racetrace_home: Path, trackaddict_samples: Path, tmp_path: Path, capsys
) -> None:
    sample = trackaddict_samples / "sample_02.csv"
    _, out = run_json(capsys, "import", str(sample))
    session_id = out["imported"][0]["session_id"]
    crlf = tmp_path / "Log-20220531-085930 Goodwood Motorcircuit - 2.57.527 (Windows).csv"
    crlf.write_bytes(sample.read_bytes().replace(b"\n", b"\r\n"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + sample.read_bytes())

    code = main(["import", str(crlf), str(bom)])

    text = capsys.readouterr().out
    assert code == 0
    assert f"duplicate {crlf.name}: duplicate of session {session_id}" in text
    assert f"duplicate bom.csv: duplicate of session {session_id}" in text
    assert text.splitlines()[-1] == "0 imported, 2 duplicates, 0 errors"
    _, sessions = run_json(capsys, "sessions")
    assert len(sessions["sessions"]) == 1


def test_a_damaged_row_imports_the_rest_and_the_warning_names_file_and_line(
    racetrace_home: Path, trackaddict_samples: Path, tmp_path: Path, capsys
) -> None:
    lines = (trackaddict_samples / "sample_02.csv").read_text().splitlines()
    lines[6000] = lines[6000].replace(",", ",abc,", 1)  # line 6001: a non-numeric cell and one field too many
    damaged = tmp_path / "damaged.csv"
    damaged.write_text("\n".join(lines) + "\n")

    code = main(["import", str(damaged)])

    text = capsys.readouterr().out
    assert code == 0 and text.splitlines()[-1] == "1 imported, 0 duplicates, 0 errors"
    warning = "  warning: damaged.csv, line 6001: row has 28 fields but the header has 27 columns; the row was dropped"
    assert warning in text
    assert [line.split()[2] for line in text.splitlines() if line.startswith("  lap ")][:2] == ["2:03.202", "2:57.527"]


def test_laps_lists_sector_times_that_add_up(racetrace_home: Path, trackaddict_samples: Path, capsys) -> None:
    _, out = run_json(capsys, "import", str(trackaddict_samples / "sample_02.csv"))
    session_id = out["imported"][0]["session_id"]

    code, laps = run_json(capsys, "laps", session_id[:8])

    assert code == 0
    assert laps["session"]["session_id"] == session_id
    full_laps = [lap for lap in laps["laps"] if lap["lap_time_ms"] is not None and not lap["is_outlap"]]
    assert [lap["lap_number"] for lap in full_laps] == [1]
    for lap in full_laps:
        assert len(lap["sector_times_ms"]) == 3
        assert sum(lap["sector_times_ms"]) == lap["lap_time_ms"]


def test_compare_delta_closes_to_the_lap_time_difference(racetrace_home: Path, tmp_path: Path, capsys) -> None:
    session = generate_session(laps=3, gps_hz=10, obd=False, seed=5)
    path = session.write(tmp_path)
    _, out = run_json(capsys, "import", str(path))
    laps = {lap["lap_number"]: lap for lap in out["imported"][0]["laps"]}
    first, second, third = (laps[n] for n in (1, 2, 3))

    code, result = run_json(capsys, "compare", first["lap_id"], second["lap_id"], third["lap_id"])

    assert code == 0
    reference = min((first, second, third), key=lambda lap: lap["lap_time_ms"])
    assert result["reference_lap_id"] == reference["lap_id"]
    distance = result["distance_m"]
    assert max(b - a for a, b in itertools.pairwise(distance)) <= 1.0 + 1e-9
    for lap in result["laps"]:
        expected = (lap["lap_time_ms"] - reference["lap_time_ms"]) / 1000
        assert lap["delta_s"][-1] == pytest.approx(expected, abs=1e-4)
        assert len(lap["delta_s"]) == len(distance)
        assert len(lap["delta_sigma_s"]) == len(distance) and min(lap["delta_sigma_s"]) >= 0
        assert (max(lap["delta_sigma_s"]) == 0) == (lap["lap_id"] == reference["lap_id"])
        assert sum(lap["sector_deltas_s"]) == pytest.approx(expected, abs=1e-3)


def test_compare_refuses_untimed_laps_and_unknown_ids(racetrace_home: Path, trackaddict_samples: Path, capsys):
    _, out = run_json(capsys, "import", str(trackaddict_samples / "sample_02.csv"))
    laps = out["imported"][0]["laps"]

    code, error = run_json(capsys, "compare", laps[1]["lap_id"], laps[2]["lap_id"])
    assert code == 2 and "no lap time" in error["error"]

    code, error = run_json(capsys, "compare", laps[1]["lap_id"], "ffffffff")
    assert code == 2 and "no lap" in error["error"]


def test_demo_fills_an_empty_library_once(racetrace_home: Path, capsys) -> None:
    code, out = run_json(capsys, "demo")
    assert code == 0 and len(out["imported"]) >= 2
    assert all(len(item["laps"]) >= 4 for item in out["imported"])

    code, again = run_json(capsys, "demo")
    assert code == 0 and again["imported"] == []
    _, sessions = run_json(capsys, "sessions")
    assert len(sessions["sessions"]) == len(out["imported"])
    assert all(s["car"] for s in sessions["sessions"])


def test_console_script_runs_against_racetrace_home(racetrace_home: Path, trackaddict_samples: Path) -> None:
    env = {**os.environ, "RACETRACE_HOME": str(racetrace_home)}
    command = [sys.executable, "-m", "racetrace_desktop", "import", str(trackaddict_samples / "sample_04.csv")]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "imported sample_04.csv" in done.stdout
    assert (racetrace_home / "library.sqlite").is_file()


def _generated_session(tmp_path: Path, capsys, seed: int = 5) -> dict:
    path = generate_session(laps=3, gps_hz=10, obd=True, seed=seed).write(tmp_path)
    _, out = run_json(capsys, "import", str(path))
    return out["imported"][0]


def test_corners_are_listed_by_session_or_track_and_redetected_on_request(racetrace_home: Path, tmp_path: Path,
                                                                        capsys) -> None:
    session = _generated_session(tmp_path, capsys)
    code, by_session = run_json(capsys, "corners", session["session_id"][:8])
    assert code == 0
    corners = by_session["corners"]
    assert [c["number"] for c in corners] == list(range(1, 10))
    assert set(corners[0]) == {"number", "name", "direction", "start_m", "apex_m", "end_m"}
    assert all(c["start_m"] < c["apex_m"] < c["end_m"] for c in corners)
    _, by_track = run_json(capsys, "corners", "synthetic ring")
    assert by_track == by_session
    _, again = run_json(capsys, "corners", str(by_session["track_configuration_id"]), "--redetect")
    assert again == by_session
    assert main(["corners", session["session_id"]]) == 0
    text = capsys.readouterr().out
    assert "9 corners" in text and "T9 R" in text
    code, error = run_json(capsys, "corners", "Nowhere Ring")
    assert code == 2 and "no track, track configuration or session 'Nowhere Ring'" in error["error"]


def test_corners_are_edited_from_the_command_line_and_the_compare_follows(racetrace_home: Path, tmp_path: Path,
                                                                          capsys) -> None:
    session = _generated_session(tmp_path, capsys)
    target = session["session_id"][:8]
    _, detected = run_json(capsys, "corners", target)
    third = detected["corners"][2]

    _, renamed = run_json(capsys, "corners", target, "--rename", "3", "Eau Rouge")
    assert renamed["corners"][2]["name"] == "Eau Rouge" and len(renamed["corners"]) == 9
    _, merged = run_json(capsys, "corners", target, "--merge", "1")
    assert len(merged["corners"]) == 8 and merged["corners"][1]["name"] == "Eau Rouge"  # renumbered in order
    first = merged["corners"][0]
    _, split = run_json(capsys, "corners", target, "--split", "1", str(round((first["start_m"] + first["end_m"]) / 2)))
    assert len(split["corners"]) == 9
    _, moved = run_json(capsys, "corners", target, "--move-apex", "3", str(third["apex_m"] + 10))
    assert moved["corners"][2]["apex_m"] == pytest.approx(third["apex_m"] + 10, abs=3)
    _, deleted = run_json(capsys, "corners", target, "--delete", "9")
    assert len(deleted["corners"]) == 8
    code, error = run_json(capsys, "corners", target, "--delete", "42")
    assert code == 2 and "42" in error["error"]

    laps = [lap["lap_id"] for lap in run_json(capsys, "laps", session["session_id"])[1]["laps"] if lap["is_valid"]]
    _, compared = run_json(capsys, "compare", *laps[:2])
    assert [c["name"] for c in compared["corners"]][2] == "Eau Rouge" and len(compared["corners"]) == 8


def test_compare_json_carries_corners_hints_and_uncertainty(racetrace_home: Path, tmp_path: Path, capsys) -> None:
    session = _generated_session(tmp_path, capsys)
    laps = [lap["lap_id"] for lap in session["laps"] if lap["lap_number"] in (1, 2, 3)]
    code, result = run_json(capsys, "compare", *laps)
    assert code == 0
    assert len(result["corners"]) == 9
    for corner in result["corners"]:
        assert set(corner["laps"]) == set(laps)
        for figures in corner["laps"].values():
            assert {"time_s", "delta_s", "entry_kmh", "min_kmh", "min_at_m", "exit_kmh", "brake_m",
                    "max_lat_g"} <= set(figures)
    assert set(result["hints"]) == set(laps) and result["hints"][result["reference_lap_id"]] == []
    for lap in result["laps"]:
        assert "delta_sigma_s" in lap
        corner_sum = sum(c["laps"][lap["lap_id"]]["delta_s"] for c in result["corners"])
        assert abs(corner_sum) <= abs(lap["delta_at_finish_s"]) + 0.5  # the corners hold most of the delta
    assert main(["compare", *laps]) == 0
    text = capsys.readouterr().out
    assert "corners by time lost" in text and text.count("T1 R") == 2


def test_laps_show_theoretical_and_realistic_best(racetrace_home: Path, tmp_path: Path, capsys) -> None:
    session = _generated_session(tmp_path, capsys, seed=6)
    code, out = run_json(capsys, "laps", session["session_id"])
    assert code == 0
    best = min(lap["lap_time_ms"] for lap in out["laps"] if lap["is_valid"] and lap["lap_time_ms"])
    assert out["theoretical_best_ms"] <= best and out["realistic_best_ms"] <= best
    assert out["rolling_best_ms"] <= best and out["realistic_tolerance_kmh"] == 3.0
    assert main(["laps", session["session_id"]]) == 0
    text = capsys.readouterr().out
    assert "theoretical best" in text and "realistic best" in text and "rolling best" in text
