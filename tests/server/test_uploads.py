"""Lap telemetry (append-only), original files (size cap while streaming) and lap comparison."""

from __future__ import annotations

import base64
import hashlib
import zlib

import numpy as np

from .records import lap, session, telemetry_document
from .test_sync import pull, push


def _alice_with_lap(api, **lap_fields):
    alice = api.account("alice")
    s = session(is_public=lap_fields.pop("session_public", False))
    lp = lap(s["id"], 1, lap_fields.pop("lap_time_ms", 90_000), **lap_fields)
    push(api, alice, s, lp)
    return alice, s, lp


def _put(api, account, lap_id, document, **params):
    return api.client.put(f"/api/v1/sync/laps/{lap_id}/telemetry", json=document, params=params,
                          headers=account.headers)


def test_telemetry_upload_download_and_identical_reupload(api):
    alice, _, lp = _alice_with_lap(api)
    document = telemetry_document()
    first = _put(api, alice, lp["id"], document)
    assert first.status_code == 200 and first.json()["status"] == "created"
    again = _put(api, alice, lp["id"], document)
    assert again.json()["status"] == "unchanged" and again.json()["rev"] == first.json()["rev"]
    downloaded = api.client.get(f"/api/v1/sync/laps/{lp['id']}/telemetry", headers=alice.headers).json()
    assert downloaded["sample_count"] == 400
    time_channel = next(c for c in downloaded["channels"] if c["key"] == "time_s")
    values = np.frombuffer(zlib.decompress(base64.b64decode(time_channel["data"])), "<f8")
    assert values[-1] == 90.0
    kinds = [c["kind"] for c in pull(api, alice)["changes"]]
    assert kinds[-1] == "lap_telemetry"


def test_same_arrays_with_another_compression_level_are_identical_content(api):
    alice, _, lp = _alice_with_lap(api)
    document = telemetry_document()
    _put(api, alice, lp["id"], document)
    for channel in document["channels"]:
        raw = zlib.decompress(base64.b64decode(channel["data"]))
        channel["data"] = base64.b64encode(zlib.compress(raw, 1)).decode()
    assert _put(api, alice, lp["id"], document).json()["status"] == "unchanged"


def test_different_telemetry_is_refused_unless_replace(api):
    alice, _, lp = _alice_with_lap(api)
    _put(api, alice, lp["id"], telemetry_document())
    other = telemetry_document(lap_time_s=91.0)
    refused = _put(api, alice, lp["id"], other)
    assert refused.status_code == 409 and refused.json()["code"] == "telemetry_exists"
    replaced = _put(api, alice, lp["id"], other, replace="true")
    assert replaced.json()["status"] == "replaced"


def test_bad_telemetry_is_refused_naming_the_channel(api):
    alice, _, lp = _alice_with_lap(api)
    document = telemetry_document()
    document["channels"][2]["data"] = base64.b64encode(zlib.compress(b"\0" * 12)).decode()
    response = _put(api, alice, lp["id"], document)
    assert response.status_code == 422
    assert "channels[speed]" in response.json()["detail"]
    bomb = telemetry_document()
    bomb["channels"][2]["data"] = base64.b64encode(zlib.compress(b"\0" * 50_000_000)).decode()
    assert _put(api, alice, lp["id"], bomb).status_code == 422
    missing = telemetry_document()
    missing["channels"] = [c for c in missing["channels"] if c["key"] != "distance_m"]
    assert _put(api, alice, lp["id"], missing).status_code == 422


def test_public_lap_telemetry_is_readable_by_others_private_is_not(api):
    alice, _, private_lap = _alice_with_lap(api)
    s = session(is_public=True)
    public_lap = lap(s["id"], 1, 88_000)
    push(api, alice, s, public_lap)
    for lap_id in (private_lap["id"], public_lap["id"]):
        _put(api, alice, lap_id, telemetry_document())
    bob = api.account("bob")
    assert api.client.get(f"/api/v1/laps/{public_lap['id']}/telemetry", headers=bob.headers).status_code == 200
    assert api.client.get(f"/api/v1/laps/{public_lap['id']}", headers=bob.headers).status_code == 200
    assert api.client.get(f"/api/v1/laps/{private_lap['id']}/telemetry", headers=bob.headers).status_code == 404
    # Only the owner may upload, even to a public lap.
    assert _put(api, bob, public_lap["id"], telemetry_document(91.0)).status_code == 404


