"""Optional online address search through a Nominatim-compatible ``/search`` endpoint.

Off by default: the app searches its offline index (OSM addresses of central Leuven and
school addresses).  An operator switches the online geocoder on by naming its endpoint in
the environment variable :data:`GEOCODER_ENV` or in ``.streamlit/secrets.toml`` as
``geocoder_url``.  Only the standard library is used (the project keeps ``requests`` in
``etl/_http.py``).  Results are limited to the covered region (:data:`REGION_BBOX`) both in
the request (``viewbox`` + ``bounded``) and again here, since not every server honours it.
Every failure becomes a :class:`GeocodingError` with a one-line message.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

#: Environment variable naming the endpoint, e.g. ``https://nominatim.example.org/search``.
GEOCODER_ENV: Final = "LEUVEN_ATLAS_GEOCODER_URL"
#: Key of the same setting in ``st.secrets``.
SECRET_KEY: Final = "geocoder_url"
#: The covered region as (min lon, min lat, max lon, max lat), EPSG:4326.
REGION_BBOX: Final = (4.45, 50.70, 5.15, 51.05)
#: Nominatim's usage policy asks for an identifying User-Agent.
USER_AGENT: Final = "LeuvenAtlas/0.1 (Streamlit dashboard; address search)"
TIMEOUT_S: Final = 6.0
MAX_RESULTS: Final = 8
#: Shorter queries are refused locally (a public geocoder is not an autocomplete service).
MIN_QUERY_CHARS: Final = 3

Opener = Callable[..., Any]


class GeocodingError(Exception):
    """The online geocoder could not answer; the message is shown to the user as is."""


@dataclass(frozen=True)
class GeocodeHit:
    """One place found by the geocoder."""

    label: str
    lat: float
    lon: float


def configured_url(
    environ: Mapping[str, str] | None = None, secrets: Mapping[str, Any] | None = None
) -> str | None:
    """Return the endpoint when the online geocoder is switched on, else None.

    Parameters
    ----------
    environ : mapping, optional
        Environment (default ``os.environ``); :data:`GEOCODER_ENV` wins over secrets.
    secrets : mapping, optional
        Streamlit secrets (or any mapping) that may hold :data:`SECRET_KEY`.
    """
    env = os.environ if environ is None else environ
    for value in (env.get(GEOCODER_ENV), (secrets or {}).get(SECRET_KEY)):
        if isinstance(value, str) and value.strip().startswith(("http://", "https://")):
            return value.strip()
    return None


def display_host(url: str) -> str:
    """Return the host and port of ``url`` without any user name or password.

    The configured endpoint may carry credentials (``https://user:secret@host/search``);
    captions and error messages show only this part.  Never raises.

    Parameters
    ----------
    url : str
        Any string; a URL without a host (or not a URL) gives ``""``.

    Examples
    --------
    >>> display_host("https://user:secret@geo.example.org:8443/search?key=1")
    'geo.example.org:8443'
    """
    try:
        netloc = urllib.parse.urlsplit(url.strip()).netloc
    except ValueError:  # e.g. an unbalanced "[" in an IPv6 literal
        return ""
    # urllib splits user info off at the last "@" as well, so this is the host it connects to.
    return netloc.rpartition("@")[2]


def search_url(endpoint: str, query: str, *, limit: int = MAX_RESULTS) -> str:
    """Build the request URL: JSON, bounded to :data:`REGION_BBOX`, Belgium only."""
    west, south, east, north = REGION_BBOX
    params = {
        "q": query,
        "format": "jsonv2",
        "limit": str(limit),
        "viewbox": f"{west},{north},{east},{south}",
        "bounded": "1",
        "countrycodes": "be",
    }
    separator = "&" if "?" in endpoint else "?"
    return endpoint + separator + urllib.parse.urlencode(params)


def parse_results(payload: bytes | str) -> list[GeocodeHit]:
    """Parse a Nominatim JSON answer; keep well-formed hits inside the region.

    Raises
    ------
    GeocodingError
        When the answer is not a JSON list.
    """
    try:
        rows = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        msg = "the geocoder's answer is not JSON"
        raise GeocodingError(msg) from None
    if not isinstance(rows, list):
        msg = "the geocoder's answer is not a list of places"
        raise GeocodingError(msg)
    west, south, east, north = REGION_BBOX
    hits = []
    for row in rows:
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
            label = str(row.get("display_name") or row.get("name") or f"{lat:.5f},{lon:.5f}")
        except (KeyError, TypeError, ValueError):
            continue  # one malformed row does not spoil the others
        if west <= lon <= east and south <= lat <= north:
            hits.append(GeocodeHit(label, lat, lon))
    return hits


def search(
    endpoint: str,
    query: str,
    *,
    limit: int = MAX_RESULTS,
    timeout_s: float = TIMEOUT_S,
    language: str = "en",
    opener: Opener | None = None,
) -> list[GeocodeHit]:
    """Ask the geocoder for ``query``; return hits inside the covered region.

    Parameters
    ----------
    endpoint : str
        A Nominatim-compatible ``/search`` URL.
    query : str
        Free text; fewer than :data:`MIN_QUERY_CHARS` characters returns nothing.
    limit, timeout_s, language
        Result count, network timeout and ``Accept-Language``.
    opener : callable, optional
        ``urllib.request.urlopen`` (default; looked up at call time so tests can replace it).

    Raises
    ------
    GeocodingError
        On a timeout, an HTTP or network error, or an unreadable answer.
    """
    if not endpoint.startswith(("http://", "https://")):
        msg = f"the geocoder setting {endpoint!r} is not an http(s) URL"
        raise GeocodingError(msg)  # urlopen would otherwise open file:// URLs
    text = query.strip()
    if len(text) < MIN_QUERY_CHARS:
        return []
    request = urllib.request.Request(
        search_url(endpoint, text, limit=limit),
        headers={"User-Agent": USER_AGENT, "Accept-Language": language},
    )
    open_url = opener or urllib.request.urlopen
    host = display_host(endpoint) or "the configured URL"
    try:
        with open_url(request, timeout=timeout_s) as response:
            payload = response.read()
    except urllib.error.HTTPError as exc:
        msg = f"the geocoder at {host} answered HTTP {exc.code} ({exc.reason})"
        raise GeocodingError(msg) from None
    except (urllib.error.URLError, OSError) as exc:
        # A connect timeout arrives wrapped in URLError, a read timeout bare.
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            msg = f"the geocoder at {host} did not answer within {timeout_s:.0f} s"
        else:
            msg = f"the geocoder at {host} cannot be reached ({reason})"
        raise GeocodingError(msg) from None
    return parse_results(payload)
