"""Account and sync: the sign-in dialog (server URL, password, Google/GitHub when the server offers them, new
account, sign out, unlink) and the sync section of the settings dialog. Every request runs through the
SyncController in the background; errors are shown in the dialog, in words."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from racetrace_desktop.ui.dialogs.common import text
from racetrace_desktop.ui.sync_controller import KEYRING_MESSAGE, SyncController, error_text

if TYPE_CHECKING:
    from racetrace_desktop.sync.service import AccountInfo

ERROR_COLOUR, WARNING_COLOUR, OK_COLOUR = "#c62828", "#b26a00", "#2e7d32"
SIGN_IN_AGAIN_SUFFIX = ": sign in again"  # the engine's hint; in this dialog the user is doing just that


class AccountDialog(QDialog):
    """Non-modal; `message` tells what happened (green), failed (red) or is going on. `providers_shown(names)`
    after the server said which sign-in providers it offers."""

    providers_shown = Signal(list)

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Account and sync")
        self.setMinimumWidth(460)  # room for a full server URL and the sign-in buttons
        self.setObjectName("account_dialog")
        self.controller = controller
        settings = controller.service.settings if controller.service else None
        self.server = QLineEdit(settings.server_url if settings and settings.server_url else "")
        self.server.setPlaceholderText("https://racetrace.example.org")
        self.server.editingFinished.connect(self.load_providers)
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.keyring = QLabel(f"<span style='color:{WARNING_COLOUR}'>⚠ {html.escape(KEYRING_MESSAGE)}.</span>")
        self.keyring.setWordWrap(True)
        self.keyring.hide()
        self.sign_in_box = self._sign_in_group(settings.username if settings and settings.username else "")
        self.register_box = self._register_group()
        self.signed_in_box = self._signed_in_group()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("account_message")
        self.said = ""  # the message as plain text
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Sync server", self.server)
        box = QVBoxLayout(self)
        for widget in (self.state, self.keyring):
            box.addWidget(widget)
        box.addLayout(form)
        for section in (self.sign_in_box, self.register_box, self.signed_in_box, self.message):
            box.addWidget(section)
        box.addStretch(1)
        box.addWidget(buttons)
        self.resize(460, 0)
        self._busy = False
        self.provider_buttons: dict[str, QPushButton] = {}
        controller.status_changed.connect(lambda _s: self.show_state())
        self.show_state()
        if self.server.text():
            self.load_providers()

    # ---- layout ------------------------------------------------------------------------------------------------
    def _sign_in_group(self, username: str) -> QGroupBox:
        group = QGroupBox("Sign in")
        self.username = QLineEdit(username)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.returnPressed.connect(self.sign_in)
        self.sign_in_button = QPushButton("Sign in")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.sign_in)
        self.providers_row = QHBoxLayout()
        self.providers_label = QLabel("or")
        self.providers_label.hide()
        self.providers_row.addWidget(self.providers_label)
        self.providers_row.addStretch(1)
        form = QFormLayout(group)
        form.addRow("Username", self.username)
        form.addRow("Password", self.password)
        form.addRow("", self.sign_in_button)
        form.addRow("", self.providers_row)
        return group

    def _register_group(self) -> QGroupBox:
        group = QGroupBox("New account (uses the username and password above)")
        self.email = QLineEdit()
        self.email.setPlaceholderText("you@example.org")
        self.register_button = QPushButton("Create account and sign in")
        self.register_button.clicked.connect(self.register)
        form = QFormLayout(group)
        form.addRow("E-mail", self.email)
        form.addRow("", self.register_button)
        return group

    def _signed_in_group(self) -> QGroupBox:
        group = QGroupBox("Signed in")
        self.sign_out_button = QPushButton("Sign out")
        self.sign_out_button.clicked.connect(self.sign_out)
        self.unlink_button = QPushButton("Unlink library…")
        self.unlink_button.setToolTip("Detach this library from its account: the next sync uploads everything")
        self.unlink_button.clicked.connect(self.unlink)
        row = QHBoxLayout(group)
        row.addWidget(self.sign_out_button)
        row.addWidget(self.unlink_button)
        row.addStretch(1)
        return group

    # ---- state -------------------------------------------------------------------------------------------------
    def show_state(self) -> None:
        status = self.controller.status
        signed_in = self.controller.signed_in
        if status is None:
            self.state.setText("Sync starts when the library is open.")
        elif signed_in:
            linked = f"; this library syncs with {status.linked_account}" if status.linked_account else ""
            self.state.setText(f"Signed in as <b>{html.escape(status.username or '')}</b> on "
                               f"{html.escape(status.server_url or '')}{html.escape(linked)}.")  # fmt: skip
        elif status.username:
            self.state.setText(f"Signed out. Sign in again as {html.escape(status.username)} to sync.")
        else:
            self.state.setText("Not signed in: the library works on this computer only until you sign in.")
        self.keyring.setVisible(bool(status and status.keyring_problem))
        if status and status.keyring_problem:
            self.keyring.setToolTip(status.keyring_problem)
        self.sign_in_box.setVisible(not signed_in)
        self.register_box.setVisible(not signed_in)
        self.signed_in_box.setVisible(signed_in)
        self.server.setReadOnly(signed_in)
        self._enable()
        self.adjustSize()

    def _enable(self) -> None:
        for button in (self.sign_in_button, self.register_button, self.sign_out_button, self.unlink_button,
                       *self.provider_buttons.values()):  # fmt: skip
            button.setEnabled(not self._busy)

    def say(self, words: str, colour: str | None = None) -> None:
        self.said = words
        escaped = html.escape(words)
        self.message.setText(f"<span style='color:{colour}'>{escaped}</span>" if colour else escaped)

    def _start(self, words: str) -> None:
        self._busy = True
        self._enable()
        self.say(words)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self._enable()
        self.say(error_text(exc).removesuffix(SIGN_IN_AGAIN_SUFFIX), ERROR_COLOUR)

    def _signed_in(self, info: AccountInfo) -> None:
        self._busy = False
        self.password.clear()
        self.show_state()
        self.say(f"Signed in as {info.username} ({info.display_name}).", OK_COLOUR)
        if info.keyring_problem:
            self.say(f"Signed in as {info.username}. {KEYRING_MESSAGE}.", WARNING_COLOUR)

    # ---- actions -----------------------------------------------------------------------------------------------
    def _required(self, **fields: str) -> bool:
        missing = [name for name, value in fields.items() if not value]
        if missing:
            self.say(f"Enter the {', the '.join(missing)}.", ERROR_COLOUR)
        return not missing

    def sign_in(self) -> None:
        url, user, password = text(self.server), text(self.username), self.password.text()
        if self._required(**{"server URL": url, "username": user, "password": password}):
            self._start(f"Signing in to {url}…")
            self.controller.sign_in(url, user, password, self._signed_in, self._failed)

    def register(self) -> None:
        url, user, email, password = text(self.server), text(self.username), text(self.email), self.password.text()
        if self._required(**{"server URL": url, "username": user, "password": password, "e-mail address": email}):
            self._start(f"Creating the account {user} on {url}…")
            self.controller.register(url, user, email, password, self._signed_in, self._failed)

    def sign_in_with(self, provider: str, title: str) -> None:
        url = text(self.server)
        if self._required(**{"server URL": url}):
            self._start(f"Finish signing in with {title} in your browser…")
            self.controller.sign_in_with_provider(url, provider, self._signed_in, self._failed)

    def sign_out(self) -> None:
        self._start("Signing out…")
        self.controller.sign_out(lambda _s: self._finished("Signed out."), self._failed)

    def unlink(self) -> None:
        answer = QMessageBox.question(
            self, "Unlink library",
            "Detach this library from its account? Nothing is deleted; the next sync uploads everything to the "
            "account signed in then.")  # fmt: skip
        if answer == QMessageBox.StandardButton.Yes:
            self._start("Unlinking…")
            self.controller.unlink(lambda _s: self._finished("The library is unlinked."), self._failed)

    def _finished(self, words: str) -> None:
        self._busy = False
        self.show_state()
        self.say(words, OK_COLOUR)

    def load_providers(self) -> None:
        """Show a button for each provider the server offers (none when it offers none or cannot be asked)."""
        url = text(self.server)
        if not url or self.controller.signed_in:
            return
        self.controller.call(lambda s: s.providers(url), name="sign-in providers", key="providers",
                             on_success=self._show_providers, on_error=lambda _e: self._show_providers([]))  # fmt: skip

    def _show_providers(self, providers: list[dict[str, Any]]) -> None:
        for button in self.provider_buttons.values():
            self.providers_row.removeWidget(button)
            button.deleteLater()
        self.provider_buttons = {}
        for provider in providers:
            name, title = str(provider["name"]), str(provider.get("title") or provider["name"])
            button = QPushButton(f"Sign in with {title}")
            button.clicked.connect(lambda _c=False, n=name, t=title: self.sign_in_with(n, t))
            self.providers_row.insertWidget(self.providers_row.count() - 1, button)
            self.provider_buttons[name] = button
        self.providers_label.setVisible(bool(providers))
        self._enable()
        self.providers_shown.emit(list(self.provider_buttons))


class SyncSettingsSection(QWidget):
    """The sync part of the settings dialog: automatic sync, what goes up and down, and the account."""

    def __init__(self, controller: SyncController, open_account: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        settings = controller.service.settings if controller.service else None
        self.auto_sync = QCheckBox("Sync automatically when signed in (at start, after changes, every 5 minutes)")
        self.upload_files = QCheckBox("Upload the original files of my sessions")
        self.eager = QCheckBox("Download the telemetry of my other devices' laps during sync (else when opened)")
        if settings is not None:
            self.auto_sync.setChecked(settings.auto_sync)
            self.upload_files.setChecked(settings.upload_original_files)
            self.eager.setChecked(settings.download_telemetry == "eager")
        status = controller.status
        who = (f"{status.username} on {status.server_url}" if status and status.signed_in
               else "not signed in")  # fmt: skip
        account = QPushButton("Account…")
        account.clicked.connect(open_account)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        box.addLayout(row)
        row.addWidget(QLabel(f"Account: {who}", self), 1)
        row.addWidget(account)
        for widget in (self.auto_sync, self.upload_files, self.eager):
            widget.setEnabled(settings is not None)
            box.addWidget(widget)

    def apply(self) -> None:
        self.controller.update_settings(
            auto_sync=self.auto_sync.isChecked(), upload_original_files=self.upload_files.isChecked(),
            download_telemetry="eager" if self.eager.isChecked() else "on_demand")  # fmt: skip