def test_compare_delta_at_the_finish_is_the_lap_time_difference(api):
    alice = api.account("alice")
    s = session()
    fast, slow = lap(s["id"], 1, 88_400), lap(s["id"], 2, 90_150)
    push(api, alice, s, fast, slow)
    _put(api, alice, fast["id"], telemetry_document(88.4, length_m=2010))
    profile = 1.0 + 0.5 * np.sin(np.linspace(0, 4 * np.pi, 400))
    _put(api, alice, slow["id"], telemetry_document(90.15, length_m=1995, speed_profile=profile))
    response = api.client.post(
        "/api/v1/laps/compare",
        json={"lap_ids": [fast["id"], slow["id"]], "points": 200, "channels": ["speed", "rpm"]},
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["reference_lap_id"] == fast["id"]
    assert len(body["fraction"]) == 200 and body["distance_m"][-1] == 2010
    reference, other = body["laps"]
    assert reference["delta_s"] == [0.0] * 200
    assert other["delta_s"][0] == 0.0
    assert abs(other["delta_s"][-1] - 1.75) < 1e-9
    assert len(other["channels"]["speed"]) == 200 and other["channels"]["rpm"] is None


def test_compare_refuses_laps_without_telemetry_or_not_readable(api):
    alice, _, lp = _alice_with_lap(api)
    bob = api.account("bob")
    s = session()
    bobs = lap(s["id"], 1, 90_000)
    push(api, bob, s, bobs)
    _put(api, bob, bobs["id"], telemetry_document())
    no_telemetry = api.client.post("/api/v1/laps/compare", json={"lap_ids": [lp["id"], lp["id"]]},
                                   headers=alice.headers)
    assert no_telemetry.status_code == 422
    _put(api, alice, lp["id"], telemetry_document())
    private = api.client.post("/api/v1/laps/compare", json={"lap_ids": [lp["id"], bobs["id"]]},
                              headers=alice.headers)
    assert private.status_code == 404


def test_original_file_upload_download_and_dedup(api):
    alice = api.account("alice")
    content = b"# RaceRender Data\n" + b"1,2,3\n" * 1000
    s = session(file_content=content, file_name="Spa 2026.csv")
    push(api, alice, s)
    url = f"/api/v1/sync/sessions/{s['id']}/file"
    first = api.client.put(url, content=content, headers=alice.headers)
    assert first.status_code == 200 and first.json()["status"] == "created"
    assert first.json()["sha256"] == hashlib.sha256(content).hexdigest()
    assert api.client.put(url, content=content, headers=alice.headers).json()["status"] == "unchanged"
    download = api.client.get(url, headers=alice.headers)
    assert download.content == content
    assert "Spa 2026.csv" in download.headers["content-disposition"]


def test_file_must_match_the_sessions_sha256(api):
    alice = api.account("alice")
    s = session(file_content=b"the real file")
    push(api, alice, s)
    response = api.client.put(f"/api/v1/sync/sessions/{s['id']}/file", content=b"another file",
                              headers=alice.headers)
    assert response.status_code == 422 and response.json()["code"] == "file_mismatch"


def test_oversized_upload_is_refused_with_413(make_client, clean_database):
    from .conftest import Api

    client = make_client(max_upload_size_mb=0.01)  # ~10 KB
    api = Api(client, clean_database)
    alice = api.account("alice")
    content = b"x" * 20_000
    s = session(file_content=content)
    push(api, alice, s)
    url = f"/api/v1/sync/sessions/{s['id']}/file"
    declared = api.client.put(url, content=content, headers=alice.headers)
    assert declared.status_code == 413
    assert "limit" in declared.json()["detail"]

    def stream():  # no Content-Length: the cap must hold while streaming
        for _ in range(20):
            yield b"x" * 1000

    streamed = api.client.put(url, content=stream(), headers=alice.headers)
    assert streamed.status_code == 413
    assert api.client.get(url, headers=alice.headers).status_code == 404  # nothing stored


def test_oversized_json_body_is_refused(make_client, clean_database):
    from .conftest import Api

    client = make_client(max_request_body_mb=0.01)
    api = Api(client, clean_database)
    alice = api.account("alice")
    big = [{"kind": "car", "id": f"00000000-0000-4000-8000-{i:012d}", "data": {"make": "x" * 60, "model": "y"}}
           for i in range(400)]
    response = api.client.post("/api/v1/sync/push", json={"records": big}, headers=alice.headers)
    assert response.status_code == 413
