"""Tests of etl._http.download with recorded responses (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import responses

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
