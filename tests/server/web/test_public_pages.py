"""The public leaderboard page in a real Chromium: ranking of the pushed public laps, filters, pagination."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from ..records import car, event, lap, session
from ..test_sync import push

ZANDVOORT = {
    "name": "Circuit Zandvoort",
    "country": "Netherlands",
    "city": "Zandvoort",
    "configurations": [
        {"name": "Grand Prix", "start_finish_lat": 52.3888, "start_finish_lon": 4.5409, "length_m": 4259,
         "num_sectors": 3, "is_default": True},
        {"name": "Club", "start_finish_lat": 52.3888, "start_finish_lon": 4.5409, "length_m": 2530},
    ],
}


def create_track(api) -> dict[str, str]:
    """Create Zandvoort; return its configuration ids by name."""
    admin = api.admin("chief")
    response = api.client.post("/api/v1/tracks", json=ZANDVOORT, headers=admin.headers)
    assert response.status_code == 201, response.text
    return {c["name"]: c["id"] for c in response.json()["configurations"]}


def drive(api, account, config_id: str, lap_time_ms: int, category: str | None = None, race: dict | None = None,
          public: bool = True, **lap_fields) -> None:
    """Push a session with one timed lap (and its car/event), as the desktop app would."""
    the_car = car(category=category, make="Toyota", model="GR86") if category else None
    s = session(track_configuration_id=config_id, track_configuration_version=1, is_public=public,
                car_id=the_car["id"] if the_car else None, event_id=race["id"] if race else None)
    records = [r for r in (the_car, race) if r]
    push(api, account, *records, s, lap(s["id"], 2, lap_time_ms, time_source="stated", **lap_fields))


def board_rows(page: Page) -> list[tuple[str, str, str]]:
    """(position, driver, lap time) of every row on the page."""
    rows = page.locator("table.board tbody tr")
    return [
        (rows.nth(i).locator("td.rank").inner_text().strip(), rows.nth(i).locator(".driver").inner_text(),
         rows.nth(i).locator("td.time").inner_text())
        for i in range(rows.count())
    ]


def apply_filter(page: Page, select_id: str, label: str) -> None:
    page.select_option(f"#{select_id}", label=label)
    page.click("text=Apply filters")
    page.wait_for_load_state()


def test_leaderboard_page_ranks_public_laps_and_filters_work(api, page, shoot):
    configs = create_track(api)
    grand_prix = configs["Grand Prix"]
    alice, bob, carol, dave = (api.account(n) for n in ("alice", "bob", "carol", "dave"))
    club_race = event(name="Club Race", event_date="2026-06-14")
    drive(api, alice, grand_prix, 101_200, category="GT4")
    drive(api, bob, grand_prix, 99_800, category="Cup")
    drive(api, carol, grand_prix, 100_512, category="Cup", race=club_race)
    drive(api, dave, grand_prix, 90_000, category="Cup", public=False)  # private: never listed
    drive(api, dave, grand_prix, 95_000, category="Cup", is_valid=False, public=True)  # invalid: never listed
    admin = api.admin("boss")
    team = api.client.post("/api/v1/admin/teams", json={"name": "Blue"}, headers=admin.headers).json()
    for member in (alice, carol):
        api.client.put(f"/api/v1/admin/teams/{team['id']}/members/{member.id}", headers=admin.headers)

    page.goto("/")
    expect(page.locator("h1")).to_have_text("Leaderboards")
    expect(page.locator(".track-card h2")).to_have_text("Circuit Zandvoort")
    shoot("public-tracks")
    page.locator(".configs li", has_text="Grand Prix").get_by_role("link", name="Leaderboard").click()
    expect(page.locator("h1")).to_contain_text("Grand Prix")
    assert board_rows(page) == [("1", "bob", "1:39.800"), ("2", "carol", "1:40.512"), ("3", "alice", "1:41.200")]
    expect(page.locator("table.board tbody tr").nth(1).locator("td.gap")).to_have_text("+0.712")
    expect(page.locator("table.board")).to_contain_text("TrackAddict 4.9.2")
    expect(page.locator(".pager")).to_contain_text("3 drivers")
    shoot("public-leaderboard")

    apply_filter(page, "car_category", "Cup")
    assert [r[1] for r in board_rows(page)] == ["bob", "carol"]
    assert "car_category=cup" in page.url
    apply_filter(page, "event_id", "Club Race (2026-06-14)")
    assert board_rows(page) == [("1", "carol", "1:40.512")]
    page.click("text=Clear")
    apply_filter(page, "team_id", "Blue")
    assert [r[:2] for r in board_rows(page)] == [("1", "carol"), ("2", "alice")]
    shoot("public-leaderboard-team-filter")

    page.goto(f"/leaderboard/{configs['Club']}")
    expect(page.locator(".empty")).to_contain_text("No public laps on this configuration yet")


def test_leaderboard_page_paginates(api, page, shoot):
    config = create_track(api)["Club"]
    for n in range(27):
        drive(api, api.account(f"driver{n:02d}"), config, 60_000 + n * 100)
    page.goto(f"/leaderboard/{config}")
    rows = board_rows(page)
    assert len(rows) == 25
    assert rows[0] == ("1", "driver00", "1:00.000")
    expect(page.locator(".pager")).to_contain_text("27 drivers · page 1 of 2")
    page.click("text=Next ›")
    assert board_rows(page) == [("26", "driver25", "1:02.500"), ("27", "driver26", "1:02.600")]
    expect(page.locator("a[rel=prev]")).to_be_visible()
    expect(page.locator("a[rel=next]")).to_have_count(0)


def test_unknown_configuration_and_bad_filters_are_html_errors(page):
    response = page.goto("/leaderboard/00000000-0000-4000-8000-000000000000")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Not found")
    response = page.goto("/leaderboard/00000000-0000-4000-8000-000000000000?event_id=nope")
    assert response.status == 422
    expect(page.locator("main")).to_contain_text("The event filter 'nope' is not a valid id")
