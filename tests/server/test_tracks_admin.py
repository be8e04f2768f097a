"""Tracks (public reads, admin writes, versioned configurations), admin user and team management."""

from __future__ import annotations

from .test_sync import pull

SPA = {
    "name": "Spa-Francorchamps",
    "country": "BE",
    "configurations": [
        {"name": "GP", "start_finish_lat": 50.4372, "start_finish_lon": 5.9714, "start_finish_heading_deg": 330.0,
         "gate_width_m": 40, "num_sectors": 3, "length_m": 7004, "is_default": True},
    ],
}


def create_spa(api, admin):
    response = api.client.post("/api/v1/tracks", json=SPA, headers=admin.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_tracks_are_public_and_created_by_admins_only(api):
    user = api.account("alice")
    assert api.client.post("/api/v1/tracks", json=SPA, headers=user.headers).status_code == 403
    admin = api.admin()
    track = create_spa(api, admin)
    listed = api.client.get("/api/v1/tracks").json()
    assert [t["name"] for t in listed] == ["Spa-Francorchamps"]
    config = listed[0]["configurations"][0]
    assert config["version"] == 1 and config["length_m"] == 7004
    assert api.client.get(f"/api/v1/tracks/{track['id']}").status_code == 200


def test_configuration_edits_bump_the_version_and_reach_clients(api):
    admin = api.admin()
    alice = api.account("alice")
    config = create_spa(api, admin)["configurations"][0]
    cursor = pull(api, alice)["next_cursor"]
    edited = api.client.patch(f"/api/v1/admin/track-configurations/{config['id']}",
                              json={"start_finish_lat": 50.4373, "sector_gates": [{"lat": 50.44, "lon": 5.97}]},
                              headers=admin.headers)
    assert edited.status_code == 200
    assert edited.json()["version"] == 2
    same = api.client.patch(f"/api/v1/admin/track-configurations/{config['id']}",
                            json={"start_finish_lat": 50.4373}, headers=admin.headers)
    assert same.json()["version"] == 2  # no change, no new version
    [change] = pull(api, alice, cursor)["changes"]
    assert change["kind"] == "track_configuration" and change["data"]["version"] == 2


def test_deleted_tracks_become_tombstones(api):
    admin = api.admin()
    alice = api.account("alice")
    track = create_spa(api, admin)
    cursor = pull(api, alice)["next_cursor"]
    assert api.client.delete(f"/api/v1/admin/tracks/{track['id']}", headers=admin.headers).status_code == 204
    changes = pull(api, alice, cursor)["changes"]
    assert {(c["kind"], c["deleted"]) for c in changes} == {("track", True), ("track_configuration", True)}
    assert api.client.get("/api/v1/tracks").json() == []


def test_admin_routes_refuse_a_normal_token_even_of_an_admin(api):
    api.account("boss")
    api.make_admin("boss")
    normal = api.login("boss").json()["access_token"]  # role claim "user"
    for method, url in [("get", "/api/v1/admin/users"), ("get", "/api/v1/admin/teams"),
                        ("post", "/api/v1/admin/teams")]:
        response = getattr(api.client, method)(url, headers={"Authorization": f"Bearer {normal}"})
        assert response.status_code == 403, url
        assert response.json()["code"] == "admin_required"
    assert api.client.get("/api/v1/admin/users").status_code == 401


def test_revoked_admin_loses_access_with_a_still_valid_admin_token(api, clean_database):
    admin = api.admin("boss")
    other = api.admin("chief")
    api.client.patch(f"/api/v1/admin/users/{admin.id}", json={"is_admin": False}, headers=other.headers)
    assert api.client.get("/api/v1/admin/users", headers=admin.headers).status_code == 403


def test_admin_lists_deactivates_and_unlocks_users(api):
    admin = api.admin()
    alice = api.account("alice")
    listed = api.client.get("/api/v1/admin/users", params={"q": "ali"}, headers=admin.headers).json()
    assert [u["username"] for u in listed["users"]] == ["alice"] and listed["total"] == 1
    off = api.client.patch(f"/api/v1/admin/users/{alice.id}", json={"is_active": False}, headers=admin.headers)
    assert off.json()["is_active"] is False
    assert api.client.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token}).status_code == 401
    assert api.login("alice").status_code == 403
    api.client.patch(f"/api/v1/admin/users/{alice.id}", json={"is_active": True}, headers=admin.headers)
    for _ in range(5):
        api.login("alice", password="wrong password")
    assert api.login("alice").status_code == 401  # locked: the right password is refused too
    api.client.patch(f"/api/v1/admin/users/{alice.id}", json={"unlock": True}, headers=admin.headers)
    assert api.login("alice").status_code == 200


def test_admin_cannot_lock_themselves_out(api):
    admin = api.admin()
    response = api.client.patch(f"/api/v1/admin/users/{admin.id}", json={"is_admin": False}, headers=admin.headers)
    assert response.status_code == 409


def test_teams_and_membership_show_in_profiles(api):
    admin = api.admin()
    alice = api.account("alice")
    team = api.client.post("/api/v1/admin/teams", json={"name": "Red"}, headers=admin.headers).json()
    assert api.client.post("/api/v1/admin/teams", json={"name": "Red"}, headers=admin.headers).status_code == 409
    api.client.put(f"/api/v1/admin/teams/{team['id']}/members/{alice.id}", headers=admin.headers)
    me = api.client.get("/api/v1/users/me", headers=alice.headers).json()
    assert me["teams"] == [{"id": team["id"], "name": "Red"}]
    assert api.client.get("/api/v1/teams").json() == [{"id": team["id"], "name": "Red"}]
    after = api.client.delete(f"/api/v1/admin/teams/{team['id']}/members/{alice.id}", headers=admin.headers)
    assert after.json()["members"] == []
