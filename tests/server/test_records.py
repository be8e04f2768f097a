"""The seed's CRUD endpoints: owner-only, writes visible to sync."""

from __future__ import annotations

import pytest

from .records import car, lap, session
from .test_sync import pull, push


def test_car_crud_round_trip_and_sync_visibility(api):
    alice = api.account("alice")
    created = api.client.post("/api/v1/cars", json={"make": "BMW", "model": "M2", "category": "GT4"},
                              headers=alice.headers)
    assert created.status_code == 201
    car_id = created.json()["id"]
    listed = api.client.get("/api/v1/cars", headers=alice.headers).json()
    assert [c["id"] for c in listed] == [car_id]
    patched = api.client.patch(f"/api/v1/cars/{car_id}", json={"notes": "cup tyres"}, headers=alice.headers)
    assert patched.status_code == 200
    assert patched.json()["notes"] == "cup tyres" and patched.json()["rev"] > created.json()["rev"]
    [change] = pull(api, alice)["changes"]
    assert change["data"]["notes"] == "cup tyres"
    assert api.client.delete(f"/api/v1/cars/{car_id}", headers=alice.headers).status_code == 204
    assert api.client.get(f"/api/v1/cars/{car_id}", headers=alice.headers).status_code == 404
    assert pull(api, alice)["changes"][0]["deleted"] is True


def test_patch_with_a_stale_base_rev_conflicts(api):
    alice = api.account("alice")
    created = api.client.post("/api/v1/cars", json={"make": "BMW", "model": "M2"}, headers=alice.headers).json()
    api.client.patch(f"/api/v1/cars/{created['id']}", json={"notes": "a"}, headers=alice.headers)
    stale = api.client.patch(f"/api/v1/cars/{created['id']}", json={"notes": "b", "base_rev": created["rev"]},
                             headers=alice.headers)
    assert stale.status_code == 409
    assert stale.json()["conflicts"][0]["server"]["data"]["notes"] == "a"


def test_patch_refuses_null_for_a_required_field(api):
    alice = api.account("alice")
    created = api.client.post("/api/v1/cars", json={"make": "BMW", "model": "M2"}, headers=alice.headers).json()
    response = api.client.patch(f"/api/v1/cars/{created['id']}", json={"make": None}, headers=alice.headers)
    assert response.status_code == 422
    assert "make" in response.json()["detail"]


def test_session_detail_and_its_laps(api):
    alice = api.account("alice")
    s = session(notes="dry")
    push(api, alice, s, lap(s["id"], 2, 91_000), lap(s["id"], 1, 92_000))
    detail = api.client.get(f"/api/v1/sessions/{s['id']}", headers=alice.headers).json()
    assert detail["notes"] == "dry"
    laps = api.client.get(f"/api/v1/sessions/{s['id']}/laps", headers=alice.headers).json()
    assert [lap_["lap_number"] for lap_ in laps] == [1, 2]


def _alice_records(api):
    alice = api.account("alice")
    c, s = car(notes="secret"), session(notes="secret")
    laps = [lap(s["id"], 1, 90_000)]
    push(api, alice, c, s, *laps)
    created_event = api.client.post("/api/v1/events", json={"name": "secret"}, headers=alice.headers).json()
    return alice, {"cars": c["id"], "sessions": s["id"], "events": created_event["id"], "laps": laps[0]["id"]}


@pytest.mark.parametrize("collection", ["cars", "sessions", "events", "laps"])
def test_another_user_gets_404_and_no_data_on_every_owner_only_endpoint(api, collection):
    _, ids = _alice_records(api)
    bob = api.account("bob")
    record_id = ids[collection]
    calls = [
        api.client.get(f"/api/v1/{collection}/{record_id}", headers=bob.headers),
        api.client.patch(f"/api/v1/{collection}/{record_id}", json={}, headers=bob.headers),
        api.client.delete(f"/api/v1/{collection}/{record_id}", headers=bob.headers),
    ]
    if collection == "sessions":
        calls.append(api.client.get(f"/api/v1/sessions/{record_id}/laps", headers=bob.headers))
        calls.append(api.client.get(f"/api/v1/sync/sessions/{record_id}/file", headers=bob.headers))
        calls.append(api.client.put(f"/api/v1/sync/sessions/{record_id}/file", content=b"x", headers=bob.headers))
    if collection == "laps":
        calls.append(api.client.get(f"/api/v1/laps/{record_id}/telemetry", headers=bob.headers))
        calls.append(api.client.get(f"/api/v1/sync/laps/{record_id}/telemetry", headers=bob.headers))
    for response in calls:
        assert response.status_code == 404, (response.request.method, response.request.url, response.text)
        assert "secret" not in response.text
    if collection != "laps":
        assert api.client.get(f"/api/v1/{collection}", headers=bob.headers).json() == []


def test_owner_only_lists_need_a_token(api):
    for collection in ("cars", "sessions", "events"):
        assert api.client.get(f"/api/v1/{collection}").status_code == 401


def test_nul_characters_are_refused_naming_the_field(api):
    alice = api.account("alice")
    response = api.client.post("/api/v1/cars", json={"make": "BM\u0000W", "model": "M2"}, headers=alice.headers)
    assert response.status_code == 422
    assert "body.make" in response.json()["detail"]
    login = api.client.post("/api/v1/auth/login", data={"username": "al\u0000ice", "password": "whatever"})
    assert login.status_code in (401, 422)
