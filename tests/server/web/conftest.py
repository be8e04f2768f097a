"""Fixtures for the web page tests: the real server on 127.0.0.1 (uvicorn thread) and Debian's headless Chromium
driven by Playwright. Screenshots go to .artifacts/screenshots/server/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from sync_server.app import create_app
from tests.prerequisites import missing

from ..conftest import PASSWORD, server_settings
from ..live_server import serve

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / ".artifacts" / "screenshots" / "server"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        missing(f"{CHROMIUM} not found: apt-get install -y chromium (the web page tests need a real browser)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(clean_database, database_url) -> Iterator[str]:
    """Base URL of the real server (uvicorn on 127.0.0.1) on this test's database."""
    app = create_app(server_settings(database_url), database=clean_database)
    with serve(app) as url:
        yield url


@pytest.fixture
def context(browser: Browser, site: str) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=site, viewport={"width": 1280, "height": 860})
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def shoot(page: Page, clean_database):
    """Save a full-page screenshot named after the step and the database backend."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}-{clean_database.dialect}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/admin/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
