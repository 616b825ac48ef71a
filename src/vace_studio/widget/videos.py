"""Videos (and exported runs) sent to the browser on request, in chunks, as binary buffers.

The browser asks ``video {local_id, offset}`` and gets ``{size, offset, last, etag, mime}`` plus
one buffer of at most :data:`CHUNK_BYTES`; it asks again from the next offset until ``last``, then
builds a Blob URL. Pulling chunk by chunk keeps every message under Jupyter's websocket limits
and lets the browser stop half-way (a card scrolled away). Only files the engine recorded for a
task are ever read: the browser names a task (its result, or with ``source: true`` the source
video its request names), never a path. An ``http(s)`` source is fetched into the engine's
video cache first (:func:`source_path`), so it plays even when the browser cannot reach it.
"""

from __future__ import annotations

import io
import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from vace_studio.engine.downloads import download_video
from vace_studio.media import ProbeError, thumbnail
from vace_studio.requests.media import is_local
from vace_studio.widget.errors import WidgetError

if TYPE_CHECKING:
    from vace_studio.engine import Client

SOURCE_FIELD = "video_url"
"""The request field holding the video a result was made from (A/B: source vs result)."""

CHUNK_BYTES = 4 * 1024 * 1024 - 64 * 1024
"""Bytes of video per message: with the JSON header the message stays within 4 MiB."""


class VideoUnavailableError(WidgetError):
    """No local video to send; ``code`` says why (the browser may fall back to the URL)."""

    code = "no_video"


def read_chunk(
    path: str | Path | None, offset: int, chunk_bytes: int = CHUNK_BYTES
) -> tuple[dict[str, Any], bytes]:
    """The answer fields and the bytes of one chunk of the file at ``path``."""
    if not path:
        raise VideoUnavailableError("this task has no downloaded video (yet)", "no_video")
    video = Path(path)
    try:
        size = video.stat().st_size
        if not 0 <= offset <= size:
            raise VideoUnavailableError(
                f"offset {offset} is outside the video (0 to {size} bytes)", "bad_offset"
            )
        with video.open("rb") as handle:
            handle.seek(offset)
            data = handle.read(chunk_bytes)
    except FileNotFoundError:
        raise VideoUnavailableError(
            f"the video is no longer in the local cache ({video.name}); its URL may still work",
            "video_missing",
        ) from None
    info = {
        "size": size,
        "offset": offset,
        "last": offset + len(data) >= size,
        # Cache files are named by content hash: the browser checks every chunk came from the
        # same file, in case the cache replaced it between two requests.
        "etag": f"{video.name}:{size}",
        "mime": mimetypes.guess_type(video.name)[0] or "video/mp4",
    }
    return info, data


def _is_file(path: str | Path) -> bool:
    """Whether ``path`` is a readable regular file; a name the OS refuses (too long, a NUL) is
    not one, rather than an ``OSError`` out of a handler."""
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


def source_ref(request: Mapping[str, Any]) -> str | None:
    """The source video a request names, if the kernel can read it (a local file that exists,
    or an ``http(s)`` URL); ``oss://`` references live in the provider's storage only."""
    ref = request.get(SOURCE_FIELD)
    if not isinstance(ref, str) or not ref:
        return None
    if ref.lower().startswith(("http://", "https://")):
        return ref
    if is_local(ref) and _is_file(ref):
        return ref
    return None


async def source_path(client: Client, request: Mapping[str, Any], fetched: dict[str, Path]) -> Path:
    """Where the source video of ``request`` is on this machine; an ``http(s)`` source is
    streamed into the client's video cache once (``fetched`` remembers it by URL)."""
    ref = source_ref(request)
    if ref is None:
        raise VideoUnavailableError(
            "this task's request names no source video this kernel can read", "no_source"
        )
    if not ref.lower().startswith(("http://", "https://")):
        return Path(ref)
    known = fetched.get(ref)
    if known is not None and known.is_file():
        return known
    try:
        got = await download_video(client.transport.http, ref, client.paths)
    except Exception as error:
        raise VideoUnavailableError(
            f"the source video could not be fetched: {error}", "source_unreachable"
        ) from None
    fetched[ref] = got.path
    return got.path


POSTER_WIDTH = 320
"""Pixels across a still: a gallery cell (160–300 px wide) or a form's thumbnail."""


def still_jpeg(path: str | Path, *, max_width: int = POSTER_WIDTH) -> tuple[bytes, int, int]:
    """An image, or the first frame of a video, as a small JPEG (a few KB) and its size."""
    try:
        still = thumbnail(path, max_width=max_width)
    except (ProbeError, OSError) as error:
        reason = getattr(error, "reason", None) or str(error)
        raise VideoUnavailableError(
            f"no picture of {Path(path).name}: {reason}", "unreadable"
        ) from None
    out = io.BytesIO()
    with Image.open(io.BytesIO(still.png)) as image:
        image.convert("RGB").save(out, "JPEG", quality=75)
    return out.getvalue(), still.width, still.height


def poster_jpeg(path: str | Path | None) -> tuple[bytes, int, int]:
    """A result's still: what a gallery cell shows while the cap on loaded videos keeps its
    video waiting."""
    if not path or not _is_file(path):
        raise VideoUnavailableError("this task has no downloaded video (yet)", "no_video")
    return still_jpeg(path)


def thumbnail_jpeg(ref: str) -> tuple[bytes, int, int]:
    """A form field's thumbnail when its value is a file on the kernel's machine (a typed path,
    or a request put back by "Edit as new"); URLs are shown by the browser itself."""
    if not is_local(ref) or not _is_file(ref):
        raise VideoUnavailableError("not a file on the kernel's machine", "not_local")
    return still_jpeg(ref)
