"""Run the Streamlit app and drive it in an offline headless Chromium (no pytest here).

Shared by the browser tests (``tests/e2e``) and the browser benchmark
(``python -m benchmarks.browser``):

- :class:`AppServer` starts ``streamlit run dashboard/app.py`` on a free localhost port,
  optionally on a copy of the snapshot (``LEUVEN_ATLAS_DATA_DIR``), and waits for its health
  endpoint.
- :func:`launch_chromium` starts Debian's ``/usr/bin/chromium`` through Playwright (never a
  downloaded browser build).
- :func:`route_offline` answers every CDN request folium makes from the npm-packed copies in
  ``.ci/vendor`` (``bash .ci/vendor_js.sh``), every map tile with a blank PNG, and aborts any
  other request that would leave localhost, so the tests run without internet.
- :func:`map_frame`, :func:`wait_for_map` and :func:`count_points` look into the
  streamlit-folium iframe through Leaflet's own API: the app draws points on a canvas
  (``prefer_canvas``), so there are no per-marker DOM elements to count.
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
APP_PATH = PROJECT_ROOT / "dashboard" / "app.py"
VENDOR_DIR = PROJECT_ROOT / ".ci" / "vendor"
CHROMIUM = Path("/usr/bin/chromium")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]

#: CDN URL prefix -> folder in ``.ci/vendor`` (the rest of the URL path is kept), for the
#: files folium 0.20 and branca load.  Leaflet.awesome-markers 2.0.2 is not on npm: its
#: nearest published version, 2.0.4, stands in.
CDN_PREFIXES: dict[str, str] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/": "leaflet@1.9.3",
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/": "bootstrap@5.2.2",
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/": (
        "fortawesome__fontawesome-free@6.2.0"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/": (
        "leaflet.awesome-markers@2.0.4/dist"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/": (
        "leaflet.markercluster@1.1.0/dist"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/": "d3@3.5.5",
    "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/": "jquery@3.7.1/dist",
}

#: Whole URLs -> file in ``.ci/vendor``.  The two stubs are not published on npm; both are
#: cosmetic CSS (glyphicon font classes, rotated awesome-marker icons) the app does not use.
CDN_FILES: dict[str, str] = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery@3.7.1/dist/jquery.min.js",
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": (
        "stubs/empty.css"
    ),
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/"
    "leaflet.awesome.rotate.min.css": "stubs/empty.css",
}

TILE_HOSTS = ("tile.openstreetmap.org",)

CONTENT_TYPES = {
    ".js": "application/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".eot": "application/vnd.ms-fontobject",
}


class HarnessError(RuntimeError):
    """The app or the browser could not be started."""


def missing_prerequisites() -> str | None:
    """Say what is missing for a browser run, or ``None`` when all is there."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (apt-get install chromium)"
    if not (VENDOR_DIR / "leaflet@1.9.3" / "package.json").exists():
        return f"{VENDOR_DIR} not populated (bash .ci/vendor_js.sh)"
    return None


def vendored_file(url: str) -> Path | None:
    """Map a CDN URL to its vendored copy, or ``None`` when it is not one of ours."""
    url = url.split("?", 1)[0].split("#", 1)[0]
    if url in CDN_FILES:
        return VENDOR_DIR / CDN_FILES[url]
    for prefix, folder in CDN_PREFIXES.items():
        if url.startswith(prefix):
            path = (VENDOR_DIR / folder / url[len(prefix) :]).resolve()
            # Never serve outside the vendor folder, whatever the URL says.
            if path.is_relative_to(VENDOR_DIR.resolve()) and path.is_file():
                return path
            return None
    return None


