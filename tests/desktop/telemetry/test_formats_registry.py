"""Which reader takes a file: by content, in the registry's order, ambiguities on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest
from format_writers import aim_csv, drive, laplegend_csv, racebox_csv, racechrono_v3_csv, vbo
from reader_snippets import trackaddict_file

from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats import (
    HEAD_BYTES,
    claimants,
    format_names,
    laplegend,
    read_bytes,
    read_file,
    trackaddict,
)

SAMPLES = {
    "racechrono_v9.csv": "RaceChrono CSV", "racechrono_v10.csv": "RaceChrono CSV", "racebox.csv": "RaceBox CSV",
    "racebox_standard.csv": "RaceBox CSV", "harrys_laptimer.vbo": "VBO", "racebox_standard.vbo": "VBO",
    "racebox_lignano.vbo": "VBO", "racelogic_circuit_tools.vbo": "VBO",
}


def names(data: bytes) -> list[str]:
    return [reader.FORMAT_NAME for reader in claimants(data[:HEAD_BYTES], "file")]


def test_every_format_is_registered_in_detection_order() -> None:
    assert format_names() == ["Lap Legend CSV", "AiM CSV", "RaceChrono CSV", "VBO", "RaceBox CSV", "TrackAddict",
                              "GPX"]


@pytest.mark.parametrize(("sample", "format_name"), SAMPLES.items())
def test_each_shared_sample_is_claimed_by_its_reader_alone(other_samples: Path, sample: str, format_name: str) -> None:
    assert names((other_samples / sample).read_bytes()) == [format_name]
    assert read_file(other_samples / sample).metadata.format_name == format_name


def test_trackaddict_samples_stay_trackaddict(trackaddict_samples: Path) -> None:
    for path in sorted(trackaddict_samples.glob("*.csv")):
        assert names(path.read_bytes()) == ["TrackAddict"], path.name


def test_lap_legend_is_never_taken_for_trackaddict() -> None:
    """Both readers would accept a Lap Legend export (a '#' preamble and a quoted "Time" header)."""
    data = laplegend_csv(drive(0))
    assert laplegend.detect(data, "x.csv") and trackaddict.detect(data, "x.csv")
    assert names(data) == ["Lap Legend CSV", "TrackAddict"]
    raw = read_bytes(data, "export.csv")
    assert raw.metadata.format_name == "Lap Legend CSV" and len(raw.lap_markers) == len(drive(0).crossings_s)
    assert not laplegend.detect(trackaddict_file(), "Log-x.csv")


def test_generated_exports_of_each_format_find_their_reader() -> None:
    d = drive(0)
    assert names(aim_csv(d)) == ["AiM CSV"]
    assert names(racechrono_v3_csv(d)) == ["RaceChrono CSV"]
    assert names(racebox_csv(d, iso=True)) == ["RaceBox CSV"]
    assert names(vbo(d, crlf=True)) == ["VBO"]


def test_a_vbo_that_lost_its_first_line_is_still_a_vbo_but_a_note_about_vbo_is_not(other_samples: Path) -> None:
    data = (other_samples / "racelogic_circuit_tools.vbo").read_bytes()
    assert names(data.split(b"\n", 1)[1]) == ["VBO"]
    assert names((other_samples / "MANIFEST.tsv").read_bytes()) == []  # mentions [header] and [data] in prose


@pytest.mark.parametrize(
    ("first_line", "named"),
    [
        (b"Harry's GPS LapTimer", "Harry's LapTimer CSV export"),
        ("Harry\u2019s LapTimer export".encode(), "Harry's LapTimer CSV export"),
        (b"Exported by Harry's LapTimer v20.0", "Harry's LapTimer CSV export"),
    ],
)
def test_harrys_laptimer_csv_is_named_with_what_to_do(first_line: bytes, named: str) -> None:
    with pytest.raises(TelemetryFormatError) as caught:
        read_bytes(first_line + b"\nLap,Time\n1,1:33.2\n", "harrys.csv")
    assert named in caught.value.message and "export the session from Harry's LapTimer as VBO" in caught.value.message
    assert "not a CSV export" not in caught.value.message


def test_an_xml_file_that_is_not_gpx_is_refused() -> None:
    with pytest.raises(TelemetryFormatError) as caught:
        read_bytes(b'<?xml version="1.0"?>\n<kml><Document/></kml>\n', "track.kml")
    assert "XML/JSON/GPX document" in caught.value.message
