"""Leaderboard: best valid public lap per driver, filters, ranking, pagination, provenance."""

from __future__ import annotations

from .records import car, event, lap, session
from .test_sync import push
from .test_tracks_admin import create_spa


def board(api, config_id, **params):
    response = api.client.get("/api/v1/leaderboard", params={"track_configuration_id": config_id, **params})
    assert response.status_code == 200, response.text
    return response.json()


def drive(api, account, config_id, *lap_times, public=True, car_record=None, event_record=None, **lap_fields):
    records = [r for r in (car_record, event_record) if r]
    s = session(track_configuration_id=config_id, track_configuration_version=1, is_public=public,
                car_id=car_record["id"] if car_record else None,
                event_id=event_record["id"] if event_record else None)
    laps = [lap(s["id"], i + 1, t, **lap_fields) for i, t in enumerate(lap_times)]
    push(api, account, *records, s, *laps)
    return s, laps


def setup(api):
    admin = api.admin()
    return create_spa(api, admin)["configurations"][0]["id"]


def test_best_valid_public_lap_per_driver_ranked(api):
    config = setup(api)
    alice, bob, carol = api.account("alice"), api.account("bob"), api.account("carol")
    drive(api, alice, config, 140_500, 139_900, 141_000)
    _, bob_laps = drive(api, bob, config, 139_000)
    drive(api, carol, config, 150_000, public=False)  # private: not listed
    push(api, bob, {**lap(bob_laps[0]["data"]["session_id"], 9, 120_000), "data": {
        **lap(bob_laps[0]["data"]["session_id"], 9, 120_000)["data"], "is_valid": False}})  # invalid: ignored
    result = board(api, config)
    assert [(e["driver"]["display_name"], e["lap_time_ms"], e["rank"]) for e in result["entries"]] == [
        ("bob", 139_000, 1), ("alice", 139_900, 2)]
    assert result["total"] == 2
    provenance = result["entries"][0]["provenance"]
    assert provenance["format_name"] == "TrackAddict" and provenance["device"] == "iPhone 15"
    assert provenance["gps_rate_hz"] == 10.0 and provenance["is_valid"] is True
    assert provenance["track_configuration_version"] == 1 and provenance["timed_with_current_version"] is True


def test_a_lap_made_private_or_deleted_leaves_the_board(api):
    config = setup(api)
    alice = api.account("alice")
    s, laps = drive(api, alice, config, 139_000, 140_000)
    best = laps[0]
    rev = api.client.get(f"/api/v1/laps/{best['id']}", headers=alice.headers).json()["rev"]
    push(api, alice, {**best, "base_rev": rev, "deleted": True})
    assert board(api, config)["entries"][0]["lap_time_ms"] == 140_000
    api.client.patch(f"/api/v1/sessions/{s['id']}", json={"is_public": False}, headers=alice.headers)
    assert board(api, config)["entries"] == []


def test_filters_by_category_event_and_team(api):
    config = setup(api)
    admin = api.admin("chief")
    alice, bob = api.account("alice"), api.account("bob")
    cup, gt = car(category="Cup"), car(category="GT4")
    race = event(name="Race day")
    drive(api, alice, config, 139_000, car_record=gt)
    drive(api, alice, config, 141_000, car_record=cup, event_record=race)
    drive(api, bob, config, 140_000, car_record=car(category="cup "))
    assert [e["lap_time_ms"] for e in board(api, config)["entries"]] == [139_000, 140_000]
    assert [e["lap_time_ms"] for e in board(api, config, car_category="CUP")["entries"]] == [140_000, 141_000]
    assert [e["lap_time_ms"] for e in board(api, config, event_id=race["id"])["entries"]] == [141_000]
    team = api.client.post("/api/v1/admin/teams", json={"name": "Blue"}, headers=admin.headers).json()
    api.client.put(f"/api/v1/admin/teams/{team['id']}/members/{bob.id}", headers=admin.headers)
    assert [e["driver"]["display_name"] for e in board(api, config, team_id=team["id"])["entries"]] == ["bob"]


