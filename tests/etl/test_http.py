"""Tests of etl._http.download with recorded responses (no network)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
import urllib3

from etl import _http
from etl.errors import FetchError
from etl.settings import Settings

URL = "https://example.org/data/file.csv"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(raw_dir=tmp_path / "raw", retries=2, backoff_s=0.0, timeout_s=5)


@responses.activate
def test_download_sends_user_agent_and_caches(settings: Settings, tmp_path: Path) -> None:
    responses.get(URL, body=b"a,b\n1,2\n")
    dest = _http.download(URL, tmp_path / "out" / "file.csv", settings=settings)
    assert dest.read_bytes() == b"a,b\n1,2\n"
    assert responses.calls[0].request.headers["User-Agent"] == settings.user_agent
    _http.download(URL, tmp_path / "again.csv", settings=settings)
    assert len(responses.calls) == 1  # second call served from the on-disk cache


@responses.activate
def test_download_retries_on_503_then_succeeds(settings: Settings, tmp_path: Path) -> None:
    responses.get(URL, status=503)
    responses.get(URL, status=429)
    responses.get(URL, body=b"ok")
    dest = _http.download(URL, tmp_path / "f", settings=settings)
    assert dest.read_bytes() == b"ok"
    assert len(responses.calls) == 3


@responses.activate
def test_download_gives_up_and_keeps_previous_file(settings: Settings, tmp_path: Path) -> None:
    responses.get(URL, body=requests.ConnectionError("refused"))
    dest = tmp_path / "f"
    dest.write_text("previous")
    with pytest.raises(FetchError, match="after 3 attempts"):
        _http.download(URL, dest, settings=settings)
    assert dest.read_text() == "previous"


@responses.activate
def test_download_404_fails_at_once(settings: Settings, tmp_path: Path) -> None:
    responses.get(URL, status=404)
    with pytest.raises(FetchError, match="HTTP 404"):
        _http.download(URL, tmp_path / "f", settings=settings)
    assert len(responses.calls) == 1


# --- cache expiry: conditional requests, --refresh, failures -----------------------------

ETAG_1, ETAG_2 = '"v1-5e4a"', '"v2-77c0"'
LAST_MODIFIED = "Tue, 01 Dec 2026 08:00:00 GMT"


def _age_cache_entry(settings: Settings, seconds: float) -> None:
    """Pretend the server last vouched for the cached copy ``seconds`` ago."""
    entry = _http.entry_path_for(_http.cache_path_for(URL, settings))
    data = json.loads(entry.read_text())
    data["fetched_at"] -= seconds
    entry.write_text(json.dumps(data))


def _sent(call: int, header: str) -> str | None:
    return responses.calls[call].request.headers.get(header)


@responses.activate
def test_recent_copy_is_used_and_an_older_one_revalidated(
    settings: Settings, tmp_path: Path
) -> None:
    responses.get(URL, body=b"v1", headers={"ETag": ETAG_1})
    dest = tmp_path / "f.csv"
    _http.download(URL, dest, settings=settings)
    _age_cache_entry(settings, settings.cache_max_age_s - 60)
    _http.download(URL, dest, settings=settings)
    assert len(responses.calls) == 1  # still younger than the max age
    _age_cache_entry(settings, 120)
    responses.replace(responses.GET, URL, status=304)
    _http.download(URL, dest, settings=settings)
    assert len(responses.calls) == 2
    assert _sent(1, "If-None-Match") == ETAG_1


@responses.activate
def test_304_keeps_the_cached_copy_and_restarts_its_age(settings: Settings, tmp_path: Path) -> None:
    responses.get(URL, body=b"v1", headers={"ETag": ETAG_1, "Last-Modified": LAST_MODIFIED})
    dest = tmp_path / "f.csv"
    _http.download(URL, dest, settings=settings)
    cached = _http.cache_path_for(URL, settings)
    stamp = cached.stat().st_mtime_ns
    _age_cache_entry(settings, 2 * settings.cache_max_age_s)
    responses.replace(responses.GET, URL, status=304)
    dest.write_bytes(b"edited by hand")
    _http.download(URL, dest, settings=settings)
    assert _sent(1, "If-None-Match") == ETAG_1
    assert _sent(1, "If-Modified-Since") == LAST_MODIFIED
    assert dest.read_bytes() == b"v1"
    assert cached.stat().st_mtime_ns == stamp  # the copy itself was not rewritten
    _http.download(URL, dest, settings=settings)
    assert len(responses.calls) == 2  # revalidated just now: fresh again


@responses.activate
def test_new_body_replaces_the_copy_and_its_validators(settings: Settings, tmp_path: Path) -> None:
    responses.get(URL, body=b"v1", headers={"ETag": ETAG_1})
    dest = tmp_path / "f.csv"
    _http.download(URL, dest, settings=settings)
    _age_cache_entry(settings, 2 * settings.cache_max_age_s)
    responses.replace(responses.GET, URL, body=b"v2", headers={"ETag": ETAG_2})
    _http.download(URL, dest, settings=settings)
    assert dest.read_bytes() == b"v2"
    assert _http.cache_path_for(URL, settings).read_bytes() == b"v2"
    _age_cache_entry(settings, 2 * settings.cache_max_age_s)
    responses.replace(responses.GET, URL, status=304)
    _http.download(URL, tmp_path / "g.csv", settings=settings)
    assert _sent(2, "If-None-Match") == ETAG_2
    assert (tmp_path / "g.csv").read_bytes() == b"v2"


@responses.activate
def test_refresh_downloads_a_recent_copy_again_unconditionally(
    settings: Settings, tmp_path: Path
) -> None:
    responses.get(URL, body=b"v1", headers={"ETag": ETAG_1, "Last-Modified": LAST_MODIFIED})
    dest = tmp_path / "f.csv"
    _http.download(URL, dest, settings=settings)
    responses.replace(responses.GET, URL, body=b"v2")
    _http.download(URL, dest, settings=settings, refresh=True)
    assert len(responses.calls) == 2
    assert _sent(1, "If-None-Match") is None and _sent(1, "If-Modified-Since") is None
    assert dest.read_bytes() == b"v2"


@responses.activate
def test_failed_revalidation_keeps_the_previous_files(settings: Settings, tmp_path: Path) -> None:
    responses.get(URL, body=b"v1", headers={"ETag": ETAG_1})
    dest = tmp_path / "f.csv"
    _http.download(URL, dest, settings=settings)
    _age_cache_entry(settings, 2 * settings.cache_max_age_s)
    responses.replace(responses.GET, URL, status=503)
    with pytest.raises(FetchError, match="after 3 attempts: HTTP 503"):
        _http.download(URL, dest, settings=settings)
    assert dest.read_bytes() == b"v1"
    assert _http.cache_path_for(URL, settings).read_bytes() == b"v1"


@responses.activate
def test_failed_refresh_keeps_the_previous_files(settings: Settings, tmp_path: Path) -> None:
    responses.get(URL, body=b"v1")
    dest = tmp_path / "f.csv"
    _http.download(URL, dest, settings=settings)
    responses.replace(responses.GET, URL, body=requests.ConnectionError("refused"))
    with pytest.raises(FetchError, match="after 3 attempts"):
        _http.download(URL, dest, settings=settings, refresh=True)
    assert dest.read_bytes() == b"v1"
    _http.download(URL, tmp_path / "g.csv", settings=settings)  # still served from the cache
    assert (tmp_path / "g.csv").read_bytes() == b"v1"
    assert len(responses.calls) == 4


class _BreaksOff(io.RawIOBase):
    """A body that sends a few bytes, then loses the connection."""

    def __init__(self) -> None:
        self.sent = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.sent:
            raise urllib3.exceptions.ProtocolError("Connection broken: IncompleteRead")
        self.sent = True
        buffer[:4] = b"v2-p"
        return 4


@responses.activate
def test_body_breaking_off_is_a_fetch_error_and_keeps_the_copy(
    settings: Settings, tmp_path: Path
) -> None:
    responses.get(URL, body=b"v1")
    dest = tmp_path / "f.csv"
    _http.download(URL, dest, settings=settings)
    responses.replace(responses.GET, URL, body=io.BufferedReader(_BreaksOff(), buffer_size=4))
    with pytest.raises(FetchError, match="broke off"):
        _http.download(URL, dest, settings=settings, refresh=True)
    assert dest.read_bytes() == b"v1"
    assert _http.cache_path_for(URL, settings).read_bytes() == b"v1"
    leftovers = [p.name for p in dest.parent.rglob("*.tmp")]
    assert leftovers == []


@responses.activate
def test_copy_replaced_without_its_entry_is_downloaded_again(
    settings: Settings, tmp_path: Path
) -> None:
    responses.get(URL, body=b"v1", headers={"ETag": ETAG_1})
    _http.download(URL, tmp_path / "f.csv", settings=settings)
    # a fetch killed between writing the copy and its entry: the entry describes another copy
    _http.cache_path_for(URL, settings).write_bytes(b"v2 from a killed fetch")
    responses.replace(responses.GET, URL, body=b"v3", headers={"ETag": '"v3"'})
    _http.download(URL, tmp_path / "f.csv", settings=settings)
    assert _sent(1, "If-None-Match") is None  # v1's ETag would vouch for the wrong bytes
    assert (tmp_path / "f.csv").read_bytes() == b"v3"
