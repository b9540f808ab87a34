"""The optional online geocoder: setting, request, parsing and errors.

``data/nominatim_search_naamsestraat.json`` is a Nominatim ``format=jsonv2`` answer for
"naamsestraat leuven" written in the service's documented format (this machine has no
internet to record one), plus a row outside the region and a malformed row.

Requests go to real HTTP servers on 127.0.0.1 (``http.server`` in a thread) that are made to
misbehave: drip bytes, send huge or truncated bodies, redirect, ignore ``limit``.  No test
touches the network.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard import geocoding

REPLY = Path(__file__).parent / "data" / "nominatim_search_naamsestraat.json"
ENDPOINT = "https://geocoder.example.org/search"
#: A short deadline for the misbehaving-server tests, so they stay fast.
SHORT_S = 0.5

Behaviour = Callable[[http.server.BaseHTTPRequestHandler], None]


class _Handler(http.server.BaseHTTPRequestHandler):
    """Run the server's ``behaviour`` for every GET and record the request."""

    server: _Server

    def do_GET(self) -> None:
        self.server.seen.append((self.path, dict(self.headers)))
        with contextlib.suppress(OSError):  # the client hung up on a misbehaving server
            self.server.behaviour(self)

    def log_message(self, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, behaviour: Behaviour) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.behaviour = behaviour
        self.seen: list[tuple[str, dict[str, str]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/search"


@pytest.fixture
def serve() -> Iterator[Callable[[Behaviour], _Server]]:
    """Start local servers with a given behaviour; stop them after the test."""
    servers: list[_Server] = []

    def start(behaviour: Behaviour) -> _Server:
        server = _Server(behaviour)
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Most tests must not wait a second between requests; the limiter has its own tests."""
    monkeypatch.setattr(geocoding, "RATE_LIMITER", geocoding.RateLimiter(0.0))


def _answer(body: bytes, *, status: int = 200, length: int | None = None) -> Behaviour:
    """A server that answers ``body`` with a Content-Length (``length`` may lie)."""

    def behave(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body) if length is None else length))
        handler.end_headers()
        handler.wfile.write(body)

    return behave


def _places(count: int) -> bytes:
    """``count`` well-formed places, all inside the region (hand-made)."""
    rows = [
        {"lat": f"{50.87 + i * 0.001:.4f}", "lon": "4.70", "display_name": f"Place {i}"}
        for i in range(count)
    ]
    return json.dumps(rows).encode()


def test_setting_is_off_by_default() -> None:
    assert geocoding.configured_url({}, None) is None
    assert geocoding.configured_url({geocoding.GEOCODER_ENV: "  "}, {}) is None
    assert geocoding.configured_url({geocoding.GEOCODER_ENV: "file:///etc/passwd"}) is None


def test_setting_from_env_wins_over_secrets() -> None:
    secrets = {geocoding.SECRET_KEY: "https://secret.example/search"}
    assert geocoding.configured_url({}, secrets) == "https://secret.example/search"
    env = {geocoding.GEOCODER_ENV: ENDPOINT}
    assert geocoding.configured_url(env, secrets) == ENDPOINT


def test_parse_keeps_hits_in_the_region() -> None:
    hits = geocoding.parse_results(REPLY.read_bytes())
    assert [h.label.split(",")[0] for h in hits] == ["22", "Naamsestraat"]
    assert hits[0].lat == pytest.approx(50.8751213)
    assert hits[0].lon == pytest.approx(4.7035604)


@pytest.mark.parametrize("payload", [b"<html>busy</html>", b'{"error": "x"}'])
def test_parse_refuses_non_lists(payload: bytes) -> None:
    with pytest.raises(geocoding.GeocodingError, match="geocoder's answer"):
        geocoding.parse_results(payload)


def test_search_sends_a_bounded_request(serve: Callable[[Behaviour], _Server]) -> None:
    server = serve(_answer(REPLY.read_bytes()))
    hits = geocoding.search(server.url, " naamsestraat leuven ", language="nl")
    assert [h.label.split(",")[0] for h in hits] == ["22", "Naamsestraat"]
    path, headers = server.seen[0]
    assert headers["User-Agent"] == geocoding.USER_AGENT
    assert headers["Accept-Language"] == "nl"
    assert "Authorization" not in headers
    query = parse_qs(urlsplit(path).query)
    assert query["q"] == ["naamsestraat leuven"]
    assert query["bounded"] == ["1"]
    assert query["viewbox"] == ["4.45,51.05,5.15,50.7"]
    assert query["limit"] == [str(geocoding.MAX_RESULTS)]


@pytest.mark.parametrize(
    ("endpoint", "problem"),
    [
        ("file:///etc/passwd", "not http(s)"),
        ("http://[::1/search", "malformed host or port"),
        ("http://127.0.0.1:abc/search", "malformed host or port"),
        ("http://127.0.0.1:99999/search", "malformed host or port"),
        ("http://user:s3cret@/search", "no host or port 0"),
        ("https://", "no host or port 0"),
        ("http://127.0.0.1:1/se arch", "spaces or control characters"),
        ("http://127.0.0.1:1/search\x00", "spaces or control characters"),
    ],
)
def test_unusable_endpoints_are_refused_before_any_request(endpoint: str, problem: str) -> None:
    with pytest.raises(geocoding.GeocodingError, match="is not a usable URL") as caught:
        geocoding.search(endpoint, "naamsestraat")
    assert str(caught.value).endswith(problem)
    assert "s3cret" not in str(caught.value)


def test_short_queries_are_not_sent(serve: Callable[[Behaviour], _Server]) -> None:
    server = serve(_answer(b"[]"))
    assert geocoding.search(server.url, "ab") == []
    assert server.seen == []


@pytest.mark.parametrize("limit", [0, geocoding.MAX_RESULTS + 1])
def test_limit_outside_the_cap_is_a_programming_error(limit: int) -> None:
    with pytest.raises(ValueError, match="limit must be between"):
        geocoding.search(ENDPOINT, "naamsestraat", limit=limit)


def test_reply_is_cut_to_the_result_cap(serve: Callable[[Behaviour], _Server]) -> None:
    server = serve(_answer(_places(20)))  # a server that ignores ``limit``
    hits = geocoding.search(server.url, "naamsestraat")
    assert [h.label for h in hits] == [f"Place {i}" for i in range(geocoding.MAX_RESULTS)]
    hits = geocoding.search(server.url, "naamsestraat", limit=3)
    assert [h.label for h in hits] == ["Place 0", "Place 1", "Place 2"]


def _drip(head: bytes, body: bytes, every_s: float = 0.05) -> Behaviour:
    """A server that writes ``head`` and then ``body`` one byte at a time, slowly."""

    def behave(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.wfile.write(head)
        handler.wfile.flush()
        for byte in body:
            time.sleep(every_s)
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()

    return behave


_FORTY_S = b"[" + b" " * 800 + b"]"  # 802 bytes at 20 per second: 40 s in all


@pytest.mark.parametrize(
    ("head", "body"),
    [
        pytest.param(b"", b"HTTP/1.0 200 OK\r\n" + b"X-Pad: " + b"a" * 800, id="headers"),
        pytest.param(b"HTTP/1.0 200 OK\r\nContent-Length: 802\r\n\r\n", _FORTY_S, id="body-length"),
        pytest.param(b"HTTP/1.0 200 OK\r\n\r\n", _FORTY_S, id="body-until-close"),
    ],
)
def test_a_dripping_server_is_cut_off_at_the_total_deadline(
    serve: Callable[[Behaviour], _Server], head: bytes, body: bytes
) -> None:
    server = serve(_drip(head, body))
    started = time.monotonic()
    with pytest.raises(geocoding.GeocodingError, match=f"did not answer within {SHORT_S:g} s"):
        geocoding.search(server.url, "naamsestraat", timeout_s=SHORT_S)
    # Every single read arrives within the deadline, so only a total deadline stops it.
    assert time.monotonic() - started < SHORT_S + 2.0  # the drip alone would take 40 s


def test_a_silent_server_times_out(serve: Callable[[Behaviour], _Server]) -> None:
    server = serve(_drip(b"", b"", every_s=0.0))
    server.behaviour = lambda handler: time.sleep(3 * SHORT_S)
    with pytest.raises(geocoding.GeocodingError, match="did not answer within"):
        geocoding.search(server.url, "naamsestraat", timeout_s=SHORT_S)


def _huge_list() -> bytes:
    """Valid JSON with in-region places, four times the size cap (padding spaces)."""
    places = _places(2)
    return places[:-1] + b" " * (4 * geocoding.MAX_REPLY_BYTES) + b"]"


def test_a_declared_huge_reply_is_refused(serve: Callable[[Behaviour], _Server]) -> None:
    server = serve(_answer(_huge_list()))
    with pytest.raises(geocoding.GeocodingError, match="sent more than 512 kB"):
        geocoding.search(server.url, "naamsestraat")


def test_an_undeclared_huge_reply_is_refused(serve: Callable[[Behaviour], _Server]) -> None:
    def behave(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n")
        handler.wfile.write(_huge_list())  # no Content-Length: ends when the server closes

    server = serve(behave)
    with pytest.raises(geocoding.GeocodingError, match="sent more than 512 kB"):
        geocoding.search(server.url, "naamsestraat")


def test_a_reply_at_the_cap_is_read(serve: Callable[[Behaviour], _Server]) -> None:
    places = _places(2)
    body = places[:-1] + b" " * (geocoding.MAX_REPLY_BYTES - len(places)) + b"]"
    assert len(body) == geocoding.MAX_REPLY_BYTES
    server = serve(_answer(body))
    assert len(geocoding.search(server.url, "naamsestraat")) == 2


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirects_are_not_followed(serve: Callable[[Behaviour], _Server], status: int) -> None:
    elsewhere = serve(_answer(_places(3)))
    target = elsewhere.url.replace("127.0.0.1", "localhost")

    def redirect(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Location", target + "?q=x")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    server = serve(redirect)
    with pytest.raises(
        geocoding.GeocodingError, match=f"redirected the request \\(HTTP {status}\\)"
    ) as caught:
        geocoding.search(server.url, "naamsestraat")
    assert f"to localhost:{elsewhere.server_address[1]};" in str(caught.value)
    assert elsewhere.seen == []


def _chunked_cut(handler: http.server.BaseHTTPRequestHandler) -> None:
    """A chunked answer whose first chunk promises 1000 bytes and brings 20."""
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    handler.wfile.write(b"3e8\r\n" + b'[{"lat": "50.87", "l')
    handler.close_connection = True


@pytest.mark.parametrize(
    "behaviour",
    [
        pytest.param(_answer(b'[{"lat": "50.87", "lon"', length=1000), id="content-length"),
        pytest.param(_chunked_cut, id="chunked"),
    ],
)
def test_a_truncated_reply_is_one_line(
    serve: Callable[[Behaviour], _Server], behaviour: Behaviour
) -> None:
    server = serve(behaviour)  # the server closes the connection early
    with pytest.raises(geocoding.GeocodingError, match=r"sent a truncated answer$") as caught:
        geocoding.search(server.url, "naamsestraat")
    assert caught.value.__cause__ is None


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        (_answer(b"busy", status=429), r"answered HTTP 429 \(Too Many Requests\)$"),
        (_answer(b"", status=599), r"answered HTTP 599$"),
        (_answer(b"<html>busy</html>"), "geocoder's answer is not JSON"),
        (_answer(b"[" * 100_000 + b"]" * 100_000), "geocoder's answer is not JSON"),
        (_drip(b"NOT HTTP AT ALL\r\n\r\n", b"", every_s=0.0), "invalid HTTP answer"),
    ],
)
def test_errors_become_one_line(
    serve: Callable[[Behaviour], _Server], behaviour: Behaviour, message: str
) -> None:
    server = serve(behaviour)
    with pytest.raises(geocoding.GeocodingError, match=message) as caught:
        geocoding.search(server.url, "naamsestraat")
    if "JSON" not in message:  # parse errors do not name the host; transport errors do
        assert f"127.0.0.1:{server.server_address[1]}" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert caught.value.__cause__ is None  # the page shows the message, never a traceback


def test_an_unreachable_server_is_one_line() -> None:
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(geocoding.GeocodingError, match="cannot be reached"):
        geocoding.search(f"http://127.0.0.1:{port}/search", "naamsestraat")


def test_credentials_go_into_a_header_and_never_into_messages(
    serve: Callable[[Behaviour], _Server],
) -> None:
    server = serve(_answer(b"busy", status=503))
    endpoint = server.url.replace("http://", "http://user:s3cr%40t@")
    with pytest.raises(geocoding.GeocodingError, match="HTTP 503") as caught:
        geocoding.search(endpoint, "naamsestraat")
    assert "s3cr" not in str(caught.value)
    _, headers = server.seen[0]
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"user:s3cr@t").decode()
    assert "user" not in headers["Host"]


class _FakeClock:
    """A clock that only moves when someone sleeps (hand-made, for the rate limiter)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)


def test_rate_limiter_spaces_calls() -> None:
    clock = _FakeClock()
    limiter = geocoding.RateLimiter(1.5, clock=clock, sleep=clock.sleep)
    assert limiter.wait() == 0.0  # the first call goes at once
    clock.now += 0.5
    assert limiter.wait() == pytest.approx(1.0)  # 1.5 s after the first
    clock.now += 5.0
    assert limiter.wait() == 0.0  # long after the last one
    assert clock.slept == [pytest.approx(1.0)]


def test_rate_limiter_gives_concurrent_callers_distinct_turns() -> None:
    clock = _FakeClock()  # time stands still: every caller must queue behind the others
    limiter = geocoding.RateLimiter(1.0, clock=clock, sleep=clock.sleep)
    barrier = threading.Barrier(6)
    waits: list[float] = []

    def call() -> None:
        barrier.wait()
        waits.append(limiter.wait(max_wait_s=10.0))

    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def test_rate_limiter_refuses_a_long_queue() -> None:
    clock = _FakeClock()
    limiter = geocoding.RateLimiter(1.0, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        limiter.wait(max_wait_s=2.0)
    with pytest.raises(geocoding.GeocoderBusyError, match="try again in 3 s") as caught:
        limiter.wait(max_wait_s=2.0)
    assert caught.value.retry_after_s == pytest.approx(3.0)
    clock.now += 3.0  # the refused call took no turn: the next one is due now
    assert limiter.wait(max_wait_s=2.0) == 0.0


def test_the_process_wide_limit_is_one_request_per_second(
    serve: Callable[[Behaviour], _Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert geocoding.MIN_INTERVAL_S >= 1.0  # public Nominatim's usage policy
    clock = _FakeClock()
    shared = geocoding.RateLimiter(clock=clock, sleep=clock.sleep)
    monkeypatch.setattr(geocoding, "RATE_LIMITER", shared)
    server = serve(_answer(b"[]"))
    for query in ("naamsestraat", "tiensestraat", "bondgenotenlaan"):
        geocoding.search(server.url, query)
    assert len(server.seen) == 3
    assert clock.slept == [pytest.approx(1.0), pytest.approx(2.0)]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:s3cret@geo.example.org:8443/search?key=1", "geo.example.org:8443"),
        ("https://token@geo.example.org/search", "geo.example.org"),
        ("http://[::1]:8080/search", "[::1]:8080"),
        ("https://geo.example.org/search", "geo.example.org"),
        ("not a url", ""),
        ("http://[::1/search", ""),
    ],
)
def test_display_host_hides_credentials(url: str, shown: str) -> None:
    assert geocoding.display_host(url) == shown
