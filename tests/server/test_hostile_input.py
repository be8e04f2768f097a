"""Hostile and edge-value bodies get small, fast 4xx answers naming the field; nothing stored is lost."""

from __future__ import annotations

import base64
import json
import zlib

import httpx
import numpy as np
import pytest

from sync_server.app import create_app

from .conftest import Api, server_settings
from .live_server import serve
from .records import car, lap, session, telemetry_document

SMALL_ANSWER_BYTES = 4096


def test_a_million_unknown_keys_in_a_push_get_a_small_answer_from_a_real_server(api: Api, database_url: str) -> None:
    alice = api.account("alice")
    hostile = {"records": [{"kind": "car", "id": car()["id"], "data": {f"k{i}": 1 for i in range(1_000_000)}}]}
    body = json.dumps(hostile).encode()
    assert len(body) > 11_000_000
    app = create_app(server_settings(database_url), database=api.database)
    with serve(app) as base_url, httpx.Client(base_url=base_url, timeout=120) as client:
        headers = {**alice.headers, "Content-Type": "application/json"}
        answer = client.post("/api/v1/sync/push", content=body, headers=headers)
        assert client.get("/health").status_code == 200
    assert answer.status_code == 422
    assert len(answer.content) < SMALL_ANSWER_BYTES
    assert answer.json()["code"] == "json_too_complex"
    assert "1,000,00" in answer.json()["detail"]


def test_deeply_nested_json_is_refused_before_validation(api: Api) -> None:
    alice = api.account("alice")
    body = '{"records": ' + "[" * 5000 + "]" * 5000 + "}"
    answer = api.client.post("/api/v1/sync/push", content=body, headers={**alice.headers,
                                                                         "Content-Type": "application/json"})
    assert answer.status_code == 422 and answer.json()["code"] == "json_too_complex"
    assert "nested" in answer.json()["detail"]


def test_many_unknown_fields_report_a_capped_list_of_errors(api: Api) -> None:
    alice = api.account("alice")
    record = car()
    record["data"].update({f"unknown_{i}": i for i in range(5000)})
    answer = api.client.post("/api/v1/sync/push", json={"records": [record]}, headers=alice.headers)
    assert answer.status_code == 422
    assert len(answer.json()["errors"]) == 20
    assert "more errors" in answer.json()["detail"]
    assert len(answer.content) < SMALL_ANSWER_BYTES


def test_two_megabytes_to_register_are_refused_unread(api: Api) -> None:
    blob = json.dumps({f"k{i}": "x" * 10 for i in range(100_000)})
    answer = api.client.post("/api/v1/auth/register", content=blob, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert len(answer.content) < SMALL_ANSWER_BYTES


def _pushed_lap(api: Api, alice, lap_time_ms: int = 95_000) -> str:
    s = session()
    one = lap(s["id"], 1, lap_time_ms=lap_time_ms)
    assert api.client.post("/api/v1/sync/push", json={"records": [s, one]}, headers=alice.headers).status_code == 200
    return one["id"]


def test_telemetry_that_would_decode_to_gigabytes_is_refused_before_decoding(api: Api) -> None:
    alice = api.account("alice")
    lap_id = _pushed_lap(api, alice)
    zeros = base64.b64encode(zlib.compress(np.zeros(2_000_000).tobytes(), 9)).decode()
    channels = [{"key": key, "label": key, "unit": "m", "display_unit": "m", "dtype": "float64", "data": zeros}
                for key in ["time_s", "distance_m", *[f"c{i}" for i in range(126)]]]
    document = {"format": "racetrace.lap-telemetry", "version": 1, "sample_count": 2_000_000, "channels": channels}
    answer = api.client.put(f"/api/v1/sync/laps/{lap_id}/telemetry", json=document, headers=alice.headers)
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("sample_count: 2,000,000 samples for this lap; at most 10,550")


def test_telemetry_within_the_lap_bounds_is_still_accepted(api: Api) -> None:
    alice = api.account("alice")
    lap_id = _pushed_lap(api, alice)
    document = telemetry_document(lap_time_s=95.0, samples=9000)
    answer = api.client.put(f"/api/v1/sync/laps/{lap_id}/telemetry", json=document, headers=alice.headers)
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("recorded_at", [
    "0001-01-01T00:00:00+05:00", "0001-01-01T03:00:00+02:00", "9999-12-31T23:30:00-05:00",
    "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-12:00",
])
def test_recorded_at_at_the_ends_of_the_calendar_is_never_a_server_error(api: Api, recorded_at: str) -> None:
    alice = api.account("alice")
    answer = api.client.post("/api/v1/sync/push", json={"records": [session(recorded_at=recorded_at)]},
                             headers=alice.headers)
    assert answer.status_code in (200, 422), answer.text
    if answer.status_code == 422:
        assert "recorded_at" in answer.json()["detail"]
    pulled = api.client.get("/api/v1/sync/pull", headers=alice.headers)
    assert pulled.status_code == 200


def test_a_session_file_with_a_cjk_name_downloads_with_its_name(api: Api) -> None:
    alice = api.account("alice")
    content = b"Time,Lat,Lon\n0,52.0,4.0\n"
    s = session(file_content=content, file_name="鈴鹿サーキット 2026.csv")
    assert api.client.post("/api/v1/sync/push", json={"records": [s]}, headers=alice.headers).status_code == 200
    url = f"/api/v1/sync/sessions/{s['id']}/file"
    uploaded = api.client.put(url, content=content, headers={**alice.headers,
                                                             "Content-Type": "application/octet-stream"})
    assert uploaded.status_code == 200, uploaded.text
    download = api.client.get(url, headers=alice.headers)
    assert download.status_code == 200 and download.content == content
    disposition = download.headers["content-disposition"]
    assert "filename*=UTF-8''%E9%88%B4%E9%B9%BF" in disposition
    assert 'filename="2026.csv"' in disposition


@pytest.mark.parametrize("name", ["Max\x00Power", "Bell\x07", "Esc\x1b[31m", "C1\x85"])
def test_control_characters_in_names_are_a_field_error(api: Api, name: str) -> None:
    register = api.client.post("/api/v1/auth/register", json={
        "username": "carla", "email": "carla@example.com", "password": "long enough 1", "display_name": name})
    assert register.status_code == 422 and "body.display_name" in register.json()["detail"]
    alice = api.account("alice")
    patch = api.client.patch("/api/v1/users/me", json={"display_name": name}, headers=alice.headers)
    assert patch.status_code == 422 and "body.display_name" in patch.json()["detail"]
    admin = api.admin()
    team = api.client.post("/api/v1/admin/teams", json={"name": name}, headers=admin.headers)
    assert team.status_code == 422 and "body.name" in team.json()["detail"]
    track = api.client.post("/api/v1/tracks", json={"name": name}, headers=admin.headers)
    assert track.status_code == 422 and "body.name" in track.json()["detail"]
    config = {"name": name, "start_finish_lat": 50.0, "start_finish_lon": 6.0}
    track = api.client.post("/api/v1/tracks", json={"name": "Ring", "configurations": [config]},
                            headers=admin.headers)
    assert track.status_code == 422 and "body.configurations.0.name" in track.json()["detail"]
