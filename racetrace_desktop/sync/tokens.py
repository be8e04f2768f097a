"""Tokens: the access token lives in memory only; the refresh token in the OS keyring (never in a file).

Where no keyring backend works (a headless machine raises NoKeyringError on get *and* set), the refresh token is
kept in memory for this run and `problem` says so in words: the next start asks for the password again.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

KEYRING_SERVICE = "RaceTrace sync"
EXPIRY_MARGIN_S = 20.0  # refresh a little before the server would refuse the token


def keyring_user(server_url: str, username: str) -> str:
    return f"{username}@{server_url.rstrip('/')}"


@dataclass
class Tokens:
    access_token: str | None = None
    access_expires_at: float = 0.0  # time.monotonic() deadline
    refresh_token: str | None = None

    def access_valid(self) -> bool:
        return self.access_token is not None and time.monotonic() < self.access_expires_at - EXPIRY_MARGIN_S


class TokenStore:
    """The tokens of one account on one server. Thread-safe: the UI may ask while a sync refreshes."""

    def __init__(self, server_url: str, username: str) -> None:
        self.server_url = server_url.rstrip("/")
        self.username = username
        self.problem: str | None = None  # why the refresh token could not be kept, in words
        self._tokens = Tokens()
        self._lock = threading.RLock()
        self._loaded = False

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def _key(self) -> str:
        return keyring_user(self.server_url, self.username)

    def refresh_token(self) -> str | None:
        with self._lock:
            if not self._loaded and self._tokens.refresh_token is None:
                self._loaded = True
                try:
                    self._tokens.refresh_token = keyring.get_password(KEYRING_SERVICE, self._key())
                except KeyringError as error:
                    self.problem = _no_keyring(error)
            return self._tokens.refresh_token

    def access_token(self) -> str | None:
        with self._lock:
            return self._tokens.access_token if self._tokens.access_valid() else None

    def current_access_token(self) -> str | None:
        """The access token even if it looks expired (the server decides)."""
        with self._lock:
            return self._tokens.access_token

    def store(self, access_token: str, expires_in: float, refresh_token: str | None) -> None:
        """Keep a fresh token answer; the refresh token goes to the keyring."""
        with self._lock:
            self._tokens.access_token = access_token
            self._tokens.access_expires_at = time.monotonic() + float(expires_in)
            if refresh_token is not None:
                self._tokens.refresh_token = refresh_token
                self._loaded = True
                try:
                    keyring.set_password(KEYRING_SERVICE, self._key(), refresh_token)
                    self.problem = None
                except KeyringError as error:
                    self.problem = _no_keyring(error)

    def forget_access(self) -> None:
        with self._lock:
            self._tokens.access_token = None

    def clear(self) -> None:
        """Forget both tokens, here and in the keyring."""
        with self._lock:
            self._tokens = Tokens()
            self._loaded = True
            try:
                keyring.delete_password(KEYRING_SERVICE, self._key())
            except PasswordDeleteError:
                pass  # nothing stored: already signed out
            except KeyringError as error:
                self.problem = _no_keyring(error)


def _no_keyring(error: Exception) -> str:
    return (
        f"no usable keyring on this computer ({error}): the sign-in lasts until RaceTrace quits, "
        "and you will be asked to sign in again at the next start"
    )
