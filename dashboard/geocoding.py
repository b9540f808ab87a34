"""Optional online address search through a Nominatim-compatible ``/search`` endpoint.

Off by default: the app searches its offline index (OSM addresses of central Leuven and
school addresses).  An operator switches the online geocoder on by naming its endpoint in
the environment variable :data:`GEOCODER_ENV` or in ``.streamlit/secrets.toml`` as
``geocoder_url``.  Only the standard library is used (the project keeps ``requests`` in
``etl/_http.py``).  Results are limited to the covered region (:data:`REGION_BBOX`) both in
the request (``viewbox`` + ``bounded``) and again here, since not every server honours it.

The server is trusted no further than needed: the whole request has one deadline
(:data:`TIMEOUT_S`), the answer at most :data:`MAX_REPLY_BYTES` and :data:`MAX_RESULTS`
places, redirects are never followed, credentials in the URL are never shown
(:func:`display_host`), and all sessions of the process share one rate limit
(:data:`RATE_LIMITER`, one request per :data:`MIN_INTERVAL_S`).  Every failure becomes a
:class:`GeocodingError` with a one-line message.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http
import http.client
import json
import math
import os
import socket
import ssl
import threading
import time
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
#: Deadline for the whole request (connect, TLS, headers and body), not per socket read:
#: a server that drips one byte at a time is cut off after this many seconds.  Name
#: resolution is left to the system resolver's own timeout.
TIMEOUT_S: Final = 6.0
#: At most this many places are asked for and kept from an answer.
MAX_RESULTS: Final = 8
#: Answers longer than this many bytes are refused (eight Nominatim ``jsonv2`` places take
#: about 8 kB; this leaves room for servers that add detail).
MAX_REPLY_BYTES: Final = 512 * 1024
#: Process-wide minimum spacing of requests in seconds: the public Nominatim usage policy
#: allows one request per second, and every Streamlit session shares this process.
MIN_INTERVAL_S: Final = 1.0
#: A request that would have to queue longer than this for its turn is refused instead.
MAX_QUEUE_S: Final = 5.0
#: Labels longer than this are cut (a place name, not a document).
MAX_LABEL_CHARS: Final = 300
_READ_CHUNK: Final = 64 * 1024
#: Shorter queries are refused locally (a public geocoder is not an autocomplete service).
MIN_QUERY_CHARS: Final = 3


class GeocodingError(Exception):
    """The online geocoder could not answer; the message is shown to the user as is."""


class GeocoderBusyError(GeocodingError):
    """Too many requests are queued for the process-wide rate limit.

    Attributes
    ----------
    retry_after_s : float
        Seconds after which a request would get its turn without queueing.
    """

    def __init__(self, retry_after_s: float) -> None:
        self.retry_after_s = retry_after_s
        msg = f"too many address searches at once; try again in {math.ceil(retry_after_s)} s"
        super().__init__(msg)


class RateLimiter:
    """Space calls at least ``interval_s`` apart across all threads of the process.

    Each caller reserves the next free slot under a lock and sleeps outside it, so
    concurrent callers get distinct slots ``interval_s`` apart and nobody holds the lock
    while waiting.

    Parameters
    ----------
    interval_s : float
        Minimum spacing between the starts of two calls.
    clock, sleep : callable, optional
        ``time.monotonic`` and ``time.sleep`` (injectable so tests need not wait).
    """

    def __init__(
        self,
        interval_s: float = MIN_INTERVAL_S,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval_s = interval_s
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_free = -math.inf

    def wait(self, max_wait_s: float = MAX_QUEUE_S) -> float:
        """Wait for this caller's turn; return the seconds waited.

        Raises
        ------
        GeocoderBusyError
            When the turn is more than ``max_wait_s`` away (no slot is taken then).
        """
        with self._lock:
            now = self._clock()
            start = max(now, self._next_free)
            if start - now > max_wait_s:
                raise GeocoderBusyError(start - now)
            self._next_free = start + self.interval_s
        delay = start - now
        if delay > 0:
            self._sleep(delay)
        return delay


#: The limiter every :func:`search` call in this process goes through by default.
RATE_LIMITER: Final = RateLimiter()


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


def parse_results(payload: bytes | str, *, limit: int = MAX_RESULTS) -> list[GeocodeHit]:
    """Parse a Nominatim JSON answer; keep the first ``limit`` well-formed hits in the region.

    Raises
    ------
    GeocodingError
        When the answer is not a JSON list.
    """
    try:
        rows = json.loads(payload)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
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
            hits.append(GeocodeHit(label[:MAX_LABEL_CHARS], lat, lon))
            if len(hits) >= limit:
                break  # the server may ignore ``limit``; the page shows at most this many
    return hits


def search(
    endpoint: str,
    query: str,
    *,
    limit: int = MAX_RESULTS,
    timeout_s: float = TIMEOUT_S,
    language: str = "en",
    limiter: RateLimiter | None = None,
) -> list[GeocodeHit]:
    """Ask the geocoder for ``query``; return at most ``limit`` hits inside the region.

    Parameters
    ----------
    endpoint : str
        A Nominatim-compatible ``/search`` URL; ``user:password@`` in it is sent as HTTP
        basic authentication and never shown.
    query : str
        Free text; fewer than :data:`MIN_QUERY_CHARS` characters returns nothing.
    limit : int
        Places to ask for and keep, 1 to :data:`MAX_RESULTS`.
    timeout_s : float
        Deadline for the whole request (:data:`TIMEOUT_S`).
    language : str
        ``Accept-Language`` of the request.
    limiter : RateLimiter, optional
        Spacing of requests; default the process-wide :data:`RATE_LIMITER`.

    Raises
    ------
    GeocodingError
        On a deadline passed, an HTTP or network error, a redirect (never followed), an
        answer over :data:`MAX_REPLY_BYTES` or truncated or unreadable, or when too many
        requests queue for the rate limit (:class:`GeocoderBusyError`).
    ValueError
        When ``limit`` is outside 1 to :data:`MAX_RESULTS` (a programming error).
    """
    if not 1 <= limit <= MAX_RESULTS:
        msg = f"limit must be between 1 and {MAX_RESULTS}, not {limit}"
        raise ValueError(msg)
    _check_endpoint(endpoint)
    text = query.strip()
    if len(text) < MIN_QUERY_CHARS:
        return []
    request = _request(search_url(endpoint, text, limit=limit), language)
    (limiter or RATE_LIMITER).wait()
    payload = _fetch(request, display_host(endpoint), timeout_s)
    return parse_results(payload, limit=limit)


def _check_endpoint(endpoint: str) -> None:
    """Refuse a setting that is not an http(s) URL with a host (before any request).

    Raises
    ------
    GeocodingError
        Naming the host only (the URL may carry credentials).
    """
    msg = f"the geocoder setting ({display_host(endpoint) or 'no host'}) is not a usable URL: "
    if not endpoint.startswith(("http://", "https://")):
        raise GeocodingError(msg + "not http(s)")  # urllib would otherwise open file:// URLs
    if any(c.isspace() or not c.isprintable() for c in endpoint):
        raise GeocodingError(msg + "it contains spaces or control characters")
    try:
        parts = urllib.parse.urlsplit(endpoint)
        port = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError:
        raise GeocodingError(msg + "malformed host or port") from None
    if not parts.hostname or port == 0:
        raise GeocodingError(msg + "no host or port 0")


def _request(url: str, language: str) -> urllib.request.Request:
    """Build the request; credentials in the URL move into an ``Authorization`` header."""
    parts = urllib.parse.urlsplit(url)
    headers = {"User-Agent": USER_AGENT, "Accept-Language": language}
    if parts.username is not None or parts.password is not None:
        user = urllib.parse.unquote(parts.username or "")
        password = urllib.parse.unquote(parts.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
        parts = parts._replace(netloc=parts.netloc.rpartition("@")[2])
    return urllib.request.Request(urllib.parse.urlunsplit(parts), headers=headers)


def _fetch(request: urllib.request.Request, host: str, timeout_s: float) -> bytes:
    """Send ``request`` and read the body under one deadline; every failure is one line."""
    watchdog = _Watchdog(timeout_s)
    opener = urllib.request.build_opener(
        _GuardedHTTPHandler(watchdog), _GuardedHTTPSHandler(watchdog), _RefuseRedirects()
    )
    try:
        with watchdog, opener.open(request, timeout=timeout_s) as response:
            payload = _read_capped(response, host)
    except (GeocodingError, OSError, http.client.HTTPException, ValueError) as exc:
        # OSError covers urllib's URLError/HTTPError, socket and TLS errors; ValueError
        # covers URLs http.client cannot encode.
        if watchdog.fired:
            raise _deadline_error(host, timeout_s) from None
        raise _transport_error(host, timeout_s, exc) from None
    if watchdog.fired:  # a body without Content-Length cut off by the watchdog looks complete
        raise _deadline_error(host, timeout_s)
    return payload


def _read_capped(response: Any, host: str) -> bytes:
    """Read the body, refusing more than :data:`MAX_REPLY_BYTES` (before reading if declared)."""
    too_big = (
        f"the geocoder at {host} sent more than {MAX_REPLY_BYTES // 1024} kB; the answer is refused"
    )
    declared = str(response.headers.get("Content-Length") or "").strip()
    length = int(declared) if declared.isascii() and declared.isdigit() else None
    if length is not None and length > MAX_REPLY_BYTES:
        raise GeocodingError(too_big)
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(_READ_CHUNK):
        size += len(chunk)
        if size > MAX_REPLY_BYTES:
            raise GeocodingError(too_big)
        chunks.append(chunk)
    if length is not None and size < length:
        # read(amount) ends quietly at an early close; read() would raise IncompleteRead.
        raise http.client.IncompleteRead(b"".join(chunks), length - size)
    return b"".join(chunks)


def _transport_error(host: str, timeout_s: float, exc: Exception) -> GeocodingError:
    """Turn whatever failed in the request into one :class:`GeocodingError`."""
    if isinstance(exc, GeocodingError):
        return exc
    if isinstance(exc, urllib.error.HTTPError):
        exc.close()  # it holds the response
        return _http_error(host, exc.code, exc.headers.get("Location"))
    reason = getattr(exc, "reason", exc)  # a connect timeout arrives wrapped in URLError
    if isinstance(reason, TimeoutError):
        return _deadline_error(host, timeout_s)
    if isinstance(exc, http.client.IncompleteRead):
        return GeocodingError(f"the geocoder at {host} sent a truncated answer")
    if isinstance(exc, http.client.HTTPException):
        name = type(exc).__name__
        return GeocodingError(f"the geocoder at {host} sent an invalid HTTP answer ({name})")
    return GeocodingError(f"the geocoder at {host} cannot be reached ({_one_line(reason)})")


def _deadline_error(host: str, timeout_s: float) -> GeocodingError:
    return GeocodingError(f"the geocoder at {host} did not answer within {timeout_s:g} s")


def _http_error(host: str, code: int, location: str | None) -> GeocodingError:
    """Describe an HTTP status other than 200 (leaving the server's own text out)."""
    if 300 <= code < 400:
        target = display_host(urllib.parse.urljoin(f"http://{host}/", location or "")) or "?"
        msg = (
            f"the geocoder at {host} redirected the request (HTTP {code}) to {target}; "
            "redirects are not followed, so set the geocoder URL to the final address"
        )
        return GeocodingError(msg)
    try:
        phrase = f" ({http.HTTPStatus(code).phrase})"
    except ValueError:
        phrase = ""
    return GeocodingError(f"the geocoder at {host} answered HTTP {code}{phrase}")


def _one_line(reason: object) -> str:
    """Put the reason of a network error on one short line."""
    return " ".join(str(reason).split())[:200]


class _Watchdog:
    """Shut the request's sockets down when the total deadline passes.

    A socket timeout only bounds each read, so a server sending one byte per read never
    trips it.  Shutting the socket down from a timer thread wakes the blocked read with an
    end of file or an error, whatever phase (TLS handshake, headers, body) it is in.
    """

    def __init__(self, timeout_s: float) -> None:
        self.fired = False
        self._lock = threading.Lock()
        self._connections: list[http.client.HTTPConnection] = []
        # urllib detaches the socket from its connection once the headers are in, so the
        # sockets are kept here for the body.
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(timeout_s, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()

    def add_connection(self, conn: http.client.HTTPConnection) -> None:
        """Watch ``conn``'s socket while it connects (TCP, then TLS)."""
        with self._lock:
            self._connections.append(conn)

    def add_socket(self, sock: socket.socket) -> None:
        """Watch a connected socket (shut at once when the deadline already passed)."""
        with self._lock:
            self._sockets.append(sock)
            if self.fired:
                _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in [c.sock for c in self._connections] + self._sockets:
                if sock is not None:
                    _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    """Shut both directions of ``sock``, waking any thread blocked on it."""
    # The base class's shutdown: SSLSocket's would drop its SSL state under the reading
    # thread.  OSError: already closed.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _WatchedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection that registers itself and its socket with a :class:`_Watchdog`."""

    def __init__(self, host: str, *, watchdog: _Watchdog, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self._watchdog = watchdog

    def connect(self) -> None:
        """Connect (and, for HTTPS, shake hands) under the watchdog."""
        self._watchdog.add_connection(self)
        super().connect()
        self._watchdog.add_socket(self.sock)


class _WatchedHTTPSConnection(_WatchedHTTPConnection, http.client.HTTPSConnection):
    """The HTTPS variant (``connect`` runs HTTPSConnection's, TLS included)."""


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self._watchdog = watchdog

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        factory = functools.partial(_WatchedHTTPConnection, watchdog=self._watchdog)
        return self.do_open(factory, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self._watchdog = watchdog
        self._tls = ssl.create_default_context()

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        factory = functools.partial(_WatchedHTTPSConnection, watchdog=self._watchdog)
        return self.do_open(factory, req, context=self._tls)


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """Never follow a redirect: it surfaces as an ``HTTPError`` with a 3xx code."""

    def redirect_request(self, *args: Any) -> None:
        return None
