"""A lap reaches the leaderboard only when its time can be real: not faster than the configuration's length at
400 km/h, and consistent with its own telemetry. Implausible laps stay stored (and synced), flagged."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from sync_server.models import Lap

from .conftest import Api
from .records import telemetry_document
from .test_leaderboard import board, drive, setup


def _reason(api: Api, lap_id: str) -> str | None:
    with api.database.sessions() as db:
        return db.scalar(select(Lap.implausible_reason).where(Lap.id == uuid.UUID(lap_id)))


def test_a_one_millisecond_lap_is_stored_but_kept_off_the_board(api: Api) -> None:
    config = setup(api)  # Spa, 7004 m: nothing laps it in under 63 s
    alice, bob = api.account("alice"), api.account("bob")
    _, alice_laps = drive(api, alice, config, 1, 62_000, 139_000)
    drive(api, bob, config, 140_000)
    entries = board(api, config)["entries"]
    assert [(e["driver"]["display_name"], e["lap_time_ms"]) for e in entries] == [("alice", 139_000), ("bob", 140_000)]
    pulled = api.client.get("/api/v1/sync/pull", headers=alice.headers).json()["changes"]
    assert {c["data"]["lap_time_ms"] for c in pulled if c["kind"] == "lap"} == {1, 62_000, 139_000}
    assert "faster than 7004 m at 400 km/h" in (_reason(api, alice_laps[0]["id"]) or "")
    assert _reason(api, alice_laps[2]["id"]) is None


def test_telemetry_that_contradicts_the_lap_time_takes_the_lap_off_the_board(api: Api) -> None:
    config = setup(api)
    alice = api.account("alice")
    _, laps = drive(api, alice, config, 130_000)
    assert [e["lap_time_ms"] for e in board(api, config)["entries"]] == [130_000]
    document = telemetry_document(lap_time_s=195.0, length_m=7004.0)  # 195 s of driving for a 130 s lap
    answer = api.client.put(f"/api/v1/sync/laps/{laps[0]['id']}/telemetry", json=document, headers=alice.headers)
    assert answer.status_code == 200, answer.text
    assert board(api, config)["entries"] == []
    assert _reason(api, laps[0]["id"]) == "telemetry lasts 195.0 s but the lap time is 130.000 s"


def test_telemetry_far_shorter_than_the_track_takes_the_lap_off_the_board(api: Api) -> None:
    config = setup(api)
    alice = api.account("alice")
    _, laps = drive(api, alice, config, 130_000)
    document = telemetry_document(lap_time_s=130.0, length_m=2000.0)  # a 2 km lap on a 7 km track
    api.client.put(f"/api/v1/sync/laps/{laps[0]['id']}/telemetry", json=document, headers=alice.headers)
    assert board(api, config)["entries"] == []


def test_consistent_telemetry_keeps_the_lap_on_the_board(api: Api) -> None:
    config = setup(api)
    alice = api.account("alice")
    _, laps = drive(api, alice, config, 130_000)
    document = telemetry_document(lap_time_s=130.4, length_m=7010.0)
    answer = api.client.put(f"/api/v1/sync/laps/{laps[0]['id']}/telemetry", json=document, headers=alice.headers)
    assert answer.status_code == 200
    assert [e["lap_time_ms"] for e in board(api, config)["entries"]] == [130_000]
    assert _reason(api, laps[0]["id"]) is None
