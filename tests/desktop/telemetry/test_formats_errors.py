"""Bad input to the new readers: every refusal names the file and, where there is one, the line and column."""

from __future__ import annotations

import pytest

from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats import read_bytes

RACEBOX = b"Record,Time,Latitude,Longitude,Altitude,KPH,X,Y,Z,Lap\n"
VBO = b"File created on 15/05/2024 at 09:55:58\n[column names]\nsats time lat long velocity\n[data]\n"
CHRONO = b"This file is created using RaceChrono v10.2.3 ( http://racechrono.com/ ).\n\n"


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (RACEBOX + b"1,0.000,34.1,-80.1,1,1,0,0,1,0\n2,0.040,34.1,abc,1,1,0,0,1,0\n", 3,
         "column 'Longitude': 'abc' is not a number"),
        (RACEBOX + b"1,0.000,34.1,-80.1,1,1,0,0,1,0\n2,0.040,34.1,1,1,0,0,1,0\n3,0.080,34.1,-80.1,1,1,0,0,1,0\n", 3,
         "row has 9 fields but the header has 10 columns"),
        (RACEBOX, 2, "no data rows after the column header"),
        (RACEBOX + b"1,1.000,34.1,-80.1,1,1,0,0,1,0\n2,0.040,34.1,-80.1,1,1,0,0,1,0\n", 3,
         "Time goes backwards: 0.040 s after 1.000 s"),
        (RACEBOX + b"1,2026-07-26T19:18:58.880Z,34.1,-80.1,1,1,0,0,1,0\n2,yesterday,34.1,-80.1,1,1,0,0,1,0\n", 3,
         "column 'Time': 'yesterday' is not an ISO-8601 time"),
        (VBO + b"008 095558.00 +03119.09973 +00063.00614 060.123\n008 095559.00 +03119.1x873 +00063.01514 061.4\n", 6,
         "column 'lat': '03119.1x873' is not a number"),
        (VBO + b"008 095558.00 +03119.09973 +00063.00614 060.123\n008 095557.00 +03119.09973 +00063.00614 060.1\n", 6,
         "time goes backwards"),
        (CHRONO + b"Lap #,Timestamp (s),Speed (m/s)\nN/A,100.0,1.0\nN/A,1o1.0,2.0\n", 5,
         "column 'Timestamp (s)': '1o1.0' is not a number"),
        (b'# Lap Legend CSV Data Export\n\n"Time","Lap","GPS Latitude (deg)"\n0.0,0,45\n0.04,1.5,45\n', 5,
         "column 'Lap': 1.5 is not a lap number"),
    ],
)
def test_a_bad_row_names_its_line(data: bytes, line: int, message: str) -> None:
    with pytest.raises(TelemetryFormatError) as caught:
        read_bytes(data, "export.csv")
    assert caught.value.file == "export.csv" and caught.value.line == line
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (VBO.replace(b"[data]\n", b""), "no [data] section"),
        (b'"Format","AiM CSV File"\n"Session","x"\n', "no channel row starting with 'Time' after the AiM preamble"),
        (CHRONO + b"Session title,x\n", "no channel header"),
        (b"<?xml version='1.0'?><gpx><trk><trkseg><trkpt lat='1' lon='2'></trkpt></trkseg></trk></gpx>",
         "no track point with a time"),
        (b"<?xml version='1.0'?><gpx><trk><trkseg><trkpt lat='1'", "not a readable GPX document"),
    ],
)
def test_a_file_without_what_its_format_needs_is_refused_clearly(data: bytes, message: str) -> None:
    with pytest.raises(TelemetryFormatError) as caught:
        read_bytes(data, "export")
    assert caught.value.file == "export" and message in caught.value.message
    assert "internal error" not in caught.value.message


def test_text_in_a_channel_blanks_that_cell_only_and_warns() -> None:
    data = (b'# Lap Legend CSV Data Export\n\n"Time","Lap","GPS Latitude (deg)","Braking","Engine RPM (rpm)"\n'
            b"0.0,0,45,false,5000\n0.04,0,45,true,#ERR\n0.08,1,45,true,5200\n")
    raw = read_bytes(data, "export.csv")
    assert raw.row_count == 3
    assert raw.warnings == ["line 5: column 'Engine RPM (rpm)': '#ERR' is not a number; 1 such cell(s) left blank"]
    assert raw.channels["rpm"].tolist() == [5000.0, 5000.0, 5200.0]  # blank, then held like any missing update
    assert raw.channels["brake_flag"].tolist() == [0.0, 1.0, 1.0]  # true/false read as 1/0
