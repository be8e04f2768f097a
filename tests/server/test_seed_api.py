"""The seed's API paths: collection paths with a trailing slash answer directly (no redirect), and the leaderboard
without a configuration lists the best public lap of every configuration."""

from __future__ import annotations

import httpx

from sync_server.app import create_app

from .conftest import server_settings
from .live_server import serve
from .records import car
from .test_leaderboard import drive
from .test_tracks_admin import SPA

ZOLDER = {"name": "Circuit Zolder", "country": "BE", "configurations": [
    {"name": "Grand Prix", "start_finish_lat": 50.9894, "start_finish_lon": 5.2588, "length_m": 3977}]}  # fmt: skip


def test_collection_paths_with_and_without_slash_answer_directly_over_http(api, clean_database, database_url):
    alice = api.account("alice")
    admin = api.admin()
    app = create_app(server_settings(database_url), database=clean_database)
    with serve(app) as url, httpx.Client(base_url=f"{url}/api/v1", follow_redirects=False) as http:
        created = http.post("/tracks/", json=SPA, headers=admin.headers)
        assert created.status_code == 201, created.text
        first = http.post("/cars/", json=car()["data"], headers=alice.headers)
        second = http.post("/cars", json=car(model="RX-7")["data"], headers=alice.headers)
        assert (first.status_code, second.status_code) == (201, 201)
        for path in ("/tracks", "/cars", "/sessions", "/events"):
            with_slash, without = http.get(f"{path}/", headers=alice.headers), http.get(path, headers=alice.headers)
            assert (with_slash.status_code, without.status_code) == (200, 200), path
            assert with_slash.json() == without.json(), path
        assert [c["model"] for c in http.get("/cars/", headers=alice.headers).json()] == ["MX-5", "RX-7"]
        assert [t["name"] for t in http.get("/tracks/").json()] == ["Spa-Francorchamps"]
        assert http.get("/leaderboard/").status_code == 200
        assert http.get("/cars/").status_code == 401  # the alias keeps the route's authentication


def test_the_openapi_document_lists_each_operation_once(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/tracks" in paths and "/api/v1/cars" in paths and "/api/v1/leaderboard" in paths
    assert not [path for path in paths if path.endswith("/")]
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values() if "operationId" in op]
    assert len(operation_ids) == len(set(operation_ids))


def test_leaderboard_without_configuration_lists_the_best_lap_of_every_configuration(api):
    admin = api.admin()
    spa = api.client.post("/api/v1/tracks", json=SPA, headers=admin.headers).json()["configurations"][0]["id"]
    zolder = api.client.post("/api/v1/tracks", json=ZOLDER, headers=admin.headers).json()["configurations"][0]["id"]
    empty = {**ZOLDER, "name": "Assen", "configurations": [{**ZOLDER["configurations"][0], "name": "TT"}]}
    api.client.post("/api/v1/tracks", json=empty, headers=admin.headers)  # no laps: not listed
    alice, bob, carol = api.account("alice"), api.account("bob"), api.account("carol")
    drive(api, alice, spa, 140_500, 139_900)
    drive(api, bob, spa, 139_000)
    drive(api, carol, spa, 120_000, public=False)  # private: never shown
    drive(api, alice, zolder, 95_250, car_record=car(category="GT4"))

    overview = api.client.get("/api/v1/leaderboard/").json()

    assert overview["total"] == 2
    rows = [(c["track_name"], c["configuration_name"], c["best"]["driver"]["display_name"], c["best"]["lap_time_ms"],
             c["best"]["rank"], c["drivers"]) for c in overview["configurations"]]  # fmt: skip
    assert rows == [("Circuit Zolder", "Grand Prix", "alice", 95_250, 1, 1),
                    ("Spa-Francorchamps", "GP", "bob", 139_000, 1, 2)]  # fmt: skip
    assert overview["configurations"][0]["best"]["car"]["category"] == "GT4"
    second_page = api.client.get("/api/v1/leaderboard", params={"page": 2, "page_size": 1}).json()
    assert [c["track_name"] for c in second_page["configurations"]] == ["Spa-Francorchamps"]
    assert second_page["total"] == 2
    past_the_end = api.client.get("/api/v1/leaderboard", params={"page": 3, "page_size": 1}).json()
    assert (past_the_end["configurations"], past_the_end["total"]) == ([], 2)
    gt4 = api.client.get("/api/v1/leaderboard", params={"car_category": "gt4"}).json()
    assert [c["track_name"] for c in gt4["configurations"]] == ["Circuit Zolder"]
    one_board = api.client.get("/api/v1/leaderboard", params={"track_configuration_id": spa}).json()
    assert [e["lap_time_ms"] for e in one_board["entries"]] == [139_000, 139_900]
