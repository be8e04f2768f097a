"""OpenStreetMap tiles through the `rttile:` URL scheme, served by Python from a disk cache.

The page asks for `rttile:///osm/{z}/{x}/{y}.png`. A cached tile is answered at once. A missing one is fetched
off the GUI thread (TaskRunner's network pool, with a User-Agent as the OSM tile policy asks) when the map is
online; otherwise, or when the fetch fails, the request fails and Leaflet leaves the plain background. The lap
lines never depend on tiles.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject
from PySide6.QtWebEngineCore import QWebEngineUrlRequestJob, QWebEngineUrlScheme, QWebEngineUrlSchemeHandler

from racetrace_desktop import __version__ as app_version
from racetrace_desktop.ui.tasks import Pool, TaskRunner

log = logging.getLogger(__name__)

TILE_SCHEME = b"rttile"
TILE_URL_TEMPLATE = "rttile:///osm/{z}/{x}/{y}.png"
OSM_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
USER_AGENT = f"RaceTrace/{app_version} (local-first lap telemetry desktop app)"
_TILE_PATH = re.compile(r"^/osm/(\d{1,2})/(\d{1,7})/(\d{1,7})\.png$")
OFFLINE_BACKOFF_S = 60.0


def register_tile_scheme() -> None:
    """Must run before the QApplication exists (Qt's rule for custom schemes). Safe to call twice."""
    if QWebEngineUrlScheme.schemeByName(TILE_SCHEME).name() == TILE_SCHEME:
        return
    scheme = QWebEngineUrlScheme(TILE_SCHEME)
    scheme.setSyntax(QWebEngineUrlScheme.Syntax.Path)
    # LocalScheme: a file:// page may load it (a "secure" or CORS scheme is refused from file://).
    scheme.setFlags(QWebEngineUrlScheme.Flag.LocalScheme | QWebEngineUrlScheme.Flag.LocalAccessAllowed)
    QWebEngineUrlScheme.registerScheme(scheme)


class TileCache:
    """`<folder>/osm/z/x/y.png`, written atomically so a crash never leaves half a tile."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, z: int, x: int, y: int) -> Path:
        return self.folder / "osm" / str(z) / str(x) / f"{y}.png"

    def read(self, z: int, x: int, y: int) -> bytes | None:
        path = self.path(z, x, y)
        return path.read_bytes() if path.is_file() else None

    def write(self, z: int, x: int, y: int, data: bytes) -> None:
        path = self.path(z, x, y)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)


def fetch_tile(z: int, x: int, y: int, url_template: str = OSM_TILE_URL, timeout_s: float = 10.0) -> bytes:
    """Download one tile (worker thread)."""
    import httpx  # only when tiles are fetched: keeps the window start fast

    url = url_template.format(z=z, x=x, y=y)
    response = httpx.get(url, headers={"User-Agent": USER_AGENT}, timeout=timeout_s)
    response.raise_for_status()
    if not response.headers.get("content-type", "").startswith("image/"):
        raise ValueError(f"tile {z}/{x}/{y}: unexpected content type {response.headers.get('content-type')}")
    return response.content


def parse_tile_path(path: str) -> tuple[int, int, int] | None:
    match = _TILE_PATH.match(path)
    if not match:
        return None
    z, x, y = (int(g) for g in match.groups())
    return (z, x, y) if z <= 19 and x < 2**z and y < 2**z else None


class TileSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers `rttile:` requests from the cache, or fetches when online."""

    def __init__(self, cache: TileCache, runner: TaskRunner | None, online: bool, parent: QObject | None = None,
                 url_template: str = OSM_TILE_URL) -> None:
        super().__init__(parent)
        self.cache = cache
        self.runner = runner
        self.online = online
        self.url_template = url_template
        self.requests = 0  # for tests: how many tiles the page asked for
        self._offline_until = 0.0

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 (Qt override)
        self.requests += 1
        tile = parse_tile_path(job.requestUrl().path())
        if tile is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlInvalid)
            return
        data = self.cache.read(*tile)
        if data is not None:
            _reply(job, data)
        elif self._may_fetch():
            self._fetch(job, tile)
        else:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)

    def _may_fetch(self) -> bool:
        return self.online and self.runner is not None and time.monotonic() >= self._offline_until

    def _fetch(self, job: QWebEngineUrlRequestJob, tile: tuple[int, int, int]) -> None:
        def work() -> bytes:
            data = fetch_tile(*tile, url_template=self.url_template)
            self.cache.write(*tile, data)
            return data

        def failed(exc: BaseException) -> None:
            import httpx  # already loaded by the fetch that failed

            if isinstance(exc, httpx.TransportError):  # no network: stop trying for a while
                self._offline_until = time.monotonic() + OFFLINE_BACKOFF_S
            log.info("tile %s not available: %s", tile, exc)
            _fail(job)

        assert self.runner is not None
        self.runner.submit(work, name=f"map tile {tile}", pool=Pool.NET,
                           on_success=lambda data: _reply(job, data), on_error=failed)


def _reply(job: QWebEngineUrlRequestJob, data: bytes) -> None:
    try:
        buffer = QBuffer(parent=job)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(b"image/png", buffer)
    except RuntimeError:  # the page cancelled the request (zoomed away) and Qt deleted the job
        pass


def _fail(job: QWebEngineUrlRequestJob) -> None:
    with contextlib.suppress(RuntimeError):  # the job is gone: nothing left to answer
        job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
