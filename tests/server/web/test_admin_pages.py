"""The admin dashboard in a real Chromium: sign-in, tracks and configurations, users, teams, CSRF, access control."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from ..conftest import PASSWORD
from .conftest import sign_in


def test_admin_signs_in_edits_tracks_and_users_and_the_api_sees_it(api, page, context, shoot):
    api.register("chief")
    api.make_admin("chief")
    mallory = api.account("mallory")

    page.goto("/admin")
    expect(page).to_have_url(re.compile(r"/admin/login$"))
    shoot("admin-login")
    sign_in(page, "chief")
    expect(page.locator("h1")).to_have_text("Overview")
    cookie = next(c for c in context.cookies() if c["name"] == "racetrace_admin")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/admin"
    shoot("admin-dashboard")

    page.click(".sidenav >> text=Tracks")
    page.fill("#name", "Circuit Zolder")
    page.fill("#city", "Heusden-Zolder")
    page.fill("#country", "Belgium")
    page.click("text=Create track")
    expect(page.locator(".notice")).to_have_text("Track created.")
    expect(page.locator("h1")).to_have_text("Circuit Zolder")

    add_form = page.locator("form[action$='/configurations']")
    add_form.locator("#name").fill("Grand Prix")
    add_form.locator("#start_finish_lat").fill("123")  # out of range: refused, naming the field
    add_form.locator("#start_finish_lon").fill("5.2588")
    add_form.locator("#length_m").fill("3977")
    add_form.locator("button[type=submit]").click()
    expect(page.locator(".field.invalid")).to_contain_text("less than or equal to 90")
    assert page.locator("form[action$='/configurations'] #length_m").input_value() == "3977"
    page.locator("form[action$='/configurations'] #start_finish_lat").fill("50.9894")
    page.locator("form[action$='/configurations'] #sector_gates").fill("50.9912, 5.2561\n50.9871, 5.2617, 90")
    page.locator("form[action$='/configurations'] button[type=submit]").click()
    expect(page.locator(".notice")).to_have_text("Configuration added.")
    expect(page.locator("table")).to_contain_text("Grand Prix")
    shoot("admin-track")

    tracks = api.client.get("/api/v1/tracks").json()
    zolder = next(t for t in tracks if t["name"] == "Circuit Zolder")
    config = zolder["configurations"][0]
    assert (config["name"], config["start_finish_lat"], config["length_m"]) == ("Grand Prix", 50.9894, 3977)
    assert [g["heading_deg"] for g in config["sector_gates"]] == [None, 90]

    page.click("text=Edit >> nth=0")
    page.fill("#name", "GP Circuit")
    page.click("text=Save configuration")
    expect(page.locator(".notice")).to_contain_text("Configuration saved")
    edited = api.client.get(f"/api/v1/track-configurations/{config['id']}").json()
    assert (edited["name"], edited["version"]) == ("GP Circuit", 2)

    page.click(".sidenav >> text=Users")
    page.locator("#user-mallory").get_by_role("button", name="Deactivate").click()
    expect(page.locator(".notice")).to_contain_text("Account deactivated")
    expect(page.locator("#user-mallory")).to_contain_text("deactivated")
    shoot("admin-users")
    assert api.client.get("/api/v1/users/me", headers=mallory.headers).status_code == 401
    assert api.login("mallory").json()["code"] == "account_inactive"
    assert api.client.post("/api/v1/auth/refresh", json={"refresh_token": mallory.refresh_token}).status_code == 401
    page.locator("#user-mallory").get_by_role("button", name="Make admin").click()
    expect(page.locator("#user-mallory .badge.admin")).to_have_text("admin")

    page.click(".sidenav >> text=Teams")
    page.fill("input[name=name]", "Blue")
    page.click("text=Create team")
    blue = page.locator("section.team", has=page.locator("h2", has_text="Blue"))
    blue.locator("input[name=username]").fill("mallory")
    blue.get_by_role("button", name="Add member").click()
    expect(page.locator(".notice")).to_have_text("Member added.")
    expect(blue.locator("table")).to_contain_text("mallory")
    shoot("admin-teams")
    assert [t["name"] for t in api.client.get("/api/v1/teams").json()] == ["Blue"]

    page.click("text=Sign out")
    expect(page.locator(".notice")).to_have_text("You have been signed out.")
    page.goto("/admin/users")
    expect(page.locator("h1")).to_have_text("Admin sign-in")


def test_posts_without_the_sessions_csrf_token_are_refused(api, page: Page, shoot):
    api.register("chief")
    api.make_admin("chief")
    victim = api.account("victim")
    sign_in(page, "chief")
    page.goto("/admin/users")
    first_token = page.locator("input[name=csrf_token]").first.input_value()

    # The real form, submitted by the browser with its CSRF field stripped.
    page.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(field => field.remove())")
    page.locator("#user-victim").get_by_role("button", name="Deactivate").click()
    expect(page.locator("h1")).to_have_text("Form check failed")
    expect(page.locator("main")).to_contain_text("missing or wrong CSRF token")
    shoot("admin-csrf-refused")

    target = f"/admin/users/{victim.id}"
    wrong = page.request.post(target, form={"action": "deactivate", "csrf_token": "0" * 64}, max_redirects=0)
    assert wrong.status == 403
    page.context.clear_cookies()
    sign_in(page, "chief")  # a new sign-in: the previous session's token is worthless now
    stale = page.request.post(target, form={"action": "deactivate", "csrf_token": first_token}, max_redirects=0)
    assert stale.status == 403
    assert api.login("victim").status_code == 200  # nothing happened to the account

    page.goto("/admin/users")
    genuine = page.locator("input[name=csrf_token]").first.input_value()
    accepted = page.request.post(target, form={"action": "deactivate", "csrf_token": genuine}, max_redirects=0)
    assert accepted.status == 303
    assert api.login("victim").status_code == 403

    # The sign-in form is protected too: a POST without the nonce cookie's token is refused.
    page.context.clear_cookies()
    forged = page.request.post("/admin/login", form={"username": "chief", "password": PASSWORD}, max_redirects=0)
    assert forged.status == 403
    assert not [c for c in page.context.cookies() if c["name"] == "racetrace_admin"]


def test_non_admin_cannot_reach_the_dashboard(api, page, context, shoot):
    driver = api.account("driver")
    sign_in(page, "driver")
    expect(page.locator(".alert")).to_have_text("This account is not an administrator.")
    assert not [c for c in context.cookies() if c["name"] == "racetrace_admin"]
    shoot("admin-login-refused")
    page.goto("/admin")
    expect(page.locator("h1")).to_have_text("Admin sign-in")

    # A driver's own (non-admin) access token planted as the admin cookie is not an admin session.
    context.add_cookies([{"name": "racetrace_admin", "value": driver.access_token, "domain": "127.0.0.1",
                          "path": "/admin"}])
    page.goto("/admin/users")
    expect(page.locator("h1")).to_have_text("Admin sign-in")

    # An administrator demoted while signed in loses the dashboard at the next page.
    api.register("chief")
    api.make_admin("chief")
    context.clear_cookies()
    sign_in(page, "chief")
    expect(page.locator("h1")).to_have_text("Overview")
    boss = api.admin("boss")
    chief_id = next(u["id"] for u in api.client.get("/api/v1/admin/users", headers=boss.headers).json()["users"]
                    if u["username"] == "chief")
    api.client.patch(f"/api/v1/admin/users/{chief_id}", json={"is_admin": False}, headers=boss.headers)
    response = page.goto("/admin/users")
    assert response.status == 403
    expect(page.locator("main")).to_contain_text("no longer an active administrator")


def test_wrong_password_and_lockout_are_shown_on_the_sign_in_page(api, page):
    api.register("chief")
    api.make_admin("chief")
    for _ in range(4):
        sign_in(page, "chief", "wrong password")
        expect(page.locator(".alert")).to_contain_text("Incorrect username or password")
    sign_in(page, "chief", "wrong password")
    sign_in(page, "chief", PASSWORD)  # locked now: the right password is refused with the same message
    expect(page.locator(".alert")).to_contain_text("too many failed sign-ins")
    assert page.locator("#username").input_value() == "chief"
