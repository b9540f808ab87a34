"""The only module of the project that talks HTTP.

``download`` fetches one URL into a file with a timeout, retries with exponential
backoff on connection errors, 429 and 5xx answers, a clear User-Agent, and an on-disk
cache keyed by URL.  The cache expires: a copy younger than
:attr:`etl.settings.Settings.cache_max_age_s` is used as is; an older one is revalidated
with a conditional request (``If-None-Match`` with the stored ETag, ``If-Modified-Since``
with the stored Last-Modified), where ``304 Not Modified`` keeps the copy and ``200``
replaces it; ``refresh=True`` downloads again unconditionally.  A failed download never
touches the cached copy or the destination (both are replaced atomically).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import requests

from etl.errors import FetchError
from etl.settings import Settings, default_settings
from geodata.io import atomic_path, write_text_atomic

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


def cache_path_for(url: str, settings: Settings) -> Path:
    """Return the cache file that holds the body of ``url``."""
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]
    return settings.raw_dir / ".http_cache" / digest


@dataclass(frozen=True)
class CacheEntry:
    """What the cache knows about its copy of a URL (stored beside it as JSON).

    Attributes
    ----------
    url : str
        The address (with its query) the copy came from.
    fetched_at : float
        When the server last vouched for the copy (200 or 304), Unix seconds.
    etag, last_modified : str or None
        The server's validators, sent back in a conditional request.
    size, mtime_ns : int
        Size and modification time of the copy when the entry was written: a copy
        replaced without its entry (a build killed between the two writes) no longer
        matches, so its stale validators are never sent.
    """

    url: str
    fetched_at: float
    etag: str | None
    last_modified: str | None
    size: int
    mtime_ns: int


def entry_path_for(cached: Path) -> Path:
    """Return the JSON file that describes the cached copy ``cached``."""
    return cached.with_name(cached.name + ".json")


def load_entry(cached: Path) -> CacheEntry | None:
    """Return the entry of a cached copy, or ``None`` when it is missing or does not match."""
    try:
        data = json.loads(entry_path_for(cached).read_text(encoding="utf-8"))
        entry = CacheEntry(**data)
        stat = cached.stat()
    except (OSError, ValueError, TypeError):
        return None  # no copy, no entry, or an entry of another format: download again
    if (entry.size, entry.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
        return None
    return entry


def _save_entry(cached: Path, url: str, headers: Mapping[str, str], old: CacheEntry | None) -> None:
    """Record that the server vouched for ``cached`` now, with its (possibly new) validators."""
    stat = cached.stat()
    entry = CacheEntry(
        url=url,
        fetched_at=time.time(),
        etag=headers.get("ETag") or (old.etag if old else None),
        last_modified=headers.get("Last-Modified") or (old.last_modified if old else None),
        size=stat.st_size,
        mtime_ns=stat.st_mtime_ns,
    )
    write_text_atomic(entry_path_for(cached), json.dumps(asdict(entry), indent=2) + "\n")


def _conditional_headers(entry: CacheEntry | None) -> dict[str, str]:
    headers = {}
    if entry is not None and entry.etag:
        headers["If-None-Match"] = entry.etag
    if entry is not None and entry.last_modified:
        headers["If-Modified-Since"] = entry.last_modified
    return headers


def _get_with_retries(
    session: requests.Session,
    url: str,
    settings: Settings,
    params: dict[str, str] | None,
    headers: Mapping[str, str] | None = None,
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
                headers={"User-Agent": settings.user_agent, **(headers or {})},
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
    refresh: bool = False,
) -> Path:
    """Download ``url`` to ``dest`` (atomically) and return ``dest``.

    Parameters
    ----------
    url : str
        The address to fetch.
    dest : Path
        Target file; its folder is created.  The previous file stays if the download fails.
    settings : Settings, optional
        Timeout, retries, backoff, User-Agent, cache folder and cache age.
    session : requests.Session, optional
        Reused connection pool (tests pass one whose responses are recorded).
    params : dict, optional
        Query parameters.
    refresh : bool
        Download again even when the cached copy is recent (no conditional request).

    Raises
    ------
    FetchError
        After the last retry, at once on a 4xx answer other than 429, or when the body
        breaks off; the cached copy and ``dest`` are then left as they were.
    """
    settings = settings or default_settings()
    cache_key = (
        url if not params else url + "?" + "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    )
    cached = cache_path_for(cache_key, settings)
    entry = None if refresh else load_entry(cached)
    if entry is not None and time.time() - entry.fetched_at < settings.cache_max_age_s:
        log.info("cache hit for %s (checked %.0f s ago)", url, time.time() - entry.fetched_at)
    else:
        _fetch_into_cache(url, cached, settings, session or requests.Session(), params, entry)
    with atomic_path(dest) as tmp:
        shutil.copyfile(cached, tmp)
    return dest


def _fetch_into_cache(
    url: str,
    cached: Path,
    settings: Settings,
    session: requests.Session,
    params: dict[str, str] | None,
    entry: CacheEntry | None,
) -> None:
    """Revalidate (with ``entry``'s validators) or download ``url`` into ``cached``."""
    started = time.perf_counter()
    headers = _conditional_headers(entry)
    with _get_with_retries(session, url, settings, params, headers) as response:
        if response.status_code == 304:
            if entry is None:
                msg = f"download of {url} failed: HTTP 304 to an unconditional request"
                raise FetchError(msg)
            _save_entry(cached, url, response.headers, entry)
            log.info("%s not modified since the cached copy; copy kept", url)
            return
        with atomic_path(cached) as tmp:
            _stream_to(response, tmp, url)
            size = tmp.stat().st_size
    _save_entry(cached, url, response.headers, None)
    log.info("downloaded %d kB from %s in %.1f s", size // 1024, url, time.perf_counter() - started)


def _stream_to(response: requests.Response, path: Path, url: str) -> None:
    """Write the body of ``response`` to ``path``; a broken-off body is a FetchError."""
    try:
        with path.open("wb") as fh:
            for chunk in response.iter_content(chunk_size=1 << 16):
                fh.write(chunk)
    except requests.RequestException as exc:
        msg = f"download of {url} broke off ({type(exc).__name__}); previous copy kept"
        raise FetchError(msg) from exc
