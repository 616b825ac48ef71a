"""Probing a remote image or video with a few small range requests, never a full download.

An image's header is in its first bytes: one ``Range: bytes=0-65535`` GET (widened once to
1 MB for JPEGs with large metadata). An MP4's facts are in its ``moov`` box, which may sit at the
end: the top-level boxes are walked with small range GETs (``ftyp`` … ``mdat`` … ``moov``), and
only ``ftyp`` + ``moov`` are handed to PyAV. Servers that ignore ``Range`` (HTTP 200) are read as
a stream and abandoned after :data:`STREAM_CAP` bytes.

A GET, not a HEAD: many signed URLs (S3, OSS) are signed for GET only and refuse a HEAD.

A server that cannot be reached, or answers an error status, gives :class:`Unreachable` — a
warning for the caller, not an error: the provider may well reach what this machine cannot.
A server that answers with something that is not the expected media raises
:class:`~vace_studio.media.probe.ProbeError`.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from vace_studio.media.probe import MediaInfo, MediaKind, ProbeError, probe_bytes, sniff_kind

HEAD_BYTES = 64 * 1024
IMAGE_RETRY_BYTES = 1024 * 1024
STREAM_CAP = 8 * 1024 * 1024
"""Most bytes read from a server that ignores ``Range`` before giving up."""
MAX_MOOV = 32 * 1024 * 1024
_MAX_BOXES = 64
DEFAULT_TIMEOUT = 10.0
REMOTE_PROBE_TTL = 600.0
"""How long the facts of a probed remote URL are trusted (its content may change)."""


@dataclass(frozen=True)
class Unreachable:
    """A remote file that could not be fetched for probing; ``reason`` is a short sentence."""

    url: str
    reason: str


class _FetchError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Chunk:
    data: bytes
    total: int | None
    content_type: str


def _total_from(response: httpx.Response) -> int | None:
    ranged = response.headers.get("content-range", "")
    if "/" in ranged:
        tail = ranged.rsplit("/", 1)[1].strip()
        return int(tail) if tail.isdigit() else None
    length = response.headers.get("content-length", "")
    return int(length) if response.status_code == 200 and length.isdigit() else None


async def _read(
    http: httpx.AsyncClient, url: str, start: int, length: int, request_timeout: float
) -> _Chunk:
    """``length`` bytes from ``start`` (fewer at the end of the file)."""
    headers = {"Range": f"bytes={start}-{start + length - 1}", "Accept-Encoding": "identity"}
    try:
        async with http.stream("GET", url, headers=headers, timeout=request_timeout) as response:
            if response.status_code == 416:
                return _Chunk(b"", _total_from(response), "")
            if response.status_code not in (200, 206):
                raise _FetchError(f"HTTP {response.status_code} from {urlsplit(url).netloc}")
            skip = start if response.status_code == 200 else 0
            if skip > STREAM_CAP:
                raise _FetchError(
                    "the server does not support range requests, and the header is "
                    "too far into the file to read without downloading it"
                )
            buffer = bytearray()
            async for block in response.aiter_raw():
                buffer += block
                if len(buffer) >= skip + length:
                    break
            kind = response.headers.get("content-type", "").split(";")[0].strip()
            return _Chunk(bytes(buffer[skip : skip + length]), _total_from(response), kind)
    except httpx.HTTPError as error:
        raise _FetchError(f"{type(error).__name__} reaching {urlsplit(url).netloc}") from None


def _box_header(data: bytes) -> tuple[bytes, int, int] | None:
    """(type, size, header length) of the ISO-BMFF box at the start of ``data``."""
    if len(data) < 8:
        return None
    size, kind = struct.unpack(">I4s", data[:8])
    if size == 1:
        if len(data) < 16:
            return None
        return kind, struct.unpack(">Q", data[8:16])[0], 16
    return kind, size, 8


async def _mp4_header(
    http: httpx.AsyncClient, url: str, head: _Chunk, request_timeout: float
) -> bytes | None:
    """``ftyp`` + ``moov`` of a remote MP4, or ``None`` when there is no ``moov``."""
    offset, kept, found_moov = 0, [], False
    for _ in range(_MAX_BOXES):
        if head.total is not None and offset >= head.total:
            break
        local = head.data[offset : offset + 16] if offset + 16 <= len(head.data) else None
        if local is None:
            local = (await _read(http, url, offset, 16, request_timeout)).data
        parsed = _box_header(local)
        if parsed is None:
            break
        kind, size, header = parsed
        if size == 0:  # the box runs to the end of the file
            size = (head.total - offset) if head.total is not None else MAX_MOOV
        if size < header:
            break
        if kind in (b"ftyp", b"moov"):
            if size > MAX_MOOV:
                raise ProbeError(f"the video's {kind.decode()} box is implausibly large")
            if offset + size <= len(head.data):
                box = head.data[offset : offset + size]
            else:
                box = (await _read(http, url, offset, size, request_timeout)).data
            kept.append(box)
            if kind == b"moov":
                found_moov = True
                break
        offset += size
    return b"".join(kept) if found_moov else None


async def probe_remote(
    url: str,
    http: httpx.AsyncClient,
    kind: MediaKind | None = None,
    *,
    request_timeout: float = DEFAULT_TIMEOUT,
) -> MediaInfo | Unreachable:
    """Probe an http(s) URL with range GETs; :class:`Unreachable` when it cannot be fetched.

    ``http`` should carry no credentials (the engine's shared client sends its key only to the
    provider). Raises :class:`ProbeError` when the server answered with something that is not
    the media ``kind`` asks for.
    """
    try:
        head = await _read(http, url, 0, HEAD_BYTES, request_timeout)
        found = sniff_kind(head.data[:16])
        if kind == "image" and found == "video":
            raise ProbeError("this URL serves a video, not an image")
        if kind == "video" and found == "image":
            raise ProbeError("this URL serves an image, not a video")
        want = kind or found
        if want == "image" or (want is None and found is None):
            return await _probe_remote_image(http, url, head, kind, request_timeout)
        if head.data[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
            boxes = await _mp4_header(http, url, head, request_timeout)
            if boxes is not None:
                return probe_bytes(boxes, "video", size=head.total)
        try:
            # Not MP4-like (WebM, AVI...): their headers come first; the head may do.
            return probe_bytes(head.data, "video", size=head.total)
        except ProbeError as error:
            raise _not_media("a video", head, error) from None
    except _FetchError as failure:
        return Unreachable(url, failure.reason)


async def _probe_remote_image(
    http: httpx.AsyncClient, url: str, head: _Chunk, kind: MediaKind | None, request_timeout: float
) -> MediaInfo:
    try:
        return probe_bytes(head.data, kind, size=head.total)
    except ProbeError as error:
        first = error
    if len(head.data) == HEAD_BYTES and sniff_kind(head.data[:16]) == "image":
        # A JPEG with a large EXIF / ICC block: the frame header is further in.
        wider = await _read(http, url, 0, IMAGE_RETRY_BYTES, request_timeout)
        try:
            return probe_bytes(wider.data, kind, size=head.total)
        except ProbeError as error:
            first = error
        if len(wider.data) == IMAGE_RETRY_BYTES:
            # A known image signature whose header lies further still (a TIFF may keep its
            # directory at the end): not checked, rather than wrongly refused.
            raise _FetchError("its image header is not within the first 1 MB")
    raise _not_media("an image" if kind == "image" else "media", head, first)


def _not_media(what: str, head: _Chunk, error: ProbeError) -> ProbeError:
    if head.content_type.startswith("text/"):
        return ProbeError(f"the server sent a {head.content_type} page, not {what}")
    return ProbeError(error.reason)


class RemoteFacts(MutableMapping[str, MediaInfo]):
    """Facts of remote URLs, each trusted for :data:`REMOTE_PROBE_TTL` seconds, at most 256."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, MediaInfo]] = {}

    def __getitem__(self, key: str) -> MediaInfo:
        stamp, info = self._items[key]
        if time.monotonic() - stamp > REMOTE_PROBE_TTL:
            del self._items[key]
            raise KeyError(key)
        return info

    def __setitem__(self, key: str, value: MediaInfo) -> None:
        if len(self._items) >= 256:
            self._items.clear()
        self._items[key] = (time.monotonic(), value)

    def __delitem__(self, key: str) -> None:
        del self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)
