"""Writers racing each other: the revision counter serialises them, nothing is doubled, nothing crashes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from .records import car, lap, session
from .test_sync import pull

DEVICES = 6


def test_the_same_chunk_pushed_by_several_devices_at_once_is_stored_once(api):
    alice = api.account("alice")
    s = session()
    chunk = [car(), s, *[lap(s["id"], n) for n in range(1, 6)]]

    def push_from_a_device(_: int) -> tuple[int, list[str]]:
        with TestClient(api.client.app, base_url="https://testserver") as device:
            response = device.post("/api/v1/sync/push", json={"records": chunk}, headers=alice.headers)
            return response.status_code, [r["status"] for r in response.json().get("results", [])]

    with ThreadPoolExecutor(DEVICES) as pool:
        outcomes = list(pool.map(push_from_a_device, range(DEVICES)))
    assert [code for code, _ in outcomes] == [200] * DEVICES
    statuses = [statuses for _, statuses in outcomes]
    assert statuses.count(["created"] * len(chunk)) == 1
    assert statuses.count(["unchanged"] * len(chunk)) == DEVICES - 1
    changes = pull(api, alice)["changes"]
    assert len(changes) == len(chunk)
    assert [c["rev"] for c in changes] == list(range(1, len(chunk) + 1))


def test_concurrent_edits_from_the_same_base_let_exactly_one_win(api):
    alice = api.account("alice")
    c = car()
    rev = api.client.post("/api/v1/sync/push", json={"records": [c]}, headers=alice.headers).json()["results"][0]["rev"]

    def edit(n: int) -> int:
        record = {**c, "base_rev": rev, "data": {**c["data"], "notes": f"device {n}"}}
        with TestClient(api.client.app, base_url="https://testserver") as device:
            return device.post("/api/v1/sync/push", json={"records": [record]}, headers=alice.headers).status_code

    with ThreadPoolExecutor(DEVICES) as pool:
        codes = list(pool.map(edit, range(DEVICES)))
    assert sorted(codes) == [200] + [409] * (DEVICES - 1)


def test_a_refresh_token_used_twice_at_once_never_yields_two_live_sessions(api):
    alice = api.account("alice")

    def refresh(_: int) -> tuple[int, str | None]:
        with TestClient(api.client.app, base_url="https://testserver") as device:
            response = device.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
            return response.status_code, response.json().get("refresh_token")

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(refresh, range(4)))
    winners = [token for code, token in outcomes if code == 200]
    assert len(winners) <= 1
    assert [code for code, _ in outcomes].count(401) >= 3
    for token in winners:  # reuse detection revoked the family, including the winner's new token
        assert api.client.post("/api/v1/auth/refresh", json={"refresh_token": token}).status_code == 401


def test_the_same_telemetry_uploaded_by_several_devices_at_once_is_stored_once(api):
    from .records import telemetry_document

    alice = api.account("alice")
    s = session()
    lp = lap(s["id"], 1)
    api.client.post("/api/v1/sync/push", json={"records": [s, lp]}, headers=alice.headers)
    document = telemetry_document()

    def upload(_: int) -> tuple[int, str | None]:
        with TestClient(api.client.app, base_url="https://testserver") as device:
            response = device.put(f"/api/v1/sync/laps/{lp['id']}/telemetry", json=document, headers=alice.headers)
            return response.status_code, response.json().get("status")

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(upload, range(4)))
    assert sorted(outcomes) == [(200, "created")] + [(200, "unchanged")] * 3


def test_concurrent_configuration_edits_each_bump_the_version(api):
    admin = api.admin()
    track = api.client.post("/api/v1/tracks", json={"name": "Zolder", "configurations": [
        {"name": "GP", "start_finish_lat": 50.99, "start_finish_lon": 5.25}]}, headers=admin.headers).json()
    config_id = track["configurations"][0]["id"]

    def edit(n: int) -> int:
        with TestClient(api.client.app, base_url="https://testserver") as browser:
            return browser.patch(f"/api/v1/admin/track-configurations/{config_id}", json={"length_m": 4000 + n},
                                 headers=admin.headers).status_code

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(edit, range(4))) == [200] * 4
    assert api.client.get(f"/api/v1/track-configurations/{config_id}").json()["version"] == 5
