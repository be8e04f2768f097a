"""Sign-in with Google or GitHub from the desktop, per RFC 8252: the system browser, a one-shot HTTP listener on
a random loopback port, PKCE (S256) and a state value; the server hands back a one-time code that is exchanged
with the verifier for tokens."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from racetrace_desktop.sync.client import API_PREFIX, ApiClient
from racetrace_desktop.sync.errors import AuthFailed

CALLBACK_PATH = "/racetrace/callback"
DONE_PAGE = (
    b"<!doctype html><meta charset=utf-8><title>RaceTrace</title>"
    b"<p>Sign-in finished. You can close this window and return to RaceTrace.</p>"
)


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge) per RFC 7636."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class _Received:
    params: dict[str, str] | None = None


class LoopbackReceiver:
    """Listens on 127.0.0.1:<random port> for the one redirect that ends the browser part of the sign-in."""

    def __init__(self) -> None:
        received = self._received = _Received()
        arrived = self._arrived = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != CALLBACK_PATH:
                    self.send_error(404)
                    return
                received.params = {key: values[0] for key, values in parse_qs(parts.query).items()}
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(DONE_PAGE)))
                self.end_headers()
                self.wfile.write(DONE_PAGE)
                arrived.set()

            def log_message(self, *_args: Any) -> None:
                pass  # no console noise

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        self.redirect_uri = f"http://127.0.0.1:{self._server.server_address[1]}{CALLBACK_PATH}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="racetrace-oauth", daemon=True)
        self._thread.start()

    def wait(self, timeout_s: float) -> dict[str, str]:
        if not self._arrived.wait(timeout_s):
            raise AuthFailed("the browser sign-in did not finish in time; start it again")
        assert self._received.params is not None
        return self._received.params

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def sign_in_with_provider(
    client: ApiClient, provider: str, open_browser: Callable[[str], Any] = webbrowser.open, timeout_s: float = 300.0
) -> dict[str, Any]:
    """Run the desktop flow and return the server's token answer (access and refresh token)."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(32)
    receiver = LoopbackReceiver()
    try:
        query = urlencode({"redirect_uri": receiver.redirect_uri, "code_challenge": challenge,
                           "code_challenge_method": "S256", "state": state})  # fmt: skip
        open_browser(f"{client.server_url}{API_PREFIX}/auth/{provider}/desktop/login?{query}")
        params = receiver.wait(timeout_s)
    finally:
        receiver.close()
    if params.get("state") != state:
        raise AuthFailed("the sign-in answer did not match this sign-in (state differs); start it again")
    if "error" in params or "code" not in params:
        reason = params.get("error_description") or params.get("error") or "no code in the answer"
        raise AuthFailed(f"{provider} sign-in failed: {reason}")
    form = {"grant_type": "authorization_code", "code": params["code"], "code_verifier": verifier,
            "redirect_uri": receiver.redirect_uri}  # fmt: skip
    answer = client.request("POST", "/auth/desktop/token", auth=False, idempotent=False, data=form)
    tokens: dict[str, Any] = answer.json()
    return tokens
