"""The optional online geocoder: setting, request, parsing and errors (no network).

``data/nominatim_search_naamsestraat.json`` is a Nominatim ``format=jsonv2`` answer for
"naamsestraat leuven" written in the service's documented format (this machine has no
internet to record one), plus a row outside the region and a malformed row.
"""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard import geocoding

REPLY = Path(__file__).parent / "data" / "nominatim_search_naamsestraat.json"
ENDPOINT = "https://geocoder.example.org/search"


class _Reply(io.BytesIO):
    """What ``urlopen`` returns: a readable context manager."""


def _fake_urlopen(seen: list[Any], payload: bytes) -> Any:
    def urlopen(request: urllib.request.Request, timeout: float) -> _Reply:
        seen.append((request, timeout))
        return _Reply(payload)

    return urlopen


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


def test_search_sends_a_bounded_request(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(urllib.request, "urlopen", _fake_urlopen(seen, REPLY.read_bytes()))
    hits = geocoding.search(ENDPOINT, " naamsestraat leuven ", language="nl")
    assert len(hits) == 2
    request, timeout = seen[0]
    assert timeout == geocoding.TIMEOUT_S
    assert request.get_header("User-agent") == geocoding.USER_AGENT
    assert request.get_header("Accept-language") == "nl"
    query = parse_qs(urlsplit(request.full_url).query)
    assert query["q"] == ["naamsestraat leuven"]
    assert query["bounded"] == ["1"]
    assert query["viewbox"] == ["4.45,51.05,5.15,50.7"]


def test_non_http_endpoints_are_refused() -> None:
    with pytest.raises(geocoding.GeocodingError, match="not an http"):
        geocoding.search("file:///etc/passwd", "naamsestraat")


def test_short_queries_are_not_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(urllib.request, "urlopen", _fake_urlopen(seen, b"[]"))
    assert geocoding.search(ENDPOINT, "ab") == []
    assert seen == []


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (urllib.error.HTTPError(ENDPOINT, 429, "Too Many Requests", {}, None), "HTTP 429"),  # type: ignore[arg-type]
        (urllib.error.URLError(TimeoutError("timed out")), "did not answer within 6 s"),
        (TimeoutError("read timed out"), "did not answer within 6 s"),
        (urllib.error.URLError("Name or service not known"), "cannot be reached"),
    ],
)
def test_errors_become_one_line(
    monkeypatch: pytest.MonkeyPatch, error: Exception, message: str
) -> None:
    def urlopen(request: urllib.request.Request, timeout: float) -> Any:
        raise error

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    with pytest.raises(geocoding.GeocodingError, match=message) as caught:
        geocoding.search(ENDPOINT, "naamsestraat")
    assert "geocoder.example.org" in str(caught.value)
    assert caught.value.__cause__ is None  # the page shows the message, never a traceback


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


def test_error_messages_hide_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    def urlopen(request: urllib.request.Request, timeout: float) -> Any:
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    with pytest.raises(geocoding.GeocodingError) as caught:
        geocoding.search("https://user:s3cret@geo.example.org/search", "naamsestraat")
    assert "s3cret" not in str(caught.value)
    assert "geo.example.org" in str(caught.value)
