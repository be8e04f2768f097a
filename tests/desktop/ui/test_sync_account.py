"""The account dialog against a real server process: password sign-in (and a wrong password, in words), a new
account and sign-out, only the sign-in providers the server offers (GitHub through the "system browser"), and a
computer without a keyring."""

from __future__ import annotations

import httpx
import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from sync_ui_helpers import (
    PASSWORD,
    fake_provider,
    live_server,
    running_server,
    start_server,
    sync_window,
    unique,
    wait_idle,
)

from racetrace_desktop.sync.settings import load_settings
from racetrace_desktop.ui.dialogs.settings_dialog import SettingsDialog
from racetrace_desktop.ui.sync_controller import KEYRING_MESSAGE


@pytest.fixture(scope="module")
def sync_server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("sync-server")) as server:
        yield server


def register_on_server(server, username: str) -> None:
    body = {"username": username, "email": f"{username}@example.com", "password": PASSWORD}
    httpx.post(f"{server.url}/api/v1/auth/register", json=body).raise_for_status()


def open_with_server(qtbot, window, url: str):
    """The account dialog with `url` typed in; waits until it asked the server for its sign-in providers."""
    dialog = window.sync_ui.open_account()
    dialog.server.setText(url)
    with qtbot.waitSignal(dialog.providers_shown, timeout=20_000) as shown:
        dialog.server.editingFinished.emit()
    return dialog, shown.args[0]


def click_and_wait(qtbot, dialog, button, until) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: until(dialog), timeout=30_000)


def test_the_sign_in_dialog_signs_in_and_says_why_a_wrong_password_fails(
    qtbot, sync_server, library, tmp_path, screenshot_dir
):
    name = unique("anna")
    register_on_server(sync_server, name)
    window = sync_window(qtbot, tmp_path / "win", library)
    assert window.sync_ui.status.text().startswith("Not syncing: sign in")
    dialog, providers = open_with_server(qtbot, window, sync_server.url)
    assert providers == [] and not dialog.providers_label.isVisible()  # this server offers none
    dialog.username.setText(name)
    dialog.password.setText("not the password")

    click_and_wait(qtbot, dialog, dialog.sign_in_button, lambda d: "refused" in d.said)

    assert dialog.said == ("the server refused the sign-in (Incorrect username or password, "
                           "or too many failed sign-ins: after 5 the account waits 15 minutes)")
    assert not window.sync_ui.controller.signed_in and dialog.sign_in_box.isVisible()
    assert QApplication.activeModalWidget() is None  # said in the dialog, no message box
    dialog.grab().save(str(screenshot_dir / "sync_account_dialog_wrong_password.png"))

    dialog.password.setText(PASSWORD)
    click_and_wait(qtbot, dialog, dialog.sign_in_button, lambda d: d.said.startswith("Signed in as"))

    assert window.sync_ui.controller.signed_in
    assert dialog.state.text() == f"Signed in as <b>{name}</b> on {sync_server.url}."
    assert dialog.signed_in_box.isVisible() and not dialog.sign_in_box.isVisible()
    assert dialog.password.text() == ""
    assert window.sync_ui.status.text().startswith(f"{name} on 127.0.0.1:")
    assert keyring.get_password("RaceTrace sync", f"{name}@{sync_server.url}")  # the refresh token, not a file
    assert PASSWORD not in (tmp_path / "win" / "sync.json").read_text()
    dialog.grab().save(str(screenshot_dir / "sync_account_dialog_signed_in.png"))
    wait_idle(qtbot, window)


def test_a_new_account_from_the_dialog_then_sign_out(qtbot, sync_server, library, tmp_path):
    name = unique("bruno")
    window = sync_window(qtbot, tmp_path / "win", library)
    dialog, _providers = open_with_server(qtbot, window, sync_server.url)
    dialog.username.setText(name)
    dialog.password.setText(PASSWORD)
    click_and_wait(qtbot, dialog, dialog.register_button, lambda d: "e-mail" in d.said)
    assert dialog.said == "Enter the e-mail address."  # the missing field, named

    dialog.email.setText(f"{name}@example.com")
    click_and_wait(qtbot, dialog, dialog.register_button, lambda d: d.said.startswith("Signed in as"))
    assert window.sync_ui.controller.status.username == name

    click_and_wait(qtbot, dialog, dialog.sign_out_button, lambda d: d.said == "Signed out.")

    assert not window.sync_ui.controller.signed_in and dialog.sign_in_box.isVisible()
    assert window.sync_ui.status.text().startswith("Not syncing: sign in")
    assert keyring.get_password("RaceTrace sync", f"{name}@{sync_server.url}") is None
    wait_idle(qtbot, window)


