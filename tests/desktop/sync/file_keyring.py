"""A keyring backend for CLI subprocesses in tests: a JSON file named by RACETRACE_TEST_KEYRING.

Selected with PYTHON_KEYRING_BACKEND=file_keyring.FileKeyring (tests/desktop/sync on PYTHONPATH). Tests only: the
app itself never writes a secret to a file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _path(self) -> Path:
        return Path(os.environ["RACETRACE_TEST_KEYRING"])

    def _load(self) -> dict[str, str]:
        path = self._path()
        return json.loads(path.read_text()) if path.is_file() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}|{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        secrets = self._load()
        secrets[f"{service}|{username}"] = password
        self._path().write_text(json.dumps(secrets))

    def delete_password(self, service: str, username: str) -> None:
        secrets = self._load()
        if secrets.pop(f"{service}|{username}", None) is None:
            raise PasswordDeleteError("not stored")
        self._path().write_text(json.dumps(secrets))
