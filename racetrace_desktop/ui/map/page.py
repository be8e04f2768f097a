"""Build the offline map page with folium: Leaflet from the XStatic-Leaflet package, never a CDN.

The page is written to a file in the cache folder (next to a copy of Leaflet) and loaded with
`QWebEngineView.load(QUrl.fromLocalFile(...))`: `setHtml` fails above 2 MB and a file:// page cannot reach
http(s) at all. Lap lines are not baked into the HTML; they are sent over the bridge once the page is ready, so
selecting another lap never reloads the page.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from importlib.metadata import version
from pathlib import Path
from types import CodeType

import xstatic.pkg.leaflet as xstatic_leaflet

from racetrace_desktop import __version__ as app_version
from racetrace_desktop.ui.map.tiles import TILE_URL_TEMPLATE

HERE = Path(__file__).resolve().parent
PAGE_NAME = "map.html"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
_REMOTE_REF = re.compile(r'(?:src|href)="(https?://[^"]+)"')


STAMP_NAME = ".page-stamp"
def _copy_assets(folder: Path) -> None:
    leaflet_dir = folder / "leaflet"
    stamp = leaflet_dir / ".version"
    if not (stamp.is_file() and stamp.read_text() == xstatic_leaflet.VERSION):
        shutil.rmtree(leaflet_dir, ignore_errors=True)
        source = Path(xstatic_leaflet.BASE_DIR)
        leaflet_dir.mkdir(parents=True)
        for name in ("leaflet.js", "leaflet.css"):
            shutil.copy2(source / name, leaflet_dir / name)
        shutil.copytree(source / "images", leaflet_dir / "images")
        stamp.write_text(xstatic_leaflet.VERSION)
    for name in ("racetrace_map.js", "racetrace_map.css"):
        shutil.copy2(HERE / name, folder / name)


def render_page_html() -> str:
    """The page HTML. Raises RuntimeError if anything in it points to the network."""
    import folium  # slow to import (pulls in pandas): only when the page must be (re)built
    from branca.element import MacroElement
    from jinja2 import Template

    class InitRaceTrace(MacroElement):
        """Runs after folium created the map and its layers (a child script of the map, not of the root)."""

        _template = Template("{% macro script(this, kwargs) %}rt.init({{ this._parent.get_name() }});{% endmacro %}")

    fmap = folium.Map(location=[48.0, 10.0], zoom_start=4, tiles=None, control_scale=True, max_zoom=20)
    # Instance attributes shadow folium's CDN lists (add_js_link would change them for every later map).
    fmap.default_js = [("leaflet", "leaflet/leaflet.js"), ("racetrace_map", "racetrace_map.js")]
    fmap.default_css = [("leaflet_css", "leaflet/leaflet.css"), ("racetrace_map_css", "racetrace_map.css")]
    folium.TileLayer(tiles=TILE_URL_TEMPLATE, attr=OSM_ATTRIBUTION, max_zoom=20, max_native_zoom=19).add_to(fmap)
    fmap.add_child(InitRaceTrace())
    html = fmap.get_root().render()
    remote = _REMOTE_REF.findall(html)
    if remote:
        raise RuntimeError(f"map page would load from the network: {remote}")
    return html


def page_stamp() -> str:
    """Changes whenever the page would come out differently (versions, our scripts, this builder)."""
    digest = hashlib.sha256()
    for name in ("racetrace_map.js", "racetrace_map.css"):
        digest.update((HERE / name).read_bytes())
    _add_code(digest, render_page_html.__code__)  # compiled code, not the source: a bundle ships no .py files
    return f"{app_version} folium {version('folium')} leaflet {xstatic_leaflet.VERSION} {digest.hexdigest()[:16]}"


def _add_code(digest: hashlib._Hash, code: CodeType) -> None:
    digest.update(code.co_code)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            _add_code(digest, const)
        else:
            digest.update(repr(const).encode())


def write_map_page(folder: Path) -> Path:
    """Write Leaflet, the RaceTrace scripts and the page into `folder`; return the page path.

    The page is static, so it is built once and reused until `page_stamp()` changes (no folium at start-up).
    """
    folder.mkdir(parents=True, exist_ok=True)
    _copy_assets(folder)
    page, stamp_file, stamp = folder / PAGE_NAME, folder / STAMP_NAME, page_stamp()
    if not (page.is_file() and stamp_file.is_file() and stamp_file.read_text() == stamp):
        tmp = page.with_suffix(".tmp")
        tmp.write_text(render_page_html(), encoding="utf-8")
        tmp.replace(page)
        stamp_file.write_text(stamp)
    return page
