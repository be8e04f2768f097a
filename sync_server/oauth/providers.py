"""Google (OpenID Connect) and GitHub clients built with authlib, and the identity each one vouches for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App

from sync_server.settings import Settings

ProviderName = Literal["google", "github"]
PROVIDERS: tuple[ProviderName, ...] = ("google", "github")
TITLES = {"google": "Google", "github": "GitHub"}
HTTP_TIMEOUT_S = 10.0


class IdentityError(Exception):
    """The provider answered, but not with an identity we can accept (message is shown to the user)."""


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in. `email_verified` is the provider's own claim about the address."""

    provider: ProviderName
    subject: str
    email: str | None
    email_verified: bool
    display_name: str | None
    login_hint: str | None  # a username suggestion (GitHub login, e-mail local part)


def build_oauth(settings: Settings) -> OAuth:
    """One authlib registry per app (authlib caches provider discovery per registered client)."""
    oauth = OAuth()
    common = {"code_challenge_method": "S256", "timeout": HTTP_TIMEOUT_S}
    if settings.google_client_id and settings.google_client_secret:
        oauth.register(
            name="google",
            client_id=settings.google_client_id,
            client_secret=settings.google_client_secret.get_secret_value(),
            server_metadata_url=settings.google_metadata_url,
            client_kwargs={"scope": "openid email profile", **common},
        )
    if settings.github_client_id and settings.github_client_secret:
        oauth.register(
            name="github",
            client_id=settings.github_client_id,
            client_secret=settings.github_client_secret.get_secret_value(),
            authorize_url=settings.github_authorize_url,
            access_token_url=settings.github_token_url,
            api_base_url=settings.github_api_base_url,
            client_kwargs={"scope": "read:user user:email", **common},
        )
    return oauth


def configured(oauth: OAuth) -> list[ProviderName]:
    return [name for name in PROVIDERS if oauth.create_client(name) is not None]


async def authorize_kwargs(client: StarletteOAuth2App, provider: ProviderName) -> dict[str, Any]:
    """Extra arguments for `authorize_access_token`: OIDC claims to enforce on Google's ID token."""
    if provider != "google":
        return {}
    metadata = await client.load_server_metadata()
    issuer = metadata.get("issuer")
    if not issuer:
        raise IdentityError("Google's discovery document has no 'issuer'")
    return {
        "claims_options": {
            "iss": {"essential": True, "values": [issuer]},
            "aud": {"essential": True, "value": client.client_id},
            "sub": {"essential": True},
        }
    }


async def identity_from(client: StarletteOAuth2App, provider: ProviderName, token: dict[str, Any]) -> Identity:
    if provider == "google":
        return _google_identity(token)
    return await _github_identity(client, token)


def _google_identity(token: dict[str, Any]) -> Identity:
    # authlib puts the validated ID token claims (signature, nonce, iss, aud, exp) under "userinfo".
    claims = token.get("userinfo")
    if not claims:
        raise IdentityError("Google did not return an ID token")
    email = claims.get("email")
    return Identity(
        provider="google",
        subject=str(claims["sub"]),
        email=_normalised_email(email),
        email_verified=claims.get("email_verified") in (True, "true"),
        display_name=claims.get("name"),
        login_hint=email.split("@", 1)[0] if isinstance(email, str) else None,
    )


async def _github_identity(client: StarletteOAuth2App, token: dict[str, Any]) -> Identity:
    user_response = await client.get("user", token=token)
    user_response.raise_for_status()
    user = user_response.json()
    emails_response = await client.get("user/emails", token=token)
    emails_response.raise_for_status()
    primary = next(
        (e for e in emails_response.json() if isinstance(e, dict) and e.get("primary") and e.get("verified")), None
    )
    if not isinstance(user, dict) or user.get("id") is None:
        raise IdentityError("GitHub did not return a user id")
    return Identity(
        provider="github",
        subject=str(user["id"]),
        email=_normalised_email(primary.get("email")) if primary else None,
        email_verified=primary is not None,
        display_name=user.get("name") or user.get("login"),
        login_hint=user.get("login"),
    )


def _normalised_email(email: object) -> str | None:
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        return None
    return email.strip().lower()
