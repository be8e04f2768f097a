"""Push/pull: idempotency, exact cursors, conflicts, tombstones, two devices converging."""

from __future__ import annotations

from .records import car, edited, event, lap, session, tombstone


def push(api, account, *records, expect=200):
    response = api.client.post("/api/v1/sync/push", json={"records": list(records)}, headers=account.headers)
    assert response.status_code == expect, response.text
    return response.json()


def pull(api, account, cursor=0, limit=500, expect=200):
    response = api.client.get(
        "/api/v1/sync/pull", params={"cursor": cursor, "limit": limit}, headers=account.headers
    )
    assert response.status_code == expect, response.text
    return response.json()


def test_push_creates_records_with_increasing_revisions(api):
    alice = api.account("alice")
    c, s = car(), session()
    records = [c, s, lap(s["id"], 1), lap(s["id"], 2)]
    result = push(api, alice, *records)
    assert [r["status"] for r in result["results"]] == ["created"] * 4
    revs = [r["rev"] for r in result["results"]]
    assert revs == sorted(revs) and len(set(revs)) == 4
    assert result["current_rev"] == max(revs)


def test_same_chunk_twice_changes_nothing(api):
    alice = api.account("alice")
    s = session()
    chunk = [car(), s, lap(s["id"], 1), lap(s["id"], 2)]
    first = push(api, alice, *chunk)
    before = pull(api, alice)
    second = push(api, alice, *chunk)
    assert [r["status"] for r in second["results"]] == ["unchanged"] * 4
    assert [r["rev"] for r in second["results"]] == [r["rev"] for r in first["results"]]
    assert second["current_rev"] == first["current_rev"]
    assert pull(api, alice) == before


def test_pull_with_a_cursor_returns_exactly_the_later_changes(api):
    alice = api.account("alice")
    c1, c2 = car(model="A"), car(model="B")
    first = push(api, alice, c1)
    cursor = pull(api, alice)["next_cursor"]
    assert cursor == first["current_rev"]
    second = push(api, alice, c2, edited(c1, first["results"][0]["rev"], notes="new tyres"))
    changes = pull(api, alice, cursor)["changes"]
    assert [(c["id"], c["rev"]) for c in changes] == sorted(
        [(r["id"], r["rev"]) for r in second["results"]], key=lambda pair: pair[1]
    )
    assert {c["data"].get("notes") for c in changes} == {None, "new tyres"}
    assert pull(api, alice, pull(api, alice, cursor)["next_cursor"])["changes"] == []


