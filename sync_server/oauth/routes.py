"""`/auth/{provider}/...`: Google and GitHub sign-in for browsers and, per RFC 8252, for the desktop app.

Browser: `/login` -> provider -> `/callback` answers the access token and sets the refresh cookie.
Desktop: `/desktop/login` (loopback redirect_uri, S256 code_challenge, state) -> provider -> `/callback` redirects to
the loopback URI with a one-time `code` and the desktop's `state` -> `POST /auth/desktop/token` with the verifier.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.starlette_client import StarletteOAuth2App
from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from joserfc.errors import JoseError
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from sync_server.auth.routes import set_refresh_cookie
from sync_server.auth.schemas import TokenResponse
from sync_server.auth.service import issue_tokens
from sync_server.deps import AppSettings, DbSession, Tokens
from sync_server.errors import AppError, NotFoundError, error_responses
from sync_server.oauth import loopback, providers, service
from sync_server.oauth.loopback import OAuthFlowError
from sync_server.oauth.providers import TITLES, IdentityError, ProviderName

try:  # authlib talks through httpx2 when it is installed, else httpx: catch the errors of the one it uses
    import httpx2 as hx  # type: ignore[import-not-found]
except ImportError:
    import httpx as hx

router = APIRouter(prefix="/auth", tags=["auth"])
DESKTOP_KEY = "racetrace_desktop_"
DESKTOP_PENDING_S = 600
MAX_PENDING_DESKTOP = 5


class ProviderLinks(BaseModel):
    name: ProviderName
    title: str
    login_url: str
    desktop_login_url: str


class ProviderList(BaseModel):
    providers: list[ProviderLinks]


class ProviderUnavailableError(AppError):
    status_code = 502
    code = "provider_unreachable"


@router.get("/providers", response_model=ProviderList)
def list_providers(request: Request) -> ProviderList:
    """The OAuth providers this server offers (none unless configured)."""
    links = [
        ProviderLinks(
            name=name,
            title=TITLES[name],
            login_url=request.url_for("oauth_login", provider=name).path,
            desktop_login_url=request.url_for("oauth_desktop_login", provider=name).path,
        )
        for name in providers.configured(request.app.state.oauth)
    ]
    return ProviderList(providers=links)


@router.get(
    "/{provider}/login",
    name="oauth_login",
    status_code=302,
    response_class=RedirectResponse,
    responses={302: {"description": "To the provider's sign-in page"}, **error_responses(404, 502)},
)
async def oauth_login(provider: ProviderName, request: Request) -> Response:
    """Browser sign-in: redirects to the provider."""
    client = _client(request, provider)
    redirect: Response = await _guarded(provider, client.authorize_redirect(request, _callback_url(request, provider)))
    return redirect


@router.get(
    "/{provider}/desktop/login",
    name="oauth_desktop_login",
    status_code=302,
    response_class=RedirectResponse,
    responses={302: {"description": "To the provider's sign-in page"}, **error_responses(400, 404, 502)},
)
async def oauth_desktop_login(
    provider: ProviderName,
    request: Request,
    redirect_uri: Annotated[
        str, Query(max_length=loopback.MAX_REDIRECT_URI_LENGTH, description="http://127.0.0.1:<port>/...")
    ],
    code_challenge: Annotated[
        str, Query(pattern=loopback.CHALLENGE_PATTERN, description="BASE64URL(SHA256(verifier))")
    ],
    state: Annotated[str, Query(pattern=loopback.CLIENT_STATE_PATTERN, description="Returned unchanged to the app")],
    code_challenge_method: Annotated[Literal["S256"], Query()] = "S256",
) -> Response:
    """Desktop sign-in (RFC 8252): opened in the system browser; ends with a redirect to the app's loopback
    `redirect_uri` carrying a one-time `code` (or `error`) and the app's `state`."""
    loopback.check_loopback_redirect(redirect_uri)
    client = _client(request, provider)
    authorization = await _guarded(provider, client.create_authorization_url(_callback_url(request, provider)))
    await client.save_authorize_data(request, redirect_uri=_callback_url(request, provider), **authorization)
    _remember_desktop(request, authorization["state"], redirect_uri, code_challenge, state)
    return RedirectResponse(authorization["url"], status_code=302)


@router.get(
    "/{provider}/callback",
    name="oauth_callback",
    response_model=TokenResponse,
    responses={
        302: {"description": "Desktop flow: back to the app's loopback URI"},
        **error_responses(400, 403, 404, 409, 502),
    },
)
async def oauth_callback(provider: ProviderName, request: Request) -> Response:
    """Where the provider sends the browser back. Browser flow: the access token (JSON) and the refresh cookie."""
    client = _client(request, provider)
    pending = _pop_desktop(request, request.query_params.get("state"))
    try:
        identity = await _guarded(provider, _fetch_identity(client, provider, request))
    except AppError as exc:
        if pending is None:
            raise
        return _to_desktop(pending, {"error": "access_denied", "error_description": exc.message})
    if pending is not None:
        return await run_in_threadpool(_finish_desktop, request, provider, identity, pending)
    return await run_in_threadpool(_finish_browser, request, identity)


