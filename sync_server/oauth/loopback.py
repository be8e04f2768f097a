"""RFC 8252 loopback redirects and RFC 7636 PKCE checks for the desktop sign-in flow."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode, urlsplit, urlunsplit

from sync_server.errors import AppError

LOOPBACK_HOSTS = ("127.0.0.1", "::1")
MAX_REDIRECT_URI_LENGTH = 512
# RFC 7636 §4.1/4.2: a verifier is 43-128 unreserved characters; an S256 challenge is 43 base64url characters.
VERIFIER_PATTERN = r"^[A-Za-z0-9._~-]{43,128}$"
CHALLENGE_PATTERN = r"^[A-Za-z0-9_-]{43}$"
CLIENT_STATE_PATTERN = r"^[!-~]{8,512}$"


class OAuthFlowError(AppError):
    status_code = 400
    code = "oauth_error"


def check_loopback_redirect(uri: str) -> str:
    """The URI itself when it is `http://127.0.0.1:<port>/...` or `http://[::1]:<port>/...`, else a 400."""
    hint = "use http://127.0.0.1:<port>/<path> or http://[::1]:<port>/<path> (RFC 8252 §7.3)"
    if len(uri) > MAX_REDIRECT_URI_LENGTH:
        raise _bad_redirect(f"redirect_uri is longer than {MAX_REDIRECT_URI_LENGTH} characters")
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError as exc:
        raise _bad_redirect(f"redirect_uri is not a valid URL ({exc}); {hint}") from None
    if parts.hostname == "localhost":
        raise _bad_redirect(f"redirect_uri must use a loopback IP literal, not 'localhost'; {hint}")
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        raise _bad_redirect(f"redirect_uri must be a loopback address of this computer; {hint}")
    if not port or parts.username or parts.password or parts.fragment:
        raise _bad_redirect(f"redirect_uri needs an explicit port and no user info or fragment; {hint}")
    return uri


def _bad_redirect(message: str) -> OAuthFlowError:
    return OAuthFlowError(message, code="invalid_redirect_uri")


def s256_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verifier_matches(verifier: str, challenge: str) -> bool:
    return hmac.compare_digest(s256_challenge(verifier), challenge)


def redirect_with(uri: str, params: dict[str, str]) -> str:
    """`uri` with `params` appended to its query (existing query parameters are kept)."""
    parts = urlsplit(uri)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
