"""POST /api/v1/sessions/upload: a real logger file in, the session with its laps and lap telemetry out, stored
like a desktop push (pull, leaderboard, telemetry download); duplicates by recording, bad files, the size cap."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import numpy as np
import pytest

from racetrace_desktop.telemetry.errors import TelemetryFormatError
from racetrace_desktop.telemetry.formats import read_bytes
from racetrace_desktop.telemetry.model import GeoPoint, TrackDefinition
from racetrace_desktop.telemetry.model import LapData as LapArrays
from racetrace_desktop.telemetry.session import analyse
from sync_server.app import create_app
from sync_server.session_upload.gate import ParseGate, UploadInProgressError
from sync_server.sync import telemetry_format
from sync_server.sync.telemetry_format import LapTelemetryDocument

from .conftest import server_settings
from .live_server import serve
from .test_sync import pull

GOODWOOD = {"name": "Goodwood", "country": "GB", "configurations": [
    {"name": "Motor Circuit", "start_finish_lat": 50.857952, "start_finish_lon": -0.752617, "num_sectors": 3,
     "is_default": True}]}  # fmt: skip
GOODWOOD_FILE = "Log-20220531-085930 Goodwood Motorcircuit - 2.57.527.csv"


def desktop_lap_arrays(content: bytes, lap_number: int) -> LapArrays:
    start = GOODWOOD["configurations"][0]
    track = TrackDefinition(GeoPoint(start["start_finish_lat"], start["start_finish_lon"]), num_sectors=3)
    analysed = analyse(read_bytes(content, GOODWOOD_FILE), track)
    lap = next(lap for lap in analysed.laps if lap.number == lap_number)
    assert lap.data is not None
    return lap.data


def upload(api, account, content: bytes, name: str = GOODWOOD_FILE, **fields: str):
    return api.client.post(
        "/api/v1/sessions/upload", files={"file": (name, content, "text/csv")}, data=fields, headers=account.headers
    )


@pytest.fixture
def goodwood_file(trackaddict_samples: Path) -> bytes:
    return (trackaddict_samples / "sample_02.csv").read_bytes()


@pytest.fixture
def goodwood(api) -> str:
    admin = api.admin()
    track = api.client.post("/api/v1/tracks", json=GOODWOOD, headers=admin.headers).json()
    return str(track["configurations"][0]["id"])


def test_an_uploaded_file_becomes_a_timed_session_that_syncs_and_reaches_the_leaderboard(api, goodwood, goodwood_file):
    alice = api.account("alice")

    response = upload(api, alice, goodwood_file, is_public="true")

    assert response.status_code == 201, response.text
    created = response.json()
    assert created["status"] == "created" and created["format_name"] == "TrackAddict"
    assert created["track_configuration_id"] == goodwood and created["is_public"] is True
    assert [(lap["lap_number"], lap["lap_time_ms"]) for lap in created["laps"]] == [
        (0, 123_202), (1, 177_527), (2, None)]  # fmt: skip
    assert all(lap["has_telemetry"] for lap in created["laps"])
    session_id = created["session_id"]
    changes = pull(api, alice)["changes"]
    kinds = sorted(c["kind"] for c in changes if c["kind"] not in ("track", "track_configuration"))
    assert kinds == ["lap", "lap", "lap", "lap_telemetry", "lap_telemetry", "lap_telemetry", "session"]
    pulled_session = next(c for c in changes if c["kind"] == "session")
    assert pulled_session["id"] == session_id and pulled_session["data"]["file_name"] == GOODWOOD_FILE
    assert pulled_session["data"]["recorded_at"] is not None and pulled_session["data"]["device"]

    board = api.client.get("/api/v1/leaderboard", params={"track_configuration_id": goodwood}).json()
    assert [(e["driver"]["display_name"], e["lap_time_ms"]) for e in board["entries"]] == [("alice", 177_527)]

    lap_one = next(lap for lap in created["laps"] if lap["lap_number"] == 1)
    document = LapTelemetryDocument.model_validate(
        api.client.get(f"/api/v1/sync/laps/{lap_one['id']}/telemetry", headers=alice.headers).json()
    )
    arrays = telemetry_format.decode(document)
    expected = desktop_lap_arrays(goodwood_file, lap_number=1)  # what the desktop's import stores for this lap
    assert document.sample_count == expected.row_count
    np.testing.assert_array_equal(arrays["time_s"], expected.time_s)
    np.testing.assert_array_equal(arrays["distance_m"], expected.distance_m)
    np.testing.assert_allclose(arrays["lat"], expected.lat, atol=1e-7)
    np.testing.assert_allclose(arrays["speed"], expected.channels["speed"], rtol=1e-6)
    assert 3500 < arrays["distance_m"][-1] < 4100  # Goodwood is 3.8 km
    original = api.client.get(f"/api/v1/sync/sessions/{session_id}/file", headers=alice.headers)
    assert original.content == goodwood_file


def test_the_same_recording_again_is_the_existing_session_even_resaved_with_crlf_or_bom(api, goodwood, goodwood_file):
    alice, bob = api.account("alice"), api.account("bob")
    first = upload(api, alice, goodwood_file).json()
    resaves = {
        "same bytes": goodwood_file,
        "CRLF": goodwood_file.replace(b"\n", b"\r\n"),
        "BOM": b"\xef\xbb\xbf" + goodwood_file,
        "BOM and CRLF": b"\xef\xbb\xbf" + goodwood_file.replace(b"\n", b"\r\n"),
    }
    for label, content in resaves.items():
        again = upload(api, alice, content, name=f"copy {label}.csv")
        assert again.status_code == 200, (label, again.text)
        assert (again.json()["status"], again.json()["session_id"]) == ("duplicate", first["session_id"]), label
    sessions = api.client.get("/api/v1/sessions", headers=alice.headers).json()
    assert [s["id"] for s in sessions] == [first["session_id"]]
    theirs = upload(api, bob, goodwood_file)  # another account's copy is its own session
    assert theirs.status_code == 201 and theirs.json()["session_id"] != first["session_id"]


def test_a_deleted_session_is_not_uploaded_again_silently(api, goodwood, goodwood_file):
    alice = api.account("alice")
    session_id = upload(api, alice, goodwood_file).json()["session_id"]
    assert api.client.delete(f"/api/v1/sessions/{session_id}", headers=alice.headers).status_code == 204
    again = upload(api, alice, goodwood_file)
    assert again.status_code == 409
    assert again.json()["code"] == "session_deleted" and again.json()["session_id"] == session_id


def test_a_file_on_no_known_track_is_stored_without_configuration(api, trackaddict_samples):
    alice = api.account("alice")
    response = upload(api, alice, (trackaddict_samples / "sample_01.csv").read_bytes(), name="STC_log.csv")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["track_configuration_id"] is None
    assert [lap["lap_time_ms"] for lap in body["laps"]][:5] == [155_138, 444_553, 107_089, 116_145, 357_906]


def test_a_bad_file_is_a_422_naming_the_file_and_line_and_nothing_is_stored(api, goodwood_file):
    alice = api.account("alice")
    lines = goodwood_file.split(b"\n")
    lines[40:] = [line.replace(b",", b",x", 1) for line in lines[40:]]  # from line 41 on: a non-numeric cell each
    response = upload(api, alice, b"\n".join(lines), name="broken.csv")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_file" and (body["file"], body["line"]) == ("broken.csv", 41)
    assert body["detail"].startswith("broken.csv, line 41: ")
    not_telemetry = upload(api, alice, b"shopping list\neggs, milk\n", name="notes.txt")
    assert not_telemetry.status_code == 422
    assert not_telemetry.json()["detail"].startswith("notes.txt: not an export RaceTrace reads")
    assert upload(api, alice, b"", name="empty.csv").json()["detail"] == "empty.csv: the file is empty"
    assert api.client.get("/api/v1/sessions", headers=alice.headers).json() == []


def test_one_damaged_row_is_dropped_with_a_warning_and_the_rest_is_stored(api, goodwood_file):
    alice = api.account("alice")
    lines = goodwood_file.split(b"\n")
    lines[40] = lines[40].replace(b",", b",x", 1)
    response = upload(api, alice, b"\n".join(lines), name="one bad row.csv")
    assert response.status_code == 201, response.text
    assert any("line 41" in warning for warning in response.json()["warnings"])
    assert len(response.json()["laps"]) > 0


def test_the_form_must_hold_exactly_one_file(api, goodwood_file):
    alice = api.account("alice")
    url = "/api/v1/sessions/upload"
    no_file = api.client.post(url, data={"is_public": "true"}, headers=alice.headers)
    two_files = api.client.post(url, files=[("file", ("a.csv", goodwood_file)), ("file", ("b.csv", goodwood_file))],
                                headers=alice.headers)  # fmt: skip
    other_field = api.client.post(url, files={"upload": ("a.csv", goodwood_file)}, headers=alice.headers)
    raw_body = api.client.post(url, content=goodwood_file, headers={**alice.headers, "Content-Type": "text/csv"})
    bad_flag = upload(api, alice, goodwood_file, is_public="maybe")
    for response in (no_file, two_files, other_field, raw_body, bad_flag):
        assert response.status_code == 422 and response.json()["code"] == "invalid_upload", response.text
    assert "exactly one file" in two_files.json()["detail"] and "'file'" in other_field.json()["detail"]
    assert upload(api, alice, goodwood_file).status_code == 201
    assert api.client.post(url, files={"file": ("a.csv", goodwood_file)}).status_code == 401


def test_a_file_over_the_cap_is_refused_while_it_streams_in(api, clean_database, database_url):
    """A chunked body (no Content-Length to judge by): the 413 arrives while most of the file is still unsent."""
    alice = api.account("alice")
    app = create_app(server_settings(database_url, max_upload_size_mb=1), database=clean_database)
    boundary = "racetraceboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode()  # fmt: skip
    with serve(app) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(
                f"POST /api/v1/sessions/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                f"{alice.access_token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
                "Transfer-Encoding: chunked\r\n\r\n".encode()
            )
            sent = 0
            for chunk in [head, *[b"0.0," * 16_384] * 20]:  # 1.3 MB of a 50 MB file, then wait for the answer
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
            answer = sock.recv(65_536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "larger than the limit of 1 MB" in answer
    assert sent < 2 * 1024 * 1024
    assert api.client.get("/api/v1/sessions", headers=alice.headers).json() == []


def test_one_upload_at_a_time_per_account():
    gate = ParseGate(parallel=1)
    alice, bob = uuid.uuid4(), uuid.uuid4()
    with gate.for_user(alice):
        with pytest.raises(UploadInProgressError) as refused, gate.for_user(alice):
            pass
        assert refused.value.headers == {"Retry-After": "5"}
        with gate.for_user(bob):  # others are not held up
            pass
    with gate.for_user(alice):  # free again once the first upload finished
        pass


def test_a_file_name_in_any_script_is_kept(api, goodwood, goodwood_file):
    alice = api.account("alice")
    name = "鈴鹿サーキット 2026-05-01.csv"
    created = upload(api, alice, goodwood_file, name=name).json()
    assert created["file_name"] == name
    (session,) = api.client.get("/api/v1/sessions/", headers=alice.headers).json()
    assert session["file_name"] == name


def test_every_format_the_desktop_reads_is_accepted_and_others_refused_in_its_words(api, other_samples):
    """Other loggers' exports: the upload answers exactly what the desktop's reader registry makes of each file
    (readers added to the registry are picked up with no change here)."""
    alice = api.account("alice")
    for path in sorted(p for p in other_samples.iterdir() if p.name != "MANIFEST.tsv"):
        content = path.read_bytes()
        try:
            raw = read_bytes(content, path.name)
        except TelemetryFormatError as error:
            refused = upload(api, alice, content, name=path.name)
            assert refused.status_code == 422, (path.name, refused.text)
            assert refused.json()["detail"] == str(error)
            continue
        created = upload(api, alice, content, name=path.name)
        assert created.status_code == 201, (path.name, created.text)
        assert created.json()["format_name"] == raw.metadata.format_name
        assert len(created.json()["laps"]) == len(analyse(raw).laps)