def blank_png(size: int = 256, rgb: tuple[int, int, int] = (242, 239, 233)) -> bytes:
    """A plain PNG tile (OSM's land colour) so screenshots show the map area, not holes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size, 9))
        + chunk(b"IEND", b"")
    )


@dataclass
class RequestLog:
    """What the offline router did, for assertions and diagnosis."""

    served: list[str] = field(default_factory=list)
    tiles: int = 0
    blocked: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)


@dataclass
class BrowserSession:
    """A page plus what the test asserts on: offline request log, dialogs, page errors."""

    page: Any
    requests: RequestLog
    artifacts: Path
    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> Path:
        """Save a full-page screenshot as ``<artifacts>/<name>.png``."""
        path = self.artifacts / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def route_offline(context: Any, log: RequestLog | None = None) -> RequestLog:
    """Answer all non-local requests of a Playwright browser context offline.

    Routes set on the context also cover the streamlit-folium iframe.

    Parameters
    ----------
    context : playwright.sync_api.BrowserContext
        The context to route.
    log : RequestLog, optional
        Where to record what happened; a new one by default.

    Returns
    -------
    RequestLog
        The log, filled as the page runs.
    """
    log = log if log is not None else RequestLog()
    tile = blank_png()

    def handle(route: Any) -> None:
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if host in {"127.0.0.1", "localhost"} or url.startswith(("data:", "blob:", "about:")):
            log.local.append(url)
            route.continue_()
        elif host.endswith(TILE_HOSTS):
            log.tiles += 1
            route.fulfill(status=200, body=tile, content_type="image/png")
        elif (path := vendored_file(url)) is not None:
            log.served.append(url)
            content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
            route.fulfill(status=200, path=str(path), content_type=content_type)
        else:
            log.blocked.append(url)
            route.abort("internetdisconnected")

    context.route("**/*", handle)
    return log


def free_port() -> int:
    """A TCP port free on localhost right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _streamlit_bin() -> str:
    """Streamlit beside the running interpreter (the venv), else the one on PATH."""
    beside = Path(sys.executable).with_name("streamlit")
    if beside.exists():
        return str(beside)
    found = shutil.which("streamlit")
    if found is None:
        msg = "streamlit executable not found"
        raise HarnessError(msg)
    return found


