"""Result downloads into a content-addressed, size-capped cache.

Result URLs expire (24 h on DashScope), so a succeeded task's MP4 is streamed to disk at once. The
file is written under a temporary name, hashed while it streams, checked (content type, the MP4
``ftyp`` signature, a size cap) and only then renamed to ``<sha256>.mp4``: a crash never leaves
a half file that looks complete, and the same video downloaded twice is stored once.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from vace_studio.engine.paths import Paths

MAX_VIDEO_BYTES = 512 * 1024 * 1024
"""A single result larger than this is refused (the service's outputs are a few MB)."""

DEFAULT_CACHE_BYTES = 5 * 1024**3
"""The cache keeps at most this much; the least recently used videos go first."""

_ACCEPTED_TYPES = ("video/mp4", "application/octet-stream", "binary/octet-stream", "video/")

MAX_REDIRECTS = 5
"""Redirects followed for one download (result links are signed storage URLs, one hop at most)."""

_SCHEMES = ("http", "https")


class DownloadError(Exception):
    """The result could not be fetched or is not an MP4; the message says which."""


def _checked_url(url: str, base: httpx.URL | None = None) -> httpx.URL:
    """``url`` (relative to ``base``, for a redirect) when it is an ``http(s)`` URL: a
    provider's answer or a redirect naming ``file://`` or another scheme must never make the
    engine read or request anything."""
    try:
        parsed = base.join(url) if base is not None else httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as error:
        raise DownloadError(f"the video URL is not a valid URL ({error})") from None
    if parsed.scheme not in _SCHEMES or not parsed.host:
        raise DownloadError(f"the video URL must be http(s), not {str(parsed)[:200]!r}")
    return parsed


@dataclass(frozen=True)
class Downloaded:
    path: Path
    sha256: str
    size: int


def _looks_like_mp4(head: bytes) -> bool:
    # ISO BMFF: a box size (4 bytes) then the box type; MP4 files start with ``ftyp``.
    return len(head) >= 8 and head[4:8] == b"ftyp"


async def download_video(
    http: httpx.AsyncClient,
    url: str,
    paths: Paths,
    *,
    max_bytes: int = MAX_VIDEO_BYTES,
    cache_bytes: int = DEFAULT_CACHE_BYTES,
) -> Downloaded:
    """Stream ``url`` into the cache and return where it landed.

    Raises :class:`httpx.HTTPStatusError` / :class:`httpx.TransportError` for the retry layer to
    judge, and :class:`DownloadError` when the content is wrong (not retried).
    """
    paths.staging.mkdir(parents=True, exist_ok=True)
    partial = paths.staging / f"{uuid.uuid4().hex}.part"
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        async with _open(http, url) as response:
            response.raise_for_status()
            announced = response.headers.get("content-length", "")
            if announced.strip().isdigit() and int(announced) > max_bytes:
                # Refused before a byte is read: a 5 GB answer must not fill the disk first.
                raise DownloadError(
                    f"the video is larger than the {max_bytes} byte cap ({announced} bytes)"
                )
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if kind and not kind.startswith(_ACCEPTED_TYPES):
                raise DownloadError(f"expected an MP4 video but the server sent {kind!r}")
            with partial.open("wb") as out:
                async for chunk in response.aiter_bytes(1 << 16):
                    size += len(chunk)
                    if size > max_bytes:
                        raise DownloadError(f"the video is larger than the {max_bytes} byte cap")
                    if len(head) < 8:
                        head += chunk[: 8 - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
        if not _looks_like_mp4(head):
            raise DownloadError(f"the downloaded file is not an MP4 (starts with {head!r})")
        sha = digest.hexdigest()
        final = paths.cache / f"{sha}.mp4"
        os.replace(partial, final)
        final.touch()  # marks it recently used for eviction
        evict(paths, cache_bytes, keep=final)
        return Downloaded(final, sha, size)
    finally:
        partial.unlink(missing_ok=True)


@asynccontextmanager
async def _open(http: httpx.AsyncClient, url: str) -> AsyncIterator[httpx.Response]:
    """``GET url`` as a stream, following redirects here (not in httpx) so that every hop is
    checked to be ``http(s)`` before it is requested."""
    target = _checked_url(url)
    for _ in range(MAX_REDIRECTS + 1):
        try:
            opened = http.stream("GET", target, follow_redirects=False)
            response = await opened.__aenter__()
        except httpx.InvalidURL as error:
            # httpx parses a redirect's Location even when not following it (a ``data:`` URL
            # there raises InvalidURL, which is no HTTPError).
            raise DownloadError(f"the server redirected to an invalid URL ({error})") from None
        try:
            if not response.is_redirect:
                yield response
                return
            target = _checked_url(response.headers.get("location", ""), response.url)
        finally:
            await opened.__aexit__(None, None, None)
    raise DownloadError(f"more than {MAX_REDIRECTS} redirects for the video URL")


def evict(paths: Paths, cache_bytes: int, *, keep: Path | None = None) -> list[Path]:
    """Delete the least recently used videos until the cache fits ``cache_bytes``."""
    videos = sorted(paths.cache.glob("*.mp4"), key=lambda p: p.stat().st_mtime)
    total = sum(p.stat().st_size for p in videos)
    removed: list[Path] = []
    for video in videos:
        if total <= cache_bytes:
            break
        if video == keep:
            continue
        total -= video.stat().st_size
        video.unlink(missing_ok=True)
        removed.append(video)
    return removed
