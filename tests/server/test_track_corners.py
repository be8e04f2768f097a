"""Corners on a shared track configuration: set by an admin, checked, pulled by every driver, no new version."""

from __future__ import annotations

from .test_sync import pull
from .test_tracks_admin import create_spa

CORNERS = [
    {"number": 1, "name": "La Source", "direction": "R", "start_m": 180.0, "apex_m": 250.0, "end_m": 300.0,
     "apex_lat": 50.4440, "apex_lon": 5.9660, "lap_length_m": 7004.0},
    {"number": 2, "name": "Eau Rouge", "direction": "L", "start_m": 900.0, "apex_m": 960.0, "end_m": 1050.0},
]


def test_corners_reach_every_driver_and_leave_the_timing_version_alone(api):
    admin = api.admin()
    config = create_spa(api, admin)["configurations"][0]
    drivers = [api.account("alice"), api.account("bob")]
    cursors = [pull(api, driver)["next_cursor"] for driver in drivers]
    edited = api.client.patch(f"/api/v1/admin/track-configurations/{config['id']}", json={"corners": CORNERS},
                              headers=admin.headers)
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 1 and edited.json()["corners"][1]["name"] == "Eau Rouge"
    for driver, cursor in zip(drivers, cursors, strict=True):
        [change] = pull(api, driver, cursor)["changes"]
        assert change["kind"] == "track_configuration"
        assert [c["name"] for c in change["data"]["corners"]] == ["La Source", "Eau Rouge"]
        assert change["data"]["version"] == 1


def test_bad_corners_are_refused_naming_the_field(api):
    admin = api.admin()
    config = create_spa(api, admin)["configurations"][0]
    url = f"/api/v1/admin/track-configurations/{config['id']}"
    backwards = [{**CORNERS[0], "apex_m": 100.0}]
    response = api.client.patch(url, json={"corners": backwards}, headers=admin.headers)
    assert response.status_code == 422 and "start_m <= apex_m <= end_m" in response.text
    skipped = [CORNERS[0], {**CORNERS[1], "number": 3}]
    response = api.client.patch(url, json={"corners": skipped}, headers=admin.headers)
    assert response.status_code == 422 and "numbered 1, 2, 3" in response.text
    assert api.client.patch(url, json={"corners": None}, headers=admin.headers).status_code == 422


def test_the_server_detects_corners_on_the_fastest_lap_any_driver_uploaded(api):
    from racetrace_desktop.telemetry.formats import read_bytes
    from racetrace_desktop.telemetry.lap_document import encode
    from racetrace_desktop.telemetry.session import analyse
    from racetrace_desktop.telemetry.synthetic import generate_session

    from .records import lap, session
    from .test_sync import push

    admin = api.admin()
    config = create_spa(api, admin)["configurations"][0]
    url = f"/api/v1/admin/track-configurations/{config['id']}/detect-corners"
    assert api.client.post(url, headers=admin.headers).status_code == 422  # no lap with telemetry yet
    recording = generate_session(laps=2, gps_hz=10, seed=3)
    raw = read_bytes(recording.csv_bytes, recording.file_name)
    timed = [lp for lp in analyse(raw).laps if lp.number in recording.truth.timed_laps]
    alice = api.account("alice")
    s = session(track_configuration_id=config["id"], track_configuration_version=1)
    records = [lap(s["id"], lp.number, lp.lap_time_ms, length_m=lp.length_m) for lp in timed]
    push(api, alice, s, *records)
    for record, lp in zip(records, timed, strict=True):
        put = api.client.put(f"/api/v1/sync/laps/{record['id']}/telemetry", json=encode(lp.data, raw.channel_info),
                             headers=alice.headers)
        assert put.status_code == 200, put.text
    bob = api.account("bob")
    cursor = pull(api, bob)["next_cursor"]
    detected = api.client.post(url, headers=admin.headers)
    assert detected.status_code == 200, detected.text
    corners = detected.json()["corners"]
    assert [c["name"] for c in corners] == [f"T{n}" for n in range(1, 10)] and detected.json()["version"] == 1
    [change] = pull(api, bob, cursor)["changes"]
    assert change["data"]["corners"] == corners
    assert api.client.post(url, headers=alice.headers).status_code == 403
