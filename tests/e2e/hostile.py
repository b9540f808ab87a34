"""Hand-made hostile test data for the browser XSS test: a snapshot copy and a fake geocoder.

Nothing here is real data.  :func:`hostile_snapshot` copies the committed snapshot to a
temporary folder and replaces, in the rows nearest Leuven station (so they are on the map
with the default view), every text column the map shows with a payload that runs script
or breaks the page if any context is escaped wrongly.  Each replaced value starts with a
marker naming its layer and column, so the test can tell which field it is looking at.
:class:`FakeGeocoder` is a Nominatim-compatible ``/search`` endpoint on loopback whose one
hit carries the same payload in its label.
"""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np

from tests.e2e.harness import PROJECT_ROOT

#: Every way text has broken out so far: a template-literal substitution, a backtick, a
#: backslash escape, the end of a script element, an HTML element with a handler, both
#: quotes and an entity that must not be decoded twice.
PAYLOAD = (
    "${alert(1)} `t Hoekske\\1 </script><script>alert(2)</script>"
    "<img src=x onerror=alert(3)> \"dq\" 'sq' &amp;"
)
#: Start of every injected value (then ``<layer>.<column>``).
MARKER = "XSS"
#: Leuven railway station: the replaced rows are the ones nearest to it.
NEAR = (50.88228, 4.71587)

#: Layer -> (text columns the map shows, how many rows nearest the station get payloads).
#: Only display columns: ids, codes and join keys stay intact so the app still computes.
SHOWN_TEXT: dict[str, tuple[tuple[str, ...], int]] = {
    "neighbourhoods": (("name", "municipality", "childcare_coverage"), 2),
    "schools": (("name", "levels", "net", "language", "address"), 2),
    "international_schools": (("name", "type", "curriculum", "coord_quality"), 1),
    "childcare": (("name", "category", "address", "coverage"), 2),
    "stations": (("name_nl", "name_fr"), 2),
    "bus_stops": (("name", "lines"), 2),
    "workplaces": (("name",), 1),
    "addresses": (("label",), 1),
}


def hostile_value(layer: str, column: str) -> str:
    """The injected text of ``layer.column``."""
    return f"{MARKER} {layer}.{column} {PAYLOAD}"


def hostile_snapshot(target: Path) -> dict[str, list[str]]:
    """Copy the committed snapshot to ``target`` with payloads in the shown text columns.

    Returns
    -------
    dict
        Layer -> ids (``id`` column, or the neighbourhood ``code``) of the changed rows.
    """
    shutil.copytree(
        PROJECT_ROOT / "geodata", target, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    changed = {}
    for layer, (columns, count) in SHOWN_TEXT.items():
        path = target / f"{layer}.parquet"
        frame = gpd.read_parquet(path)
        rows = _nearest(frame, count)
        for column in columns:
            frame[column] = frame[column].astype("string")
            frame.loc[rows, column] = hostile_value(layer, column)
        frame.to_parquet(path)
        key = "code" if layer == "neighbourhoods" else "id"
        changed[layer] = frame.loc[rows, key].astype(str).tolist()
    return changed


def _nearest(frame: gpd.GeoDataFrame, count: int) -> list[Any]:
    """Index labels of the ``count`` rows nearest Leuven station (in region, if flagged)."""
    pool = frame
    if "in_region" in frame.columns:
        pool = frame.loc[frame["in_region"].fillna(False).astype(bool)]
    points = pool.geometry.representative_point()
    lat, lon = NEAR
    # Degrees are enough to rank a few rows; longitude scaled for ~50.9° N.
    dist = np.hypot(points.y - lat, (points.x - lon) * 0.63)
    return list(dist.sort_values(kind="stable").index[:count])


class FakeGeocoder:
    """A Nominatim-compatible ``/search`` on loopback answering one hostile hit.

    Use as a context manager; :attr:`url` is the endpoint to configure.
    """

    label = f"{MARKER} geocoder {PAYLOAD}"

    def __init__(self, lat: float = 50.8790, lon: float = 4.7010) -> None:
        body = json.dumps([{"lat": str(lat), "lon": str(lon), "display_name": self.label}])
        payload = body.encode("utf-8")

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet test output

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/search"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGeocoder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