class AppServer:
    """``streamlit run dashboard/app.py`` in a subprocess on a free localhost port.

    Parameters
    ----------
    data_dir : Path, optional
        Snapshot folder passed as ``LEUVEN_ATLAS_DATA_DIR`` (the committed one by default).
    log_path : Path, optional
        Where the server's output goes (a file, so a full pipe never blocks it).
    env : dict, optional
        More environment variables for the server (e.g. a geocoder endpoint).
    """

    def __init__(
        self,
        data_dir: Path | None = None,
        log_path: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.log_path = log_path or Path(os.devnull)
        self.env = dict(env or {})
        self.startup_s = float("nan")
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    def start(self, timeout_s: float = 60.0) -> AppServer:
        """Start the server and wait until ``/_stcore/health`` answers ``ok``."""
        env = {**os.environ, **self.env}
        if self.data_dir is not None:
            env["LEUVEN_ATLAS_DATA_DIR"] = str(self.data_dir)
        cmd = [
            _streamlit_bin(),
            "run",
            str(APP_PATH),
            "--server.headless=true",
            "--server.address=127.0.0.1",
            f"--server.port={self.port}",
            "--server.fileWatcherType=none",
            "--server.runOnSave=false",
            "--browser.gatherUsageStats=false",
        ]
        self._log = self.log_path.open("wb")
        started = time.perf_counter()
        self._proc = subprocess.Popen(
            cmd, cwd=PROJECT_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = started + timeout_s
        while time.perf_counter() < deadline:
            if self._proc.poll() is not None:
                self.stop()
                msg = f"streamlit exited early (code {self._proc.returncode}); see {self.log_path}"
                raise HarnessError(msg)
            if self._healthy():
                self.startup_s = time.perf_counter() - started
                return self
            time.sleep(0.1)
        self.stop()
        msg = f"streamlit not healthy after {timeout_s:.0f} s; see {self.log_path}"
        raise HarnessError(msg)

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as reply:
                return bool(reply.read().strip() == b"ok")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def stop(self) -> None:
        """Terminate the server (kill it after 10 s) and close its log."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def launch_chromium(playwright: Any) -> Any:
    """Launch Debian's Chromium headless through Playwright."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


def map_frame(page: Any, index: int = 0, timeout_ms: float = 30_000) -> Any:
    """The Playwright frame of a streamlit-folium map.

    Parameters
    ----------
    page : playwright.sync_api.Page
        The app's page.
    index : int
        Which map, in page order (st_folium hashes its key into the container's class,
        so the key cannot select it).
    timeout_ms : float
        How long to wait for the iframe.
    """
    from playwright.sync_api import Error as PlaywrightError

    iframe = page.locator('iframe[title="streamlit_folium.st_folium"]').nth(index)
    iframe.wait_for(state="attached", timeout=timeout_ms)
    # A freshly attached (or replaced) iframe has no document for a moment: ask again.
    deadline = time.perf_counter() + timeout_ms / 1000
    while time.perf_counter() < deadline:
        try:
            frame = iframe.element_handle(timeout=timeout_ms).content_frame()
        except PlaywrightError:
            frame = None
        if frame is not None:
            return frame
        time.sleep(0.05)
    msg = "streamlit-folium iframe has no frame"
    raise HarnessError(msg)


def wait_for_map(frame: Any, timeout_ms: float = 30_000) -> None:
    """Wait until Leaflet has created and loaded the map inside the iframe."""
    frame.wait_for_function(
        "() => window.L !== undefined && window.map !== undefined && window.map._loaded",
        timeout=timeout_ms,
    )


#: Counts the point markers (Marker, CircleMarker, clustered markers) shown on the map,
#: in all, or in the layer-control overlay of a given name (0 when it is switched off, -1
#: when no overlay has that name).  st_folium evaluates the layer control inside a function,
#: so the control object is not reachable; its checkboxes carry Leaflet's id of their layer.
_COUNT_POINTS_JS = """
(overlay) => {
  const map = window.map;
  const isCluster = (l) => L.MarkerClusterGroup !== undefined && l instanceof L.MarkerClusterGroup;
  const isPoint = (l) => l instanceof L.CircleMarker || l instanceof L.Marker;
  const count = (layer) => {
    if (isCluster(layer)) return layer.getLayers().length;
    if (isPoint(layer)) return 1;
    if (typeof layer.getLayers === 'function') {
      return layer.getLayers().reduce((n, child) => n + count(child), 0);
    }
    return 0;
  };
  if (overlay === null) {
    let n = 0;
    // eachLayer also lists every group's children: count leaves and clusters only.
    map.eachLayer((l) => {
      if (isCluster(l)) n += l.getLayers().length;
      else if (isPoint(l) && !l.__parent) n += 1;
    });
    return n;
  }
  const labels = document.querySelectorAll('.leaflet-control-layers-overlays label');
  for (const label of labels) {
    if (label.innerText.trim() !== overlay) continue;
    const input = label.querySelector('input');
    const layer = map._layers[input.layerId];
    return input.checked && layer ? count(layer) : 0;
  }
  return -1;
}
"""


def count_points(frame: Any, overlay: str | None = None) -> int:
    """Count point markers shown on the map, or in one overlay (0 if off, -1 if absent)."""
    return int(frame.evaluate(_COUNT_POINTS_JS, overlay))


def overlay_names(frame: Any) -> list[str]:
    """Names of the layer-control overlays, as the control shows them."""
    names: list[str] = frame.evaluate(
        """() => Array.from(
            document.querySelectorAll('.leaflet-control-layers-overlays label'),
            (label) => label.innerText.trim())"""
    )
    return names


_OVERLAY_LATLNGS_JS = """
(overlay) => {
  const out = [];
  const collect = (layer) => {
    if (layer.getLatLng && (layer instanceof L.CircleMarker || layer instanceof L.Marker)) {
      const p = layer.getLatLng();
      out.push([p.lat, p.lng]);
    } else if (typeof layer.getLayers === 'function') layer.getLayers().forEach(collect);
  };
  for (const label of document.querySelectorAll('.leaflet-control-layers-overlays label')) {
    if (label.innerText.trim() !== overlay) continue;
    const layer = window.map._layers[label.querySelector('input').layerId];
    if (layer) collect(layer);
  }
  return out;
}
"""


def overlay_latlngs(frame: Any, overlay: str) -> list[tuple[float, float]]:
    """Positions of the points shown in one layer-control overlay."""
    return [(float(a), float(b)) for a, b in frame.evaluate(_OVERLAY_LATLNGS_JS, overlay)]


def wait_for_app_idle(page: Any, timeout_ms: float = 30_000, quiet_ms: float = 300) -> None:
    """Wait until no Streamlit script run is in progress (and none starts for ``quiet_ms``).

    Streamlit shows its status widget (with a "Stop" button) only while a run is going on.
    """
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    deadline = time.perf_counter() + timeout_ms / 1000
    quiet_since: float | None = None
    while time.perf_counter() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        now = time.perf_counter()
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif (now - quiet_since) * 1000 >= quiet_ms:
            return
        page.wait_for_timeout(50)
    msg = f"Streamlit still running after {timeout_ms / 1000:.0f} s"
    raise HarnessError(msg)


def poll(predicate: Callable[[], bool], timeout_s: float = 15.0, step_s: float = 0.05) -> bool:
    """Call ``predicate`` until it is true or the time is up; return its last answer."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        if predicate():
            return True
        time.sleep(step_s)
    return bool(predicate())