def test_pull_pages_in_revision_order(api):
    alice = api.account("alice")
    push(api, alice, *[car(model=f"M{i}") for i in range(7)])
    seen, cursor = [], 0
    while True:
        page = pull(api, alice, cursor, limit=3)
        seen.extend(c["rev"] for c in page["changes"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 7


def test_identical_content_with_a_stale_base_rev_is_not_a_conflict(api):
    alice = api.account("alice")
    c = car()
    rev = push(api, alice, c)["results"][0]["rev"]
    push(api, alice, edited(c, rev, notes="x"))
    again = push(api, alice, edited(c, rev, notes="x"))  # another device made the very same edit
    assert again["results"][0]["status"] == "unchanged"


def test_conflicting_edit_returns_409_with_the_server_copy_and_applies_nothing(api):
    alice = api.account("alice")
    c, s = car(), session()
    created = {r["id"]: r["rev"] for r in push(api, alice, c, s)["results"]}
    push(api, alice, edited(s, created[s["id"]], notes="from laptop"))
    other = car(model="Other")
    response = api.client.post(
        "/api/v1/sync/push",
        json={"records": [other, edited(s, created[s["id"]], notes="from desktop")]},
        headers=alice.headers,
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    [conflict] = body["conflicts"]
    assert conflict["id"] == s["id"] and conflict["reason"] == "edited_on_server"
    assert conflict["server"]["data"]["notes"] == "from laptop"
    ids = {c["id"] for c in pull(api, alice)["changes"]}
    assert other["id"] not in ids  # nothing from the rejected chunk


def test_edit_with_the_current_base_rev_applies(api):
    alice = api.account("alice")
    c = car()
    rev = push(api, alice, c)["results"][0]["rev"]
    result = push(api, alice, edited(c, rev, notes="ok"))["results"][0]
    assert result["status"] == "updated" and result["rev"] > rev


def test_tombstones_are_pulled(api):
    alice = api.account("alice")
    c = car()
    rev = push(api, alice, c)["results"][0]["rev"]
    cursor = pull(api, alice)["next_cursor"]
    result = push(api, alice, tombstone(c, rev))["results"][0]
    assert result["status"] == "deleted"
    [change] = pull(api, alice, cursor)["changes"]
    assert change["id"] == c["id"] and change["deleted"] is True
    assert push(api, alice, tombstone(c, rev))["results"][0]["status"] == "unchanged"


def test_tombstone_for_an_unknown_record_is_a_no_op(api):
    alice = api.account("alice")
    result = push(api, alice, tombstone(car(), None))["results"][0]
    assert result["status"] == "absent" and result["rev"] is None
    assert pull(api, alice)["changes"] == []


def test_delete_against_a_newer_server_edit_conflicts(api):
    alice = api.account("alice")
    c = car()
    rev = push(api, alice, c)["results"][0]["rev"]
    push(api, alice, edited(c, rev, notes="edited elsewhere"))
    response = api.client.post("/api/v1/sync/push", json={"records": [tombstone(c, rev)]}, headers=alice.headers)
    assert response.status_code == 409


def test_second_device_sees_the_first_devices_session(api):
    laptop = api.account("alice")
    desktop_tokens = api.login("alice").json()  # a second sign-in: the other device
    desktop_headers = {"Authorization": f"Bearer {desktop_tokens['access_token']}"}
    s = session(notes="Wet")
    push(api, laptop, s, lap(s["id"], 1, 91_000), lap(s["id"], 2, 89_500))
    response = api.client.get("/api/v1/sync/pull", params={"cursor": 0}, headers=desktop_headers)
    changes = response.json()["changes"]
    kinds = [c["kind"] for c in changes]
    assert kinds == ["session", "lap", "lap"]
    assert changes[0]["data"]["notes"] == "Wet"
    assert sorted(c["data"]["lap_time_ms"] for c in changes[1:]) == [89_500, 91_000]


def test_the_same_file_from_two_devices_is_one_session(api):
    alice = api.account("alice")
    first = session(file_content=b"same bytes")
    push(api, alice, first)
    second = session(file_content=b"same bytes")
    response = api.client.post("/api/v1/sync/push", json={"records": [second]}, headers=alice.headers)
    assert response.status_code == 409
    [conflict] = response.json()["conflicts"]
    assert conflict["reason"] == "same_file"
    assert conflict["id"] == second["id"]
    assert conflict["server"]["id"] == first["id"]


def test_users_only_pull_their_own_records(api):
    alice, bob = api.account("alice"), api.account("bob")
    push(api, alice, car())
    assert pull(api, bob)["changes"] == []


def test_another_users_uuid_is_refused_without_revealing_it(api):
    alice, bob = api.account("alice"), api.account("bob")
    c = car(notes="secret setup")
    push(api, alice, c)
    response = api.client.post("/api/v1/sync/push", json={"records": [edited(c, 0, notes="mine")]},
                               headers=bob.headers)
    assert response.status_code == 409
    [conflict] = response.json()["conflicts"]
    assert conflict["reason"] == "id_in_use" and conflict["server"] is None
    assert "secret setup" not in response.text
    assert pull(api, alice)["changes"][0]["data"]["notes"] == "secret setup"


def test_references_must_be_known_and_owned(api):
    alice, bob = api.account("alice"), api.account("bob")
    bobs_car = car()
    push(api, bob, bobs_car)
    response = api.client.post(
        "/api/v1/sync/push", json={"records": [session(car_id=bobs_car["id"])]}, headers=alice.headers
    )
    assert response.status_code == 422
    assert "records[0].data.car_id" in response.json()["detail"]
    orphan = api.client.post("/api/v1/sync/push", json={"records": [lap(session()["id"])]}, headers=alice.headers)
    assert orphan.status_code == 422
    assert "session_id" in orphan.json()["detail"]


def test_bad_records_are_refused_naming_the_field(api):
    alice = api.account("alice")
    bad_uuid = api.client.post(
        "/api/v1/sync/push", json={"records": [{**car(), "id": "not-a-uuid"}]}, headers=alice.headers
    )
    assert bad_uuid.status_code == 422
    assert "records.0.car.id" in bad_uuid.json()["detail"]
    bad_field = api.client.post(
        "/api/v1/sync/push", json={"records": [session(file_sha256="XYZ")]}, headers=alice.headers
    )
    assert bad_field.status_code == 422
    assert "records.0.session.data.file_sha256" in bad_field.json()["detail"]
    too_many = api.client.post("/api/v1/sync/push", json={"records": [car() for _ in range(501)]},
                               headers=alice.headers)
    assert too_many.status_code == 422


def test_events_group_sessions(api):
    alice = api.account("alice")
    e = event(name="Spa weekend")
    s = session(event_id=e["id"])
    result = push(api, alice, s, e)  # order in the chunk does not matter
    assert {r["status"] for r in result["results"]} == {"created"}
    changes = pull(api, alice)["changes"]
    assert [c["kind"] for c in changes] == ["event", "session"]


def test_too_new_cursor_requires_a_resync(api):
    alice = api.account("alice")
    push(api, alice, car())
    response = api.client.get("/api/v1/sync/pull", params={"cursor": 10_000}, headers=alice.headers)
    assert response.status_code == 410
    assert response.json()["code"] == "resync_required"
    assert response.json()["current_rev"] == 1


def test_sync_requires_a_token(api):
    assert api.client.get("/api/v1/sync/pull").status_code == 401
    assert api.client.post("/api/v1/sync/push", json={"records": [car()]}).status_code == 401


def test_deleting_a_session_tombstones_its_laps(api):
    alice = api.account("alice")
    s = session()
    results = push(api, alice, s, lap(s["id"], 1), lap(s["id"], 2))["results"]
    cursor = pull(api, alice)["next_cursor"]
    push(api, alice, tombstone(s, results[0]["rev"]))
    changes = pull(api, alice, cursor)["changes"]
    assert sorted((c["kind"], c["deleted"]) for c in changes) == [("lap", True), ("lap", True), ("session", True)]


def test_an_edit_giving_a_session_another_sessions_file_is_a_same_file_conflict(api):
    alice = api.account("alice")
    first, second = session(file_content=b"one"), session(file_content=b"two")
    revs = {r["id"]: r["rev"] for r in push(api, alice, first, second)["results"]}
    moved = edited(second, revs[second["id"]], file_sha256=first["data"]["file_sha256"])
    response = api.client.post("/api/v1/sync/push", json={"records": [moved]}, headers=alice.headers)
    assert response.status_code == 409
    assert response.json()["conflicts"][0]["reason"] == "same_file"
    twins = api.client.post("/api/v1/sync/push", json={"records": [session(file_content=b"x"),
                                                                   session(file_content=b"x")]},
                            headers=alice.headers)
    assert twins.status_code == 422 and "file_sha256" in twins.json()["detail"]


def test_naive_datetimes_are_refused_and_offsets_are_normalised_to_utc(api):
    alice = api.account("alice")
    naive = api.client.post("/api/v1/sync/push", json={"records": [session(recorded_at="2026-05-01T10:00:00")]},
                            headers=alice.headers)
    assert naive.status_code == 422 and "recorded_at" in naive.json()["detail"]
    s = session(recorded_at="2026-05-01T12:00:00+02:00")
    push(api, alice, s)
    assert pull(api, alice)["changes"][0]["data"]["recorded_at"] == "2026-05-01T10:00:00Z"
    assert push(api, alice, s)["results"][0]["status"] == "unchanged"  # same instant, other offset: identical
