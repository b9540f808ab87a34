"""The only module of the project that talks HTTP.

``download`` fetches one URL into a file with a timeout, retries with exponential
backoff on connection errors, 429 and 5xx answers, a clear User-Agent, and an on-disk
cache keyed by URL (a second call for the same URL reads the cache).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from pathlib import Path

import requests

from etl.errors import FetchError
from etl.settings import Settings, default_settings
from geodata.io import atomic_path

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


def cache_path_for(url: str, settings: Settings) -> Path:
    """Return the cache file that holds the body of ``url``."""
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]
    return settings.raw_dir / ".http_cache" / digest


def _get_with_retries(
    session: requests.Session, url: str, settings: Settings, params: dict[str, str] | None
) -> requests.Response:
    last_problem = ""
    for attempt in range(settings.retries + 1):
        if attempt:
            wait = settings.backoff_s * 2 ** (attempt - 1)
            log.info("retrying %s in %.1f s (%s)", url, wait, last_problem)
            time.sleep(wait)
        try:
            response = session.get(
                url,
                params=params,
                timeout=settings.timeout_s,
                headers={"User-Agent": settings.user_agent},
                stream=True,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            last_problem = f"{type(exc).__name__}: {exc}"
            continue
        if response.status_code in RETRY_STATUS:
            last_problem = f"HTTP {response.status_code}"
            response.close()
            continue
        if response.status_code >= 400:
            msg = f"download of {url} failed: HTTP {response.status_code}"
            raise FetchError(msg)
        return response
    msg = f"download of {url} failed after {settings.retries + 1} attempts: {last_problem}"
    raise FetchError(msg)


def download(
    url: str,
    dest: Path,
    *,
    settings: Settings | None = None,
    session: requests.Session | None = None,
    params: dict[str, str] | None = None,
    use_cache: bool = True,
) -> Path:
    """Download ``url`` to ``dest`` (atomically) and return ``dest``.

    Parameters
    ----------
    url : str
        The address to fetch.
    dest : Path
        Target file; its folder is created.  The previous file stays if the download fails.
    settings : Settings, optional
        Timeout, retries, backoff, User-Agent and cache folder.
    session : requests.Session, optional
        Reused connection pool (tests pass one whose responses are recorded).
    params : dict, optional
        Query parameters.
    use_cache : bool
        Read the on-disk cache when it has this URL.

    Raises
    ------
    FetchError
        After the last retry, or at once on a 4xx answer other than 429.
    """
    settings = settings or default_settings()
    cache_key = (
        url if not params else url + "?" + "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    )
    cached = cache_path_for(cache_key, settings)
    if use_cache and cached.exists():
        log.info("cache hit for %s", url)
    else:
        session = session or requests.Session()
        started = time.perf_counter()
        with (
            _get_with_retries(session, url, settings, params) as response,
            atomic_path(cached) as tmp,
        ):
            with tmp.open("wb") as fh:
                for chunk in response.iter_content(chunk_size=1 << 16):
                    fh.write(chunk)
            size = tmp.stat().st_size
        log.info(
            "downloaded %d kB from %s in %.1f s",
            size // 1024,
            url,
            time.perf_counter() - started,
        )
    with atomic_path(dest) as tmp:
        shutil.copyfile(cached, tmp)
    return dest