def test_car_category_change_moves_the_lap(api):
    config = setup(api)
    alice = api.account("alice")
    c = car(category="Cup")
    drive(api, alice, config, 139_000, car_record=c)
    car_id = c["id"]
    api.client.patch(f"/api/v1/cars/{car_id}", json={"category": "GT4"}, headers=alice.headers)
    assert board(api, config, car_category="Cup")["entries"] == []
    assert len(board(api, config, car_category="gt4")["entries"]) == 1


def test_pagination_and_ties(api):
    config = setup(api)
    for i, time in enumerate([100_000, 100_000, 101_000, 102_000, 103_000]):
        drive(api, api.account(f"driver{i}"), config, time)
    first = board(api, config, page_size=2)
    second = board(api, config, page_size=2, page=2)
    assert [e["rank"] for e in first["entries"]] == [1, 1]
    assert [e["rank"] for e in second["entries"]] == [3, 4]
    assert first["total"] == 5


def test_deactivated_drivers_are_hidden(api):
    config = setup(api)
    admin = api.admin("chief")
    alice = api.account("alice")
    drive(api, alice, config, 139_000)
    api.client.patch(f"/api/v1/admin/users/{alice.id}", json={"is_active": False}, headers=admin.headers)
    assert board(api, config)["entries"] == []


def test_unknown_configuration_is_404(api):
    response = api.client.get("/api/v1/leaderboard",
                              params={"track_configuration_id": "00000000-0000-4000-8000-000000000000"})
    assert response.status_code == 404


def test_moving_a_session_to_another_configuration_moves_its_laps(api):
    admin = api.admin()
    spa = create_spa(api, admin)["configurations"][0]["id"]
    other = api.client.post(f"/api/v1/admin/tracks/{create_spa(api, admin)['id']}/configurations",
                            json={"name": "Short", "start_finish_lat": 50.0, "start_finish_lon": 5.0},
                            headers=admin.headers).json()["id"]
    alice = api.account("alice")
    s, _ = drive(api, alice, spa, 139_000)
    api.client.patch(f"/api/v1/sessions/{s['id']}", json={"track_configuration_id": other}, headers=alice.headers)
    assert board(api, spa)["entries"] == []
    assert [e["lap_time_ms"] for e in board(api, other)["entries"]] == [139_000]


def test_rebuild_from_all_laps_gives_the_same_board(api, clean_database):
    from sqlalchemy import delete

    from sync_server.leaderboard.maintain import rebuild_all
    from sync_server.models import BestLap

    config = setup(api)
    for i, times in enumerate([(139_000, 138_000), (140_000,), (137_500, 141_000)]):
        drive(api, api.account(f"driver{i}"), config, *times, car_record=car(category="Cup"))
    before = board(api, config, car_category="cup")
    with clean_database.sessions.begin() as db:
        db.execute(delete(BestLap))
    with clean_database.sessions.begin() as db:
        assert rebuild_all(db) == 6  # 3 drivers x (any category, Cup)
    drive(api, api.account("late"), config, 150_000, public=False)  # a new revision: the cache key moves on
    assert board(api, config, car_category="cup")["entries"] == before["entries"]


def test_a_renamed_driver_shows_at_once(api):
    config = setup(api)
    alice = api.account("alice")
    drive(api, alice, config, 139_000)
    assert board(api, config)["entries"][0]["driver"]["display_name"] == "alice"
    api.client.patch("/api/v1/users/me", json={"display_name": "Alice R."}, headers=alice.headers)
    assert board(api, config)["entries"][0]["driver"]["display_name"] == "Alice R."


def test_a_push_shows_on_the_leaderboard_at_once_although_pages_are_served_from_memory(api):
    """Pages are served without the database for a moment after a check, but a local write ends that at once."""
    config = setup(api)
    drive(api, api.account("first"), config, 100_000)
    before = board(api, config)
    assert board(api, config) == before  # served again (from memory)
    drive(api, api.account("second"), config, 90_000)
    after = board(api, config)
    assert [entry["lap_time_ms"] for entry in after["entries"]] == [90_000, 100_000]
