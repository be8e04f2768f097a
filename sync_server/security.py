"""Password hashing (argon2 via pwdlib), JWT access tokens (PyJWT HS256) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from sync_server.db import utcnow
from sync_server.errors import UnauthorizedError
from sync_server.settings import Settings

ALGORITHM = "HS256"
ACCESS = "access"
ROLE_USER = "user"
ROLE_ADMIN = "admin"
REQUIRED_CLAIMS = ["exp", "sub", "iat", "jti", "typ", "iss", "gen"]
INVALID_TOKEN = "Invalid access token"  # noqa: S105 - a message


class PasswordHasher:
    """argon2id; the cheap parameters exist for the test suite only (refused in production by Settings)."""

    def __init__(self, fast: bool = False) -> None:
        hasher = Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1) if fast else Argon2Hasher()
        self._hash = PasswordHash((hasher,))
        # Verified against when the username is unknown, so both paths cost one argon2 verification.
        self._dummy = self._hash.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hash.hash(password)

    def verify(self, password: str, hashed: str | None) -> tuple[bool, str | None]:
        """(matches, new hash when the stored one uses outdated parameters)."""
        if hashed is None:
            self._hash.verify(password, self._dummy)
            return False, None
        return self._hash.verify_and_update(password, hashed)

    def burn_time(self, password: str) -> None:
        self._hash.verify(password, self._dummy)


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    role: str
    jti: str
    expires_at: datetime
    generation: int  # the account's token generation at issue time; stale = revoked


class TokenService:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        # Derived so the raw secret is never the HMAC key itself and short dev secrets still give 32 bytes.
        secret = settings.secret_key.get_secret_value().encode()
        self._key = hashlib.sha256(b"racetrace-jwt\x00" + secret).digest()

    def create_access_token(self, user_id: uuid.UUID, role: str = ROLE_USER, generation: int = 0) -> tuple[str, int]:
        ttl = self._settings.admin_token_ttl_s if role == ROLE_ADMIN else self._settings.access_token_ttl_s
        now = utcnow()
        claims = {
            "sub": str(user_id),
            "iat": now,
            "nbf": now,
            "exp": now + timedelta(seconds=ttl),
            "jti": uuid.uuid4().hex,
            "typ": ACCESS,
            "role": role,
            "iss": self._settings.jwt_issuer,
            "gen": generation,
        }
        return self.sign(claims), ttl

    def sign(self, claims: dict[str, object]) -> str:
        """HS256-sign arbitrary claims with the server key (token issuance; tests craft edge cases with it)."""
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def decode_access_token(self, token: str) -> AccessClaims:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                issuer=self._settings.jwt_issuer,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as exc:
            raise UnauthorizedError("Access token expired", code="token_expired") from exc
        except jwt.PyJWTError as exc:
            raise UnauthorizedError(INVALID_TOKEN, code="invalid_token") from exc
        generation = claims.get("gen")
        if claims.get("typ") != ACCESS or claims.get("role") not in (ROLE_USER, ROLE_ADMIN):
            raise UnauthorizedError(INVALID_TOKEN, code="invalid_token")
        if not isinstance(generation, int) or isinstance(generation, bool):
            raise UnauthorizedError(INVALID_TOKEN, code="invalid_token")
        try:
            user_id = uuid.UUID(claims["sub"])
        except (ValueError, TypeError) as exc:
            raise UnauthorizedError(INVALID_TOKEN, code="invalid_token") from exc
        expires_at = datetime.fromtimestamp(claims["exp"], tz=UTC)
        return AccessClaims(user_id, claims["role"], claims["jti"], expires_at, generation)


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
