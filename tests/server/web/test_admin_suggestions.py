"""Track suggestions in a real Chromium, end to end with two real desktop libraries syncing to the real server:
drivers record at a circuit the server does not know and publish their sessions; the admin sees the place with a
map of the reference lap and creates the track with one click; the desktops' next sync moves the sessions onto it
and the public leaderboard page shows their laps."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from playwright.sync_api import Page, expect

from racetrace_desktop.library import open_library
from racetrace_desktop.services import library_service
from racetrace_desktop.services.importer import import_files
from racetrace_desktop.sync import SyncService
from racetrace_desktop.telemetry.synthetic import generate_session
from tests.memory_keyring import MemoryKeyring

from ..conftest import PASSWORD
from .conftest import sign_in


@pytest.fixture
def desktops(tmp_path: Path, site: str) -> Iterator[dict[str, SyncService]]:
    """Two drivers' desktop apps, each with its own library and an in-memory keyring, signed in to the site."""
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    services, libraries = {}, []
    for name in ("alice", "bob"):
        folder = tmp_path / name
        folder.mkdir()
        library = open_library(folder / "library.sqlite")
        libraries.append(library)
        service = SyncService(library, folder / "sync.json")
        service.register(site, name, f"{name}@example.com", PASSWORD)
        service.sign_in(site, name, PASSWORD)
        services[name] = service
    yield services
    for library in libraries:
        library.close()
    keyring.set_keyring(previous)


def record_and_publish(service: SyncService, folder: Path, seed: int) -> int:
    """Import a recording at the unknown circuit, make it public and sync; returns its best lap time."""
    recording = generate_session(laps=3, gps_hz=10.0, obd=False, seed=seed, track_name="Munich Ring")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / recording.file_name
    path.write_text(recording.csv_text)
    (result,) = import_files(service.library, [path]).results
    assert result.status == "imported" and result.session_uuid is not None
    library_service.set_session_public(service.library, result.session_uuid, True)
    service.sync()
    assert result.best_lap_ms is not None
    return result.best_lap_ms


def test_admin_turns_a_suggestion_into_a_track_and_the_leaderboard_fills(api, page: Page, desktops, shoot, tmp_path):
    best = {name: record_and_publish(service, tmp_path / f"{name}-files", seed)
            for seed, (name, service) in enumerate(desktops.items(), start=1)}  # fmt: skip
    api.register("chief")
    api.make_admin("chief")
    sign_in(page, "chief")

    page.click(".sidenav >> text=Track suggestions")
    card = page.locator("section.suggestion")
    expect(card).to_have_count(1)
    expect(card.locator("h2")).to_have_text("Munich Ring")
    expect(card).to_contain_text("2 sessions · drivers: alice, bob")
    track_map = card.locator(".suggestion-map")
    expect(track_map).to_have_attribute("data-ready", "true")  # Leaflet (served by the server) drew the lap
    assert int(track_map.get_attribute("data-points") or 0) > 100
    expect(track_map.locator("path.leaflet-interactive")).to_have_count(3)  # the lap, the line, the direction
    expect(card.locator("td.heading")).to_have_text(re.compile(r"^\d+°$"))
    shoot("admin-track-suggestions")

    card.locator("input[name=configuration_name]").fill("Full circuit")
    card.get_by_role("button", name="Create track").click()

    expect(page.locator(".notice")).to_have_text("Track created.")
    expect(page.locator("h1")).to_have_text("Munich Ring")
    expect(page.locator("table")).to_contain_text("Full circuit")
    (track,) = api.client.get("/api/v1/tracks").json()
    (configuration,) = track["configurations"]
    page.click(".sidenav >> text=Track suggestions")
    expect(page.locator(".empty")).to_contain_text("No suggestions")

    for service in desktops.values():
        service.sync()  # pulls the configuration, moves the session onto it, pushes the re-timed laps

    page.goto(f"/leaderboard/{configuration['id']}")
    expect(page.locator("h1")).to_contain_text("Full circuit")
    rows = page.locator("table.board tbody tr")
    expect(rows).to_have_count(2)
    board = api.client.get("/api/v1/leaderboard", params={"track_configuration_id": configuration["id"]}).json()
    times = {entry["driver"]["display_name"]: entry["lap_time_ms"] for entry in board["entries"]}
    assert set(times) == {"alice", "bob"}
    for name, lap_time in times.items():
        assert abs(lap_time - best[name]) <= 50, (name, lap_time, best[name])  # re-timed on the server's line
    expect(page.locator("table.board")).to_contain_text("alice")
    shoot("leaderboard-from-suggestion")


def test_the_suggestions_page_needs_an_admin_and_a_form_token(api, page: Page, context):
    page.goto("/admin/track-suggestions")
    expect(page).to_have_url(re.compile(r"/admin/login$"))
    forged = context.request.post("/admin/track-suggestions/00000000-0000-0000-0000-000000000000/accept",
                                  form={"track_name": "X"}, max_redirects=0)  # fmt: skip
    assert forged.status in (303, 403)