@router.post("/desktop/token", response_model=TokenResponse, responses=error_responses(400, 403, 422))
def desktop_token(
    db: DbSession,
    settings: AppSettings,
    tokens: Tokens,
    code: Annotated[str, Form(min_length=20, max_length=128)],
    code_verifier: Annotated[str, Form(pattern=loopback.VERIFIER_PATTERN)],
    redirect_uri: Annotated[str, Form(max_length=loopback.MAX_REDIRECT_URI_LENGTH)],
    grant_type: Annotated[Literal["authorization_code"], Form()] = "authorization_code",
) -> TokenResponse:
    """Exchange the one-time code from the loopback redirect, with the PKCE verifier, for an access token and a
    refresh token (both in the body). A code works once, within `OAUTH_CODE_TTL_S` seconds."""
    issued = service.redeem_desktop_code(db, tokens, settings, code, code_verifier, redirect_uri)
    return TokenResponse(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        refresh_token=issued.refresh_token,
        refresh_expires_in=issued.refresh_expires_in,
    )


def _client(request: Request, provider: ProviderName) -> StarletteOAuth2App:
    client = request.app.state.oauth.create_client(provider)
    if client is None:
        raise NotFoundError(f"{TITLES[provider]} sign-in is not enabled on this server", code="provider_not_configured")
    return client


def _callback_url(request: Request, provider: ProviderName) -> str:
    base = request.app.state.settings.oauth_redirect_base_url
    path = request.url_for("oauth_callback", provider=provider)
    return f"{base.rstrip('/')}{path.path}" if base else str(path)


async def _fetch_identity(client: StarletteOAuth2App, provider: ProviderName, request: Request) -> Any:
    token = await client.authorize_access_token(request, **await providers.authorize_kwargs(client, provider))
    return await providers.identity_from(client, provider, token)


async def _guarded(provider: ProviderName, call: Any) -> Any:
    """Await a provider round trip; its failures become clean 400/502 answers naming the provider."""
    title = TITLES[provider]
    try:
        return await call
    except MismatchingStateError as exc:
        raise OAuthFlowError(
            f"The {title} sign-in state is missing, expired or does not match this browser; start the sign-in again",
            code="invalid_state",
        ) from exc
    except JoseError as exc:
        raise OAuthFlowError(f"{title}'s ID token failed verification ({exc.error})", code="invalid_id_token") from exc
    except hx.HTTPError as exc:
        raise ProviderUnavailableError(f"Could not complete the request to {title}: {exc}") from exc
    except AuthlibBaseError as exc:
        detail = exc.description or exc.error or type(exc).__name__
        raise OAuthFlowError(f"{title} refused the sign-in: {detail}", code="provider_error") from exc
    except (ValueError, IdentityError) as exc:
        raise OAuthFlowError(f"{title} answered something unusable: {exc}", code="provider_error") from exc


def _remember_desktop(request: Request, provider_state: str, redirect_uri: str, challenge: str, state: str) -> None:
    now = time.time()
    pending = {k: v for k, v in request.session.items() if k.startswith(DESKTOP_KEY)}
    for key, value in sorted(pending.items(), key=lambda item: item[1].get("exp", 0)):
        if value.get("exp", 0) < now or len(pending) >= MAX_PENDING_DESKTOP:
            request.session.pop(key, None)
            pending.pop(key)
    request.session[DESKTOP_KEY + provider_state] = {
        "redirect_uri": redirect_uri,
        "code_challenge": challenge,
        "state": state,
        "exp": now + DESKTOP_PENDING_S,
    }


def _pop_desktop(request: Request, provider_state: str | None) -> dict[str, Any] | None:
    if not provider_state:
        return None
    pending = request.session.pop(DESKTOP_KEY + provider_state, None)
    if not isinstance(pending, dict) or pending.get("exp", 0) < time.time():
        return None
    return pending


def _to_desktop(pending: dict[str, Any], params: dict[str, str]) -> RedirectResponse:
    target = loopback.redirect_with(pending["redirect_uri"], {**params, "state": pending["state"]})
    return RedirectResponse(target, status_code=302)


def _finish_desktop(request: Request, provider: str, identity: Any, pending: dict[str, Any]) -> Response:
    settings = request.app.state.settings
    try:
        with request.app.state.database.sessions.begin() as db:
            user = service.sign_in(db, identity)
            code = service.create_desktop_code(
                db, settings, user, provider, pending["redirect_uri"], pending["code_challenge"]
            )
    except AppError as exc:
        return _to_desktop(pending, {"error": "access_denied", "error_description": exc.message})
    return _to_desktop(pending, {"code": code})


def _finish_browser(request: Request, identity: Any) -> Response:
    app = request.app
    with app.state.database.sessions.begin() as db:
        user = service.sign_in(db, identity)
        issued = issue_tokens(db, app.state.tokens, app.state.settings, user, "browser")
    body = TokenResponse(
        access_token=issued.access_token, expires_in=issued.expires_in, refresh_expires_in=issued.refresh_expires_in
    )
    response = Response(body.model_dump_json(), media_type="application/json")
    set_refresh_cookie(response, app.state.settings, issued)
    return response