def test_only_the_offered_provider_is_shown_and_signs_in_through_the_browser(qtbot, library, tmp_path):
    provider = fake_provider.FakeProvider()
    provider.user = fake_provider.FakeUser("3003", "gil@example.com", name="Gil Driver", login="gil")
    visited: list[str] = []
    browser = httpx.Client(follow_redirects=True, event_hooks={"request": [lambda r: visited.append(str(r.url))]})
    with live_server.serve(provider.app()) as provider_url:
        provider.base_url = provider_url
        github_only = {k: str(v) for k, v in provider.settings().items() if k.startswith("github")}
        server = start_server("sqlite", tmp_path / "server", cookie_secure="false", **github_only)
        try:
            window = sync_window(qtbot, tmp_path / "win", library)
            window.sync_ui.controller.open_browser = browser.get
            dialog, providers = open_with_server(qtbot, window, server.url)
            assert providers == ["github"]
            assert dialog.provider_buttons["github"].text() == "Sign in with GitHub"

            click_and_wait(qtbot, dialog, dialog.provider_buttons["github"], lambda d: d.said.startswith("Signed"))

            assert dialog.said == "Signed in as gil (Gil Driver)."
            assert visited[-1].startswith("http://127.0.0.1:") and "/racetrace/callback?code=" in visited[-1]
            assert window.sync_ui.controller.status.username == "gil"
            wait_idle(qtbot, window)
        finally:
            server.kill()
            browser.close()


def test_without_a_keyring_the_dialog_says_the_sign_in_is_not_kept(qtbot, sync_server, library, tmp_path):
    keyring.set_keyring(fail.Keyring())  # a computer with no keyring backend (restored by the conftest fixture)
    name = unique("carla")
    register_on_server(sync_server, name)
    window = sync_window(qtbot, tmp_path / "win", library)
    dialog, _providers = open_with_server(qtbot, window, sync_server.url)
    dialog.username.setText(name)
    dialog.password.setText(PASSWORD)

    click_and_wait(qtbot, dialog, dialog.sign_in_button, lambda d: d.said.startswith("Signed in as"))

    assert dialog.said == f"Signed in as {name}. {KEYRING_MESSAGE}."
    assert dialog.keyring.isVisible() and KEYRING_MESSAGE in dialog.keyring.text()
    assert window.sync_ui.controller.signed_in  # for this run
    assert KEYRING_MESSAGE in window.sync_ui.status.toolTip()
    wait_idle(qtbot, window)


def test_the_settings_dialog_has_a_sync_section(qtbot, library, tmp_path, screenshot_dir):
    window = sync_window(qtbot, tmp_path / "win", library, auto_sync=True)
    section = window.sync_ui.settings_section()
    dialog = SettingsDialog(window.context.settings, window, section)
    qtbot.addWidget(dialog)
    dialog.show()
    assert section.auto_sync.isChecked() and not section.upload_files.isChecked() and not section.eager.isChecked()
    dialog.grab().save(str(screenshot_dir / "sync_settings_section.png"))

    section.auto_sync.setChecked(False)
    section.eager.setChecked(True)
    dialog.apply()

    saved = load_settings(tmp_path / "win" / "sync.json")
    assert (saved.auto_sync, saved.download_telemetry, saved.upload_original_files) == (False, "eager", False)
    account = next(b for b in section.findChildren(QPushButton) if b.text() == "Account…")
    qtbot.mouseClick(account, Qt.MouseButton.LeftButton)
    assert window.sync_ui.account_dialog is not None and window.sync_ui.account_dialog.isVisible()
