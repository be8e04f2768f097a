"""Track suggestions: public sessions on no configured track, grouped by where their laps cross the line, shown to
admins with a proposed start/finish line, direction and the reference lap; one call turns one into a track.

The sessions are recordings of the telemetry generator (GPS noise, driving-line wander, several seeds), uploaded
as files: its ground truth says where the line is, which way the cars go and how long the lap is."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from racetrace_desktop.telemetry.geo import haversine_m
from racetrace_desktop.telemetry.synthetic import SyntheticSession, generate_session

from .test_session_upload import GOODWOOD

RING = (48.0817, 11.2796)
OTHER_RING = (47.2000, 10.1000)


@cache
def recording(seed: int, origin: tuple[float, float] = RING, name: str = "Synthetic Ring") -> SyntheticSession:
    return generate_session(laps=3, gps_hz=10.0, obd=False, seed=seed, origin=origin, track_name=name)


def upload(api, account, session: SyntheticSession, public: bool = True):
    response = api.client.post(
        "/api/v1/sessions/upload", files={"file": (session.file_name, session.csv_text.encode())},
        data={"is_public": str(public).lower()}, headers=account.headers,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()


def suggestions(api, admin):
    response = api.client.get("/api/v1/admin/track-suggestions", headers=admin.headers)
    assert response.status_code == 200, response.text
    return response.json()


def heading_gap(a: float, b: float) -> float:
    return abs((a - b + 180) % 360 - 180)


@pytest.fixture
def places(api):
    """alice and bob at the ring (two seeds), alice privately once more, carol at another ring."""
    admin = api.admin()
    alice, bob, carol = api.account("alice"), api.account("bob"), api.account("carol")
    uploads = {
        "alice": upload(api, alice, recording(1)),
        "bob": upload(api, bob, recording(2)),
        "carol": upload(api, carol, recording(3, OTHER_RING, "Alpine Ring")),
    }
    upload(api, alice, recording(4), public=False)  # private: never suggested
    return admin, uploads


def test_public_sessions_on_no_track_are_grouped_by_place_with_the_proposed_line(api, places):
    admin, uploads = places

    ring, alpine = suggestions(api, admin)

    assert ring["name"] == "Synthetic Ring" and alpine["name"] == "Alpine Ring"
    assert ring["drivers"] == ["alice", "bob"] and alpine["drivers"] == ["carol"]
    assert sorted(s["id"] for s in ring["sessions"]) == sorted([uploads["alice"]["session_id"],
                                                                 uploads["bob"]["session_id"]])  # fmt: skip
    truth = recording(1).truth
    line = truth.start_finish
    assert haversine_m(ring["start_finish_lat"], ring["start_finish_lon"], line.lat, line.lon) < 10.0
    assert heading_gap(ring["start_finish_heading_deg"], line.heading_deg) < 10.0
    assert ring["length_m"] == pytest.approx(truth.track_length_m, rel=0.03)
    fastest = min(min(truth_of.truth.lap_times_ms[1:]) for truth_of in (recording(1), recording(2)))
    assert abs(ring["best_lap_ms"] - fastest) <= 100
    path = np.array(ring["reference_path"])
    off_line = [float(np.min(haversine_m(lat, lon, truth.path_lat, truth.path_lon))) for lat, lon in path]
    assert len(path) > 100 and max(off_line) < 15.0  # the map shows the lap on the circuit
    other = recording(3, OTHER_RING, "Alpine Ring").truth.start_finish
    assert haversine_m(alpine["start_finish_lat"], alpine["start_finish_lon"], other.lat, other.lon) < 10.0


def test_sessions_on_a_configured_track_are_not_suggested(api, trackaddict_samples):
    admin = api.admin()
    api.client.post("/api/v1/tracks", json=GOODWOOD, headers=admin.headers)
    alice = api.account("alice")
    content = (trackaddict_samples / "sample_02.csv").read_bytes()
    api.client.post("/api/v1/sessions/upload", files={"file": ("goodwood.csv", content)}, data={"is_public": "1"},
                    headers=alice.headers)  # fmt: skip
    assert suggestions(api, admin) == []


def test_only_admins_see_suggestions(api, places):
    alice = api.account("dave")
    assert api.client.get("/api/v1/admin/track-suggestions", headers=alice.headers).status_code == 403
    assert api.client.get("/api/v1/admin/track-suggestions").status_code == 401


def test_accepting_a_suggestion_creates_the_configuration_and_the_board_fills(api, places):
    admin, uploads = places
    ring = suggestions(api, admin)[0]
    alice = api.login("alice").json()["access_token"]

    created = api.client.post(f"/api/v1/admin/track-suggestions/{ring['id']}/accept",
                              json={"track_name": "Munich Ring", "configuration_name": "Full"},
                              headers=admin.headers)  # fmt: skip

    assert created.status_code == 201, created.text
    track = created.json()
    (configuration,) = track["configurations"]
    assert (track["name"], configuration["name"], configuration["is_default"]) == ("Munich Ring", "Full", True)
    assert (configuration["start_finish_lat"], configuration["start_finish_lon"]) == (
        ring["start_finish_lat"], ring["start_finish_lon"])  # fmt: skip
    assert configuration["start_finish_heading_deg"] == ring["start_finish_heading_deg"]
    assert [s["name"] for s in suggestions(api, admin)] == ["Alpine Ring"]
    # The uploaded sessions' originals are on the server: it re-timed them on the new line itself.
    board = api.client.get("/api/v1/leaderboard", params={"track_configuration_id": configuration["id"]}).json()
    assert sorted(e["driver"]["display_name"] for e in board["entries"]) == ["alice", "bob"]
    session_id = uploads["alice"]["session_id"]
    headers = {"Authorization": f"Bearer {alice}"}
    moved = api.client.get(f"/api/v1/sessions/{session_id}", headers=headers).json()
    assert (moved["track_configuration_id"], moved["track_configuration_version"]) == (configuration["id"], 1)
    laps = api.client.get(f"/api/v1/sessions/{session_id}/laps", headers=headers).json()
    assert {(lap["id"], lap["lap_number"]) for lap in laps} == {
        (lap["id"], lap["lap_number"]) for lap in uploads["alice"]["laps"]}  # same laps, re-timed: same ids
    alice_best = next(e for e in board["entries"] if e["driver"]["display_name"] == "alice")["lap_time_ms"]
    assert abs(alice_best - min(recording(1).truth.lap_times_ms[1:])) <= 100
    again = api.client.post(f"/api/v1/admin/track-suggestions/{ring['id']}/accept", headers=admin.headers)
    assert again.status_code == 404 and again.json()["code"] == "suggestion_not_found"
    erin = api.account("erin")  # the next upload at the ring is timed on the new configuration
    uploaded = upload(api, erin, recording(5))
    assert uploaded["track_configuration_id"] == configuration["id"]
    board = api.client.get("/api/v1/leaderboard", params={"track_configuration_id": configuration["id"]}).json()
    erins = [e["lap_time_ms"] for e in board["entries"] if e["driver"]["display_name"] == "erin"]
    assert erins == [pytest.approx(min(recording(5).truth.lap_times_ms[1:]), abs=100)]
    assert len(board["entries"]) == 3


def test_accept_takes_the_proposed_name_by_default(api, places):
    admin, _ = places
    alpine = suggestions(api, admin)[1]
    created = api.client.post(f"/api/v1/admin/track-suggestions/{alpine['id']}/accept", headers=admin.headers)
    assert created.status_code == 201
    assert (created.json()["name"], created.json()["configurations"][0]["name"]) == ("Alpine Ring", "Main")
    assert not math.isnan(created.json()["configurations"][0]["length_m"])
